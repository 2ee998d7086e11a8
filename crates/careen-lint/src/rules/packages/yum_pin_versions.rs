use super::manager::{defined_variables, rpm_unpinned, runs};
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `yum` `install` of packages without a version.
    ///
    /// ## Why is this bad?
    /// Without a version each build installs whatever the repository has
    /// that day, so builds are not repeatable. Name the version as rpm does,
    /// `name-version` (`httpd-2.4.6`), or install an `.rpm` file; for
    /// `yum module install`, give a stream (`nodejs:18`). A version held in
    /// a variable (`httpd-${HTTPD_VERSION}`) counts when the variable is
    /// declared by ARG or by ENV in the stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    pub(crate) struct YumPinVersions {
        code: "DL3033",
        name: "yum-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &["yum"];

impl Rule for YumPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let defined = defined_variables(ctx);
        for run in runs(ctx) {
            let vars = defined.get(run.index).map(Vec::as_slice).unwrap_or(&[]);
            let unpinned = rpm_unpinned(run, COMMANDS, &["module"], vars);
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| format!("{names} {verb} installed without a version"),
                "name the version, e.g. `httpd-2.4.6`",
            ));
        }
    }
}
