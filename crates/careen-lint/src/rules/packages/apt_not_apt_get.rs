use super::manager::runs;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apt` (instead of `apt-get` or `apt-cache`) in RUN.
    ///
    /// ## Why is this bad?
    /// `apt` is the interactive front end: its output and behaviour may change
    /// between releases, and it warns that it has no stable command-line
    /// interface when used in scripts. `apt-get` and `apt-cache` do the same
    /// work with an interface meant for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Replaces `apt` with `apt-get` when the subcommand is one `apt-get`
    /// has (`install`, `update`, `upgrade`, `remove`, `purge`, `autoremove`,
    /// …). Safe: `apt-get` does the same. Not offered for `apt list`,
    /// `apt search`, `apt show` and the like.
    pub(crate) struct AptNotAptGet {
        code: "DL3027",
        name: "apt-not-apt-get",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

/// `apt` subcommands that `apt-get` runs the same way.
const APT_GET_SUBCOMMANDS: &[&str] = &[
    "install",
    "update",
    "upgrade",
    "dist-upgrade",
    "remove",
    "purge",
    "autoremove",
    "autopurge",
    "clean",
    "autoclean",
    "source",
    "build-dep",
    "download",
    "check",
    "changelog",
    "satisfy",
];

impl Rule for AptNotAptGet {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let apts: Vec<_> = run.commands.iter().filter(|c| c.name == "apt").collect();
            let Some(first) = apts.first() else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                ctx.span(first.name_source.clone()),
                "`apt` is meant for interactive use, not for scripts",
            )
            .with_help("use `apt-get` (or `apt-cache` to query packages)");
            let fixable = apts.iter().all(|c| {
                c.shell.is_some()
                    && ctx.source().get(c.name_source.clone()) == Some("apt")
                    && c.args
                        .iter()
                        .find(|a| !a.text.starts_with('-'))
                        .is_some_and(|a| APT_GET_SUBCOMMANDS.contains(&a.text.as_str()))
            });
            if fixable {
                let edits = apts
                    .iter()
                    .map(|c| Edit::replace(c.name_source.clone(), "apt-get"))
                    .collect();
                diagnostic = diagnostic.with_fix(Fix::safe("Use `apt-get`", edits));
            }
            out.push(diagnostic);
        }
    }
}
