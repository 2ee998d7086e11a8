use super::manager::runs;
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `zypper install` of packages without a version.
    ///
    /// ## Why is this bad?
    /// Without a version each build installs whatever the repository has that
    /// day, so builds are not repeatable. Pin with `=` (`httpd=2.4.58`),
    /// constrain with `>`, `<`, `>=`, `<=`, or install an `.rpm` file.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install -y httpd && zypper clean
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    pub(crate) struct ZypperPinVersions {
        code: "DL3037",
        name: "zypper-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn pinned(package: &str) -> bool {
    package.contains('=')
        || package.contains('>')
        || package.contains('<')
        || package.ends_with(".rpm")
}

impl Rule for ZypperPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.has_any_arg("zypper", &["install", "in"]))
                .flat_map(|c| c.args_no_flags(&[]))
                .filter(|a| a.text != "install" && a.text != "in" && !pinned(&a.text))
                .collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| format!("{names} {verb} installed with `zypper` without a version"),
                "pin each package, e.g. `httpd=2.4.58`",
            ));
        }
    }
}
