use super::instruction_count::repeated_in_stage;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for more than one `ENTRYPOINT` in a stage.
    ///
    /// ## Why is this bad?
    /// Each `ENTRYPOINT` replaces the previous one, so only the last is used;
    /// the others are dead code that suggests a behaviour the image does not
    /// have.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["/bin/sh"]
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    pub(crate) struct MultipleEntrypoint {
        code: "DL4004",
        name: "multiple-entrypoint",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for MultipleEntrypoint {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let repeated = repeated_in_stage(ctx.instructions(), |kind| {
            matches!(kind, InstructionKind::Entrypoint(_))
        });
        for instruction in repeated {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    instruction.keyword_span,
                    "the stage already has an `ENTRYPOINT`; only the last one is used",
                )
                .with_help("keep only the `ENTRYPOINT` that should run"),
            );
        }
    }
}
