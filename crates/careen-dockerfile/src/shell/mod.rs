//! A POSIX-shell parser for the scripts of `RUN` instructions, made for
//! linting: it never fails (bad syntax yields what could be understood), and
//! every word keeps its byte range in the script so rules can point at it and
//! fixes can edit it.
//!
//! Hand-written rather than built on a crate such as `brush-parser` because a
//! linter needs what full shell parsers do not give: an exact byte range for
//! every word (including words inside `$( )`, backquotes and `sh -c '…'`,
//! mapped back into the script), a result for broken input instead of an
//! error (a half-written `if` still shows its commands), hard bounds on
//! nesting, time and memory, and no heavy dependencies. It covers the POSIX
//! sh / bash subset that appears in Dockerfiles.
//!
//! ```
//! use careen_dockerfile::shell::{parse, Connector};
//!
//! let script = parse("apt-get update && sudo apt-get install -y curl | tee log");
//! let install = script.commands_named("apt-get").nth(1).unwrap();
//! assert_eq!(install.name(), Some("sudo"));
//! let effective = install.effective();
//! assert_eq!(effective.subcommand().map(|w| w.value.as_str()), Some("install"));
//! assert!(effective.has_option(&['y'], &["yes", "assume-yes"]));
//! assert_eq!(script.commands[0].connector, Some(Connector::And));
//! assert_eq!(script.commands[0].list, script.commands[1].list);
//! assert!(script.has_pipe());
//! ```
//!
//! Known limits: no alias, `eval` or variable expansion (words keep `$x` as
//! written); here-document bodies are skipped, not parsed; a `\r` before a
//! newline counts as a blank; `[[ … ]]` is one command whose words include its
//! operators; nesting deeper than 64 levels is read flat.

mod grammar;
mod lexer;
mod view;

pub use view::CommandView;

use std::ops::Range;

/// How a command is joined to the *next* one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|`
    Pipe,
    /// `;` or a newline
    Seq,
    /// `&`
    Background,
}

/// A word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// Text exactly as in the script.
    pub raw: String,
    /// Quotes removed and backslash escapes resolved; `$VAR`, `${…}`, `$(…)`
    /// and backquotes are kept as written (no expansion).
    pub value: String,
    /// Byte range of `raw` in the script.
    pub range: Range<usize>,
    /// Any part of the word was quoted.
    pub quoted: bool,
    /// The word contains an unquoted or double-quoted expansion (`$`, backquote).
    pub has_expansion: bool,
}

/// A simple command: optional `NAME=value` assignments, then argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<ShellWord>,
    /// argv: the command name then its arguments (redirections removed).
    pub words: Vec<ShellWord>,
    /// Redirection targets and operators, e.g. `> /dev/null`, kept for rules that care.
    pub redirects: Vec<ShellWord>,
    /// Byte range of the whole command in the script.
    pub range: Range<usize>,
    /// How this command is joined to the next command at the same level.
    pub connector: Option<Connector>,
    /// Nesting depth: 0 at top level, +1 inside `( )`, `{ }`, `$( )`,
    /// backquotes, `if`/`while`/`for`/`case` bodies.
    pub depth: u32,
    /// Inside a command substitution (`$( )` or backquotes).
    pub in_substitution: bool,
    /// Index of the and-or list (a `;`/newline/`&` separated unit) this command belongs to.
    pub list: usize,
}

impl SimpleCommand {
    /// The command name (argv[0]) with quotes removed.
    pub fn name(&self) -> Option<&str> {
        self.words.first().map(|w| w.value.as_str())
    }
    /// Arguments after the name.
    pub fn args(&self) -> &[ShellWord] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// All the words, as a view with option helpers.
    pub fn view(&self) -> CommandView<'_> {
        CommandView {
            command: self,
            words: &self.words,
        }
    }

    /// The command that actually runs, past wrappers and their options:
    /// `sudo -E apt-get install x` is seen as `apt-get install x`. Unwraps
    /// `sudo`, `doas`, `env`, `nice`, `ionice`, `time`, `xargs`, `command`
    /// (not `command -v`), `exec`, `nohup`, `timeout DURATION`, `stdbuf`,
    /// `gosu USER` and `su-exec USER`, repeatedly.
    pub fn effective(&self) -> CommandView<'_> {
        view::effective(self)
    }

    /// True if any option in the arguments matches; see [`CommandView::has_option`].
    pub fn has_option(&self, short: &[char], long: &[&str]) -> bool {
        self.view().has_option(short, long)
    }

    /// Arguments that are not options; see [`CommandView::positional_args`].
    pub fn positional_args(&self, options_with_values: &[&str]) -> Vec<&ShellWord> {
        self.view().positional_args(options_with_values)
    }

    /// The first argument that is not an option (e.g. `install` in
    /// `apt-get -q install x`); see [`CommandView::subcommand`].
    pub fn subcommand(&self) -> Option<&ShellWord> {
        self.view().subcommand()
    }

    /// For `sh -c SCRIPT` (also `bash`, `dash`, `ash`, `zsh`, with other
    /// options such as `-ex` or `-o pipefail`), the SCRIPT word. The parser
    /// already parsed it: its commands follow this one, one level deeper.
    pub fn shell_c_script(&self) -> Option<&ShellWord> {
        view::shell_c_script(self.effective())
    }
}

/// A parsed script: every simple command in source order, nested ones included.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Simple commands in source order: a command comes before the commands
    /// of its own `$( )` substitutions and `sh -c` script.
    pub commands: Vec<SimpleCommand>,
    /// Byte ranges of every `|` and `|&` pipe operator, at any depth
    /// (`||` is not a pipe).
    pub pipes: Vec<Range<usize>>,
}

/// Deepest nesting of compound commands and substitutions that is parsed
/// structurally; deeper text is read flat.
pub(crate) const MAX_DEPTH: u32 = 64;

/// Parse a shell script. Never fails and never panics; time and memory are
/// linear in the length of the script (times the bounded nesting depth).
pub fn parse(script: &str) -> Script {
    let mut out = grammar::Out::default();
    grammar::parse_text(script, 0, false, &mut out);
    Script {
        commands: out.commands,
        pipes: out.pipes,
    }
}

impl Script {
    /// Commands run as `name`: the command name itself or, through wrappers
    /// such as `sudo`/`env`/`xargs`, the command it runs (see
    /// [`SimpleCommand::effective`]). A path matches by its last component,
    /// so `/usr/bin/apt-get` is `apt-get`.
    pub fn commands_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a SimpleCommand> {
        self.commands
            .iter()
            .filter(move |c| c.view().is(name) || c.effective().is(name))
    }

    /// The script has a pipe (`|` or `|&`) anywhere, nested ones included.
    pub fn has_pipe(&self) -> bool {
        !self.pipes.is_empty()
    }

    /// The commands of and-or list `list` (commands joined by `&&`/`||`/`|`).
    pub fn list_commands(&self, list: usize) -> impl Iterator<Item = &SimpleCommand> {
        self.commands.iter().filter(move |c| c.list == list)
    }
}
