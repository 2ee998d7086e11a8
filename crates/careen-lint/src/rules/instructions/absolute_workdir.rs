use super::hadolint_shell::drop_quotes;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for WORKDIR with a relative path.
    ///
    /// ## Why is this bad?
    /// A relative WORKDIR is resolved against the previous one, which may come
    /// from the base image and change when it is updated. An absolute path says
    /// exactly where the following instructions run.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// Like hadolint, paths starting with `$` (a variable) and Windows paths
    /// (`C:\app`, `c:`) count as absolute, and quotes around the path are
    /// ignored. hadolint crashes on a one-letter WORKDIR (`WORKDIR a`); careen
    /// flags it as relative.
    pub(crate) struct AbsoluteWorkdir {
        code: "DL3000",
        name: "absolute-workdir",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

/// Whether hadolint reads `path` as absolute.
fn is_absolute(path: &str) -> bool {
    let path = drop_quotes(path);
    let mut chars = path.chars();
    let windows = matches!(
        (chars.next(), chars.next()),
        (Some(letter), Some(':')) if letter.is_alphabetic()
    );
    path.is_empty() || path.starts_with('$') || path.starts_with('/') || windows
}

impl Rule for AbsoluteWorkdir {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Workdir(path) = &instruction.kind else {
                continue;
            };
            if !is_absolute(&path.value) {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        path.span,
                        format!("WORKDIR `{}` is a relative path", path.value),
                    )
                    .with_help("use an absolute path"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_absolute;

    #[test]
    fn paths() {
        assert!(is_absolute("/app"));
        assert!(is_absolute("\"/app\""));
        assert!(is_absolute("$HOME/x"));
        assert!(is_absolute("C:\\app"));
        assert!(is_absolute("c:"));
        assert!(!is_absolute("app"));
        assert!(!is_absolute("a"));
        assert!(!is_absolute("~/x"));
    }
}
