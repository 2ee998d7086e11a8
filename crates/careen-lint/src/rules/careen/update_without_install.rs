use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::SimpleCommand;

rule! {
    /// ## What it does
    /// Checks for `apt-get update` (or `apt update`, `apk update`) in a `RUN`
    /// that installs nothing.
    ///
    /// ## Why is this bad?
    /// The package lists end up in a layer of their own. The build cache
    /// keeps that layer for as long as the `RUN` line is unchanged, so a later
    /// `RUN apt-get install …` installs from lists that may be weeks old:
    /// versions that the mirrors no longer carry (the build breaks) or that
    /// miss security fixes. The lists also add tens of megabytes to the image.
    /// Update and install in the same `RUN`, and remove the lists there.
    ///
    /// A `RUN` that also runs anything that may install (a script, a pipe
    /// into a shell, another package command) is not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    pub(crate) struct UpdateWithoutInstall {
        code: "CR1201",
        name: "update-without-install",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// Commands that cannot install packages.
const HARMLESS: &[&str] = &[
    "rm", "echo", "printf", "true", ":", "set", "mkdir", "ln", "cat", "tee", "sed", "cp", "mv",
    "export", "touch", "chmod", "chown", "apt-key", "gpg", "[", "test", "ls", "grep", "sleep",
];

/// `(tool, is_update)` for a package-index command, None for other commands.
fn package_index_command(command: &SimpleCommand) -> Option<(&str, bool)> {
    let view = command.effective();
    let tool = practice::basename(view.name()?);
    if !matches!(tool, "apt-get" | "apt" | "apk") {
        return None;
    }
    let sub = view
        .positional_args(&["-o", "-c", "-X", "--repository"])
        .first()?
        .value
        .as_str();
    match sub {
        "update" => Some((tool, true)),
        "clean" | "autoclean" => Some((tool, false)),
        _ => None,
    }
}

impl Rule for UpdateWithoutInstall {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for index in 0..ctx.instructions().len() {
            let commands: Vec<_> = ctx.commands(index).collect();
            let mut update = None;
            let mut harmless = true;
            for (script, command) in &commands {
                match package_index_command(command) {
                    Some((tool, true)) => {
                        if update.is_none() {
                            update = Some((tool, *script, *command));
                        }
                    }
                    Some((_, false)) => {}
                    None => {
                        let name = command.effective().name().map(practice::basename);
                        if !name.is_some_and(|n| HARMLESS.contains(&n)) {
                            harmless = false;
                        }
                    }
                }
            }
            let Some((tool, script, command)) = update else {
                continue;
            };
            if !harmless {
                continue;
            }
            let range = practice::name_through(command, command.effective().args().last());
            let installer = if tool == "apk" {
                "apk add"
            } else {
                "apt-get install"
            };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.script_span(script, range),
                    format!("`{tool} update` runs in a `RUN` that installs nothing"),
                )
                .with_help(format!(
                    "run `{tool} update` and `{installer}` in the same `RUN`"
                )),
            );
        }
    }
}
