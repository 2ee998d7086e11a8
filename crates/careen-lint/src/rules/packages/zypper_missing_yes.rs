use super::manager::{insert_after, runs};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `zypper` package operations without a switch that answers prompts.
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer "Is this ok?": the package manager
    /// reads end-of-input and aborts, failing the build. Pass `-n`/`--non-interactive` (global) or `-y`/`--no-confirm`.
    /// Checked subcommands: `install`, `in`, `remove`, `rm`, `source-install`, `si`, `patch`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper -n install httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## Fix
    /// Adds `-n` after `zypper` (the global `--non-interactive` option). Safe: it only removes the prompt.
    pub(crate) struct ZypperMissingYes {
        code: "DL3034",
        name: "zypper-missing-yes",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &["zypper"];
const SUBCOMMANDS: &[&str] = &[
    "install",
    "in",
    "remove",
    "rm",
    "source-install",
    "si",
    "patch",
];
const YES_FLAGS: &[&str] = &["non-interactive", "n", "no-confirm", "y"];

impl Rule for ZypperMissingYes {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let offending: Vec<_> = run
                .commands
                .iter()
                .filter(|c| COMMANDS.iter().any(|n| c.has_any_arg(n, SUBCOMMANDS)))
                .filter(|c| !c.has_any_flag(YES_FLAGS))
                .collect();
            let Some(first) = offending.first() else {
                continue;
            };
            let Some(sub) = first.find_arg(SUBCOMMANDS) else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                ctx.span(first.name_source.start..sub.source.end),
                format!(
                    "`{} {}` runs without a switch to answer its confirmation prompt",
                    first.name, sub.text
                ),
            )
            .with_help("add `-n`");
            let edits: Vec<_> = offending
                .iter()
                .filter(|c| c.shell.is_some())
                .map(|c| c.name_source.clone())
                .map(|source| insert_after(&source, "-n"))
                .collect();
            if edits.len() == offending.len() {
                diagnostic = diagnostic.with_fix(Fix::safe("Add `-n`", edits));
            }
            out.push(diagnostic);
        }
    }
}
