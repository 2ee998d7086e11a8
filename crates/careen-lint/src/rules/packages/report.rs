//! Reporting shapes shared by several package rules: a command that lacks a
//! flag (with a fix inserting it), unpinned package words, and an install
//! whose cache is not cleaned (with a fix appending the clean command).
//!
//! Each rule keeps its own wording; these helpers only build the findings.

use super::manager::{describe, insert_after, Arg, Cmd};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::RuleInfo;

/// Where a missing flag is inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagPlace {
    /// Right after the subcommand (`apt-get install -y`).
    AfterSubcommand,
    /// Right after the command name, as a global option (`zypper -n install`).
    AfterName,
}

/// Where a missing-flag finding points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagSpan {
    /// The subcommand word only.
    Subcommand,
    /// From the command name through the subcommand.
    NameToSubcommand,
}

/// How a rule reports commands that lack a flag.
pub(crate) struct MissingFlag<'a> {
    /// The subcommand words (`install`, `add`, …) the commands were found by.
    pub subcommands: &'a [&'a str],
    /// The flag the fix inserts, as written (`-y`, `--no-cache`).
    pub flag: &'a str,
    pub place: FlagPlace,
    pub span: FlagSpan,
    /// Whether the fix is safe.
    pub safe: bool,
}

impl<'a> MissingFlag<'a> {
    /// Insert `flag` after the subcommand, point at the subcommand, safe fix.
    pub const fn new(subcommands: &'a [&'a str], flag: &'a str) -> Self {
        MissingFlag {
            subcommands,
            flag,
            place: FlagPlace::AfterSubcommand,
            span: FlagSpan::Subcommand,
            safe: true,
        }
    }

    pub const fn place(self, place: FlagPlace) -> Self {
        MissingFlag { place, ..self }
    }

    pub const fn span(self, span: FlagSpan) -> Self {
        MissingFlag { span, ..self }
    }

    /// The fix may change what the build installs.
    pub const fn unsafe_fix(self) -> Self {
        MissingFlag {
            safe: false,
            ..self
        }
    }

    /// One finding for a RUN whose `offending` commands lack the flag: at the
    /// first of them, with `message` built from that command and its
    /// subcommand word. The fix inserts the flag into every offending
    /// command, and is offered only when each of them can take it (the exec
    /// form cannot). None when there is nothing to report.
    pub fn report(
        &self,
        ctx: &Context<'_>,
        info: &'static RuleInfo,
        offending: &[&Cmd<'_>],
        message: impl FnOnce(&Cmd<'_>, &Arg) -> String,
    ) -> Option<Diagnostic> {
        let first = offending.first()?;
        let sub = first.find_arg(self.subcommands)?;
        let range = match self.span {
            FlagSpan::Subcommand => sub.source.clone(),
            FlagSpan::NameToSubcommand => first.name_source.start..sub.source.end,
        };
        let flag = self.flag;
        let mut diagnostic = Diagnostic::new(info, ctx.span(range), message(first, sub))
            .with_help(format!("add `{flag}`"));
        let edits: Vec<Edit> = offending
            .iter()
            .filter(|c| c.shell.is_some())
            .filter_map(|c| match self.place {
                FlagPlace::AfterSubcommand => c.find_arg(self.subcommands).map(|a| &a.source),
                FlagPlace::AfterName => Some(&c.name_source),
            })
            .map(|source| insert_after(source, flag))
            .collect();
        if edits.len() == offending.len() {
            let title = format!("Add `{flag}`");
            let fix = if self.safe {
                Fix::safe(title, edits)
            } else {
                Fix::unsafe_(title, edits)
            };
            diagnostic = diagnostic.with_fix(fix);
        }
        Some(diagnostic)
    }
}

/// The rpm-family "answer the prompt" check (yum, dnf, zypper): every RUN
/// whose commands named in `commands` run one of `subcommands` without any of
/// `yes_flags` gets one finding, with a fix inserting `fix.flag`.
pub(crate) fn report_missing_yes(
    ctx: &Context<'_>,
    info: &'static RuleInfo,
    commands: &[&str],
    yes_flags: &[&str],
    fix: &MissingFlag<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for run in super::manager::runs(ctx) {
        let offending: Vec<&Cmd<'_>> = run
            .commands
            .iter()
            .filter(|c| commands.iter().any(|n| c.has_any_arg(n, fix.subcommands)))
            .filter(|c| !c.has_any_flag(yes_flags))
            .collect();
        out.extend(fix.report(ctx, info, &offending, |first, sub| {
            format!(
                "`{} {}` runs without a switch to answer its confirmation prompt",
                first.name, sub.text
            )
        }));
    }
}

/// The verbs most `report_unpinned` messages use.
pub(crate) const IS_ARE: (&str, &str) = ("is", "are");

/// One finding for the `unpinned` package words of a RUN, at the first of
/// them. `message` gets the described names ("`a` and `b`") and the verb
/// agreeing with their number (`singular` or `plural`).
pub(crate) fn report_unpinned(
    ctx: &Context<'_>,
    info: &'static RuleInfo,
    unpinned: &[&Arg],
    (singular, plural): (&str, &str),
    message: impl FnOnce(&str, &str) -> String,
    help: &str,
) -> Option<Diagnostic> {
    let first = unpinned.first()?;
    let names: Vec<&str> = unpinned.iter().map(|a| a.text.as_str()).collect();
    let verb = if names.len() == 1 { singular } else { plural };
    Some(
        Diagnostic::new(
            info,
            ctx.span(first.source.clone()),
            message(&describe(&names), verb),
        )
        .with_help(help),
    )
}
