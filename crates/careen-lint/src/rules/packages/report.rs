//! Reporting shapes shared by several package rules: a command that lacks a
//! flag (with a fix inserting it), unpinned package words, and an install
//! whose cache is not cleaned (with a fix appending the clean command).
//!
//! Each rule keeps its own wording; these helpers only build the findings.

use super::manager::{append_to_list, describe, insert_after, Arg, Cmd, RunView};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::RuleInfo;
use careen_dockerfile::Span;

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

/// The span from `cmd`'s name through the first of its arguments equal to
/// one of `words`; the RUN's keyword when there is no such argument.
pub(crate) fn command_span(
    ctx: &Context<'_>,
    run: &RunView<'_>,
    cmd: &Cmd<'_>,
    words: &[&str],
) -> Span {
    cmd.find_arg(words)
        .map(|a| ctx.span(cmd.name_source.start..a.source.end))
        .unwrap_or_else(|| run.keyword_span())
}

/// The edit appending ` && text` after the and-or list of `cmd`, when `cmd`
/// is a plain shell command (see `append_to_list`).
pub(crate) fn append_after(ctx: &Context<'_>, cmd: Option<&Cmd<'_>>, text: &str) -> Option<Edit> {
    let (parsed, command) = cmd.and_then(|c| c.shell)?;
    append_to_list(ctx, parsed, command, text)
}

/// `diagnostic` with a safe fix "Add `text`" appending `text` after the and-or
/// list of `cmd`, when that can be done.
pub(crate) fn with_append_fix(
    diagnostic: Diagnostic,
    ctx: &Context<'_>,
    cmd: Option<&Cmd<'_>>,
    text: &str,
) -> Diagnostic {
    match append_after(ctx, cmd, text) {
        Some(edit) => diagnostic.with_fix(Fix::safe(format!("Add `{text}`"), vec![edit])),
        None => diagnostic,
    }
}

/// An install that should be followed, in the same RUN, by a clean command.
pub(crate) struct Cleanup<'a> {
    pub install: &'a dyn Fn(&Cmd<'_>) -> bool,
    pub clean: &'a dyn Fn(&Cmd<'_>) -> bool,
    /// The install subcommands (where a finding ends).
    pub subcommands: &'a [&'a str],
    /// The clean command a fix appends.
    pub command: &'a str,
}

impl Cleanup<'_> {
    /// The position of the first install when no clean comes after it, with
    /// the position of the first clean (if any, it comes before).
    pub fn missing(&self, run: &RunView<'_>) -> Option<(usize, Option<usize>)> {
        let first_install = run.position(self.install)?;
        let first_clean = run.position(self.clean);
        if first_clean.is_some_and(|c| first_install < c) {
            return None;
        }
        Some((first_install, first_clean))
    }

    /// The last install command of the RUN.
    pub fn last_install<'r, 'c>(&self, run: &'r RunView<'c>) -> Option<&'r Cmd<'c>> {
        run.commands.iter().rev().find(|c| (self.install)(c))
    }
}

/// The yum/zypper "clean missing" check for one RUN: a finding at the first
/// install not followed by a clean, with a fix appending the clean command
/// after the last install when the RUN has no clean at all.
pub(crate) fn report_clean_missing(
    ctx: &Context<'_>,
    info: &'static RuleInfo,
    run: &RunView<'_>,
    cleanup: &Cleanup<'_>,
    message: &str,
    help: &str,
) -> Option<Diagnostic> {
    let (first_install, first_clean) = cleanup.missing(run)?;
    let first = run.commands.get(first_install)?;
    let span = command_span(ctx, run, first, cleanup.subcommands);
    let diagnostic = Diagnostic::new(info, span, message).with_help(help);
    Some(match first_clean {
        None => with_append_fix(diagnostic, ctx, cleanup.last_install(run), cleanup.command),
        Some(_) => diagnostic,
    })
}
