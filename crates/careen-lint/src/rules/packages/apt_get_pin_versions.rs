use super::manager::runs;
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apt-get install` of packages without a pinned version.
    ///
    /// ## Why is this bad?
    /// Without a version, each build installs whatever the archive serves that
    /// day: two builds of the same Dockerfile can differ, and an upstream change
    /// can break the image without any change on your side. A pinned version
    /// (`curl=8.5.0-2`) makes the build repeatable and updates deliberate.
    ///
    /// A package counts as pinned when it contains `=` (a version), `/` (a
    /// release, e.g. `curl/bookworm-backports`, or a path) or ends in `.deb`.
    /// The value of `-t`/`--target-release` is not a package.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5
    /// ```
    pub(crate) struct AptGetPinVersions {
        code: "DL3008",
        name: "apt-get-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// Packages of an `apt-get install` that have no version.
pub(super) fn pinned(package: &str) -> bool {
    package.contains('=') || package.contains('/') || package.ends_with(".deb")
}

impl Rule for AptGetPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.has_any_arg("apt-get", &["install"]))
                .flat_map(|c| c.args_no_flags(&["t", "target-release"]))
                .filter(|a| a.text != "install" && !pinned(&a.text))
                .collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| {
                    format!("{names} {verb} installed with `apt-get` without a pinned version")
                },
                "pin each package, e.g. `curl=<version>`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pinned;

    #[test]
    fn pins() {
        assert!(pinned("curl=1.0"));
        assert!(pinned("curl/bookworm"));
        assert!(pinned("./x.deb"));
        assert!(!pinned("curl"));
    }
}
