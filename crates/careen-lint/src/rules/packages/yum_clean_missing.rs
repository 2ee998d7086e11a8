use super::manager::{runs, Cmd};
use super::report::{report_clean_missing, Cleanup};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for a RUN with `yum install` that does not run `yum clean all`
    /// after it.
    ///
    /// ## Why is this bad?
    /// yum keeps repository metadata and downloaded packages in
    /// `/var/cache/yum`; left there, they are written into the layer and
    /// make the image larger for nothing. Clean in the same RUN, after the
    /// install.
    ///
    /// Like hadolint, any `yum clean …`, or any `rm -rf …` or `rm` of
    /// `/var/cache/yum/*`, after the first install counts as the cleanup.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Fix
    /// Appends ` && yum clean all` to the `&&` chain with the last
    /// `yum install`. Safe: yum downloads metadata again when it needs it.
    pub(crate) struct YumCleanMissing {
        code: "DL3032",
        name: "yum-clean-missing",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

fn install(c: &Cmd<'_>) -> bool {
    c.has_any_arg("yum", &["install"])
}

fn clean(c: &Cmd<'_>) -> bool {
    c.has_any_arg("yum", &["clean", "all"]) || c.has_any_arg("rm", &["-rf", "/var/cache/yum/*"])
}

const CLEANUP: Cleanup<'static> = Cleanup {
    install: &install,
    clean: &clean,
    subcommands: &["install"],
    command: "yum clean all",
};

impl Rule for YumCleanMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            out.extend(report_clean_missing(
                ctx,
                &Self::INFO,
                run,
                &CLEANUP,
                "`yum install` leaves its cache in the layer: `yum clean all` is missing",
                "run `yum clean all` after the install, in the same RUN",
            ));
        }
    }
}
