use super::instruction_count::repeated_in_stage;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for more than one `HEALTHCHECK` in a stage.
    ///
    /// ## Why is this bad?
    /// An image has a single health check: each `HEALTHCHECK` replaces the one
    /// before it, so all but the last are dead code that readers may mistake for
    /// checks that run.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// HEALTHCHECK CMD wget -q -O /dev/null http://localhost/ || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// ```
    ///
    /// `HEALTHCHECK NONE` counts as a `HEALTHCHECK` too.
    pub(crate) struct MultipleHealthchecks {
        code: "DL3012",
        name: "multiple-healthchecks",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for MultipleHealthchecks {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let repeated = repeated_in_stage(ctx.instructions(), |kind| {
            matches!(kind, InstructionKind::Healthcheck(_))
        });
        for instruction in repeated {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    instruction.keyword_span,
                    "the stage already has a `HEALTHCHECK`; only the last one is used",
                )
                .with_help("keep one `HEALTHCHECK` per stage"),
            );
        }
    }
}
