//! Helpers shared by careen's practice rules (CR0xxx–CR2xxx): which stages
//! end up in the final image, what runs as PID 1, literal values.

use crate::context::{Context, ParsedScript};
use careen_dockerfile::shell::{self, SimpleCommand};
use careen_dockerfile::{Command, Instruction, InstructionKind, Span, Stage};

/// `node` for `/usr/local/bin/node`.
pub(crate) fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Quotes and escapes removed, variables kept (`"a b"` → `a b`).
pub(crate) fn literal(ctx: &Context<'_>, text: &str) -> String {
    careen_dockerfile::expand::unquote(text, ctx.dockerfile.escape)
}

/// The earlier stage a FROM refers to by name, if its base is a stage.
pub(crate) fn parent_stage<'c>(ctx: &'c Context<'_>, stage: &Stage) -> Option<&'c Stage> {
    let base = stage.base.to_ascii_lowercase();
    ctx.stages[..stage.index.min(ctx.stages.len())]
        .iter()
        .rev()
        .find(|s| s.name.as_deref() == Some(base.as_str()))
}

/// Stages whose instructions end up in the final image: the final stage and
/// the stages it is built `FROM`, nearest first. Bounded by the stage count.
pub(crate) fn final_chain<'c>(ctx: &'c Context<'_>) -> Vec<&'c Stage> {
    let mut chain: Vec<&Stage> = Vec::new();
    let mut current = ctx.final_stage();
    while let Some(stage) = current {
        if chain.len() > ctx.stages.len() || chain.iter().any(|s| s.index == stage.index) {
            break;
        }
        chain.push(stage);
        current = parent_stage(ctx, stage);
    }
    chain
}

/// Instruction indices of the final image's stages, ancestors first (the
/// order in which they apply).
pub(crate) fn final_image_instructions(ctx: &Context<'_>) -> Vec<usize> {
    final_chain(ctx)
        .iter()
        .rev()
        .flat_map(|stage| stage.instructions.clone())
        .collect()
}

/// The final image's instructions (see [`final_image_instructions`]) that
/// have no cache mount, with the instruction.
pub(crate) fn final_image_uncached<'c>(ctx: &'c Context<'_>) -> Vec<(usize, &'c Instruction)> {
    final_image_instructions(ctx)
        .into_iter()
        .filter_map(|index| ctx.instructions().get(index).map(|i| (index, i)))
        .filter(|(_, instruction)| !has_cache_mount(instruction))
        .collect()
}

/// The script range from `command`'s effective name (looking through
/// wrappers) to the end of `last` (both fall back to the command's range).
pub(crate) fn name_through(
    command: &SimpleCommand,
    last: Option<&shell::ShellWord>,
) -> std::ops::Range<usize> {
    let start = command
        .effective()
        .name_word()
        .map(|w| w.range.start)
        .unwrap_or(command.range.start);
    let end = last.map(|w| w.range.end).unwrap_or(command.range.end);
    start..end
}

/// The base of the final image's oldest stage is an external image (not
/// `scratch`).
pub(crate) fn root_base<'c>(ctx: &'c Context<'_>) -> Option<&'c Stage> {
    final_chain(ctx).last().copied()
}

/// A Windows base image (PID 1, users and permissions work differently).
pub(crate) fn is_windows_image(base: &str) -> bool {
    let lower = base.to_ascii_lowercase();
    lower.contains("windows") || lower.contains("servercore") || lower.contains("nanoserver")
}

/// Programs that, started with no arguments, are an interactive shell or
/// REPL: the default command of a base image, not an application.
const INTERACTIVE: &[&str] = &[
    "sh",
    "bash",
    "ash",
    "dash",
    "zsh",
    "fish",
    "node",
    "nodejs",
    "bun",
    "deno",
    "irb",
    "ruby",
    "php",
    "perl",
    "jshell",
    "ghci",
    "erl",
    "iex",
    "r",
    "julia",
    "lua",
    "pwsh",
    "powershell",
    "cmd",
    "cmd.exe",
    "python",
    "python2",
    "python3",
];

/// The argv is just an interactive interpreter or shell (`["python3"]`,
/// `bash`, `php -a`).
pub(crate) fn is_interactive(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let name = basename(first).to_ascii_lowercase();
    let name = name.trim_end_matches(".exe");
    let known = INTERACTIVE.contains(&name)
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    known
        && words
            .iter()
            .skip(1)
            .all(|w| matches!(w.as_str(), "-a" | "-i" | "-l" | "--login"))
}

/// The final image runs an application: its effective command is known
/// and is not just an interactive shell or interpreter.
pub(crate) fn runs_application(ctx: &Context<'_>) -> bool {
    let (cmd, entrypoint) = final_cmd_entrypoint(ctx);
    // `ENTRYPOINT ["docker-entrypoint.sh"]` + `CMD ["node"]` is still a REPL.
    if cmd.is_some_and(|(_, c)| is_interactive(&all_command_text(c))) {
        return false;
    }
    let mut words = Vec::new();
    for (_, command) in [entrypoint, cmd].into_iter().flatten() {
        words.extend(all_command_text(command));
    }
    !words.is_empty() && !is_interactive(&words)
}

/// The RUN has a `--mount=type=cache` (any target).
pub(crate) fn has_cache_mount(instruction: &Instruction) -> bool {
    instruction.flags.iter().any(|flag| {
        flag.name.eq_ignore_ascii_case("mount")
            && flag
                .value
                .as_deref()
                .is_some_and(|v| v.split(',').any(|part| part.trim() == "type=cache"))
    })
}

/// The words of a CMD/ENTRYPOINT/HEALTHCHECK command with their spans:
/// exec form as given; shell form as `sh -c` sees it (the commands of the
/// script; for a single simple command, its argv).
pub(crate) struct CommandWords {
    /// The program and its arguments, literal.
    pub words: Vec<(String, Span)>,
    /// Shell form (runs under `/bin/sh -c`).
    pub shell_form: bool,
    /// Shell form whose script is more than one simple command (so the shell
    /// stays as the parent process).
    pub compound: bool,
}

pub(crate) fn command_words(ctx: &Context<'_>, command: &Command) -> CommandWords {
    match command {
        Command::Exec { args, .. } => CommandWords {
            words: args.iter().map(|w| (w.value.clone(), w.span)).collect(),
            shell_form: false,
            compound: false,
        },
        Command::Shell { script, map, .. } => {
            let parsed = ParsedScript {
                text: script.clone(),
                map: map.clone(),
                script: shell::parse(script),
            };
            let top: Vec<&SimpleCommand> = parsed
                .script
                .commands
                .iter()
                .filter(|c| c.depth == 0)
                .collect();
            let compound = top.len() > 1;
            let words = top
                .first()
                .map(|c| {
                    c.words
                        .iter()
                        .map(|w| (w.value.clone(), ctx.script_span(&parsed, w.range.clone())))
                        .collect()
                })
                .unwrap_or_default();
            CommandWords {
                words,
                shell_form: true,
                compound,
            }
        }
    }
}

/// Script words of every command of a CMD/ENTRYPOINT (exec form: one command).
pub(crate) fn all_command_text(command: &Command) -> Vec<String> {
    match command {
        Command::Exec { args, .. } => args.iter().map(|w| w.value.clone()).collect(),
        Command::Shell { script, .. } => shell::parse(script)
            .commands
            .iter()
            .flat_map(|c| c.words.iter().map(|w| w.value.clone()))
            .collect(),
    }
}

/// An instruction index and its command.
pub(crate) type Found<'c> = Option<(usize, &'c Command)>;

/// The last CMD and the last ENTRYPOINT of the final image's stages
/// (a later stage's instruction wins; `None` when inherited from the base).
pub(crate) fn final_cmd_entrypoint<'c>(ctx: &'c Context<'_>) -> (Found<'c>, Found<'c>) {
    let mut cmd = None;
    let mut entrypoint = None;
    for index in final_image_instructions(ctx) {
        match ctx.instructions().get(index).map(|i| &i.kind) {
            Some(InstructionKind::Cmd(command)) => cmd = Some((index, command)),
            Some(InstructionKind::Entrypoint(command)) => {
                entrypoint = Some((index, command));
                // A new ENTRYPOINT resets an inherited CMD.
                cmd = None;
            }
            _ => {}
        }
    }
    (cmd, entrypoint)
}

/// Package-manager install commands' package words: `apt-get install`,
/// `apt install`, `apk add`, `yum/dnf/microdnf install`, `zypper install`.
/// Returns the package arguments (options skipped) or None if `command` is
/// not an OS package install.
pub(crate) fn os_package_install(command: &SimpleCommand) -> Option<Vec<&shell::ShellWord>> {
    let view = command.effective();
    let name = basename(view.name()?);
    let install_words: &[&str] = match name {
        "apt-get" | "apt" | "aptitude" => &["install"],
        "apk" => &["add"],
        "yum" | "dnf" | "microdnf" | "tdnf" => &["install"],
        "zypper" => &["install", "in"],
        _ => return None,
    };
    let positional = view.positional_args(&[
        "-o",
        "-t",
        "-c",
        "--virtual",
        "-X",
        "--repository",
        "-p",
        "--root",
        "--enablerepo",
        "--disablerepo",
        "--setopt",
        "-R",
    ]);
    let (first, rest) = positional.split_first()?;
    if !install_words.contains(&first.value.as_str()) {
        return None;
    }
    Some(rest.to_vec())
}

/// Lines where rule `code` fires on `source` (no build context), for the
/// whole-file cases of rules' unit tests.
#[cfg(test)]
pub(crate) fn fired_lines(code: &str, source: &str) -> Vec<u32> {
    let settings = crate::Settings {
        select: vec![code.to_string()],
        ..crate::Settings::default()
    };
    crate::lint_source(std::path::Path::new("Dockerfile"), source, &settings, None)
        .map(|ds| ds.iter().map(|d| d.span.start.line).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_install_packages() {
        let script = shell::parse("apk add --no-cache --virtual .deps gcc musl-dev");
        let packages = os_package_install(&script.commands[0]).unwrap();
        let names: Vec<&str> = packages.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(names, ["gcc", "musl-dev"]);
        let script = shell::parse("apt-get update");
        assert!(os_package_install(&script.commands[0]).is_none());
        let script = shell::parse("sudo apt-get install -y make");
        assert_eq!(os_package_install(&script.commands[0]).unwrap().len(), 1);
    }

    #[test]
    fn interactive_commands() {
        let words = |t: &str| t.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert!(is_interactive(&words("python3")));
        assert!(is_interactive(&words("/bin/bash")));
        assert!(is_interactive(&words("php -a")));
        assert!(!is_interactive(&words("python3 app.py")));
        assert!(!is_interactive(&words("php-fpm")));
        assert!(is_windows_image(
            "mcr.microsoft.com/windows/servercore:ltsc2022"
        ));
    }

    #[test]
    fn basenames() {
        assert_eq!(basename("/usr/bin/node"), "node");
        assert_eq!(basename("node"), "node");
    }
}
