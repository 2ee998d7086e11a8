use super::hadolint_shell::drop_quotes;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for COPY with several sources whose destination does not end with `/`.
    ///
    /// ## Why is this bad?
    /// With more than one source the destination must be a directory. Without the
    /// trailing `/` the build fails unless the directory already exists, and a
    /// reader cannot tell a directory was meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: only COPY is checked (not ADD), and a single source with a
    /// wildcard is not.
    pub(crate) struct CopyMultiSourceDest {
        code: "DL3021",
        name: "copy-multi-source-dest",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for CopyMultiSourceDest {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Copy(copy) = &instruction.kind else {
                continue;
            };
            if copy.sources.len() > 1 && !drop_quotes(&copy.dest.value).ends_with('/') {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        copy.dest.span,
                        format!(
                            "COPY has {} sources but destination `{}` does not end with `/`",
                            copy.sources.len(),
                            copy.dest.value
                        ),
                    )
                    .with_help("end the destination with `/`"),
                );
            }
        }
    }
}
