use super::hadolint_shell::flag_value_as_written;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `COPY --from` naming the stage it is in.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself: its files are not built yet. BuildKit
    /// reports a dependency cycle, or, with a same-named image, copies from that
    /// image instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS web
    /// COPY --from=web /app/dist /srv
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS web
    /// FROM nginx:1.27
    /// COPY --from=web /app/dist /srv
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: the name compares case-sensitively and as written.
    pub(crate) struct CopyFromOwnStage {
        code: "DL3023",
        name: "copy-from-own-stage",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for CopyFromOwnStage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut current: Option<&str> = None;
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::From(from) => {
                    current = from.alias.as_ref().map(|a| a.value.as_str());
                }
                InstructionKind::Copy(_) => {
                    let (Some(flag), Some(stage)) = (instruction.flag("from"), current) else {
                        continue;
                    };
                    if flag_value_as_written(ctx, flag) == stage {
                        out.push(
                            Diagnostic::new(
                                &Self::INFO,
                                flag.span,
                                format!("`COPY --from={stage}` copies from the stage it is in"),
                            )
                            .with_help("copy from an earlier stage"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
