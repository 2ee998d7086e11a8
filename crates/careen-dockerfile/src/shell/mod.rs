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
    pub fn commands_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a SimpleCommand> {
        let name = name.to_owned();
        self.commands
            .iter()
            .filter(move |c| c.view().is(&name) || c.effective().is(&name))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse and check that every range points at its raw text.
    fn parsed(src: &str) -> Script {
        let script = parse(src);
        for c in &script.commands {
            assert!(
                src.get(c.range.clone()).is_some(),
                "command range {:?}",
                c.range
            );
            for w in c.assignments.iter().chain(&c.words).chain(&c.redirects) {
                assert_eq!(src.get(w.range.clone()), Some(w.raw.as_str()), "{w:?}");
            }
        }
        for p in &script.pipes {
            assert!(matches!(src.get(p.clone()), Some("|" | "|&")), "pipe {p:?}");
        }
        script
    }

    fn names(script: &Script) -> Vec<&str> {
        script
            .commands
            .iter()
            .map(|c| c.name().unwrap_or(""))
            .collect()
    }

    fn values(words: &[ShellWord]) -> Vec<&str> {
        words.iter().map(|w| w.value.as_str()).collect()
    }

    fn depths(script: &Script) -> Vec<u32> {
        script.commands.iter().map(|c| c.depth).collect()
    }

    #[test]
    fn simple_command_words_and_ranges() {
        let src = "  apt-get install -y curl  ";
        let s = parsed(src);
        assert_eq!(s.commands.len(), 1);
        let c = &s.commands[0];
        assert_eq!(values(&c.words), ["apt-get", "install", "-y", "curl"]);
        assert_eq!(c.range, 2..25);
        assert_eq!(&src[c.words[3].range.clone()], "curl");
        assert_eq!(c.connector, None);
        assert_eq!(c.depth, 0);
        assert!(!c.in_substitution);
    }

    #[test]
    fn connectors_and_lists() {
        let s = parsed("a && b || c | d; e & f\ng");
        assert_eq!(names(&s), ["a", "b", "c", "d", "e", "f", "g"]);
        let connectors: Vec<_> = s.commands.iter().map(|c| c.connector).collect();
        use Connector::*;
        assert_eq!(
            connectors,
            [
                Some(And),
                Some(Or),
                Some(Pipe),
                Some(Seq),
                Some(Background),
                Some(Seq),
                None
            ]
        );
        let lists: Vec<_> = s.commands.iter().map(|c| c.list).collect();
        assert_eq!(lists[0], lists[3]);
        assert_ne!(lists[3], lists[4]);
        assert_ne!(lists[4], lists[5]);
        assert_ne!(lists[5], lists[6]);
        assert_eq!(s.list_commands(lists[0]).count(), 4);
    }

    #[test]
    fn line_continuations_join_words() {
        let src = "apt-get install \\\n    curl \\\n    git";
        let s = parsed(src);
        assert_eq!(
            values(&s.commands[0].words),
            ["apt-get", "install", "curl", "git"]
        );
        let s = parsed("ec\\\nho hi");
        assert_eq!(s.commands[0].words[0].value, "echo");
        assert_eq!(s.commands[0].words[0].raw, "ec\\\nho");
    }

    #[test]
    fn quoting_removes_quotes_and_keeps_expansions() {
        let s = parsed(r#"echo 'a $b' "c $d \" \x" e\ f g $h ${i:-j} "$(k)" plain"#);
        let w = &s.commands[0].words;
        assert_eq!(
            values(w),
            [
                "echo",
                "a $b",
                "c $d \" \\x",
                "e f",
                "g",
                "$h",
                "${i:-j}",
                "$(k)",
                "plain"
            ]
        );
        assert!(w[1].quoted && !w[1].has_expansion);
        assert!(w[2].quoted && w[2].has_expansion);
        assert!(w[3].quoted && !w[3].has_expansion);
        assert!(!w[4].quoted && !w[4].has_expansion);
        assert!(!w[5].quoted && w[5].has_expansion);
        assert!(w[7].quoted && w[7].has_expansion);
        assert!(!w[8].quoted);
    }

    #[test]
    fn nested_braced_expansion_is_one_word() {
        let s = parsed("echo ${a:-${b:-\"}\"}}x next");
        assert_eq!(
            values(&s.commands[0].words),
            ["echo", "${a:-${b:-\"}\"}}x", "next"]
        );
    }

    #[test]
    fn arithmetic_is_one_word_without_commands() {
        let s = parsed("echo $(( (1 + 2) * 3 )) done");
        assert_eq!(s.commands.len(), 1);
        assert_eq!(
            values(&s.commands[0].words),
            ["echo", "$(( (1 + 2) * 3 ))", "done"]
        );
        let s = parsed("(( i++ )) && echo");
        assert_eq!(names(&s), ["(( i++ ))", "echo"]);
    }

    #[test]
    fn command_substitutions_are_parsed_one_level_deeper() {
        let src = "VERSION=$(curl -s $(cat url) | jq -r .v) make install";
        let s = parsed(src);
        assert_eq!(names(&s), ["make", "curl", "cat", "jq"]);
        assert_eq!(depths(&s), [0, 1, 2, 1]);
        assert!(s.commands[1].in_substitution && s.commands[2].in_substitution);
        assert!(!s.commands[0].in_substitution);
        assert_eq!(
            values(&s.commands[0].assignments),
            ["VERSION=$(curl -s $(cat url) | jq -r .v)"]
        );
        assert_eq!(s.commands[1].connector, Some(Connector::Pipe));
        assert!(s.has_pipe());
        assert_eq!(&src[s.commands[2].range.clone()], "cat url");
    }

    #[test]
    fn backquotes_are_substitutions() {
        let src = "echo `uname -r` && echo \"`id -u`\"";
        let s = parsed(src);
        assert_eq!(names(&s), ["echo", "uname", "echo", "id"]);
        assert_eq!(depths(&s), [0, 1, 0, 1]);
        assert!(s.commands[1].in_substitution);
        assert_eq!(values(&s.commands[0].words), ["echo", "`uname -r`"]);
    }

    #[test]
    fn escaped_backquotes_map_back_into_the_script() {
        let src = r"echo `dirname \`which gcc\``";
        let s = parsed(src);
        assert_eq!(names(&s), ["echo", "dirname", "which"]);
        assert_eq!(depths(&s), [0, 1, 2]);
        assert_eq!(s.commands[2].words[1].raw, "gcc");
        assert_eq!(&src[s.commands[1].range.clone()], r"dirname \`which gcc\`");
    }

    #[test]
    fn substitution_with_case_inside() {
        let s = parsed("x=$(case $a in b) echo b;; *) echo c;; esac) && next");
        assert_eq!(names(&s), ["", "echo", "echo", "next"]);
        assert_eq!(depths(&s), [0, 2, 2, 0]);
    }

    #[test]
    fn process_substitution() {
        let s = parsed("diff <(ls a) >(cat)");
        assert_eq!(names(&s), ["diff", "ls", "cat"]);
        assert_eq!(values(&s.commands[0].words), ["diff", "<(ls a)", ">(cat)"]);
        assert!(s.commands[0].redirects.is_empty());
    }

    #[test]
    fn comments_are_skipped() {
        let s = parsed("# leading\necho a#b # trailing && rm -rf /\nls");
        assert_eq!(names(&s), ["echo", "ls"]);
        assert_eq!(values(&s.commands[0].words), ["echo", "a#b"]);
    }

    #[test]
    fn redirections_are_not_words() {
        let src =
            "cmd a > /dev/null 2>&1 b <in &>all >>log >|clobber <<<'here string' 3>file 2> err";
        let s = parsed(src);
        let c = &s.commands[0];
        assert_eq!(values(&c.words), ["cmd", "a", "b"]);
        assert_eq!(
            values(&c.redirects),
            [
                ">",
                "/dev/null",
                "2>&",
                "1",
                "<",
                "in",
                "&>",
                "all",
                ">>",
                "log",
                ">|",
                "clobber",
                "<<<",
                "here string",
                "3>",
                "file",
                "2>",
                "err"
            ]
        );
        assert_eq!(c.range, 0..src.len());
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        let s = parsed("cat <<EOF > /etc/x\nrm -rf / && evil\nEOF\napt-get update");
        assert_eq!(names(&s), ["cat", "apt-get"]);
        assert_eq!(
            values(&s.commands[0].redirects),
            ["<<", "EOF", ">", "/etc/x"]
        );
        assert_eq!(s.commands[0].connector, Some(Connector::Seq));
        let s = parsed("cat <<-\"END\" | sh\n\techo $x\n\tEND\nls");
        assert_eq!(names(&s), ["cat", "sh", "ls"]);
        let s = parsed("cat <<'E'\nnever terminated\nls");
        assert_eq!(names(&s), ["cat"]);
        let s = parsed("x=$(cat <<E\nbody )\nE\n) && y");
        assert_eq!(names(&s), ["", "cat", "y"]);
    }

    #[test]
    fn if_elif_else() {
        let s = parsed("if [ -f a ]; then b; elif c; then d && e; else f; fi; g");
        assert_eq!(names(&s), ["[", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(depths(&s), [1, 1, 1, 1, 1, 1, 0]);
        assert_eq!(s.commands[3].list, s.commands[4].list);
        assert_ne!(s.commands[1].list, s.commands[3].list);
    }

    #[test]
    fn loops() {
        let s = parsed(
            "for f in $(ls) *.txt; do rm \"$f\"; done && while read l; do echo $l; done < in",
        );
        assert_eq!(names(&s), ["ls", "rm", "read", "echo"]);
        assert_eq!(depths(&s), [1, 1, 1, 1]);
        assert!(s.commands[0].in_substitution);
        let s = parsed("until false\ndo\n  sleep 1\ndone");
        assert_eq!(names(&s), ["false", "sleep"]);
        let s = parsed("for ((i=0; i<3; i++)); do echo $i; done; for x do y; done");
        assert_eq!(names(&s), ["echo", "y"]);
    }

    #[test]
    fn case_statement() {
        let s =
            parsed("case \"$ARCH\" in\n  amd64|x86_64) a=1; b ;;\n  (arm*) c;;\n  *) d\nesac; e");
        assert_eq!(names(&s), ["", "b", "c", "d", "e"]);
        assert_eq!(depths(&s), [1, 1, 1, 1, 0]);
        assert_eq!(values(&s.commands[0].assignments), ["a=1"]);
    }

    #[test]
    fn subshells_groups_functions() {
        let s = parsed("(cd /x && make) ; { a; b; } | c; f() { g \"$@\"; }; function h { i; }");
        assert_eq!(names(&s), ["cd", "make", "a", "b", "c", "g", "i"]);
        assert_eq!(depths(&s), [1, 1, 1, 1, 0, 1, 1]);
        assert_eq!(s.commands[0].connector, Some(Connector::And));
        assert_eq!(s.commands[1].connector, None);
        assert_eq!(s.commands[3].connector, Some(Connector::Seq));
        assert!(s.has_pipe());
    }

    #[test]
    fn keywords_only_in_command_position() {
        let s = parsed("echo if then fi done { } esac; true");
        assert_eq!(
            values(&s.commands[0].words),
            ["echo", "if", "then", "fi", "done", "{", "}", "esac"]
        );
        assert_eq!(names(&s), ["echo", "true"]);
        let s = parsed("'if' x");
        assert_eq!(names(&s), ["if"]);
    }

    #[test]
    fn negation() {
        let s = parsed("! grep -q x f && echo missing");
        assert_eq!(names(&s), ["grep", "echo"]);
        assert_eq!(s.commands[0].connector, Some(Connector::And));
    }

    #[test]
    fn test_brackets() {
        let s = parsed("[[ -f a && ( -d b || $c < d ) ]] && e; [ -f x ] || y");
        assert_eq!(names(&s), ["[[", "e", "[", "y"]);
        assert_eq!(
            values(&s.commands[0].words),
            ["[[", "-f", "a", "&&", "(", "-d", "b", "||", "$c", "<", "d", ")", "]]"]
        );
        assert!(s.commands[0].redirects.is_empty());
        assert_eq!(values(&s.commands[2].words), ["[", "-f", "x", "]"]);
    }

    #[test]
    fn assignments() {
        let s = parsed("A=1 B=\"x y\" C+=z D=(1 2) cmd E=2 \"F=3\"; G=4");
        let c = &s.commands[0];
        assert_eq!(values(&c.assignments), ["A=1", "B=x y", "C+=z", "D=(1 2)"]);
        assert_eq!(values(&c.words), ["cmd", "E=2", "F=3"]);
        let bare = &s.commands[1];
        assert!(bare.words.is_empty());
        assert_eq!(bare.name(), None);
        assert_eq!(values(&bare.assignments), ["G=4"]);
        let s = parsed("\"A=1\" cmd");
        assert_eq!(names(&s), ["A=1"]);
    }

    #[test]
    fn sh_c_scripts_are_parsed_in_place() {
        let src = "sh -c 'apt-get update && apt-get install -y curl'";
        let s = parsed(src);
        assert_eq!(names(&s), ["sh", "apt-get", "apt-get"]);
        assert_eq!(depths(&s), [0, 1, 1]);
        assert!(!s.commands[1].in_substitution);
        assert_eq!(&src[s.commands[2].range.clone()], "apt-get install -y curl");
        assert_eq!(s.commands[1].connector, Some(Connector::And));
        assert_eq!(s.commands[1].list, s.commands[2].list);
    }

    #[test]
    fn bash_c_with_escapes_and_options() {
        let src = r#"sudo bash -eo pipefail -c "echo \"a b\" | grep -q a""#;
        let s = parsed(src);
        assert_eq!(names(&s), ["sudo", "echo", "grep"]);
        assert_eq!(s.commands[1].words[1].value, "a b");
        assert_eq!(s.commands[1].words[1].raw, r#"\"a b\""#);
        assert_eq!(s.pipes.len(), 1);
        let s = parsed("bash script.sh -c 'not a script'");
        assert_eq!(names(&s), ["bash"]);
        let s = parsed("sh -c \"$(curl -fsSL https://x)\"");
        assert_eq!(names(&s), ["sh", "curl"]);
    }

    #[test]
    fn effective_unwraps_wrappers() {
        let s = parsed(
            "sudo -E -u root env DEBIAN_FRONTEND=noninteractive nice -n 5 timeout -s KILL 10m apt-get install -y x",
        );
        let e = s.commands[0].effective();
        assert_eq!(e.name(), Some("apt-get"));
        assert_eq!(e.subcommand().map(|w| w.value.as_str()), Some("install"));
        let s = parsed("find . -name '*.pyc' | xargs -n1 -I{} rm -f {}");
        assert_eq!(s.commands[1].effective().name(), Some("rm"));
        let s =
            parsed("command -v curl; command curl x; time -p make; exec gosu app node; nohup srv");
        let e: Vec<_> = s
            .commands
            .iter()
            .map(|c| c.effective().name().unwrap_or(""))
            .collect();
        assert_eq!(e, ["command", "curl", "make", "node", "srv"]);
        let s = parsed("sudo");
        assert_eq!(s.commands[0].effective().name(), Some("sudo"));
    }

    #[test]
    fn option_helpers() {
        let s = parsed("apt-get -qq -o Dpkg::Options::=--force-confold install --no-install-recommends -y a b=1 -- -c");
        let c = &s.commands[0];
        assert!(c.has_option(&['y'], &[]));
        assert!(c.has_option(&['q'], &[]));
        assert!(c.has_option(&[], &["no-install-recommends"]));
        assert!(!c.has_option(&['c'], &[]), "after --");
        assert_eq!(
            values(
                &c.positional_args(&["-o"])
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            ),
            ["install", "a", "b=1", "-c"]
        );
        assert_eq!(
            c.subcommand().map(|w| w.value.as_str()),
            Some("Dpkg::Options::=--force-confold")
        );
        assert_eq!(
            c.view().option_value(&["-o"]),
            Some("Dpkg::Options::=--force-confold")
        );
        let s = parsed("tar -xzf a.tgz -C /opt");
        let args = s.commands[0].positional_args(&["-f", "-C"]);
        assert!(args.is_empty(), "{args:?}");
        let args = s.commands[0].positional_args(&["-C"]);
        assert_eq!(args.len(), 1);
        assert_eq!(args[0].value, "a.tgz");
    }

    #[test]
    fn commands_named_sees_through_wrappers_and_paths() {
        let s = parsed("sudo apt-get update; /usr/bin/apt-get install x; apt-cache policy");
        assert_eq!(s.commands_named("apt-get").count(), 2);
        assert_eq!(s.commands_named("sudo").count(), 1);
        assert_eq!(s.commands_named("apt").count(), 0);
    }

    #[test]
    fn or_is_not_a_pipe() {
        assert!(!parsed("a || b").has_pipe());
        assert!(parsed("a |& b").has_pipe());
        assert!(parsed("x=$(a | b)").has_pipe());
    }

    #[test]
    fn unicode_words() {
        let s = parsed("echo héllo 'wörld' \"ünï\" ✓");
        assert_eq!(
            values(&s.commands[0].words),
            ["echo", "héllo", "wörld", "ünï", "✓"]
        );
    }

    #[test]
    fn broken_input_still_yields_commands() {
        let s = parsed("echo 'unterminated && rm x");
        assert_eq!(names(&s), ["echo"]);
        let s = parsed("a ) b; fi; done c; }");
        assert_eq!(names(&s), ["a", "b", "c"]);
        let s = parsed("if a; then b");
        assert_eq!(names(&s), ["a", "b"]);
        let s = parsed("for x in 1 2; do if y; then z; done; w");
        assert_eq!(names(&s), ["y", "z", "w"]);
        assert_eq!(depths(&s), [2, 2, 0]);
        let s = parsed("echo $(unterminated && x");
        assert_eq!(names(&s), ["echo", "unterminated", "x"]);
        let s = parsed("&& || | ;; ( ) echo");
        assert_eq!(names(&s), ["echo"]);
        let s = parsed("a &&\n b |\n c");
        assert_eq!(names(&s), ["a", "b", "c"]);
        assert_eq!(s.commands[0].list, s.commands[2].list);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let n = 10_000;
        for src in [
            "$(".repeat(n),
            "`".repeat(n),
            "( ".repeat(n),
            "{ ".repeat(n),
            "if ".repeat(n),
            "\"$(".repeat(n),
            "${".repeat(n),
            "f() ".repeat(n),
            "function ".repeat(n),
            "sh -c \"sh -c \\\"".repeat(n),
            format!("{}echo{}", "$(echo ".repeat(n), ")".repeat(n)),
            format!("{}x{}", "if a; then ".repeat(n), "; fi".repeat(n)),
        ] {
            let s = parsed(&src);
            assert!(s.commands.iter().all(|c| c.depth <= MAX_DEPTH + 1));
        }
    }

    #[test]
    fn junk_never_panics_and_ranges_stay_valid() {
        // A small deterministic fuzz over shell-significant pieces.
        let pieces = [
            "a", " ", "\n", "'", "\"", "\\", "$", "(", ")", "{", "}", "`", "|", "&", ";", "<", ">",
            "#", "=", "if", "then", "fi", "do", "done", "case", "in", "esac", "<<", "E", "!", "[[",
            "]]", "sh", "-c", "2", "é", "\r", "\t", "*", "for", "while",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..3000 {
            let mut src = String::new();
            for _ in 0..40 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                src.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            parsed(&src);
        }
        parsed("\u{0}\u{7f}\u{fffd}\u{1b}[31m");
    }

    #[test]
    fn large_scripts_parse_in_linear_time() {
        let src = "apt-get install -y \"$(echo a)\" b && c | d; ".repeat(20_000);
        let start = std::time::Instant::now();
        let s = parse(&src);
        assert_eq!(s.commands.len(), 80_000);
        // Generous even for debug builds on a busy machine.
        assert!(start.elapsed().as_secs() < 20);
    }
}
