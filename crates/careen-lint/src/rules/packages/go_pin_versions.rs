use super::manager::{runs, Arg, RunView};
use super::report::report_unpinned;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `go install`, `go get` and `go run` of a module without a
    /// version.
    ///
    /// ## Why is this bad?
    /// Without `@version`, or with `@latest`, the go tool resolves the newest
    /// version at build time, so the image depends on the day it was built.
    /// Local packages (`.`, `./cmd/x`, absolute paths) are fine.
    ///
    /// Like hadolint, when the RUN has a `go run`, only the `go run` packages
    /// are checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/gopls@latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/gopls@v0.15.3
    /// ```
    pub(crate) struct GoPinVersions {
        code: "DL3062",
        name: "go-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn pinned(package: &str) -> bool {
    let local = package == "." || package.starts_with('/') || package.starts_with('.');
    local || (package.contains('@') && !package.ends_with("@latest") && !package.ends_with("@none"))
}

fn packages<'r>(run: &'r RunView<'_>) -> Vec<&'r Arg> {
    let go_run: Vec<&Arg> = run
        .commands
        .iter()
        .filter(|c| c.has_any_arg("go", &["run"]))
        .flat_map(|c| c.args_no_flags(&[]).into_iter().take(2))
        .filter(|a| a.text != "run")
        .collect();
    if !go_run.is_empty() {
        return go_run;
    }
    run.commands
        .iter()
        .filter(|c| c.has_any_arg("go", &["install", "get"]))
        .flat_map(|c| c.args_no_flags(&[]))
        .filter(|a| !matches!(a.text.as_str(), "install" | "get" | "tool"))
        .collect()
}

impl Rule for GoPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = packages(run)
                .into_iter()
                .filter(|a| !pinned(&a.text))
                .collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                ("has", "have"),
                |names, verb| format!("{names} {verb} no fixed version"),
                "append `@<version>` (not `@latest`)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins() {
        assert!(super::pinned("x.org/a@v1"));
        assert!(!super::pinned("x.org/a@latest"));
        assert!(!super::pinned("x.org/a"));
        assert!(super::pinned("./cmd/x"));
    }
}
