use super::manager::{append_to_list, runs, Cmd};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
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

impl Rule for YumCleanMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let Some(first_install) = run.position(install) else {
                continue;
            };
            let first_clean = run.position(clean);
            if first_clean.is_some_and(|c| first_install < c) {
                continue;
            }
            let Some(first) = run.commands.get(first_install) else {
                continue;
            };
            let span = first
                .find_arg(&["install"])
                .map(|a| ctx.span(first.name_source.start..a.source.end))
                .unwrap_or_else(|| run.keyword_span());
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                span,
                "`yum install` leaves its cache in the layer: `yum clean all` is missing",
            )
            .with_help("run `yum clean all` after the install, in the same RUN");
            let last = run.commands.iter().rev().find(|c| install(c));
            if let (None, Some((parsed, command))) = (first_clean, last.and_then(|c| c.shell)) {
                if let Some(edit) = append_to_list(ctx, parsed, command, "yum clean all") {
                    diagnostic = diagnostic.with_fix(Fix::safe("Add `yum clean all`", vec![edit]));
                }
            }
            out.push(diagnostic);
        }
    }
}
