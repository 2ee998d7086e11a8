use super::manager::{runs, Arg, Cmd};
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `npm install` of packages without a version.
    ///
    /// ## Why is this bad?
    /// `npm install express` takes the newest release at build time, so the
    /// image changes whenever upstream publishes. Name a version, range or tag
    /// (`express@4.18.2`), or install a git URL with `#commit`, a tarball or
    /// a local folder. `npm install` with no package (from `package.json`)
    /// is fine.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm install -g express
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN npm install -g express@4.18.2
    /// ```
    pub(crate) struct NpmPinVersions {
        code: "DL3016",
        name: "npm-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const VALUED: &[&str] = &["loglevel", "registry"];

fn pinned(package: &str) -> bool {
    if ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|p| package.starts_with(p))
    {
        return package.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"]
        .iter()
        .any(|s| package.ends_with(s))
        || ["/", "./", "../", "~/"]
            .iter()
            .any(|p| package.starts_with(p))
    {
        return true;
    }
    // The `@` of a scope does not count: skip the scope name (hadolint skips
    // the leading run of characters sorting after `/`).
    let rest = if package.starts_with('@') {
        package.trim_start_matches(|c: char| c > '/')
    } else {
        package
    };
    rest.contains('@')
}

fn unpinned<'c>(cmd: &'c Cmd<'_>) -> Vec<&'c Arg> {
    if !cmd.has_any_arg("npm", &["install"]) {
        return Vec::new();
    }
    let words = cmd.args_no_flags(VALUED);
    if words.first().is_none_or(|a| a.text != "install") {
        return Vec::new();
    }
    words
        .into_iter()
        .skip_while(|a| a.text == "install")
        .filter(|a| !pinned(&a.text))
        .collect()
}

impl Rule for NpmPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = run.commands.iter().flat_map(unpinned).collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| format!("{names} {verb} installed with npm without a pinned version"),
                "name a version, e.g. `express@4.18.2`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins() {
        assert!(super::pinned("express@4"));
        assert!(!super::pinned("express"));
        assert!(!super::pinned("@types/node"));
        assert!(super::pinned("@types/node@20"));
        assert!(!super::pinned("git+https://github.com/a/b"));
        assert!(super::pinned("git+https://github.com/a/b#v1"));
        assert!(super::pinned("./local"));
        assert!(super::pinned("x.tgz"));
    }
}
