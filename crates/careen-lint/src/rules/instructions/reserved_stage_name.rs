use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for stages named `scratch` or `context`.
    ///
    /// ## Why is this bad?
    /// `scratch` is the builder's empty base image and `context` is the name
    /// under which the build context is reachable (e.g. with additional
    /// contexts). A stage with one of these names makes `FROM scratch` or
    /// `COPY --from=context` ambiguous to readers and to tools.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS context
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// ```
    ///
    /// ## Differences from hadolint
    /// None: like hadolint, the name is compared as written, so `Scratch` is
    /// not flagged.
    pub(crate) struct ReservedStageName {
        code: "DL3063",
        name: "reserved-stage-name",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for ReservedStageName {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let Some(alias) = &from.alias else {
                continue;
            };
            if alias.value == "scratch" || alias.value == "context" {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        alias.span,
                        format!(
                            "`{}` is a reserved name and should not name a stage",
                            alias.value
                        ),
                    )
                    .with_help("pick another stage name"),
                );
            }
        }
    }
}
