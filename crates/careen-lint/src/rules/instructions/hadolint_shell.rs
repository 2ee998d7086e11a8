//! The RUN scripts as hadolint sees them, for the shell-based DL rules.
//!
//! hadolint parses a RUN with ShellCheck, which differs from
//! [`Context::all_commands`] in ways that change which lines its rules flag:
//!
//! - an exec-form RUN (`RUN ["sh", "-c", "a | b"]`) is parsed as its
//!   arguments joined by spaces, without quoting (`sh -c a | b`);
//! - a heredoc body is the script only when the RUN starts with the heredoc
//!   (`RUN <<EOF`); the body of `RUN bash <<EOF` is data;
//! - the script of `sh -c '…'` is a string, not commands;
//! - a command name with an expansion (`$CMD x`) names no command, and a path
//!   is not reduced to its base name (`/usr/bin/sudo` is not `sudo`);
//! - `busybox`, `builtin`, `command`, `run` and `exec` are looked through once,
//!   and `time` is a keyword in front of the command.
//!
//! Flags follow hadolint's reading too: `-abc` is the flags `a`, `b`, `c`;
//! `--name=value` is the flag `name`; `-` and `--` are not flags, and `--`
//! does not end the options.

use crate::context::{Context, ParsedScript};
use careen_dockerfile::shell::{self, ShellWord, SimpleCommand};
use careen_dockerfile::{Command, Flag, InstructionKind, Span};
use std::ops::Range;

/// Which RUN instructions to visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Onbuild {
    /// Plain `RUN` only (hadolint rules without ONBUILD support).
    Skip,
    /// `RUN` and `ONBUILD RUN`.
    Include,
}

/// One shell script of a RUN.
pub(crate) enum ScriptSource<'a> {
    /// A shell-form script or a heredoc body, mapped to the source.
    Parsed(&'a ParsedScript),
    /// An exec-form RUN's arguments joined by spaces; no word maps back, so
    /// findings point at the JSON array.
    Exec { script: shell::Script, span: Span },
}

/// The scripts hadolint lints for one RUN (or ONBUILD RUN) instruction.
pub(crate) struct RunShell<'a> {
    /// Index of the instruction (the ONBUILD for `ONBUILD RUN`).
    pub(crate) index: usize,
    pub(crate) onbuild: bool,
    pub(crate) scripts: Vec<ScriptSource<'a>>,
}

/// A simple command as hadolint sees it.
pub(crate) struct HlCommand<'s> {
    /// The command name after looking through `busybox`, `exec`, ….
    pub(crate) name: &'s str,
    /// The word holding that name.
    pub(crate) name_word: &'s ShellWord,
    /// Every word after the command's first word.
    pub(crate) args: &'s [ShellWord],
    pub(crate) command: &'s SimpleCommand,
}

impl ScriptSource<'_> {
    fn script(&self) -> &shell::Script {
        match self {
            ScriptSource::Parsed(parsed) => &parsed.script,
            ScriptSource::Exec { script, .. } => script,
        }
    }

    /// Source span of a byte range of the script.
    pub(crate) fn span(&self, ctx: &Context<'_>, range: Range<usize>) -> Span {
        match self {
            ScriptSource::Parsed(parsed) => ctx.script_span(parsed, range),
            ScriptSource::Exec { span, .. } => *span,
        }
    }

    /// Source byte offset of a script offset, when the script maps to source.
    pub(crate) fn source_offset(&self, ctx: &Context<'_>, offset: usize) -> Option<usize> {
        match self {
            ScriptSource::Parsed(parsed) => Some(ctx.source_offset(parsed, offset)),
            ScriptSource::Exec { .. } => None,
        }
    }

    /// Byte ranges of `sh -c` script words: what is inside is a string to
    /// ShellCheck.
    fn string_scripts(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for command in &self.script().commands {
            if out.iter().any(|r| contains(r, &command.range)) {
                continue;
            }
            if let Some(word) = command.shell_c_script() {
                out.push(word.range.clone());
            }
        }
        out
    }

    /// The commands ShellCheck finds, in order.
    pub(crate) fn commands(&self) -> Vec<HlCommand<'_>> {
        let strings = self.string_scripts();
        self.script()
            .commands
            .iter()
            .filter(|c| !strings.iter().any(|r| contains(r, &c.range)))
            .filter_map(hl_command)
            .collect()
    }

    /// Byte ranges of pipe operators outside `sh -c` strings.
    pub(crate) fn pipes(&self) -> Vec<Range<usize>> {
        let strings = self.string_scripts();
        self.script()
            .pipes
            .iter()
            .filter(|p| !strings.iter().any(|r| contains(r, p)))
            .cloned()
            .collect()
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn hl_command(command: &SimpleCommand) -> Option<HlCommand<'_>> {
    let first = command.words.first()?;
    if first.has_expansion {
        return None;
    }
    let args = command.args();
    if first.value == "time" && !first.quoted {
        // A bash keyword, not a command: the pipeline after it (and its
        // `-p`) is the command.
        let skip = args.iter().take_while(|w| w.value.starts_with('-')).count();
        let rest = args.get(skip..).unwrap_or(&[]);
        let name_word = rest.first()?;
        if name_word.has_expansion {
            return None;
        }
        return Some(HlCommand {
            name: name_word.value.as_str(),
            name_word,
            args: rest.get(1..).unwrap_or(&[]),
            command,
        });
    }
    let name_word = match first.value.as_str() {
        "busybox" | "builtin" | "command" | "run" => {
            let next = args.first()?;
            if next.value.starts_with('-') {
                return None;
            }
            next
        }
        "exec" => {
            // Skip `-c`, `-l` and `-a NAME`, as `exec` reads them.
            let mut words = args.iter();
            loop {
                let word = words.next()?;
                let value = word.value.as_str();
                if value == "--" {
                    break words.next()?;
                }
                if value.len() > 1 && value.starts_with('-') {
                    if value.ends_with('a') {
                        words.next()?;
                    }
                    continue;
                }
                break word;
            }
        }
        _ => first,
    };
    if name_word.has_expansion {
        return None;
    }
    Some(HlCommand {
        name: name_word.value.as_str(),
        name_word,
        args,
        command,
    })
}

impl<'s> HlCommand<'s> {
    /// Flags in hadolint's reading, each with the index of its word in `args`.
    pub(crate) fn flags(&self) -> Vec<(&'s str, usize)> {
        let mut out = Vec::new();
        for (i, word) in self.args.iter().enumerate() {
            let value = word.value.as_str();
            if value == "-" || value == "--" {
                continue;
            }
            if let Some(long) = value.strip_prefix("--") {
                out.push((long.split('=').next().unwrap_or(long), i));
            } else if let Some(short) = value.strip_prefix('-') {
                for (at, c) in short.char_indices() {
                    out.push((&short[at..at + c.len_utf8()], i));
                }
            }
        }
        out
    }

    pub(crate) fn has_any_flag(&self, names: &[&str]) -> bool {
        self.flags().iter().any(|(f, _)| names.contains(f))
    }

    /// Some argument is exactly `value`.
    pub(crate) fn has_arg(&self, value: &str) -> bool {
        self.args.iter().any(|w| w.value == value)
    }

    /// Words that are not flags.
    pub(crate) fn args_no_flags(&self) -> Vec<&'s ShellWord> {
        let flag_words: Vec<usize> = self.flags().iter().map(|(_, i)| *i).collect();
        self.args
            .iter()
            .enumerate()
            .filter(|(i, _)| !flag_words.contains(i))
            .map(|(_, w)| w)
            .collect()
    }

    /// The word after each occurrence of flag `name` (`-u 1000` → `1000`).
    pub(crate) fn flag_values(&self, name: &str) -> Vec<&'s ShellWord> {
        self.flags()
            .iter()
            .filter(|(f, _)| *f == name)
            .filter_map(|(_, i)| self.args.get(i + 1))
            .collect()
    }
}

/// The value of a flag as written in the source (quotes kept, as hadolint
/// sees it): `--from="a"` gives `"a"`.
pub(crate) fn flag_value_as_written<'a>(ctx: &Context<'a>, flag: &'a Flag) -> &'a str {
    ctx.source()
        .get(flag.span.range())
        .and_then(|text| text.split_once('=').map(|(_, value)| value))
        .unwrap_or_else(|| flag.value.as_deref().unwrap_or(""))
}

/// `text` without the `"` and `'` characters at either end, as hadolint
/// compares paths.
pub(crate) fn drop_quotes(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'')
}

/// File name suffixes hadolint treats as archives (case-sensitive; `.zip` is
/// not one).
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

/// The path names an archive by hadolint's list of suffixes.
pub(crate) fn is_archive(path: &str) -> bool {
    let path = drop_quotes(path);
    ARCHIVE_SUFFIXES.iter().any(|s| path.ends_with(s))
}

/// Every RUN (and, with [`Onbuild::Include`], ONBUILD RUN) with its scripts.
pub(crate) fn runs<'a>(ctx: &'a Context<'_>, onbuild: Onbuild) -> Vec<RunShell<'a>> {
    let mut out = Vec::new();
    for (index, instruction) in ctx.instructions().iter().enumerate() {
        let (run, is_onbuild) = match &instruction.kind {
            InstructionKind::Run(run) => (run, false),
            InstructionKind::Onbuild(inner) if onbuild == Onbuild::Include => match &inner.kind {
                InstructionKind::Run(run) => (run, true),
                _ => continue,
            },
            _ => continue,
        };
        let parsed = ctx.scripts.get(index).map(Vec::as_slice).unwrap_or(&[]);
        let scripts = match &run.command {
            Command::Exec { args, span } => {
                let joined = args
                    .iter()
                    .map(|w| w.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                vec![ScriptSource::Exec {
                    script: shell::parse(&joined),
                    span: *span,
                }]
            }
            Command::Shell { script, .. } => {
                if script.trim_start().starts_with("<<") {
                    parsed.iter().skip(1).map(ScriptSource::Parsed).collect()
                } else {
                    parsed.iter().take(1).map(ScriptSource::Parsed).collect()
                }
            }
        };
        out.push(RunShell {
            index,
            onbuild: is_onbuild,
            scripts,
        });
    }
    out
}

/// Which part of a command a finding points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommandPart {
    /// The whole simple command.
    Whole,
    /// The word holding the command name.
    Name,
}

/// For each RUN (see [`runs`]), the first command of its scripts for which
/// `matches` holds: the span of its `part` and its name.
pub(crate) fn first_command_per_run(
    ctx: &Context<'_>,
    onbuild: Onbuild,
    part: CommandPart,
    matches: impl Fn(&HlCommand<'_>) -> bool,
) -> Vec<(Span, String)> {
    runs(ctx, onbuild)
        .iter()
        .filter_map(|run| {
            run.scripts.iter().find_map(|source| {
                source.commands().iter().find(|c| matches(c)).map(|c| {
                    let range = match part {
                        CommandPart::Whole => c.command.range.clone(),
                        CommandPart::Name => c.name_word.range.clone(),
                    };
                    (source.span(ctx, range), c.name.to_string())
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(script: &str) -> Vec<String> {
        let source = ScriptSource::Exec {
            script: shell::parse(script),
            span: Span::default(),
        };
        source
            .commands()
            .iter()
            .map(|c| c.name.to_string())
            .collect()
    }

    #[test]
    fn sh_c_strings_are_not_commands() {
        assert_eq!(names("sh -c 'cd /x && sudo y' && ls"), ["sh", "ls"]);
        assert_eq!(names("sh -c cd /x && y"), ["sh", "y"]);
    }

    #[test]
    fn wrappers_looked_through_once() {
        assert_eq!(names("busybox wget x"), ["wget"]);
        assert_eq!(names("exec -a n sudo x"), ["sudo"]);
        assert_eq!(names("sudo wget x"), ["sudo"]);
        assert_eq!(names("time -p cd x"), ["cd"]);
        assert_eq!(names("$X y; /usr/bin/vim"), ["/usr/bin/vim"]);
    }

    #[test]
    fn flags_read_like_hadolint() {
        let script = shell::parse("useradd -lu 1000 --uid=5 -- - name");
        let source = ScriptSource::Exec {
            script,
            span: Span::default(),
        };
        let commands = source.commands();
        let cmd = &commands[0];
        let flags: Vec<&str> = cmd.flags().iter().map(|f| f.0).collect();
        assert_eq!(flags, ["l", "u", "uid"]);
        assert_eq!(cmd.flag_values("u")[0].value, "1000");
        let rest: Vec<&str> = cmd
            .args_no_flags()
            .iter()
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(rest, ["1000", "--", "-", "name"]);
    }
}
