//! Views of a command's argv: option helpers and unwrapping of wrapper
//! commands (`sudo`, `env`, `xargs`, …).

use super::lexer::assignment_prefix_len;
use super::{ShellWord, SimpleCommand};

/// A command's argv, possibly starting past wrapper commands (see
/// [`SimpleCommand::effective`]). Options are recognized by their unquoted
/// value: `-x`, `-xyz` (combined short flags), `--long`, `--long=value`;
/// `--` ends the options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandView<'a> {
    /// The whole command (assignments, redirections, range, …).
    pub command: &'a SimpleCommand,
    /// argv from the effective command name on.
    pub words: &'a [ShellWord],
}

/// `apt-get` for `/usr/bin/apt-get`.
fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Is `word` an option (`-x`, `--x`), not `-` or `--`?
fn is_option(value: &str) -> bool {
    value.len() > 1 && value.starts_with('-') && value != "--"
}

/// Does option word `value` consume the next word as its value?
/// `-o` (listed) does; `-qo` does when `-o` is listed (it is last); `-ofile`
/// does not (the value is attached); `--out=file` does not.
fn takes_next(value: &str, options_with_values: &[&str]) -> bool {
    if options_with_values.contains(&value) {
        return true;
    }
    if value.starts_with("--") || value.contains('=') {
        return false;
    }
    let cluster = value.get(1..).unwrap_or("");
    for (at, c) in cluster.char_indices() {
        let short = format!("-{c}");
        if options_with_values.contains(&short.as_str()) {
            // The value is the rest of the cluster, or the next word.
            return at + c.len_utf8() == cluster.len();
        }
    }
    false
}

impl<'a> CommandView<'a> {
    /// The command name with quotes removed.
    pub fn name(&self) -> Option<&'a str> {
        self.words.first().map(|w| w.value.as_str())
    }

    /// The command name's word.
    pub fn name_word(&self) -> Option<&'a ShellWord> {
        self.words.first()
    }

    /// Arguments after the name.
    pub fn args(&self) -> &'a [ShellWord] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The command is `name`, by path or not (`/usr/bin/pip` is `pip`).
    pub fn is(&self, name: &str) -> bool {
        self.name()
            .is_some_and(|n| n == name || basename(n) == name)
    }

    /// True if an argument before `--` is one of the options: a short flag
    /// alone or combined (`-y`, `-qy`) or a long one (`--yes`,
    /// `--yes=value`). `long` names may be given with or without the `--`.
    ///
    /// ```
    /// let script = careen_dockerfile::shell::parse("apt-get install -qy --no-install-recommends=1 x");
    /// let cmd = &script.commands[0];
    /// assert!(cmd.has_option(&['y'], &["assume-yes"]));
    /// assert!(cmd.has_option(&[], &["--no-install-recommends"]));
    /// assert!(!cmd.has_option(&['f'], &["fix-broken"]));
    /// ```
    ///
    /// Limit: a short option with an attached value (`-oDpkg::…`) is read as
    /// a cluster of flags.
    pub fn has_option(&self, short: &[char], long: &[&str]) -> bool {
        for word in self.args() {
            let value = word.value.as_str();
            if value == "--" {
                break;
            }
            if let Some(rest) = value.strip_prefix("--") {
                let name = rest.split('=').next().unwrap_or(rest);
                if long.iter().any(|l| l.trim_start_matches('-') == name) {
                    return true;
                }
            } else if is_option(value) && value.chars().skip(1).any(|c| short.contains(&c)) {
                return true;
            }
        }
        false
    }

    /// Arguments that are not options nor values of options.
    /// `options_with_values` lists, as written (`-o`, `--output`), the
    /// options whose value may be the next word.
    ///
    /// ```
    /// let script = careen_dockerfile::shell::parse("pip install -r req.txt --index-url=u -q flask -- -x");
    /// let args = script.commands[0].positional_args(&["-r", "--index-url"]);
    /// let values: Vec<&str> = args.iter().map(|w| w.value.as_str()).collect();
    /// assert_eq!(values, ["install", "flask", "-x"]);
    /// ```
    pub fn positional_args(&self, options_with_values: &[&str]) -> Vec<&'a ShellWord> {
        let mut out = Vec::new();
        let mut args = self.args().iter();
        while let Some(word) = args.next() {
            let value = word.value.as_str();
            if value == "--" {
                out.extend(args.by_ref());
                break;
            }
            if is_option(value) {
                if takes_next(value, options_with_values) {
                    args.next();
                }
                continue;
            }
            out.push(word);
        }
        out
    }

    /// The first positional argument (`install` in `apt-get -q install x`).
    /// Options taking a value in the next word are not known here; use
    /// [`CommandView::positional_args`] when they matter.
    pub fn subcommand(&self) -> Option<&'a ShellWord> {
        self.positional_args(&[]).into_iter().next()
    }

    /// The value of the first of `names` present: `-o v`, `-ov`, `--out v`
    /// or `--out=v`.
    ///
    /// ```
    /// let script = careen_dockerfile::shell::parse("curl -fsSL --output=/tmp/x https://e");
    /// assert_eq!(script.commands[0].effective().option_value(&["-o", "--output"]), Some("/tmp/x"));
    /// ```
    pub fn option_value(&self, names: &[&str]) -> Option<&'a str> {
        let args = self.args();
        for (i, word) in args.iter().enumerate() {
            let value = word.value.as_str();
            if value == "--" {
                break;
            }
            for name in names {
                if value == *name {
                    return args.get(i + 1).map(|w| w.value.as_str());
                }
                if let Some(rest) = value.strip_prefix(name) {
                    if name.starts_with("--") {
                        if let Some(v) = rest.strip_prefix('=') {
                            return Some(v);
                        }
                    } else if name.len() == 2 && !value.starts_with("--") {
                        return Some(rest);
                    }
                }
            }
        }
        None
    }
}

/// How to skip one wrapper: options taking a value, whether `NAME=value`
/// words may follow, and how many positional words precede the command.
struct Wrapper {
    options_with_values: &'static [&'static str],
    assignments: bool,
    positionals: usize,
}

fn wrapper(name: &str) -> Option<Wrapper> {
    let (options_with_values, assignments, positionals): (&'static [&'static str], bool, usize) =
        match name {
            "sudo" | "doas" => (
                &[
                    "-u",
                    "-g",
                    "-C",
                    "-D",
                    "-h",
                    "-p",
                    "-r",
                    "-t",
                    "-T",
                    "-U",
                    "--user",
                    "--group",
                    "--chdir",
                    "--host",
                    "--prompt",
                    "--role",
                    "--type",
                    "--close-from",
                    "--other-user",
                    "--command-timeout",
                ],
                true,
                0,
            ),
            "env" => (
                &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
                true,
                0,
            ),
            "nice" => (&["-n", "--adjustment"], false, 0),
            "ionice" => (
                &["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"],
                false,
                0,
            ),
            "time" => (&["-f", "-o", "--format", "--output"], false, 0),
            "xargs" => (
                &[
                    "-a",
                    "-d",
                    "-E",
                    "-I",
                    "-L",
                    "-n",
                    "-P",
                    "-s",
                    "--arg-file",
                    "--delimiter",
                    "--eof",
                    "--replace",
                    "--max-lines",
                    "--max-args",
                    "--max-procs",
                    "--max-chars",
                    "--process-slot-var",
                ],
                false,
                0,
            ),
            "command" | "nohup" => (&[], false, 0),
            "exec" => (&["-a"], false, 0),
            "timeout" => (&["-s", "-k", "--signal", "--kill-after"], false, 1),
            "stdbuf" => (
                &["-i", "-o", "-e", "--input", "--output", "--error"],
                false,
                0,
            ),
            "gosu" | "su-exec" => (&[], false, 1),
            _ => return None,
        };
    Some(Wrapper {
        options_with_values,
        assignments,
        positionals,
    })
}

/// How many words the wrapper at `words[0]` (with its options) takes, or
/// None if it does not run a command.
fn wrapper_len(words: &[ShellWord]) -> Option<usize> {
    let name = basename(&words.first()?.value);
    let spec = wrapper(name)?;
    let mut i = 1;
    while let Some(word) = words.get(i) {
        let value = word.value.as_str();
        if value == "--" {
            i += 1;
            break;
        }
        if is_option(value) {
            if name == "command" && (value.contains('v') || value.contains('V')) {
                // `command -v x` looks `x` up; it does not run it.
                return None;
            }
            i += if takes_next(value, spec.options_with_values) {
                2
            } else {
                1
            };
            continue;
        }
        if spec.assignments && assignment_prefix_len(&word.raw).is_some() {
            i += 1;
            continue;
        }
        break;
    }
    Some(i + spec.positionals)
}

pub(super) fn effective(command: &SimpleCommand) -> CommandView<'_> {
    let mut words: &[ShellWord] = &command.words;
    // Each step drops at least one word; the bound only guards odd input.
    for _ in 0..32 {
        match wrapper_len(words) {
            Some(n) if n < words.len() => words = words.get(n..).unwrap_or(&[]),
            _ => break,
        }
    }
    CommandView { command, words }
}

/// The SCRIPT of `sh -c SCRIPT` when it can be parsed as shell text.
pub(super) fn shell_c_script(view: CommandView<'_>) -> Option<&ShellWord> {
    let name = basename(view.name()?);
    if !matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh"
    ) {
        return None;
    }
    let mut dash_c = false;
    let mut i = 1;
    while let Some(word) = view.words.get(i) {
        let value = word.value.as_str();
        if value == "--" {
            i += 1;
            break;
        }
        if value.starts_with("--") {
            i += if matches!(value, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
            continue;
        }
        if value.len() > 1 && (value.starts_with('-') || value.starts_with('+')) {
            let cluster = value.get(1..).unwrap_or("");
            dash_c |= cluster.contains('c');
            // `-o pipefail`, `-eo pipefail`
            i += if cluster.ends_with('o') || cluster.ends_with('O') {
                2
            } else {
                1
            };
            continue;
        }
        break;
    }
    if !dash_c {
        return None;
    }
    let script = view.words.get(i)?;
    // A double-quoted script with command substitutions was expanded by the
    // outer shell; its commands were already parsed as substitutions.
    if script.has_expansion && (script.value.contains("$(") || script.value.contains('`')) {
        return None;
    }
    Some(script)
}
