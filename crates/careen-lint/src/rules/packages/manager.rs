//! A view of the commands a RUN runs, shaped like the one hadolint's package
//! rules use, so careen's DL rules fire on exactly the same instructions.
//!
//! hadolint's model (learnt by running hadolint 2.15.1 as a black box and
//! reading its documentation) differs from `careen_dockerfile::shell`'s
//! helpers on purpose, so it is written here rather than reusing them:
//!
//! - A command's name is its first word taken literally: `sudo apt-get` is
//!   `sudo`, `/usr/bin/apt-get` is not `apt-get`. Only `command`, `builtin`,
//!   `busybox`, `run` and `exec` are looked through.
//! - Commands inside `$( )` count; the script of `sh -c '…'` does not.
//! - The exec form `RUN ["apt-get", "install", "x"]` is joined with spaces and
//!   read as a shell script.
//! - "Has a subcommand" means "any argument equals it" (`apt-get -q install`).
//! - Flags: `--name=value` gives `name`; `-abc` gives `a`, `b`, `c`; `-` and
//!   `--` are not flags but count as arguments.
//! - `$NAME` reads as `${NAME}` and `$(cmd arg)` as `${cmdarg}`.

use crate::context::{Context, ParsedScript};
use crate::diagnostic::Edit;
use careen_dockerfile::shell::{self, Connector, ShellWord, SimpleCommand};
use careen_dockerfile::{Command, Instruction, InstructionKind, Span};
use std::ops::Range;

/// An argument of a command: its text as hadolint reads it and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    pub text: String,
    /// Source byte range.
    pub source: Range<usize>,
}

/// One simple command of a RUN.
#[derive(Debug, Clone)]
pub(crate) struct Cmd<'a> {
    pub name: String,
    /// Source byte range of the command name word.
    pub name_source: Range<usize>,
    /// Every word after argv[0].
    pub args: Vec<Arg>,
    /// `(flag, index into args)`.
    flags: Vec<(String, usize)>,
    /// The shell command it came from (None for the exec form).
    pub shell: Option<(&'a ParsedScript, &'a SimpleCommand)>,
}

impl Cmd<'_> {
    /// The command is `name` and one of its arguments is one of `args`.
    pub fn has_any_arg(&self, name: &str, args: &[&str]) -> bool {
        self.name == name && self.args.iter().any(|a| args.contains(&a.text.as_str()))
    }

    pub fn has_arg(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a.text == arg)
    }

    /// The arguments contain `seq` as consecutive items.
    pub fn has_arg_seq(&self, seq: &[&str]) -> bool {
        !seq.is_empty()
            && self
                .args
                .windows(seq.len())
                .any(|w| w.iter().zip(seq).all(|(a, s)| a.text == *s))
    }

    pub fn count_flag(&self, flag: &str) -> usize {
        self.flags.iter().filter(|(f, _)| f == flag).count()
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.count_flag(flag) > 0
    }

    pub fn has_any_flag(&self, flags: &[&str]) -> bool {
        self.flags.iter().any(|(f, _)| flags.contains(&f.as_str()))
    }

    /// Arguments that are not flags, after dropping the value that follows
    /// each flag in `valued` written without `=` (`-t release`).
    pub fn args_no_flags(&self, valued: &[&str]) -> Vec<&Arg> {
        let mut dropped = vec![false; self.args.len()];
        for (flag, index) in &self.flags {
            dropped[*index] = true;
            let inline = self.args.get(*index).is_some_and(|a| a.text.contains('='));
            if valued.contains(&flag.as_str()) && !inline {
                if let Some(slot) = dropped.get_mut(index + 1) {
                    // The value is dropped even if it looks like a flag itself.
                    *slot = true;
                }
            }
        }
        // A dropped value that is itself a flag stays a flag (still dropped).
        self.args
            .iter()
            .zip(dropped)
            .filter(|(_, d)| !d)
            .map(|(a, _)| a)
            .collect()
    }

    /// `pip… install` (not `pipenv`) or `python… -m pip install`.
    pub fn is_pip_install(&self) -> bool {
        (self.name.starts_with("pip")
            && !self.name.starts_with("pipenv")
            && self.has_arg("install"))
            || (self.name.starts_with("python") && self.has_arg_seq(&["-m", "pip", "install"]))
    }

    /// The first argument equal to one of `words` (the subcommand as written).
    pub fn find_arg(&self, words: &[&str]) -> Option<&Arg> {
        self.args.iter().find(|a| words.contains(&a.text.as_str()))
    }
}

/// A `--mount` of a RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    pub kind: String,
    pub target: String,
}

/// One RUN instruction (or the RUN of an `ONBUILD RUN`) with its commands.
pub(crate) struct RunView<'a> {
    /// Instruction index.
    pub index: usize,
    /// The ONBUILD instruction or the RUN itself.
    pub outer: &'a Instruction,
    /// The RUN.
    pub run: &'a Instruction,
    pub onbuild: bool,
    pub commands: Vec<Cmd<'a>>,
    /// The script texts (exec form: the arguments joined by spaces).
    pub texts: Vec<String>,
}

impl RunView<'_> {
    pub fn any(&self, f: impl Fn(&Cmd<'_>) -> bool) -> bool {
        self.commands.iter().any(f)
    }

    pub fn position(&self, f: impl Fn(&Cmd<'_>) -> bool) -> Option<usize> {
        self.commands.iter().position(f)
    }

    /// A cache or tmpfs mount whose target contains `fragment`.
    pub fn has_cache_mount_with(&self, fragment: &str) -> bool {
        mounts(self.run)
            .iter()
            .any(|m| (m.kind == "cache" || m.kind == "tmpfs") && m.target.contains(fragment))
    }

    /// Span of the instruction's first line start (fallback for findings).
    pub fn keyword_span(&self) -> Span {
        self.outer.keyword_span
    }
}

/// The mounts of a RUN (`--mount=type=cache,target=/x`).
pub(crate) fn mounts(run: &Instruction) -> Vec<Mount> {
    run.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref())
        .map(|value| {
            let mut mount = Mount {
                kind: "bind".to_string(),
                target: String::new(),
            };
            for field in value.split(',') {
                let (key, val) = field.split_once('=').unwrap_or((field, ""));
                let val = val.trim_matches(|c| c == '"' || c == '\'');
                match key.trim().to_ascii_lowercase().as_str() {
                    "type" => mount.kind = val.to_ascii_lowercase(),
                    "target" | "dst" | "destination" => mount.target = val.to_string(),
                    _ => {}
                }
            }
            mount
        })
        .collect()
}

/// Every RUN and ONBUILD RUN of the file, in order.
pub(crate) fn runs<'c, 'a>(ctx: &'c Context<'a>) -> &'c [RunView<'a>] {
    ctx.package_runs.get_or_init(|| compute_runs(ctx))
}

fn compute_runs<'a>(ctx: &Context<'a>) -> Vec<RunView<'a>> {
    let mut out = Vec::new();
    for (index, outer) in ctx.instructions().iter().enumerate() {
        let (run, onbuild) = match &outer.kind {
            InstructionKind::Run(_) => (outer, false),
            InstructionKind::Onbuild(inner) if matches!(inner.kind, InstructionKind::Run(_)) => {
                (inner.as_ref(), true)
            }
            _ => continue,
        };
        let InstructionKind::Run(r) = &run.kind else {
            continue;
        };
        let mut view = RunView {
            index,
            outer,
            run,
            onbuild,
            commands: Vec::new(),
            texts: Vec::new(),
        };
        match &r.command {
            Command::Shell { .. } => {
                let all: &'a [Vec<ParsedScript>] = ctx.scripts;
                if let Some(scripts) = all.get(index) {
                    for parsed in scripts {
                        view.texts.push(parsed.text.clone());
                        view.commands.extend(script_commands(ctx, parsed));
                    }
                }
            }
            Command::Exec { args, .. } => {
                let (text, commands) = exec_commands(args);
                view.texts.push(text);
                view.commands.extend(commands);
            }
        }
        out.push(view);
    }
    out
}

/// hadolint's commands of one parsed script.
fn script_commands<'a>(ctx: &Context<'_>, parsed: &'a ParsedScript) -> Vec<Cmd<'a>> {
    // Ranges of `sh -c` script words: hadolint does not look inside them.
    let hidden: Vec<Range<usize>> = parsed
        .script
        .commands
        .iter()
        .filter_map(|c| c.shell_c_script().map(|w| w.range.clone()))
        .collect();
    let mut out = Vec::new();
    for command in &parsed.script.commands {
        if hidden
            .iter()
            .any(|h| h.start <= command.range.start && command.range.end <= h.end)
        {
            continue;
        }
        let source = |range: &Range<usize>| {
            ctx.source_offset(parsed, range.start)
                ..ctx
                    .source_offset(parsed, range.end)
                    .max(ctx.source_offset(parsed, range.start))
        };
        let words: Vec<(String, bool, Range<usize>)> = command
            .words
            .iter()
            .map(|w| (simplify(w), w.has_expansion, source(&w.range)))
            .collect();
        if let Some(mut cmd) = build(&words) {
            cmd.shell = Some((parsed, command));
            out.push(cmd);
        }
    }
    out
}

/// The exec form, read the way hadolint does: the arguments joined by spaces
/// and parsed as a script. Spans point at the whole JSON string.
fn exec_commands(args: &[careen_dockerfile::Word]) -> (String, Vec<Cmd<'static>>) {
    let mut text = String::new();
    let mut starts = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        starts.push((text.len(), arg.span.range()));
        text.push_str(&arg.value);
    }
    let to_source = |offset: usize| -> Range<usize> {
        starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map(|(_, r)| r.clone())
            .unwrap_or(0..0)
    };
    let script = shell::parse(&text);
    let mut out = Vec::new();
    for command in &script.commands {
        let words: Vec<(String, bool, Range<usize>)> = command
            .words
            .iter()
            .map(|w| (simplify(w), w.has_expansion, to_source(w.range.start)))
            .collect();
        if let Some(cmd) = build(&words) {
            out.push(cmd);
        }
    }
    (text, out)
}

/// Build a command from its words (text, has an expansion, source range).
fn build<'a>(words: &[(String, bool, Range<usize>)]) -> Option<Cmd<'a>> {
    let (first, first_expands, first_range) = words.first()?;
    if *first_expands {
        // hadolint only knows commands whose name is a literal.
        return None;
    }
    let mut name = first.clone();
    let mut name_source = first_range.clone();
    let rest = words.get(1..).unwrap_or(&[]);
    // Wrappers hadolint looks through; the arguments stay as written.
    let effective = match first.as_str() {
        "busybox" | "builtin" | "command" | "run" => rest.first().filter(|w| !w.0.starts_with('-')),
        "exec" => exec_target(rest),
        _ => None,
    };
    if let Some((text, expands, range)) = effective {
        if *expands {
            return None;
        }
        name = text.clone();
        name_source = range.clone();
    }
    let args: Vec<Arg> = rest
        .iter()
        .map(|(text, _, range)| Arg {
            text: text.clone(),
            source: range.clone(),
        })
        .collect();
    let mut flags = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let t = arg.text.as_str();
        if t == "-" || t == "--" {
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or("");
            flags.push((name.to_string(), i));
        } else if let Some(short) = t.strip_prefix('-') {
            for c in short.chars() {
                flags.push((c.to_string(), i));
            }
        }
    }
    Some(Cmd {
        name,
        name_source,
        args,
        flags,
        shell: None,
    })
}

/// The command `exec [-cl] [-a name] cmd …` runs.
fn exec_target(rest: &[(String, bool, Range<usize>)]) -> Option<&(String, bool, Range<usize>)> {
    let mut i = 0;
    while let Some(word) = rest.get(i) {
        let t = word.0.as_str();
        if t == "--" {
            return rest.get(i + 1);
        }
        if let Some(opts) = t.strip_prefix('-').filter(|o| !o.is_empty()) {
            if !opts.chars().all(|c| matches!(c, 'c' | 'l' | 'a')) {
                return None;
            }
            i += if opts.ends_with('a') { 2 } else { 1 };
            continue;
        }
        return Some(word);
    }
    None
}

/// A word's text the way hadolint reads it: quotes removed, `$NAME` as
/// `${NAME}`, `$(a b)` as `${ab}`, backquotes and `$(( ))` as `${VAR}`.
pub(crate) fn simplify(word: &ShellWord) -> String {
    if !word.has_expansion {
        return word.value.clone();
    }
    simplify_text(&word.value)
}

fn simplify_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '$' => match chars.get(i + 1) {
                Some('{') => {
                    let end = closing(&chars, i + 1, '{', '}');
                    out.extend(chars.get(i..end).into_iter().flatten());
                    i = end;
                }
                Some('(') if chars.get(i + 2) == Some(&'(') => {
                    out.push_str("${VAR}");
                    i = closing(&chars, i + 1, '(', ')');
                }
                Some('(') => {
                    let end = closing(&chars, i + 1, '(', ')');
                    let inner: String = chars
                        .get(i + 2..end.saturating_sub(1).max(i + 2))
                        .into_iter()
                        .flatten()
                        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
                        .collect();
                    out.push_str("${");
                    out.push_str(&inner);
                    out.push('}');
                    i = end;
                }
                Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                    let mut j = i + 1;
                    while chars
                        .get(j)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                    {
                        j += 1;
                    }
                    out.push_str("${");
                    out.extend(chars.get(i + 1..j).into_iter().flatten());
                    out.push('}');
                    i = j;
                }
                Some(n) if n.is_ascii_digit() || "@*#?$!-".contains(*n) => {
                    out.push_str("${");
                    out.push(*n);
                    out.push('}');
                    i += 2;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            },
            '`' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|c| *c != '`') {
                    j += 1;
                }
                out.push_str("${VAR}");
                i = j + 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Index just past the bracket closing the one at `open_at`.
fn closing(chars: &[char], open_at: usize, open: char, close: char) -> usize {
    let mut depth = 0usize;
    let mut j = open_at;
    while let Some(&c) = chars.get(j) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return j + 1;
            }
        }
        j += 1;
    }
    chars.len()
}

/// Insert ` text` right after argument `arg` (source offsets).
pub(crate) fn insert_after(arg_source: &Range<usize>, text: &str) -> Edit {
    Edit::insert(arg_source.end, format!(" {text}"))
}

/// Append ` && text` after the last command of the and-or list that
/// `command` belongs to, when that is plain: the list is at the top level of
/// the script and joined only by `&&`. None otherwise.
pub(crate) fn append_to_list(
    ctx: &Context<'_>,
    parsed: &ParsedScript,
    command: &SimpleCommand,
    text: &str,
) -> Option<Edit> {
    if command.depth != 0 || command.in_substitution {
        return None;
    }
    let top: Vec<&SimpleCommand> = parsed
        .script
        .commands
        .iter()
        .filter(|c| c.list == command.list && c.depth == 0 && !c.in_substitution)
        .collect();
    let last = top.last()?;
    let (init, _) = top.split_at(top.len().saturating_sub(1));
    if init.iter().any(|c| c.connector != Some(Connector::And)) {
        return None;
    }
    if matches!(
        last.connector,
        Some(Connector::And | Connector::Or | Connector::Pipe | Connector::Background)
    ) {
        return None;
    }
    // Redirections after the last word are part of the command's range.
    let end = ctx.source_offset(parsed, last.range.end);
    Some(Edit::insert(end, format!(" && {text}")))
}

/// Stage bookkeeping shared by DL3009 and DL3060: hadolint reports a
/// remembered RUN only if it is in the last stage (a stage whose FROM is
/// written exactly like the last FROM counts as the last stage too), or in
/// a stage whose name some FROM uses as its base image. ONBUILD RUNs are
/// always reported.
pub(crate) fn stage_filter(ctx: &Context<'_>, remembered: &[(usize, bool)]) -> Vec<usize> {
    let froms: Vec<(usize, FromKey)> = ctx
        .instructions()
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| from_key(ins).map(|k| (i, k)))
        .collect();
    let bases: Vec<String> = froms.iter().map(|(_, k)| k.base_name.clone()).collect();
    let last = froms.last().map(|(_, k)| k.clone()).unwrap_or_default();
    remembered
        .iter()
        .filter(|(index, onbuild)| {
            if *onbuild {
                return true;
            }
            let key = froms
                .iter()
                .rev()
                .find(|(i, _)| i < index)
                .map(|(_, k)| k.clone())
                .unwrap_or_default();
            key.same_image(&last)
                || key
                    .alias
                    .as_ref()
                    .is_some_and(|alias| bases.iter().any(|b| b == alias))
        })
        .map(|(index, _)| *index)
        .collect()
}

/// What hadolint compares FROMs by. The default (no FROM yet) is `scratch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FromKey {
    pub image: String,
    pub alias: Option<String>,
    pub platform: Option<String>,
    /// Image name without registry, tag and digest.
    pub base_name: String,
}

impl Default for FromKey {
    fn default() -> Self {
        FromKey {
            image: "scratch".to_string(),
            alias: None,
            platform: None,
            base_name: "scratch".to_string(),
        }
    }
}

impl FromKey {
    fn same_image(&self, other: &FromKey) -> bool {
        self.image == other.image && self.alias == other.alias && self.platform == other.platform
    }
}

pub(crate) fn from_key(instruction: &Instruction) -> Option<FromKey> {
    let InstructionKind::From(from) = &instruction.kind else {
        return None;
    };
    let image = crate::util::ImageRef::parse(&from.image.value);
    Some(FromKey {
        image: from.image.value.clone(),
        alias: from.alias.as_ref().map(|a| a.value.clone()),
        platform: instruction.flag("platform").and_then(|f| f.value.clone()),
        base_name: image.repository,
    })
}

/// Names of the variables hadolint's DL3033/DL3041 treat as defined at each
/// RUN: the ENV keys of the current stage (a stage built on a named stage
/// starts with that stage's keys) and every ARG declared so far. ONBUILD
/// RUNs only see ONBUILD ENV and ONBUILD ARG. Indexed by instruction.
pub(crate) fn defined_variables(ctx: &Context<'_>) -> Vec<Vec<String>> {
    #[derive(Default, Clone)]
    struct State {
        started: bool,
        stage: usize,
        aliases: Vec<(usize, String)>,
        envs: std::collections::HashMap<usize, Vec<String>>,
        args: Vec<String>,
    }
    fn env(state: &mut State, names: Vec<String>) {
        state.started = true;
        state.envs.entry(state.stage).or_default().extend(names);
    }
    fn arg(state: &mut State, names: Vec<String>) {
        state.started = true;
        state.args.extend(names);
    }
    fn visible(state: &State) -> Vec<String> {
        let mut out = state.envs.get(&state.stage).cloned().unwrap_or_default();
        out.extend(state.args.iter().cloned());
        out
    }
    let mut plain = State::default();
    let mut onbuild = State::default();
    let mut out = Vec::new();
    for instruction in ctx.instructions() {
        match &instruction.kind {
            InstructionKind::From(from) => {
                let alias = from
                    .alias
                    .as_ref()
                    .map(|a| a.value.clone())
                    .unwrap_or_default();
                if plain.started {
                    let base = crate::util::ImageRef::parse(&from.image.value).repository;
                    let next = plain.stage + 1;
                    let parent = plain
                        .aliases
                        .iter()
                        .find(|(_, a)| *a == base)
                        .map(|(i, _)| *i)
                        .unwrap_or(next);
                    let inherited = plain.envs.get(&parent).cloned().unwrap_or_default();
                    plain.envs.insert(next, inherited);
                    plain.aliases.push((next, alias));
                    plain.stage = next;
                } else {
                    plain = State {
                        started: true,
                        stage: 1,
                        aliases: vec![(1, alias)],
                        ..State::default()
                    };
                }
            }
            InstructionKind::Env(pairs) => env(
                &mut plain,
                pairs.iter().map(|p| p.key.value.clone()).collect(),
            ),
            InstructionKind::Arg(decls) => arg(
                &mut plain,
                decls.iter().map(|d| d.name.value.clone()).collect(),
            ),
            InstructionKind::Onbuild(inner) => match &inner.kind {
                InstructionKind::Env(pairs) => env(
                    &mut onbuild,
                    pairs.iter().map(|p| p.key.value.clone()).collect(),
                ),
                InstructionKind::Arg(decls) => arg(
                    &mut onbuild,
                    decls.iter().map(|d| d.name.value.clone()).collect(),
                ),
                _ => {}
            },
            _ => {}
        }
        // Only a RUN that mentions a variable needs the list: building it for
        // every instruction made files with thousands of ARGs quadratic.
        let is_run = match &instruction.kind {
            InstructionKind::Run(_) => true,
            InstructionKind::Onbuild(inner) => matches!(inner.kind, InstructionKind::Run(_)),
            _ => false,
        };
        let mentions_variable = ctx
            .source()
            .get(instruction.span.range())
            .is_some_and(|text| text.contains('$'));
        if !(is_run && mentions_variable) {
            out.push(Vec::new());
            continue;
        }
        let state = if matches!(instruction.kind, InstructionKind::Onbuild(_)) {
            &onbuild
        } else {
            &plain
        };
        out.push(visible(state));
    }
    out
}

/// hadolint's test for an rpm package word carrying a version
/// (`name-version[-release]`), shared by DL3033 and DL3041.
pub(crate) fn rpm_version_fixed(package: &str, defined: &[String]) -> bool {
    let parts: Vec<&str> = package.split('-').collect();
    if parts.len() <= 1 {
        return false;
    }
    if package.ends_with(".rpm") {
        return true;
    }
    if package.contains('$') {
        return defined
            .iter()
            .any(|v| package.contains(&format!("${{{v}}}")));
    }
    let rest = parts.get(1..).unwrap_or(&[]);
    !rest.is_empty()
        && rest.iter().all(|p| {
            p.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '^' | '_' | ':' | '+')
            })
        })
        && rest
            .iter()
            .any(|p| p.starts_with(|c: char| c.is_ascii_digit()))
}

/// The package words of the `install`s run by `commands` (yum, dnf) that
/// carry no version, the way DL3032 and DL3041 read them: `install` and
/// `module` words are not packages; a `module install` needs `name:stream`;
/// a command with one of `skip` as an argument is otherwise skipped. `vars`
/// are the variables defined at the RUN (see `defined_variables`).
pub(crate) fn rpm_unpinned<'r>(
    run: &'r RunView<'_>,
    commands: &[&str],
    skip: &[&str],
    vars: &[String],
) -> Vec<&'r Arg> {
    let is = |c: &Cmd<'_>, args: &[&str]| commands.iter().any(|n| c.has_any_arg(n, args));
    run.commands
        .iter()
        .filter(|c| is(c, &["install"]))
        .flat_map(|c| {
            let module = is(c, &["module"]);
            let skip = is(c, skip);
            c.args_no_flags(&[])
                .into_iter()
                .filter(|a| a.text != "install" && a.text != "module")
                .filter(move |a| {
                    if module {
                        !a.text.contains(':')
                    } else {
                        !skip && !rpm_version_fixed(&a.text, vars)
                    }
                })
        })
        .collect()
}

/// Text of a list of package words for messages: "`a`", "`a` and `b`",
/// "`a`, `b` and 3 more".
pub(crate) fn describe(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [a, b] => format!("`{a}` and `{b}`"),
        [a, b, rest @ ..] => format!("`{a}`, `{b}` and {} more", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> Cmd<'static> {
        let words: Vec<(String, bool, Range<usize>)> = words
            .iter()
            .map(|w| (w.to_string(), w.contains('$'), 0..0))
            .collect();
        build(&words).unwrap_or_else(|| panic!("no command"))
    }

    #[test]
    fn flags_and_args() {
        let c = cmd(&[
            "apt-get", "-qq", "install", "-t", "rel", "--yes", "--", "curl",
        ]);
        assert_eq!(c.count_flag("q"), 2);
        assert!(c.has_flag("yes"));
        assert!(c.has_any_arg("apt-get", &["install"]));
        let rest: Vec<_> = c
            .args_no_flags(&["t"])
            .iter()
            .map(|a| a.text.clone())
            .collect();
        assert_eq!(rest, ["install", "--", "curl"]);
        let c = cmd(&["apt-get", "install", "-t=rel", "curl"]);
        let rest: Vec<_> = c
            .args_no_flags(&["t"])
            .iter()
            .map(|a| a.text.clone())
            .collect();
        assert_eq!(rest, ["install", "curl"]);
    }

    #[test]
    fn wrappers() {
        assert_eq!(cmd(&["command", "apt-get", "install"]).name, "apt-get");
        assert_eq!(cmd(&["sudo", "apt-get", "install"]).name, "sudo");
        assert_eq!(cmd(&["exec", "-a", "x", "pip", "install"]).name, "pip");
        assert!(build(&[("$X".to_string(), true, 0..0)]).is_none());
    }

    #[test]
    fn simplify_like_hadolint() {
        assert_eq!(simplify_text("a-$V"), "a-${V}");
        assert_eq!(simplify_text("linux-$(uname -r)"), "linux-${uname-r}");
        assert_eq!(simplify_text("${A:-b}x"), "${A:-b}x");
        assert_eq!(simplify_text("`x`$((1+2))"), "${VAR}${VAR}");
        assert_eq!(simplify_text("$"), "$");
    }

    #[test]
    fn rpm_versions() {
        assert!(rpm_version_fixed("httpd-2.4.6", &[]));
        assert!(rpm_version_fixed("java-1.8.0-openjdk", &[]));
        assert!(!rpm_version_fixed("python3-devel", &[]));
        assert!(!rpm_version_fixed("httpd", &[]));
        assert!(rpm_version_fixed("x-${V}", &["V".to_string()]));
        assert!(!rpm_version_fixed("x-${V}", &[]));
    }

    #[test]
    fn describes() {
        assert_eq!(describe(&["a"]), "`a`");
        assert_eq!(describe(&["a", "b", "c", "d"]), "`a`, `b` and 2 more");
    }
}
