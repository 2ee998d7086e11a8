//! Provenance: which Dockerfile instruction made which layer (and which
//! history entry) of an image.
//!
//! An image's config records one history entry per build step
//! (`created_by`, `empty_layer`). Each builder writes them differently:
//!
//! * BuildKit: `RUN /bin/sh -c apt-get … # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c …`,
//!   `COPY --chown=app src dst # buildkit`, `WORKDIR /app`, `ENV K=v`, `CMD ["a" "b"]`,
//!   `EXPOSE map[8080/tcp:{}]`.
//! * the classic Docker builder: `/bin/sh -c #(nop) COPY file:<hash> in /dst `,
//!   `/bin/sh -c #(nop)  CMD ["bash"]`, `|1 A=1 /bin/sh -c …`.
//! * buildah / podman: like the classic builder (`COPY dir:<hash> in ./x`,
//!   `COPY multi:<hash> in ./`), exec-form RUN as `/bin/sh -c ["touch", "/x"]`,
//!   and without `--layers` one layer per stage, recorded on the stage's last
//!   history entry (often a `CMD`).
//!
//! [`map`] aligns the history with the instructions of the target stage (and
//! the stages it builds `FROM`), by instruction kind and by how similar the
//! texts are, with a global alignment (Needleman–Wunsch with a free prefix,
//! hand-written: it is a small dynamic programme over two short sequences).
//! The history entries before the first aligned one are the base image's own
//! history: they map to the `FROM` line as the base image. Counts alone are
//! not trusted: builders drop or add entries (BuildKit records no `ONBUILD`,
//! buildah records `ARG` without its value, squashed builds merge layers).

use careen_dockerfile::expand::{self, Lexer};
use careen_dockerfile::{
    ArgDecl, Command, Dockerfile, Instruction, InstructionKind, KeyValue, Keyword,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use thiserror::Error;

/// How many stages a `FROM <stage>` chain may have before the mapping gives up
/// following it (BuildKit rejects cycles; this also caps the walk).
const MAX_STAGE_CHAIN: usize = 64;

/// The largest alignment table (history entries × instructions) computed;
/// older history entries beyond it are counted as base image.
const MAX_CELLS: usize = 4_000_000;

/// One entry of the image config's `history`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEntry {
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// True when the entry made no layer.
    pub empty_layer: bool,
}

impl HistoryEntry {
    /// The whole history of an image config, empty-layer entries included.
    pub fn from_config(config: &oci_spec::image::ImageConfiguration) -> Vec<HistoryEntry> {
        config
            .history()
            .iter()
            .flatten()
            .map(|h| HistoryEntry {
                created_by: h.created_by().clone(),
                comment: h.comment().clone(),
                empty_layer: h.empty_layer() == Some(true),
            })
            .collect()
    }
}

/// Where a layer or history entry came from in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The Dockerfile as it was named to careen.
    pub file: String,
    /// 1-based first line of the instruction.
    pub line: u32,
    /// 1-based last line (continuation lines included, heredoc bodies not).
    pub end_line: u32,
    /// The instruction on one line: continuations joined, runs of blanks
    /// collapsed, heredoc bodies left out.
    pub instruction: String,
    /// The instruction keyword, upper case (`RUN`).
    pub keyword: String,
    /// The build stage: its name, or its 0-based index when it has none.
    pub stage: String,
    /// The entry is the base image's own history: `line` is the `FROM`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub base_image: bool,
    /// Lines of other instructions whose changes were committed into the same
    /// layer (buildah without `--layers`, squashed builds). Empty normally.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged_lines: Vec<u32>,
}

impl Origin {
    /// `Dockerfile:12` (or `Dockerfile:3 (base image)`).
    pub fn location(&self) -> String {
        let mut text = format!("{}:{}", self.file, self.line);
        if self.base_image {
            text.push_str(" (base image)");
        } else if !self.merged_lines.is_empty() {
            let lines: Vec<String> = self.merged_lines.iter().map(|l| l.to_string()).collect();
            text.push_str(&format!(" (with lines {})", lines.join(", ")));
        }
        text
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.location())
    }
}

/// The instruction ↔ layer map of one image and one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub file: String,
    /// The target stage (name or index).
    pub stage: String,
    /// One per history entry of the image config, in order.
    pub history: Vec<Option<Origin>>,
    /// One per layer of the image, in order (layer `i` is the `i`-th history
    /// entry that made a layer, as careen-image pairs them).
    pub layers: Vec<Option<Origin>>,
    /// Layers no instruction could be found for.
    pub unmatched_layers: Vec<usize>,
    /// Instructions of the built stages no history entry was found for.
    pub unmatched_instructions: Vec<Origin>,
}

impl Provenance {
    /// The origin of layer `index`.
    pub fn layer(&self, index: usize) -> Option<&Origin> {
        self.layers.get(index).and_then(Option::as_ref)
    }

    /// The origin of history entry `index` (empty-layer entries counted).
    pub fn history_entry(&self, index: usize) -> Option<&Origin> {
        self.history.get(index).and_then(Option::as_ref)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProvenanceError {
    #[error("the Dockerfile has no FROM instruction")]
    NoStage,
    #[error("the Dockerfile has no build stage `{target}` (its stages: {stages})")]
    UnknownTarget { target: String, stages: String },
}

/// Maps the image's `history` (and its `layer_count` layers) to the
/// instructions of `dockerfile`, named `file` in the output. `target` is the
/// stage that was built (`--target`, by name or 0-based index); the last
/// stage when `None`.
pub fn map(
    dockerfile: &Dockerfile,
    file: &str,
    target: Option<&str>,
    history: &[HistoryEntry],
    layer_count: usize,
) -> Result<Provenance, ProvenanceError> {
    let stages = dockerfile.stages();
    let target_index = match target {
        None => stages
            .len()
            .checked_sub(1)
            .ok_or(ProvenanceError::NoStage)?,
        Some(t) => find_stage(&stages, t).ok_or_else(|| ProvenanceError::UnknownTarget {
            target: t.to_owned(),
            stages: stage_list(&stages),
        })?,
    };
    let global_args = global_args(dockerfile, &stages);
    let chain = stage_chain(dockerfile, &stages, target_index, &global_args);
    let root = chain.first().copied().unwrap_or(target_index);

    // What the history should show, instruction by instruction.
    let mut expected: Vec<Expected> = Vec::new();
    for &stage_index in &chain {
        let Some(stage) = stages.get(stage_index) else {
            continue;
        };
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        for index in stage.instructions.clone().skip(1) {
            let Some(instruction) = dockerfile.instructions.get(index) else {
                continue;
            };
            if let Some(e) = expect(dockerfile, instruction, &mut env, &global_args) {
                expected.push(Expected {
                    instruction: index,
                    stage: stage_label(stage),
                    ..e
                });
            }
        }
    }
    let parsed: Vec<Parsed> = history
        .iter()
        .map(|h| parse_created_by(h.created_by.as_deref().unwrap_or("")))
        .collect();

    let pairs = align(&parsed, &expected);
    let origin_of = |e: &Expected| origin(dockerfile, file, e.instruction, &e.stage, false);
    let base_origin = stages
        .get(root)
        .map(|s| origin(dockerfile, file, s.from_instruction, &stage_label(s), true));

    let mut history_origins: Vec<Option<Origin>> = vec![None; history.len()];
    let mut matched_expected = vec![false; expected.len()];
    let mut first_match = history.len();
    for &(h, e) in &pairs {
        first_match = first_match.min(h);
        if let (Some(slot), Some(exp)) = (history_origins.get_mut(h), expected.get(e)) {
            *slot = Some(origin_of(exp));
        }
        if let Some(m) = matched_expected.get_mut(e) {
            *m = true;
        }
    }
    for slot in history_origins.iter_mut().take(first_match) {
        *slot = base_origin.clone();
    }

    // Layers: the i-th history entry that made a layer. A layer recorded on
    // an entry that cannot change files (a squashed stage's last `CMD`)
    // carries the file-changing instructions committed with it.
    let mut layers: Vec<Option<Origin>> = Vec::with_capacity(layer_count);
    let mut previous_layer_entry: Option<usize> = None;
    for (h, entry) in history.iter().enumerate() {
        if entry.empty_layer {
            continue;
        }
        if layers.len() == layer_count {
            break;
        }
        let since = previous_layer_entry.map_or(0, |p| p + 1);
        previous_layer_entry = Some(h);
        let mut origin = history_origins.get(h).cloned().flatten();
        if let Some(o) = origin.as_mut().filter(|o| !o.base_image) {
            let changes_files = |o: &Origin| matches!(o.keyword.as_str(), "RUN" | "COPY" | "ADD");
            let committed: Vec<&Origin> = history_origins
                .get(since..h)
                .unwrap_or_default()
                .iter()
                .flatten()
                .filter(|c| !c.base_image && changes_files(c))
                .collect();
            if !committed.is_empty() {
                if changes_files(o) {
                    o.merged_lines = committed.iter().map(|c| c.line).collect();
                } else if let Some((last, rest)) = committed.split_last() {
                    let mut merged: Vec<u32> = rest.iter().map(|c| c.line).collect();
                    merged.push(o.line);
                    *o = Origin {
                        merged_lines: merged,
                        ..(*last).clone()
                    };
                }
            }
        }
        layers.push(origin);
    }
    layers.resize(layer_count, None);
    let unmatched_layers = layers
        .iter()
        .enumerate()
        .filter(|(_, o)| o.is_none())
        .map(|(i, _)| i)
        .collect();
    let unmatched_instructions = expected
        .iter()
        .zip(&matched_expected)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| origin_of(e))
        .collect();
    Ok(Provenance {
        file: file.to_owned(),
        stage: stages
            .get(target_index)
            .map(stage_label)
            .unwrap_or_default(),
        history: history_origins,
        layers,
        unmatched_layers,
        unmatched_instructions,
    })
}

/// [`map`] for an opened image.
pub fn map_image(
    image: &careen_image::Image,
    dockerfile: &Dockerfile,
    file: &str,
    target: Option<&str>,
) -> Result<Provenance, ProvenanceError> {
    let history = HistoryEntry::from_config(&image.config);
    map(dockerfile, file, target, &history, image.layers.len())
}

fn stage_label(stage: &careen_dockerfile::Stage) -> String {
    stage
        .name
        .clone()
        .unwrap_or_else(|| stage.index.to_string())
}

fn stage_list(stages: &[careen_dockerfile::Stage]) -> String {
    if stages.is_empty() {
        return "none".to_owned();
    }
    stages
        .iter()
        .map(stage_label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn find_stage(stages: &[careen_dockerfile::Stage], target: &str) -> Option<usize> {
    let wanted = target.to_ascii_lowercase();
    stages
        .iter()
        .position(|s| s.name.as_deref() == Some(wanted.as_str()))
        .or_else(|| target.parse::<usize>().ok().filter(|&i| i < stages.len()))
}

/// ARGs declared before the first FROM, with their defaults.
fn global_args(
    dockerfile: &Dockerfile,
    stages: &[careen_dockerfile::Stage],
) -> BTreeMap<String, String> {
    let end = stages
        .first()
        .map_or(dockerfile.instructions.len(), |s| s.from_instruction);
    let mut args = BTreeMap::new();
    for instruction in dockerfile.instructions.iter().take(end) {
        if let InstructionKind::Arg(decls) = &instruction.kind {
            for decl in decls {
                let value = decl
                    .default
                    .as_ref()
                    .map(|d| expand_or_raw(dockerfile.escape, &d.value, &args))
                    .unwrap_or_default();
                args.insert(decl.name.value.clone(), value);
            }
        }
    }
    args
}

/// The stages built for `target`, root first: a `FROM <earlier stage>` pulls
/// that stage's instructions in before the target's.
fn stage_chain(
    dockerfile: &Dockerfile,
    stages: &[careen_dockerfile::Stage],
    target: usize,
    global_args: &BTreeMap<String, String>,
) -> Vec<usize> {
    let mut chain = vec![target];
    let mut current = target;
    while chain.len() < MAX_STAGE_CHAIN {
        let Some(stage) = stages.get(current) else {
            break;
        };
        let base = expand_or_raw(dockerfile.escape, &stage.base, global_args).to_ascii_lowercase();
        let parent = stages
            .iter()
            .take(current)
            .rposition(|s| s.name.as_deref() == Some(base.as_str()));
        match parent {
            Some(p) if !chain.contains(&p) => {
                chain.push(p);
                current = p;
            }
            _ => break,
        }
    }
    chain.reverse();
    chain
}

fn expand_or_raw(escape: char, word: &str, env: &BTreeMap<String, String>) -> String {
    Lexer::new(escape)
        .process_word(word, env)
        .map(|e| e.value)
        .unwrap_or_else(|_| word.to_owned())
}

/// An instruction the history should record.
#[derive(Debug, Clone, Default)]
struct Expected {
    instruction: usize,
    stage: String,
    kind: Kind,
    /// Token sets of the ways a builder may print it (as written, expanded…).
    variants: Vec<HashSet<String>>,
    /// COPY/ADD destination, as written and expanded.
    dests: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    #[default]
    Run,
    Copy,
    Add,
    Workdir,
    Env,
    Arg,
    Label,
    Cmd,
    Entrypoint,
    Expose,
    User,
    Volume,
    StopSignal,
    Healthcheck,
    Shell,
    Maintainer,
    Onbuild,
    /// A history entry careen cannot classify.
    Unknown,
}

impl Kind {
    fn from_keyword(keyword: &Keyword) -> Kind {
        match keyword {
            Keyword::Run => Kind::Run,
            Keyword::Copy => Kind::Copy,
            Keyword::Add => Kind::Add,
            Keyword::Workdir => Kind::Workdir,
            Keyword::Env => Kind::Env,
            Keyword::Arg => Kind::Arg,
            Keyword::Label => Kind::Label,
            Keyword::Cmd => Kind::Cmd,
            Keyword::Entrypoint => Kind::Entrypoint,
            Keyword::Expose => Kind::Expose,
            Keyword::User => Kind::User,
            Keyword::Volume => Kind::Volume,
            Keyword::StopSignal => Kind::StopSignal,
            Keyword::Healthcheck => Kind::Healthcheck,
            Keyword::Shell => Kind::Shell,
            Keyword::Maintainer => Kind::Maintainer,
            Keyword::Onbuild => Kind::Onbuild,
            Keyword::From | Keyword::Unknown(_) => Kind::Unknown,
        }
    }
}

fn unquote(escape: char, word: &str) -> String {
    expand::unquote(word, escape)
}

fn key_values(escape: char, pairs: &[KeyValue], env: &BTreeMap<String, String>) -> [String; 2] {
    let raw: Vec<String> = pairs
        .iter()
        .map(|p| format!("{}={}", p.key.value, unquote(escape, &p.value.value)))
        .collect();
    let expanded: Vec<String> = pairs
        .iter()
        .map(|p| {
            format!(
                "{}={}",
                p.key.value,
                expand_or_raw(escape, &p.value.value, env)
            )
        })
        .collect();
    [raw.join(" "), expanded.join(" ")]
}

fn command_text(command: &Command) -> String {
    match command {
        Command::Exec { args, .. } => args
            .iter()
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Command::Shell { script, .. } => script.clone(),
    }
}

/// What the history should show for `instruction`; updates `env` with its
/// ARG/ENV values. `None` for instructions no builder records.
fn expect(
    dockerfile: &Dockerfile,
    instruction: &Instruction,
    env: &mut BTreeMap<String, String>,
    global_args: &BTreeMap<String, String>,
) -> Option<Expected> {
    let escape = dockerfile.escape;
    let kind = Kind::from_keyword(&instruction.keyword);
    let mut texts: Vec<String> = Vec::new();
    let mut dests = Vec::new();
    match &instruction.kind {
        InstructionKind::From(_) => return None,
        InstructionKind::Run(run) => {
            let mut text = command_text(&run.command);
            for heredoc in &instruction.heredocs {
                text.push(' ');
                text.push_str(&heredoc.content);
            }
            texts.push(text);
        }
        InstructionKind::Cmd(command) | InstructionKind::Entrypoint(command) => {
            texts.push(command_text(command));
        }
        InstructionKind::Copy(copy) | InstructionKind::Add(copy) => {
            let mut words: Vec<String> = instruction
                .flags
                .iter()
                .filter(|f| matches!(f.name.as_str(), "chown" | "chmod"))
                .map(|f| format!("--{}={}", f.name, f.value.clone().unwrap_or_default()))
                .collect();
            words.extend(copy.sources.iter().map(|s| s.value.clone()));
            words.push(copy.dest.value.clone());
            let raw = words.join(" ");
            texts.push(expand_or_raw(escape, &raw, env));
            texts.push(raw);
            dests.push(unquote(escape, &copy.dest.value));
            dests.push(expand_or_raw(escape, &copy.dest.value, env));
        }
        InstructionKind::Env(pairs) => {
            texts.extend(key_values(escape, pairs, env));
            for p in pairs {
                let value = expand_or_raw(escape, &p.value.value, env);
                env.insert(p.key.value.clone(), value);
            }
        }
        InstructionKind::Label(pairs) => texts.extend(key_values(escape, pairs, env)),
        InstructionKind::Arg(decls) => {
            let names: Vec<&str> = decls.iter().map(|d| d.name.value.as_str()).collect();
            texts.push(names.join(" "));
            let with_values: Vec<String> = decls
                .iter()
                .map(|d: &ArgDecl| {
                    let value = match &d.default {
                        Some(v) => Some(expand_or_raw(escape, &v.value, env)),
                        None => global_args.get(&d.name.value).cloned(),
                    };
                    match value {
                        Some(v) => {
                            env.insert(d.name.value.clone(), v.clone());
                            format!("{}={}", d.name.value, v)
                        }
                        None => d.name.value.clone(),
                    }
                })
                .collect();
            texts.push(with_values.join(" "));
        }
        InstructionKind::Workdir(word)
        | InstructionKind::User(word)
        | InstructionKind::StopSignal(word)
        | InstructionKind::Maintainer(word)
        | InstructionKind::Unknown(word) => {
            texts.push(word.value.clone());
            texts.push(expand_or_raw(escape, &word.value, env));
        }
        InstructionKind::Expose(words)
        | InstructionKind::Volume(words)
        | InstructionKind::Shell(words) => {
            let raw: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
            let raw = raw.join(" ");
            texts.push(expand_or_raw(escape, &raw, env));
            texts.push(raw);
        }
        InstructionKind::Healthcheck(check) => {
            let mut text: Vec<String> = instruction
                .flags
                .iter()
                .map(|f| format!("--{}={}", f.name, f.value.clone().unwrap_or_default()))
                .collect();
            match check {
                careen_dockerfile::Healthcheck::None => text.push("NONE".to_owned()),
                careen_dockerfile::Healthcheck::Cmd(command) => {
                    text.push("CMD".to_owned());
                    text.push(command_text(command));
                }
            }
            texts.push(text.join(" "));
        }
        InstructionKind::Onbuild(inner) => {
            texts.push(source_line(dockerfile, inner));
        }
    }
    Some(Expected {
        kind,
        variants: texts.iter().map(|t| tokens(t)).collect(),
        dests,
        ..Expected::default()
    })
}

/// A history entry, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    kind: Kind,
    tokens: HashSet<String>,
    /// Classic/buildah COPY and ADD name only a content hash and the destination.
    hashed_dest: Option<String>,
}

fn keyword_kind(word: &str) -> Option<Kind> {
    let keyword = Keyword::from_name(word);
    if !word.chars().all(|c| c.is_ascii_uppercase()) || matches!(keyword, Keyword::Unknown(_)) {
        return None;
    }
    Some(Kind::from_keyword(&keyword))
}

/// Drops `|N K=V …` (build arguments recorded before a RUN command).
fn strip_build_args(text: &str) -> &str {
    let text = text.trim_start();
    let Some(rest) = text.strip_prefix('|') else {
        return text;
    };
    let (count, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let Ok(count) = count.parse::<usize>() else {
        return text;
    };
    for _ in 0..count {
        rest = rest.trim_start();
        // A value with spaces cannot be told apart from the command; the
        // common case is a value without them.
        rest = rest.split_once(' ').map_or("", |(_, r)| r);
    }
    rest.trim_start()
}

/// Drops a shell prefix such as `/bin/sh -c ` or `/bin/bash -o pipefail -c `.
fn strip_shell(text: &str) -> &str {
    let mut words = text.split(' ');
    let Some(first) = words.next() else {
        return text;
    };
    let is_shell = first.starts_with('/')
        && ["sh", "bash", "ash", "dash", "zsh", "ksh"]
            .iter()
            .any(|s| first.rsplit('/').next() == Some(s));
    if !is_shell {
        return text;
    }
    let mut consumed = first.len() + 1;
    for word in words {
        consumed += word.len() + 1;
        if word == "-c" {
            return text.get(consumed.min(text.len())..).unwrap_or("");
        }
        if !word.starts_with('-') && !word.is_empty() && word != "pipefail" {
            return text;
        }
    }
    text
}

/// An exec-form command as buildah records it (`["touch", "/x"]`), joined.
fn decode_exec(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    let args: Vec<String> = serde_json::from_str(trimmed).ok()?;
    Some(args.join(" "))
}

fn parse_created_by(created_by: &str) -> Parsed {
    let mut text = created_by.trim();
    if let Some(rest) = text.strip_suffix("# buildkit") {
        text = rest.trim_end();
    }
    let mut hashed_dest = None;
    let (kind, body): (Kind, String) = if let Some(rest) = text
        .strip_prefix("/bin/sh -c #(nop)")
        .or_else(|| text.strip_prefix("#(nop)"))
    {
        // Classic builder and buildah metadata steps: `#(nop) KEYWORD args`.
        let rest = rest.trim();
        let (word, args) = rest.split_once(' ').unwrap_or((rest, ""));
        let kind = keyword_kind(word).unwrap_or(Kind::Unknown);
        let args = args.trim();
        if matches!(kind, Kind::Copy | Kind::Add) {
            if let Some((what, dest)) = args.split_once(" in ") {
                if ["file:", "dir:", "multi:"]
                    .iter()
                    .any(|p| what.trim_start().starts_with(p))
                {
                    hashed_dest = Some(dest.trim().to_owned());
                }
            }
        }
        (kind, args.to_owned())
    } else if let Some((word, rest)) = text
        .split_once(' ')
        .filter(|(w, _)| keyword_kind(w).is_some())
    {
        // BuildKit: `KEYWORD args`.
        let kind = keyword_kind(word).unwrap_or(Kind::Unknown);
        let body = if kind == Kind::Run {
            strip_shell(strip_build_args(rest)).to_owned()
        } else {
            rest.to_owned()
        };
        (kind, body)
    } else {
        // Classic builder and buildah RUN: `[|N K=V …] /bin/sh -c command`;
        // anything else is taken as a RUN of an unknown shape.
        let command = strip_build_args(text);
        let body = strip_shell(command);
        let kind = if body.len() != command.len() || command.len() != text.len() {
            Kind::Run
        } else {
            Kind::Unknown
        };
        let body = decode_exec(body).unwrap_or_else(|| body.to_owned());
        (kind, body)
    };
    Parsed {
        kind,
        tokens: tokens(&body),
        hashed_dest,
    }
}

/// Words for comparing texts: split at blanks, quotes and JSON punctuation
/// stripped, shell-variable references left out (builders expand some and
/// not others).
fn tokens(text: &str) -> HashSet<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '{' | '}' | ',' | '"' | '\''))
        .map(|t| t.trim_matches('\\'))
        .filter(|t| !t.is_empty() && !t.contains('$'))
        .map(str::to_owned)
        .collect()
}

/// Dice coefficient of two token sets.
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = a.intersection(b).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// How well history entry `h` matches instruction `e`; `None` when it cannot.
fn score(h: &Parsed, e: &Expected) -> Option<f64> {
    let compatible = h.kind == e.kind
        || (h.kind == Kind::Unknown && matches!(e.kind, Kind::Run | Kind::Onbuild));
    if !compatible {
        return None;
    }
    let sim = match &h.hashed_dest {
        Some(dest) => {
            let dest = dest.trim_end_matches('/');
            if e.dests.iter().any(|d| d.trim_end_matches('/') == dest) {
                1.0
            } else if e.dests.iter().any(|d| d.contains('$')) {
                0.5
            } else {
                0.1
            }
        }
        None => e
            .variants
            .iter()
            .map(|v| similarity(&h.tokens, v))
            .fold(0.0, f64::max),
    };
    Some(MATCH_BASE + MATCH_WEIGHT * sim)
}

const MATCH_BASE: f64 = 0.5;
const MATCH_WEIGHT: f64 = 3.0;
/// Cost of an instruction with no history entry.
const GAP_INSTRUCTION: f64 = 0.4;
/// Cost of a history entry after the base image with no instruction.
const GAP_HISTORY: f64 = 1.0;

/// Global alignment of history entries with expected instructions, the
/// history's leading entries free (the base image). Returns matched
/// `(history index, expected index)` pairs in order.
fn align(history: &[Parsed], expected: &[Expected]) -> Vec<(usize, usize)> {
    let m = expected.len();
    if m == 0 || history.is_empty() {
        return Vec::new();
    }
    // Only the newest entries are aligned when the table would be too big.
    let keep = (MAX_CELLS / (m + 1)).max(1).min(history.len());
    let offset = history.len() - keep;
    let history = history.get(offset..).unwrap_or_default();
    let n = history.len();
    let width = m + 1;
    let mut dp = vec![0.0f64; (n + 1) * width];
    // 0 = base (start), 1 = match, 2 = skip instruction, 3 = skip history entry.
    let mut from = vec![0u8; (n + 1) * width];
    for j in 1..=m {
        dp[j] = dp[j - 1] - GAP_INSTRUCTION;
        from[j] = 2;
    }
    for i in 1..=n {
        for j in 1..=m {
            let mut best = dp[i * width + j - 1] - GAP_INSTRUCTION;
            let mut how = 2u8;
            let skip_history = dp[(i - 1) * width + j] - GAP_HISTORY;
            if skip_history > best {
                best = skip_history;
                how = 3;
            }
            if let (Some(h), Some(e)) = (history.get(i - 1), expected.get(j - 1)) {
                if let Some(s) = score(h, e) {
                    let matched = dp[(i - 1) * width + j - 1] + s;
                    if matched >= best {
                        best = matched;
                        how = 1;
                    }
                }
            }
            dp[i * width + j] = best;
            from[i * width + j] = how;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        match from[i * width + j] {
            1 => {
                pairs.push((offset + i - 1, j - 1));
                i -= 1;
                j -= 1;
            }
            2 => j -= 1,
            _ => i -= 1,
        }
    }
    pairs.reverse();
    pairs
}

/// The instruction's text on one line, heredoc bodies left out.
fn source_line(dockerfile: &Dockerfile, instruction: &Instruction) -> String {
    let mut end = instruction.span.end.offset;
    if let Some(first) = instruction.heredocs.first() {
        end = end.min(first.span.start.offset);
    }
    let text = dockerfile
        .source
        .get(instruction.span.start.offset..end)
        .unwrap_or("");
    let escape = dockerfile.escape;
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let line = line.strip_suffix(escape).unwrap_or(line).trim_end();
        if !out.is_empty() && !line.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn origin(
    dockerfile: &Dockerfile,
    file: &str,
    index: usize,
    stage: &str,
    base_image: bool,
) -> Origin {
    let Some(instruction) = dockerfile.instructions.get(index) else {
        return Origin {
            file: file.to_owned(),
            line: 0,
            end_line: 0,
            instruction: String::new(),
            keyword: String::new(),
            stage: stage.to_owned(),
            base_image,
            merged_lines: Vec::new(),
        };
    };
    let line = instruction.span.start.line;
    let text = source_line(dockerfile, instruction);
    // The last line of the instruction proper (before any heredoc body).
    let end_line = match instruction.heredocs.first() {
        Some(h) => h.span.start.line.saturating_sub(1).max(line),
        None => {
            let end = instruction.span.end;
            if end.column == 1 && end.line > line {
                end.line - 1
            } else {
                end.line
            }
        }
    };
    Origin {
        file: file.to_owned(),
        line,
        end_line,
        instruction: text,
        keyword: instruction.keyword.as_str().to_ascii_uppercase(),
        stage: stage.to_owned(),
        base_image,
        merged_lines: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[(&str, bool)]) -> Vec<HistoryEntry> {
        list.iter()
            .map(|(created_by, empty)| HistoryEntry {
                created_by: Some((*created_by).to_owned()),
                comment: None,
                empty_layer: *empty,
            })
            .collect()
    }

    fn layer_count(history: &[HistoryEntry]) -> usize {
        history.iter().filter(|h| !h.empty_layer).count()
    }

    fn lines(p: &Provenance) -> Vec<Option<u32>> {
        p.layers
            .iter()
            .map(|o| o.as_ref().map(|o| o.line))
            .collect()
    }

    fn history_lines(p: &Provenance) -> Vec<Option<u32>> {
        p.history
            .iter()
            .map(|o| o.as_ref().map(|o| o.line))
            .collect()
    }

    /// The multi-stage Dockerfile the buildah histories below were built from
    /// (buildah 1.28, `bud --format docker`, FROM the Debian test base).
    const MULTI: &str = r#"ARG BASE=localhost/careen-test/debian:bookworm
FROM ${BASE} AS build
ARG GREETING=hello
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME
RUN echo "$GREETING" > /greeting.txt
COPY sub/ ./sub/

FROM build
ARG VERSION=1.2.3
LABEL org.opencontainers.image.version=$VERSION
EXPOSE 8080
RUN ["/bin/sh", "-c", "echo exec-form > /exec.txt"]
RUN ["touch", "/plain-exec"]
RUN echo "version $VERSION" \
    && touch /v.txt
COPY one.txt two.txt /dst/
ADD sub/a.txt /added.txt
COPY --from=build /greeting.txt /copied-greeting.txt
USER 1000
HEALTHCHECK --interval=5s CMD true
ENTRYPOINT ["/bin/sh"]
CMD ["-c", "true"]
"#;

    const DEBIAN_BASE: [(&str, bool); 3] = [
        (
            "/bin/sh -c #(nop) ADD file:0c703460bec8c8bb4b7c959185b585e9f07577aa4b90accb5ba8c8cb7e1aeb34 in / ",
            false,
        ),
        ("/bin/sh -c #(nop) ENV LANG=C.UTF-8", true),
        ("/bin/sh -c #(nop) CMD [\"bash\"]", true),
    ];

    /// `buildah bud --layers`: one layer per RUN/COPY/ADD, real strings.
    fn buildah_layers() -> Vec<HistoryEntry> {
        let mut list = DEBIAN_BASE.to_vec();
        list.extend([
            ("/bin/sh -c #(nop) ARG GREETING", true),
            ("/bin/sh -c #(nop) ENV APP_HOME=/srv/app", true),
            ("/bin/sh -c #(nop) WORKDIR $APP_HOME", true),
            ("|1 GREETING=hello /bin/sh -c echo \"$GREETING\" > /greeting.txt", false),
            ("/bin/sh -c #(nop) COPY dir:ce45aed374932718b95abedf4266ad5d720141b60545c480a9cd1282184fb142 in ./sub/ ", false),
            ("/bin/sh -c #(nop) ARG VERSION", true),
            ("/bin/sh -c #(nop) LABEL org.opencontainers.image.version=$VERSION", true),
            ("/bin/sh -c #(nop) EXPOSE 8080", true),
            ("|1 VERSION=1.2.3 /bin/sh -c [\"/bin/sh\", \"-c\", \"echo exec-form > /exec.txt\"]", false),
            ("|1 VERSION=1.2.3 /bin/sh -c [\"touch\", \"/plain-exec\"]", false),
            ("|1 VERSION=1.2.3 /bin/sh -c echo \"version $VERSION\"     && touch /v.txt", false),
            ("/bin/sh -c #(nop) COPY multi:36e7577d6a10c41961726d119f2bd32614e0b9163b67c69c947805af556fe115 in /dst/ ", false),
            ("/bin/sh -c #(nop) ADD file:a35ad4a22b753dd9cb083d2cdceed721d21acd4427ed2d074e04ab99d18e2f6f in /added.txt ", false),
            ("/bin/sh -c #(nop) COPY file:56ba8e2bfe592e6c602c41b369c877bbb3c2bce67361688667b2c0f42bef864f in /copied-greeting.txt ", false),
            ("/bin/sh -c #(nop) USER 1000", true),
            ("/bin/sh -c #(nop) HEALTHCHECK --interval=5s CMD true", true),
            ("/bin/sh -c #(nop) ENTRYPOINT [\"/bin/sh\"]", true),
            ("/bin/sh -c #(nop) CMD [\"-c\", \"true\"]", true),
        ]);
        entries(&list)
    }

    #[test]
    fn buildah_layers_multi_stage() {
        let df = careen_dockerfile::parse(MULTI).unwrap();
        let history = buildah_layers();
        let p = map(&df, "Dockerfile", None, &history, layer_count(&history)).unwrap();
        assert_eq!(
            lines(&p),
            [2, 6, 7, 13, 14, 15, 17, 18, 19].map(Some).to_vec()
        );
        assert_eq!(
            history_lines(&p),
            [2, 2, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23]
                .map(Some)
                .to_vec()
        );
        let base = p.layer(0).unwrap();
        assert!(base.base_image);
        assert_eq!(base.instruction, "FROM ${BASE} AS build");
        assert_eq!(base.location(), "Dockerfile:2 (base image)");
        let run = p.layer(5).unwrap();
        assert_eq!(
            run.instruction,
            "RUN echo \"version $VERSION\" && touch /v.txt"
        );
        assert_eq!((run.line, run.end_line), (15, 16));
        assert_eq!(run.stage, "1");
        assert_eq!(p.layer(1).unwrap().stage, "build");
        assert!(p.unmatched_layers.is_empty());
        assert!(p.unmatched_instructions.is_empty());
    }

    #[test]
    fn buildah_without_layers_merges_a_stage_into_one_layer() {
        // Without `--layers`, buildah commits each stage once and records the
        // layer on the stage's last history entry.
        let df = careen_dockerfile::parse(MULTI).unwrap();
        let mut history = buildah_layers();
        for (i, h) in history.iter_mut().enumerate() {
            h.empty_layer = !(i == 0 || i == 7 || i == 20);
        }
        let p = map(&df, "Dockerfile", None, &history, 3).unwrap();
        let first = p.layer(1).unwrap();
        assert_eq!(first.line, 7, "{first:?}");
        assert_eq!(first.merged_lines, vec![6]);
        let last = p.layer(2).unwrap();
        // The last COPY stands for the layer; the other RUN/COPY/ADD and the
        // CMD the layer was recorded on are listed as merged.
        assert_eq!(last.line, 19);
        assert_eq!(last.keyword, "COPY");
        assert_eq!(last.merged_lines, vec![13, 14, 15, 17, 18, 23]);
        assert_eq!(
            last.location(),
            "Dockerfile:19 (with lines 13, 14, 15, 17, 18, 23)"
        );
    }

    /// The same Dockerfile as BuildKit records it (formats from BuildKit's
    /// dockerfile2llb: `# buildkit` on RUN/COPY/ADD, Go-printed CMD and
    /// EXPOSE, WORKDIR with a layer, COPY without `--from`).
    #[test]
    fn buildkit_multi_stage() {
        let df = careen_dockerfile::parse(MULTI).unwrap();
        let mut list = DEBIAN_BASE.to_vec();
        list.extend([
            ("ARG GREETING=hello", true),
            ("ENV APP_HOME=/srv/app", true),
            ("WORKDIR /srv/app", false),
            ("RUN |1 GREETING=hello /bin/sh -c echo \"$GREETING\" > /greeting.txt # buildkit", false),
            ("COPY sub/ ./sub/ # buildkit", false),
            ("ARG VERSION=1.2.3", true),
            ("LABEL org.opencontainers.image.version=1.2.3", true),
            ("EXPOSE map[8080/tcp:{}]", true),
            ("RUN |1 VERSION=1.2.3 /bin/sh -c echo exec-form > /exec.txt # buildkit", false),
            ("RUN |1 VERSION=1.2.3 touch /plain-exec # buildkit", false),
            ("RUN |1 VERSION=1.2.3 /bin/sh -c echo \"version $VERSION\"     && touch /v.txt # buildkit", false),
            ("COPY one.txt two.txt /dst/ # buildkit", false),
            ("ADD sub/a.txt /added.txt # buildkit", false),
            ("COPY /greeting.txt /copied-greeting.txt # buildkit", false),
            ("USER 1000", true),
            ("HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"5s\" \"0s\" \"0s\" \"0s\" '\\x00'}", true),
            ("ENTRYPOINT [\"/bin/sh\"]", true),
            ("CMD [\"-c\" \"true\"]", true),
        ]);
        let history = entries(&list);
        let p = map(&df, "Dockerfile", None, &history, layer_count(&history)).unwrap();
        assert_eq!(
            lines(&p),
            [2, 5, 6, 7, 13, 14, 15, 17, 18, 19].map(Some).to_vec()
        );
        assert_eq!(p.history_entry(10).unwrap().keyword, "EXPOSE");
        assert!(p.unmatched_instructions.is_empty());
    }

    /// A Dockerfile in the style of the official redis image with the history
    /// BuildKit gave it (tabs of continuation lines kept, as in the real
    /// `docker inspect` output of redis:7).
    #[test]
    fn buildkit_tabs_and_alpine_style_base() {
        let df = careen_dockerfile::parse(
            "FROM debian:bookworm-slim\n\
             RUN set -eux; \\\n\tgroupadd -r -g 999 redis; \\\n\tuseradd -r -g redis -u 999 redis\n\
             ENV GOSU_VERSION 1.17\n\
             RUN set -eux; \\\n\tapt-get update; \\\n\tapt-get install -y --no-install-recommends \\\n\t\ttzdata \\\n\t; \\\n\trm -rf /var/lib/apt/lists/*\n\
             WORKDIR /data\n\
             CMD [\"redis-server\"]\n",
        )
        .unwrap();
        let history = entries(&[
            ("/bin/sh -c #(nop) ADD file:4b1be1de1a1e5aa608c688cad2824587262081866180d7368feb79d33ca05953 in / ", false),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            ("RUN /bin/sh -c set -eux; \tgroupadd -r -g 999 redis; \tuseradd -r -g redis -u 999 redis # buildkit", false),
            ("ENV GOSU_VERSION=1.17", true),
            ("RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\ttzdata \t; \trm -rf /var/lib/apt/lists/* # buildkit", false),
            ("WORKDIR /data", false),
            ("CMD [\"redis-server\"]", true),
        ]);
        let p = map(&df, "Dockerfile", None, &history, 4).unwrap();
        assert_eq!(lines(&p), [1, 2, 6, 12].map(Some).to_vec());
        assert_eq!(p.history_entry(3).unwrap().line, 5);
    }

    /// The classic builder's strings (`#(nop)` with two blanks, hashed COPY).
    #[test]
    fn classic_builder() {
        let df = careen_dockerfile::parse(
            "FROM python:3.12-slim\nARG PIP_INDEX\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nEXPOSE 8000\nCMD python app.py\n",
        )
        .unwrap();
        let history = entries(&[
            ("/bin/sh -c #(nop) ADD file:9ab1b0b8c5b9 in / ", false),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            ("/bin/sh -c #(nop)  ENV LANG=C.UTF-8", true),
            ("/bin/sh -c set -eux; apt-get update; rm -rf /var/lib/apt/lists/*", false),
            ("/bin/sh -c #(nop)  CMD [\"python3\"]", true),
            ("/bin/sh -c #(nop)  ARG PIP_INDEX", true),
            ("/bin/sh -c #(nop) WORKDIR /app", false),
            ("/bin/sh -c #(nop) COPY file:4f6c0e3f0ac7d4d42ab0d6fa7a1b6c1c in . ", false),
            ("|1 PIP_INDEX=https://pypi.example/simple /bin/sh -c pip install -r requirements.txt", false),
            ("/bin/sh -c #(nop) COPY dir:1d3e7e0d8a5d1f0f2f6c in . ", false),
            ("/bin/sh -c #(nop)  EXPOSE 8000", true),
            ("/bin/sh -c #(nop)  CMD [\"/bin/sh\" \"-c\" \"python app.py\"]", true),
        ]);
        let p = map(&df, "Dockerfile", None, &history, 6).unwrap();
        assert_eq!(lines(&p), [1, 1, 3, 4, 5, 6].map(Some).to_vec());
        assert!(p.layer(1).unwrap().base_image);
        assert_eq!(p.history_entry(11).unwrap().line, 8);
    }

    #[test]
    fn unrelated_history_is_reported_unmatched() {
        let df =
            careen_dockerfile::parse("FROM a\nRUN apt-get install -y curl\nCOPY x /x\n").unwrap();
        let history = entries(&[
            ("/bin/sh -c #(nop) ADD file:abc in / ", false),
            ("RUN /bin/sh -c apt-get install -y curl # buildkit", false),
            ("RUN /bin/sh -c something else entirely # buildkit", false),
            ("RUN /bin/sh -c yet another step # buildkit", false),
        ]);
        let p = map(&df, "Dockerfile", None, &history, 4).unwrap();
        assert_eq!(p.layer(1).unwrap().line, 2);
        assert_eq!(p.unmatched_layers, vec![2, 3]);
        assert_eq!(p.unmatched_instructions.len(), 1);
        assert_eq!(p.unmatched_instructions[0].line, 3);
    }

    #[test]
    fn target_stage_by_name_and_errors() {
        let df = careen_dockerfile::parse(MULTI).unwrap();
        let history = entries(&[
            ("/bin/sh -c #(nop) ADD file:abc in / ", false),
            (
                "|1 GREETING=hello /bin/sh -c echo \"$GREETING\" > /greeting.txt",
                false,
            ),
            ("/bin/sh -c #(nop) COPY dir:ce45 in ./sub/ ", false),
        ]);
        let p = map(&df, "Dockerfile", Some("BUILD"), &history, 3).unwrap();
        assert_eq!(p.stage, "build");
        assert_eq!(lines(&p), [2, 6, 7].map(Some).to_vec());
        let err = map(&df, "Dockerfile", Some("nope"), &history, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Dockerfile has no build stage `nope` (its stages: build, 1)"
        );
    }

    #[test]
    fn more_layers_than_history_and_empty_inputs() {
        let df = careen_dockerfile::parse("FROM a\nRUN x\n").unwrap();
        let p = map(&df, "D", None, &[], 2).unwrap();
        assert_eq!(p.layers, vec![None, None]);
        assert_eq!(p.unmatched_layers, vec![0, 1]);
        let history = vec![HistoryEntry::default(); 3];
        let p = map(&df, "D", None, &history, 1).unwrap();
        assert_eq!(p.layers.len(), 1);
    }

    /// The real test images (scripts/test-images.sh, buildah `--layers`) and
    /// their Dockerfiles in tests/images.
    fn real_image(name: &str) -> Option<(careen_image::Image, Dockerfile)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let path = root.join(format!("target/test-data/images/{name}.docker.tar"));
        if !path.is_file() {
            if std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1") {
                return None;
            }
            panic!(
                "{} is missing: run `bash scripts/test-images.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)",
                path.display()
            );
        }
        let image = careen_image::open(&path.display().to_string(), &Default::default()).unwrap();
        let text =
            std::fs::read_to_string(root.join(format!("tests/images/{name}/Dockerfile"))).unwrap();
        Some((image, careen_dockerfile::parse(&text).unwrap()))
    }

    #[test]
    fn real_test_images() {
        for (name, expected) in [
            ("waste", vec![3, 6, 9, 16, 21, 22, 25]),
            ("python", vec![5, 7, 12, 15]),
            ("node", vec![16, 17, 22, 23]),
        ] {
            let Some((image, df)) = real_image(name) else {
                return;
            };
            let p = map_image(&image, &df, "Dockerfile", None).unwrap();
            let got: Vec<u32> = p.layers.iter().flatten().map(|o| o.line).collect();
            assert_eq!(got, expected, "{name}: {p:#?}");
            assert!(p.unmatched_layers.is_empty(), "{name}");
            assert!(
                p.unmatched_instructions.is_empty(),
                "{name}: {:?}",
                p.unmatched_instructions
            );
            assert!(p.layer(0).is_some_and(|o| o.base_image));
        }
    }

    #[test]
    fn created_by_parsing() {
        let p = parse_created_by("|2 A=1 B=2 /bin/bash -o pipefail -c make install");
        assert_eq!(p.kind, Kind::Run);
        assert!(p.tokens.contains("make") && !p.tokens.contains("A=1"));
        let p = parse_created_by("RUN |1 X=y /bin/sh -c echo hi # buildkit");
        assert_eq!(p.kind, Kind::Run);
        assert_eq!(p.tokens, tokens("echo hi"));
        let p = parse_created_by("/bin/sh -c #(nop) COPY multi:abc in ./ ");
        assert_eq!((p.kind, p.hashed_dest.as_deref()), (Kind::Copy, Some("./")));
        let p = parse_created_by("COPY --chown=app a b /x/ # buildkit");
        assert_eq!(p.kind, Kind::Copy);
        assert_eq!(p.hashed_dest, None);
        assert_eq!(
            parse_created_by("# debian.sh --arch 'amd64'").kind,
            Kind::Unknown
        );
        assert_eq!(strip_shell("/bin/sh -c"), "");
        assert_eq!(
            strip_shell("/usr/bin/env python x"),
            "/usr/bin/env python x"
        );
        assert_eq!(strip_shell("/bin/sh"), "/bin/sh");
        assert_eq!(strip_build_args("|x y"), "|x y");
        assert_eq!(strip_build_args("|3 a=b"), "");
    }
}
