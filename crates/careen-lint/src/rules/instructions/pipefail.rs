use super::hadolint_shell::{runs, Onbuild, ScriptSource};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{shell, InstructionKind, Span};

rule! {
    /// ## What it does
    /// Checks for RUN with a pipe when the stage's SHELL does not set `-o pipefail`.
    ///
    /// ## Why is this bad?
    /// A pipeline's status is the status of its last command, so in
    /// `RUN curl -fsSL https://example.com/key | gpg --dearmor` a failed download
    /// still lets the step succeed and the image is built with a broken key.
    /// `set -o pipefail`, given once through SHELL, makes any failing command of a
    /// pipeline fail the step.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// ## Fix
    /// Inserts `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the stage's
    /// first flagged RUN. Unsafe: the image must have bash (on Alpine, use
    /// `/bin/ash` instead), and every later RUN of the stage runs in bash.
    ///
    /// ## Differences from hadolint
    /// Same behaviour as hadolint 2.15.1: each FROM starts without pipefail (a
    /// SHELL of the parent stage does not count); a SHELL whose command starts
    /// with `pwsh`, `powershell` or `cmd` turns the check off; otherwise only a
    /// SHELL running `bash`, `zsh` or `ash` (bare or under `/bin/`) with `-o` and a
    /// `pipefail` argument turns it off. `ONBUILD RUN` is not checked, and a
    /// pipe inside an `sh -c '…'` string is not seen.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct Pipefail {
        code: "DL4006",
        name: "pipefail",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

const PIPEFAIL_SHELLS: &[&str] = &["/bin/bash", "/bin/zsh", "/bin/ash", "bash", "zsh", "ash"];
const NON_POSIX_SHELLS: &[&str] = &["pwsh", "powershell", "cmd"];

/// Whether a SHELL instruction's arguments turn the check off.
fn shell_is_safe(args: &[&str]) -> bool {
    let joined = args.join(" ");
    if NON_POSIX_SHELLS.iter().any(|s| joined.starts_with(s)) {
        return true;
    }
    let source = ScriptSource::Exec {
        script: shell::parse(&joined),
        span: Span::default(),
    };
    source.commands().iter().any(|c| {
        PIPEFAIL_SHELLS.contains(&c.name) && c.has_any_flag(&["o"]) && c.has_arg("pipefail")
    })
}

impl Rule for Pipefail {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let runs = runs(ctx, Onbuild::Skip);
        let mut runs = runs.iter().peekable();
        let mut safe = false;
        let mut fix_offered = false;
        for (index, instruction) in ctx.instructions().iter().enumerate() {
            match &instruction.kind {
                InstructionKind::From(_) => {
                    safe = false;
                    fix_offered = false;
                }
                InstructionKind::Shell(words) => {
                    let args: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
                    safe = shell_is_safe(&args);
                }
                _ => {}
            }
            let Some(run) = runs.next_if(|r| r.index == index) else {
                continue;
            };
            if safe {
                continue;
            }
            let pipe = run.scripts.iter().find_map(|source| {
                source
                    .pipes()
                    .first()
                    .map(|range| source.span(ctx, range.clone()))
            });
            let Some(span) = pipe else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                span,
                "a pipe in RUN hides failures of all but its last command",
            )
            .with_help("set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN");
            if !fix_offered {
                fix_offered = true;
                let start = instruction.span.start.offset;
                let source = ctx.source();
                let line_start = source
                    .get(..start)
                    .and_then(|before| before.rfind('\n').map(|i| i + 1))
                    .unwrap_or(0);
                let indent = source.get(line_start..start).unwrap_or("");
                if indent.chars().all(|c| c == ' ' || c == '\t') {
                    diagnostic = diagnostic.with_fix(Fix::unsafe_(
                        "Set a bash SHELL with `-o pipefail`",
                        vec![Edit::insert(
                            line_start,
                            format!(
                                "{indent}SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
                            ),
                        )],
                    ));
                }
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shell_is_safe;

    #[test]
    fn shells() {
        assert!(shell_is_safe(&["/bin/bash", "-o", "pipefail", "-c"]));
        assert!(shell_is_safe(&["/bin/bash", "-c", "-o pipefail"]));
        assert!(shell_is_safe(&["powershell.exe", "-c"]));
        assert!(!shell_is_safe(&["/bin/sh", "-o", "pipefail", "-c"]));
        assert!(!shell_is_safe(&["/usr/bin/zsh", "-o", "pipefail", "-c"]));
        assert!(!shell_is_safe(&["/bin/bash", "-opipefail", "-c"]));
        assert!(!shell_is_safe(&["/bin/bash", "-c"]));
    }
}
