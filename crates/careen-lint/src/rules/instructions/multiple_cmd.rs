use super::instruction_count::repeated_in_stage;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for more than one `CMD` in a stage.
    ///
    /// ## Why is this bad?
    /// A container has one default command: each `CMD` replaces the previous
    /// one, so the earlier ones never run and only mislead the reader.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["python", "-m", "http.server"]
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// `ONBUILD CMD` is not counted: it belongs to images built from this one.
    pub(crate) struct MultipleCmd {
        code: "DL4003",
        name: "multiple-cmd",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for MultipleCmd {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let repeated = repeated_in_stage(ctx.instructions(), |kind| {
            matches!(kind, InstructionKind::Cmd(_))
        });
        for instruction in repeated {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    instruction.keyword_span,
                    "the stage already has a `CMD`; only the last one is used",
                )
                .with_help("keep only the `CMD` that should run"),
            );
        }
    }
}
