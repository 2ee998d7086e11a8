use super::manager::{runs, Cmd};
use super::report::{report_clean_missing, Cleanup};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for a RUN with `zypper install` that does not run
    /// `zypper clean` after it.
    ///
    /// ## Why is this bad?
    /// zypper keeps repository metadata and packages in `/var/cache/zypp`;
    /// left there, they are written into the layer and make the image larger
    /// for nothing. Run `zypper clean` (or `zypper cc`) in the same RUN after
    /// the install, or mount a cache at `/var/cache/zypp`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install -y httpd=2.4.58
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## Fix
    /// Appends ` && zypper clean` to the `&&` chain with the last
    /// `zypper install`. Safe.
    pub(crate) struct ZypperCleanMissing {
        code: "DL3036",
        name: "zypper-clean-missing",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

fn install(c: &Cmd<'_>) -> bool {
    c.has_any_arg("zypper", &["install", "in"])
}

fn clean(c: &Cmd<'_>) -> bool {
    c.has_any_arg("zypper", &["clean", "cc"])
}

const CLEANUP: Cleanup<'static> = Cleanup {
    install: &install,
    clean: &clean,
    subcommands: &["install", "in"],
    command: "zypper clean",
};

impl Rule for ZypperCleanMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            if run.has_cache_mount_with("/var/cache/zypp") {
                continue;
            }
            out.extend(report_clean_missing(
                ctx,
                &Self::INFO,
                run,
                &CLEANUP,
                "`zypper install` leaves its cache in the layer: `zypper clean` is missing",
                "run `zypper clean` after the install, in the same RUN",
            ));
        }
    }
}
