use super::manager::{runs, Cmd};
use super::report::{command_span, with_append_fix, Cleanup};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for a RUN with `dnf` or `microdnf` installing or upgrading
    /// packages without `dnf clean all` after it.
    ///
    /// ## Why is this bad?
    /// dnf keeps repository metadata and downloaded packages in its cache;
    /// left there, they are written into the layer and make the image larger
    /// for nothing. Run `dnf clean all` (`microdnf clean all`) in the same RUN
    /// after the install, or mount a cache at `/var/cache/libdnf5`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y httpd-2.4.57
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y httpd-2.4.57 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Appends ` && dnf clean all` (or `microdnf clean all`) to the `&&`
    /// chain with the last install. Safe.
    pub(crate) struct DnfCleanMissing {
        code: "DL3040",
        name: "dnf-clean-missing",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

const INSTALLS: &[&str] = &[
    "install",
    "in",
    "upgrade",
    "up",
    "upgrade-minimal",
    "up-min",
    "reinstall",
    "rei",
];

fn install(tool: &str) -> impl Fn(&Cmd<'_>) -> bool + '_ {
    move |c| c.has_any_arg(tool, INSTALLS)
}

fn clean(tool: &str) -> impl Fn(&Cmd<'_>) -> bool + '_ {
    move |c| {
        c.has_any_arg(tool, &["clean", "all"])
            || c.has_any_arg("rm", &["-rf", "/var/cache/libdnf5*"])
    }
}

impl Rule for DnfCleanMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            if run.has_cache_mount_with("/var/cache/libdnf5")
                || run.has_cache_mount_with(".cache/libdnf5")
            {
                continue;
            }
            // The first tool (dnf, then microdnf) whose first install has no clean after it.
            let missing = ["dnf", "microdnf"].into_iter().find_map(|tool| {
                let (install, clean) = (install(tool), clean(tool));
                let cleanup = Cleanup {
                    install: &install,
                    clean: &clean,
                    subcommands: INSTALLS,
                    command: "",
                };
                cleanup.missing(run).map(|found| (tool, found))
            });
            let Some((tool, (first_install, first_clean))) = missing else {
                continue;
            };
            let Some(first) = run.commands.get(first_install) else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                command_span(ctx, run, first, INSTALLS),
                format!("`{tool}` leaves its cache in the layer: `{tool} clean all` is missing"),
            )
            .with_help(format!(
                "run `{tool} clean all` after the install, in the same RUN"
            ));
            let other_missing = ["dnf", "microdnf"]
                .into_iter()
                .filter(|t| *t != tool)
                .any(|t| {
                    run.position(install(t))
                        .is_some_and(|i| run.position(clean(t)).is_none_or(|c| c < i))
                });
            if first_clean.is_none() && !other_missing {
                let last = run.commands.iter().rev().find(|c| install(tool)(c));
                diagnostic = with_append_fix(diagnostic, ctx, last, &format!("{tool} clean all"));
            }
            out.push(diagnostic);
        }
    }
}
