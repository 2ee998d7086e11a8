use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that stage names (`FROM image AS name`) are lower case.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names before comparing them, so `AS Build`,
    /// `--from=build` and `--target BUILD` all name the same stage. Writing
    /// names in mixed case suggests a distinction that does not exist and
    /// trips up tools that compare names exactly. BuildKit's build checks warn
    /// about it (`StageNameCasing`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS Builder
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the name where it is defined. Safe: BuildKit already
    /// treats it as lower case, so every reference still matches.
    pub(crate) struct StageNameCasing {
        code: "CR0004",
        name: "stage-name-casing",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

impl Rule for StageNameCasing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            if alias.value.contains('$') || alias.value == alias.value.to_ascii_lowercase() {
                continue;
            }
            let lower = alias.value.to_ascii_lowercase();
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                alias.span,
                format!("stage name `{}` is not lower case", alias.value),
            )
            .with_help(format!("name the stage `{lower}`"));
            if ctx.source().get(alias.span.range()) == Some(alias.value.as_str()) {
                diagnostic = diagnostic.with_fix(Fix::safe(
                    format!("Rename to `{lower}`"),
                    vec![Edit::replace(alias.span.range(), lower)],
                ));
            }
            out.push(diagnostic);
        }
    }
}
