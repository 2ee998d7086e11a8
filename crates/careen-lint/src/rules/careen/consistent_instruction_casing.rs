use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::Keyword;

rule! {
    /// ## What it does
    /// Checks that instruction keywords are all upper case or all lower case.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, so `From`, `run` and `COPY` in one file
    /// all work, but the mix makes a Dockerfile harder to read and to search.
    /// The convention is upper case; a file written entirely in lower case is
    /// consistent too and is left alone. BuildKit's build checks warn about it
    /// (`ConsistentInstructionCasing`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// run apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix
    /// Rewrites the keyword in the case most of the file uses (upper case on a
    /// tie). Safe.
    pub(crate) struct ConsistentInstructionCasing {
        code: "CR0007",
        name: "consistent-instruction-casing",
        severity: Style,
        fix: Always,
        enabled: true,
    }
}

impl Rule for ConsistentInstructionCasing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let keywords: Vec<(&str, careen_dockerfile::Span)> = ctx
            .instructions()
            .iter()
            .filter(|i| !matches!(i.keyword, Keyword::Unknown(_)))
            .filter_map(|i| {
                ctx.source()
                    .get(i.keyword_span.range())
                    .map(|text| (text, i.keyword_span))
            })
            .collect();
        let upper = keywords
            .iter()
            .filter(|(t, _)| *t == t.to_ascii_uppercase())
            .count();
        let lower = keywords
            .iter()
            .filter(|(t, _)| *t == t.to_ascii_lowercase())
            .count();
        let want_upper = upper >= lower;
        for (text, span) in keywords {
            let expected = if want_upper {
                text.to_ascii_uppercase()
            } else {
                text.to_ascii_lowercase()
            };
            if text == expected {
                continue;
            }
            let case = if want_upper { "upper" } else { "lower" };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    format!("`{text}` is not in the {case} case the rest of the file uses"),
                )
                .with_help(format!("write `{expected}`"))
                .with_fix(Fix::safe(
                    format!("Write `{expected}`"),
                    vec![Edit::replace(span.range(), expected)],
                )),
            );
        }
    }
}
