use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that the `AS` of `FROM image AS name` is written in the same
    /// case as the `FROM` keyword.
    ///
    /// ## Why is this bad?
    /// BuildKit accepts any casing, but `FROM node:22 as build` mixes an
    /// upper-case keyword with a lower-case one, which reads as a typo and
    /// makes stage names harder to grep. BuildKit's own build checks warn
    /// about it (`FromAsCasing`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 as build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS build
    /// ```
    ///
    /// ## Fix
    /// Rewrites `as` in the case of `FROM`. Safe: the keyword's case has no
    /// meaning.
    pub(crate) struct FromAsCasing {
        code: "CR0003",
        name: "from-as-casing",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

impl Rule for FromAsCasing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            let keyword = ctx
                .source()
                .get(instruction.keyword_span.range())
                .unwrap_or("");
            let expected = if keyword == keyword.to_ascii_uppercase() {
                "AS"
            } else if keyword == keyword.to_ascii_lowercase() {
                "as"
            } else {
                // Mixed-case `From`: no clear expectation.
                continue;
            };
            let (start, end) = (from.image.span.end.offset, alias.span.start.offset);
            let Some(between) = ctx.source().get(start..end) else {
                continue;
            };
            let Some(at) = between.to_ascii_lowercase().find("as") else {
                continue;
            };
            let Some(written) = between.get(at..at + 2) else {
                continue;
            };
            if written == expected {
                continue;
            }
            let range = start + at..start + at + 2;
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.span(range.clone()),
                    format!("`{written}` does not match the case of `{keyword}`"),
                )
                .with_help(format!("write `{expected}`"))
                .with_fix(Fix::safe(
                    format!("Write `{expected}`"),
                    vec![Edit::replace(range, expected)],
                )),
            );
        }
    }
}
