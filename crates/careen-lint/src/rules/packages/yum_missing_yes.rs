use super::report::{report_missing_yes, FlagSpan, MissingFlag};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `yum` package operations without a switch that answers prompts.
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer "Is this ok?": the package manager
    /// reads end-of-input and aborts, failing the build. Pass `-y` or `--assumeyes`.
    /// Checked subcommands: `install`, `groupinstall`, `localinstall`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand. Safe: it only removes the prompt.
    pub(crate) struct YumMissingYes {
        code: "DL3030",
        name: "yum-missing-yes",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &["yum"];
const SUBCOMMANDS: &[&str] = &["install", "groupinstall", "localinstall"];
const YES_FLAGS: &[&str] = &["y", "assumeyes"];
const FIX: MissingFlag<'static> =
    MissingFlag::new(SUBCOMMANDS, "-y").span(FlagSpan::NameToSubcommand);

impl Rule for YumMissingYes {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report_missing_yes(ctx, &Self::INFO, COMMANDS, YES_FLAGS, &FIX, out);
    }
}
