use super::manager::runs;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `zypper dist-upgrade` (`zypper dup`) in RUN.
    ///
    /// ## Why is this bad?
    /// A distribution upgrade inside an image build moves every package to
    /// whatever the repositories offer that day, possibly to a new release of
    /// the distribution: the result depends on the build date and can differ
    /// from the base image in ways nobody reviewed. Use a newer base image
    /// instead, and install or update the packages you need by name.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper dup -y
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// ```
    pub(crate) struct ZypperDistUpgrade {
        code: "DL3035",
        name: "zypper-dist-upgrade",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for ZypperDistUpgrade {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let Some((cmd, sub)) = run.commands.iter().find_map(|c| {
                c.has_any_arg("zypper", &["dist-upgrade", "dup"])
                    .then(|| c.find_arg(&["dist-upgrade", "dup"]).map(|a| (c, a)))
                    .flatten()
            }) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.span(cmd.name_source.start..sub.source.end),
                    format!(
                        "`zypper {}` upgrades the whole distribution during the build",
                        sub.text
                    ),
                )
                .with_help("use a newer base image and install packages by name"),
            );
        }
    }
}
