use super::manager::{insert_after, runs};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
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
            let Some(first) = offending.first() else {
                continue;
            };
            let Some(install) = first.find_arg(&["install"]) else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                ctx.span(install.source.clone()),
                "`apt-get install` also installs recommended packages",
            )
            .with_help("add `--no-install-recommends`");
            let edits: Vec<_> = offending
                .iter()
                .filter(|c| c.shell.is_some())
                .filter_map(|c| c.find_arg(&["install"]))
                .map(|a| insert_after(&a.source, "--no-install-recommends"))
                .collect();
            if edits.len() == offending.len() {
                diagnostic =
                    diagnostic.with_fix(Fix::unsafe_("Add `--no-install-recommends`", edits));
            }
            out.push(diagnostic);
        }
    }
}
