use super::report::{report_missing_yes, FlagPlace, FlagSpan, MissingFlag};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
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
const FIX: MissingFlag<'static> = MissingFlag::new(SUBCOMMANDS, "-n")
    .span(FlagSpan::NameToSubcommand)
    .place(FlagPlace::AfterName);

impl Rule for ZypperMissingYes {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report_missing_yes(ctx, &Self::INFO, COMMANDS, YES_FLAGS, &FIX, out);
    }
}
