use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::SimpleCommand;
use careen_dockerfile::{InstructionKind, Word};

rule! {
    /// ## What it does
    /// Checks for a `COPY` of the whole build context (`COPY . .`) before the
    /// dependency install of the same stage (`npm ci`, `pip install -r`,
    /// `poetry install`, `uv sync`, `go mod download`, `bundle install`, …).
    ///
    /// ## Why is this bad?
    /// A layer is rebuilt when anything it copies changes, and so is every
    /// layer after it. With the whole source copied first, editing one line
    /// of code re-downloads and reinstalls every dependency. Copy only the
    /// manifest and lockfile, install, and then copy the rest: the install
    /// layer stays cached until the dependencies change.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// ```
    pub(crate) struct CopyAllBeforeInstall {
        code: "CR1302",
        name: "copy-all-before-install",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

fn is_whole_context(source: &str) -> bool {
    matches!(source, "." | "./" | "*" | "./*" | "./.")
}

/// The dependency install a command runs, for the message.
fn dependency_install(command: &SimpleCommand) -> Option<String> {
    let view = command.effective();
    let name = practice::basename(view.name()?);
    let positional =
        view.positional_args(&["-r", "--requirement", "-c", "--prefix", "-C", "--cache"]);
    let sub = positional.first().map(|w| w.value.as_str()).unwrap_or("");
    let found = match name {
        "npm" => matches!(sub, "ci" | "install" | "i") && positional.len() == 1,
        "yarn" => (sub.is_empty() || sub == "install") && positional.len() <= 1,
        "pnpm" => matches!(sub, "install" | "i") && positional.len() == 1,
        "pip" | "pip3" => sub == "install" && view.has_option(&['r'], &["requirement"]),
        "poetry" => sub == "install",
        "uv" => sub == "sync",
        "pipenv" => sub == "install" && positional.len() == 1,
        "go" => sub == "mod" && positional.get(1).is_some_and(|w| w.value == "download"),
        "bundle" => sub == "install" || sub.is_empty(),
        "composer" => sub == "install",
        _ => false,
    };
    if !found {
        return None;
    }
    let shown = if sub.is_empty() {
        name.to_string()
    } else if name == "go" {
        "go mod download".to_string()
    } else {
        format!("{name} {sub}")
    };
    Some(shown)
}

impl Rule for CopyAllBeforeInstall {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.stages {
            let mut copy_all: Option<(&Word, &str)> = None;
            // Dependencies installed before the whole context was copied (the
            // manifest-first pattern; a later install only adds the project).
            let mut installed_before = false;
            for index in stage.instructions.clone() {
                let Some(instruction) = ctx.instructions().get(index) else {
                    continue;
                };
                match &instruction.kind {
                    InstructionKind::Copy(copy) | InstructionKind::Add(copy)
                        if copy_all.is_none() && instruction.flag("from").is_none() =>
                    {
                        let keyword = if matches!(instruction.kind, InstructionKind::Add(_)) {
                            "ADD"
                        } else {
                            "COPY"
                        };
                        copy_all = copy
                            .sources
                            .iter()
                            .find(|s| is_whole_context(&practice::literal(ctx, &s.value)))
                            .map(|s| (s, keyword));
                    }
                    InstructionKind::Run(_) => {
                        let Some(install) =
                            ctx.commands(index).find_map(|(_, c)| dependency_install(c))
                        else {
                            continue;
                        };
                        let Some((source, keyword)) = copy_all else {
                            installed_before = true;
                            continue;
                        };
                        if installed_before {
                            break;
                        }
                        out.push(
                            Diagnostic::new(
                                &Self::INFO,
                                source.span,
                                format!(
                                    "`{keyword} {}` comes before `{install}`, so any source change reinstalls the dependencies",
                                    source.value
                                ),
                            )
                            .with_help("copy the manifest and lockfile first, install, then copy the rest"),
                        );
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use careen_dockerfile::shell;

    fn install(text: &str) -> Option<String> {
        dependency_install(&shell::parse(text).commands[0])
    }

    #[test]
    fn installs() {
        assert_eq!(install("npm ci").as_deref(), Some("npm ci"));
        assert_eq!(install("npm install express"), None);
        assert_eq!(
            install("pip install -r requirements.txt").as_deref(),
            Some("pip install")
        );
        assert_eq!(install("pip install flask"), None);
        assert_eq!(
            install("go mod download").as_deref(),
            Some("go mod download")
        );
        assert_eq!(install("go build ./..."), None);
        assert_eq!(install("yarn").as_deref(), Some("yarn"));
    }
}
