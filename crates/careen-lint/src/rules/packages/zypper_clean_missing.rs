use super::manager::{append_to_list, runs, Cmd};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
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

impl Rule for ZypperCleanMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let Some(first_install) = run.position(install) else {
                continue;
            };
            if run.has_cache_mount_with("/var/cache/zypp") {
                continue;
            }
            let first_clean = run.position(clean);
            if first_clean.is_some_and(|c| first_install < c) {
                continue;
            }
            let Some(first) = run.commands.get(first_install) else {
                continue;
            };
            let span = first
                .find_arg(&["install", "in"])
                .map(|a| ctx.span(first.name_source.start..a.source.end))
                .unwrap_or_else(|| run.keyword_span());
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                span,
                "`zypper install` leaves its cache in the layer: `zypper clean` is missing",
            )
            .with_help("run `zypper clean` after the install, in the same RUN");
            let last = run.commands.iter().rev().find(|c| install(c));
            if let (None, Some((parsed, command))) = (first_clean, last.and_then(|c| c.shell)) {
                if let Some(edit) = append_to_list(ctx, parsed, command, "zypper clean") {
                    diagnostic = diagnostic.with_fix(Fix::safe("Add `zypper clean`", vec![edit]));
                }
            }
            out.push(diagnostic);
        }
    }
}
