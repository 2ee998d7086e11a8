use super::manager::{insert_after, runs};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `dnf` or `microdnf` package operations without a switch that answers prompts.
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer "Is this ok?": the package manager
    /// reads end-of-input and aborts, failing the build. Pass `-y` or `--assumeyes`.
    /// Checked subcommands: `install`, `groupinstall`, `localinstall`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install httpd-2.4.57 && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y httpd-2.4.57 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand. Safe: it only removes the prompt.
    pub(crate) struct DnfMissingYes {
        code: "DL3038",
        name: "dnf-missing-yes",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &["dnf", "microdnf"];
const SUBCOMMANDS: &[&str] = &["install", "groupinstall", "localinstall"];
const YES_FLAGS: &[&str] = &["y", "assumeyes"];

impl Rule for DnfMissingYes {
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
            .with_help("add `-y`");
            let edits: Vec<_> = offending
                .iter()
                .filter(|c| c.shell.is_some())
                .filter_map(|c| c.find_arg(SUBCOMMANDS).map(|a| a.source.clone()))
                .map(|source| insert_after(&source, "-y"))
                .collect();
            if edits.len() == offending.len() {
                diagnostic = diagnostic.with_fix(Fix::safe("Add `-y`", edits));
            }
            out.push(diagnostic);
        }
    }
}
