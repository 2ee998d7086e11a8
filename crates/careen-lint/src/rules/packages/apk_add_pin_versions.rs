use super::manager::runs;
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apk add` of packages without a pinned version.
    ///
    /// ## Why is this bad?
    /// Without a version constraint each build takes whatever the Alpine
    /// repository has that day, so builds are not repeatable and can break
    /// when a package changes. Pin with `=` (`curl=8.5.0-r0`) or constrain
    /// with `~`, `>` or `<`. Local `.apk` files and the values of `-t`/
    /// `--virtual`, `--repository` and `-X` are not packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl=8.5.0-r0
    /// ```
    pub(crate) struct ApkAddPinVersions {
        code: "DL3018",
        name: "apk-add-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn pinned(package: &str) -> bool {
    ['=', '~', '>', '<'].iter().any(|c| package.contains(*c)) || package.ends_with(".apk")
}

impl Rule for ApkAddPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.has_any_arg("apk", &["add"]))
                .flat_map(|c| c.args_no_flags(&["t", "virtual", "repository", "X"]))
                .filter(|a| a.text != "add" && !pinned(&a.text))
                .collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| format!("{names} {verb} added with `apk` without a pinned version"),
                "pin each package, e.g. `curl=<version>`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins() {
        assert!(super::pinned("curl=1"));
        assert!(super::pinned("curl~1"));
        assert!(super::pinned("/tmp/x.apk"));
        assert!(!super::pinned("curl"));
    }
}
