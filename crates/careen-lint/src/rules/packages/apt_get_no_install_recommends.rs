use super::manager::runs;
use super::report::MissingFlag;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apt-get install` without `--no-install-recommends`.
    ///
    /// ## Why is this bad?
    /// By default `apt-get` also installs every package the requested ones
    /// merely recommend: documentation, optional tools, sometimes whole
    /// desktop libraries. They make the image larger and add code that can
    /// carry vulnerabilities, and the image rarely needs them. Passing
    /// `--no-install-recommends` (or `-o APT::Install-Recommends=false`)
    /// installs only real dependencies.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y curl=7.88.1-10
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get install -y --no-install-recommends curl=7.88.1-10
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-install-recommends` after `install`. Unsafe: a later step
    /// may rely on a recommended package that is then no longer installed.
    pub(crate) struct AptGetNoInstallRecommends {
        code: "DL3015",
        name: "apt-get-no-install-recommends",
        severity: Info,
        fix: Always,
        enabled: true,
    }
}

const FIX: MissingFlag<'static> =
    MissingFlag::new(&["install"], "--no-install-recommends").unsafe_fix();

impl Rule for AptGetNoInstallRecommends {
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
                    !(c.has_flag("no-install-recommends")
                        || c.has_arg("APT::Install-Recommends=false"))
                })
                .collect();
            out.extend(FIX.report(ctx, &Self::INFO, &offending, |_, _| {
                "`apt-get install` also installs recommended packages".to_string()
            }));
        }
    }
}
