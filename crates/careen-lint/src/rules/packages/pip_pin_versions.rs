use super::manager::{runs, Arg, Cmd};
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `pip install` of packages without a version.
    ///
    /// ## Why is this bad?
    /// An unpinned package resolves to the newest release at build time, so
    /// rebuilding the same Dockerfile can produce a different image or fail.
    /// Pin with a specifier (`flask==3.0.2`, `>=`, `~=`, …), install from a
    /// requirements file (`-r requirements.txt`) or a constraints file
    /// (`-c constraints.txt`), or install a local path, wheel or sdist, or a
    /// VCS URL with `@ref`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask==3.0.2
    /// ```
    pub(crate) struct PipPinVersions {
        code: "DL3013",
        name: "pip-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// pip options whose value follows as the next word.
const VALUED: &[&str] = &[
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python",
    "python-version",
    "root",
    "root-user-action",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
];

const VCS_SCHEMES: &[&str] = &[
    "git+file",
    "git+https",
    "git+ssh",
    "git+http",
    "git+git",
    "git",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+svn",
    "svn+http",
    "svn+https",
    "svn+ssh",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
];

fn pinned(package: &str) -> bool {
    let vcs = VCS_SCHEMES.iter().any(|s| package.starts_with(s));
    ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
        .iter()
        .any(|s| package.contains(s))
        || (vcs && package.contains('@'))
        || package.ends_with(".whl")
        || package.ends_with(".tar.gz")
        || (!vcs && package.contains('/'))
}

/// The package words of a pip install: the words after `install`.
fn packages<'c>(cmd: &'c Cmd<'_>) -> Vec<&'c Arg> {
    let words = cmd.args_no_flags(VALUED);
    let start = words
        .iter()
        .position(|a| a.text == "install")
        .unwrap_or(words.len());
    words
        .into_iter()
        .skip(start)
        .skip_while(|a| a.text == "install")
        .collect()
}

fn unpinned<'c>(cmd: &'c Cmd<'_>) -> Vec<&'c Arg> {
    if !cmd.is_pip_install()
        || cmd.has_flag("constraint")
        || cmd.has_flag("c")
        || cmd.has_arg("--requirement")
        || cmd.has_arg("-r")
        || cmd.has_arg(".")
    {
        return Vec::new();
    }
    packages(cmd)
        .into_iter()
        .filter(|a| !pinned(&a.text))
        .collect()
}

impl Rule for PipPinVersions {
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
                |names, verb| format!("{names} {verb} installed with pip without a pinned version"),
                "pin the version (`name==1.2.3`) or install from a requirements file",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins() {
        assert!(super::pinned("flask==1"));
        assert!(super::pinned("flask>1"));
        assert!(super::pinned("git+https://x/y@v1"));
        assert!(!super::pinned("git+https://x/y"));
        assert!(super::pinned("./dist/x"));
        assert!(super::pinned("x.whl"));
        assert!(!super::pinned("flask"));
    }
}
