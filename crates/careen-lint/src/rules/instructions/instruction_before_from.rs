use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for instructions other than `ARG` before the first `FROM`.
    ///
    /// ## Why is this bad?
    /// Only `ARG` (and comments and parser directives) may come before the
    /// first `FROM`; the builder rejects anything else, so the file does not
    /// build.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.title="app"
    /// FROM debian:12
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.title="app"
    /// ```
    pub(crate) struct InstructionBeforeFrom {
        code: "DL3061",
        name: "instruction-before-from",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for InstructionBeforeFrom {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::From(_) => break,
                InstructionKind::Arg(_) => {}
                _ => out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        instruction.keyword_span,
                        format!(
                            "`{}` comes before the first `FROM`",
                            instruction.keyword.as_str().to_ascii_uppercase()
                        ),
                    )
                    .with_help("start the file with `FROM`; only `ARG` may come before it"),
                ),
            }
        }
    }
}
