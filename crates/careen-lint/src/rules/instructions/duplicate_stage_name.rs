use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::HashSet;

rule! {
    /// ## What it does
    /// Checks for two FROM instructions with the same stage name.
    ///
    /// ## Why is this bad?
    /// `COPY --from=NAME` and `--target NAME` pick a stage by name; with two stages
    /// of that name, which one is meant is unclear and BuildKit rejects the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// FROM node:22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build-go
    /// FROM node:22 AS build-web
    /// ```
    ///
    /// ## Differences from hadolint
    /// Names are compared as written, case-sensitively, as hadolint does
    /// (BuildKit itself ignores case, so `AS App` and `AS app` also clash there).
    pub(crate) struct DuplicateStageName {
        code: "DL3024",
        name: "duplicate-stage-name",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for DuplicateStageName {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen: HashSet<&str> = HashSet::new();
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let Some(alias) = &from.alias else {
                continue;
            };
            if !seen.insert(alias.value.as_str()) {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        alias.span,
                        format!(
                            "stage name `{}` is already used by an earlier stage",
                            alias.value
                        ),
                    )
                    .with_help("give every stage a unique name"),
                );
            }
        }
    }
}
