//! The typed Dockerfile AST. Every node carries a [`Span`] into the original
//! source so diagnostics point at the right line and fixes can edit bytes.
//!
//! Values are kept *as written* (quotes and `$VAR` references intact), the
//! same way BuildKit's parser keeps them; use [`crate::expand`] to expand.

use crate::node::Node;
use crate::span::{LineIndex, SourceMap, Span};

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// The source text all spans and offsets refer to.
    pub source: String,
    /// Parser directives from the top of the file (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// BuildKit's raw node tree; `root.children` has one node per instruction.
    /// `root.dump()` prints BuildKit's test format.
    pub root: Node,
    /// One entry per instruction, in file order (same order as `root.children`).
    pub instructions: Vec<Instruction>,
    /// Every comment line, including those inside line continuations
    /// (directives are comments too and appear here as well).
    pub comments: Vec<Comment>,
    /// Non-fatal problems BuildKit warns about (e.g. empty continuation lines).
    pub warnings: Vec<ParseWarning>,
    /// Offset → line/column conversion for `source`.
    pub line_index: LineIndex,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Text after the `#`, trimmed of surrounding whitespace.
    pub text: String,
    /// The whole comment line from `#` to end of line (excluding the newline).
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseWarning {
    pub message: String,
    pub span: Span,
}

/// Instruction keywords BuildKit knows, plus `Unknown` for anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
    /// Lowercased text of an instruction BuildKit does not know.
    Unknown(String),
}

impl Keyword {
    /// Case-insensitive lookup.
    pub fn from_name(name: &str) -> Keyword {
        match name.to_ascii_lowercase().as_str() {
            "add" => Keyword::Add,
            "arg" => Keyword::Arg,
            "cmd" => Keyword::Cmd,
            "copy" => Keyword::Copy,
            "entrypoint" => Keyword::Entrypoint,
            "env" => Keyword::Env,
            "expose" => Keyword::Expose,
            "from" => Keyword::From,
            "healthcheck" => Keyword::Healthcheck,
            "label" => Keyword::Label,
            "maintainer" => Keyword::Maintainer,
            "onbuild" => Keyword::Onbuild,
            "run" => Keyword::Run,
            "shell" => Keyword::Shell,
            "stopsignal" => Keyword::StopSignal,
            "user" => Keyword::User,
            "volume" => Keyword::Volume,
            "workdir" => Keyword::Workdir,
            other => Keyword::Unknown(other.to_string()),
        }
    }

    /// Lowercased name as BuildKit prints it.
    pub fn as_str(&self) -> &str {
        match self {
            Keyword::Add => "add",
            Keyword::Arg => "arg",
            Keyword::Cmd => "cmd",
            Keyword::Copy => "copy",
            Keyword::Entrypoint => "entrypoint",
            Keyword::Env => "env",
            Keyword::Expose => "expose",
            Keyword::From => "from",
            Keyword::Healthcheck => "healthcheck",
            Keyword::Label => "label",
            Keyword::Maintainer => "maintainer",
            Keyword::Onbuild => "onbuild",
            Keyword::Run => "run",
            Keyword::Shell => "shell",
            Keyword::StopSignal => "stopsignal",
            Keyword::User => "user",
            Keyword::Volume => "volume",
            Keyword::Workdir => "workdir",
            Keyword::Unknown(s) => s,
        }
    }
}

/// A piece of text from the source with its span. `value` is as written
/// (quotes, escapes and `$VAR` references intact) unless a field says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub span: Span,
}

/// A `--name=value` (or bare `--name`) flag of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without the leading dashes, e.g. `from`, `mount`, `chown`.
    pub name: String,
    /// Value after `=`, if any.
    pub value: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    /// Span of the keyword as written.
    pub keyword_span: Span,
    /// From the first char of the keyword to the end of the instruction's last
    /// line (excluding the newline), including heredoc bodies and terminators.
    pub span: Span,
    /// Flags in order as written (`--from=build`, `--mount=type=cache,…`).
    pub flags: Vec<Flag>,
    pub kind: InstructionKind,
    /// Heredocs attached to this instruction, in order.
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// First flag with this name (without dashes).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstructionKind {
    From(From),
    Run(Run),
    Cmd(Command),
    Entrypoint(Command),
    Shell(Vec<Word>),
    Copy(Copy),
    Add(Copy),
    Env(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Label(Vec<KeyValue>),
    Expose(Vec<Word>),
    User(Word),
    Workdir(Word),
    Volume(Vec<Word>),
    StopSignal(Word),
    Healthcheck(Healthcheck),
    /// The instruction to run on build of a child image.
    Onbuild(Box<Instruction>),
    Maintainer(Word),
    /// An instruction BuildKit does not know; the raw argument text.
    Unknown(Word),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The image reference as written, e.g. `python:3.12-slim`, `${BASE}`, `scratch`.
    pub image: Word,
    /// The stage name after `AS`, if any.
    pub alias: Option<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: Command,
}

/// The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// JSON (exec) form: `["a", "b"]`; values are the decoded JSON strings.
    Exec { args: Vec<Word>, span: Span },
    /// Shell form. `script` is the text with line continuations (escape +
    /// newline) and comment lines inside the continuation removed, as BuildKit
    /// passes it to the shell; `map` takes offsets in `script` back to source.
    Shell {
        script: String,
        map: SourceMap,
        span: Span,
    },
}

impl Command {
    pub fn span(&self) -> Span {
        match self {
            Command::Exec { span, .. } | Command::Shell { span, .. } => *span,
        }
    }
    pub fn is_exec(&self) -> bool {
        matches!(self, Command::Exec { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// Sources as written (JSON form: decoded strings).
    pub sources: Vec<Word>,
    /// Destination as written. For heredoc sources (`COPY <<EOF /dst`) the
    /// source word is `<<EOF` and the body is in `Instruction::heredocs`.
    pub dest: Word,
    /// Written in JSON form.
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    /// The value as written (quotes intact). Empty word with an empty span
    /// at the end of the key when there is no value.
    pub value: Word,
    /// Legacy `ENV key value` / `LABEL key value` form (no `=`).
    pub legacy: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: Word,
    /// Default after `=`, as written.
    pub default: Option<Word>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`.
    None,
    /// `HEALTHCHECK [OPTIONS] CMD …`; options are the instruction's flags.
    Cmd(Command),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word (without `<<`, `-` or quotes), e.g. `EOF`.
    pub name: String,
    /// Body as BuildKit passes it: after the line with `<<`, up to (not
    /// including) the terminator line; with `<<-`, leading tabs stripped.
    pub content: String,
    /// False when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no expansion.
    pub expand: bool,
    /// `<<-` form.
    pub chomp: bool,
    /// Span of the body in the source (start of first body line to end of the terminator line).
    pub span: Span,
    /// Offsets in `content` back to source offsets.
    pub map: SourceMap,
}

/// A build stage: a FROM and the instructions after it up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based stage index.
    pub index: usize,
    /// Index of the FROM in `Dockerfile::instructions`.
    pub from_instruction: usize,
    /// Instruction indices belonging to this stage (the FROM included).
    pub instructions: std::ops::Range<usize>,
    /// Stage name (`AS name`), lowercased as BuildKit compares them.
    pub name: Option<String>,
    /// Base image as written.
    pub base: String,
}

impl Dockerfile {
    /// Build stages in order. Instructions before the first FROM (global ARGs)
    /// belong to no stage.
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages: Vec<Stage> = Vec::new();
        for (i, instruction) in self.instructions.iter().enumerate() {
            if let InstructionKind::From(from) = &instruction.kind {
                if let Some(last) = stages.last_mut() {
                    last.instructions.end = i;
                }
                stages.push(Stage {
                    index: stages.len(),
                    from_instruction: i,
                    instructions: i..self.instructions.len(),
                    name: from.alias.as_ref().map(|a| a.value.to_ascii_lowercase()),
                    base: from.image.value.clone(),
                });
            }
        }
        stages
    }

    /// Span for a byte range of the source.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        self.line_index.span(&self.source, range)
    }
}
