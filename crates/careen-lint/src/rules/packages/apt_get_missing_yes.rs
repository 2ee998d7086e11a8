use super::manager::runs;
use super::report::MissingFlag;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apt-get install` without `-y` (or another way to answer yes).
    ///
    /// ## Why is this bad?
    /// A build has no terminal: when `apt-get` asks for confirmation, it reads
    /// end-of-input and aborts, so the step fails as soon as the install needs
    /// an extra package. `-y` (also `--yes`, `--assume-yes`, or `-qq`, which
    /// implies it) answers the question in advance.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install curl=7.88.1-10
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get install -y curl=7.88.1-10
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after `install`. Safe: it only removes the prompt.
    pub(crate) struct AptGetMissingYes {
        code: "DL3014",
        name: "apt-get-missing-yes",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

const FIX: MissingFlag<'static> = MissingFlag::new(&["install"], "-y");

impl Rule for AptGetMissingYes {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let offending: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.has_any_arg("apt-get", &["install"]))
                .filter(|c| {
                    !(c.has_any_flag(&["y", "yes", "qq", "assume-yes"])
                        || c.count_flag("q") == 2
                        || c.count_flag("quiet") == 2
                        || c.has_arg("-q=2"))
                })
                .collect();
            out.extend(FIX.report(ctx, &Self::INFO, &offending, |_, _| {
                "`apt-get install` runs without `-y` and will stop at its confirmation prompt"
                    .to_string()
            }));
        }
    }
}
