use super::practice;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::{CommandView, SimpleCommand};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for dependency installs in the final stage that include
    /// development dependencies: `npm ci`/`npm install` without
    /// `--omit=dev` (and no `NODE_ENV=production`), `pip install -r
    /// requirements-dev.txt` or `.[dev]`, `poetry install` without
    /// `--only main`/`--without dev`, `uv sync` without `--no-dev`,
    /// `pipenv install --dev` and `composer install` without `--no-dev`.
    ///
    /// ## Why is this bad?
    /// Test runners, linters, type checkers and bundlers are not needed to run
    /// the application, but they often make up most of `node_modules` or the
    /// virtual environment. They enlarge the image, slow every pull, and add
    /// packages whose vulnerabilities scanners will report against production.
    /// Build with them in an earlier stage and install only runtime
    /// dependencies in the final one (or prune them: `npm prune --omit=dev`).
    ///
    /// Only the final stage is checked. For Poetry and uv, when the build
    /// context is known, projects without a dev dependency group are not
    /// reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package*.json ./
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// ## Fix
    /// Adds `--omit=dev` (npm), `--no-dev` (uv, Composer) or `--only main`
    /// (Poetry). Unsafe: a build step later in the stage may need the
    /// development dependencies.
    pub(crate) struct DevDependenciesInFinalImage {
        code: "CR1204",
        name: "dev-dependencies-in-final-image",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

/// A file or extra name that denotes development dependencies.
fn is_dev_name(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| {
            matches!(
                t,
                "dev" | "develop" | "development" | "test" | "tests" | "testing"
            )
        })
}

/// `pip install -r requirements-dev.txt`, `pip install -e ".[dev]"`.
fn pip_dev_word(view: &CommandView<'_>) -> Option<String> {
    let args = view.args();
    for (i, word) in args.iter().enumerate() {
        let value = word.value.as_str();
        let file = if value == "-r" || value == "--requirement" {
            args.get(i + 1).map(|w| w.value.as_str())
        } else {
            value
                .strip_prefix("--requirement=")
                .or_else(|| value.strip_prefix("-r").filter(|rest| !rest.is_empty()))
        };
        if let Some(file) = file {
            if is_dev_name(practice::basename(file)) {
                return Some(file.to_string());
            }
            continue;
        }
        if !value.starts_with('-') {
            if let Some((_, extras)) = value.split_once('[') {
                if extras
                    .trim_end_matches(']')
                    .split(',')
                    .any(|e| is_dev_name(e.trim()))
                {
                    return Some(value.to_string());
                }
            }
        }
    }
    None
}

fn npm_is_production(view: &CommandView<'_>) -> bool {
    view.has_option(&[], &["production"])
        || view
            .option_value(&["--omit"])
            .is_some_and(|v| v.contains("dev"))
        || view
            .option_value(&["--only"])
            .is_some_and(|v| v.starts_with("prod"))
}

fn sets_node_env_production(command: &SimpleCommand) -> bool {
    command
        .assignments
        .iter()
        .chain(command.words.iter())
        .any(|w| w.value == "NODE_ENV=production")
}

/// The project declares a dev group, as far as the build context tells.
fn python_dev_group_possible(ctx: &Context<'_>) -> bool {
    let Some(context) = ctx.build_context else {
        return true;
    };
    let Some(pyproject) = context.read_text("pyproject.toml", 1024 * 1024) else {
        return true;
    };
    pyproject.contains("[tool.poetry.group.dev")
        || pyproject.contains("[tool.poetry.dev-dependencies]")
        || pyproject.contains("[dependency-groups]")
        || pyproject.contains("dev-dependencies")
}

struct Finding {
    shown: String,
    /// Word after which the fix inserts `flag`, if any.
    insert_after: Option<(std::ops::Range<usize>, &'static str)>,
    range: std::ops::Range<usize>,
}

fn classify(
    ctx: &Context<'_>,
    command: &SimpleCommand,
    node_env_production: bool,
) -> Option<Finding> {
    let view = command.effective();
    let name = practice::basename(view.name()?);
    let name_range = view.name_word()?.range.clone();
    let sub = view.subcommand();
    let sub_value = sub.map(|w| w.value.as_str()).unwrap_or("");
    let span_to_sub = name_range.start..sub.map(|w| w.range.end).unwrap_or(name_range.end);
    match name {
        "npm" => {
            if !matches!(sub_value, "ci" | "install" | "i" | "in") {
                return None;
            }
            let positional =
                view.positional_args(&["--prefix", "-C", "--omit", "--only", "--cache"]);
            if positional.len() > 1 || view.has_option(&['g'], &["global"]) {
                return None;
            }
            if npm_is_production(&view) || node_env_production || sets_node_env_production(command)
            {
                return None;
            }
            Some(Finding {
                shown: format!("npm {sub_value}"),
                insert_after: sub.map(|w| (w.range.clone(), " --omit=dev")),
                range: span_to_sub,
            })
        }
        "pip" | "pip3" | "uv" => {
            let is_pip_install = if name == "uv" {
                sub_value == "pip"
                    && view
                        .positional_args(&[])
                        .get(1)
                        .is_some_and(|w| w.value == "install")
            } else {
                sub_value == "install"
            };
            if is_pip_install {
                let word = pip_dev_word(&view)?;
                return Some(Finding {
                    shown: if word.starts_with('.') || word.contains('[') {
                        format!("pip install {word}")
                    } else {
                        format!("pip install -r {word}")
                    },
                    insert_after: None,
                    range: span_to_sub,
                });
            }
            if name == "uv" && sub_value == "sync" {
                if view.has_option(
                    &[],
                    &["no-dev", "only-group", "no-default-groups", "no-group"],
                ) || !python_dev_group_possible(ctx)
                {
                    return None;
                }
                return Some(Finding {
                    shown: "uv sync".to_string(),
                    insert_after: sub.map(|w| (w.range.clone(), " --no-dev")),
                    range: span_to_sub,
                });
            }
            None
        }
        "poetry" => {
            if sub_value != "install" {
                return None;
            }
            if view.has_option(&[], &["no-dev", "only-root"])
                || view
                    .option_value(&["--only"])
                    .is_some_and(|v| !is_dev_name(v))
                || view.option_value(&["--without"]).is_some_and(is_dev_name)
                || !python_dev_group_possible(ctx)
            {
                return None;
            }
            Some(Finding {
                shown: "poetry install".to_string(),
                insert_after: sub.map(|w| (w.range.clone(), " --only main")),
                range: span_to_sub,
            })
        }
        "pipenv" => {
            if sub_value == "install" && view.has_option(&['d'], &["dev"]) {
                return Some(Finding {
                    shown: "pipenv install --dev".to_string(),
                    insert_after: None,
                    range: span_to_sub,
                });
            }
            None
        }
        "composer" => {
            if sub_value != "install" || view.has_option(&[], &["no-dev"]) {
                return None;
            }
            Some(Finding {
                shown: "composer install".to_string(),
                insert_after: sub.map(|w| (w.range.clone(), " --no-dev")),
                range: span_to_sub,
            })
        }
        _ => None,
    }
}

/// `npm prune --omit=dev` / `--production` later in the stage.
fn prunes_dev(command: &SimpleCommand) -> bool {
    let view = command.effective();
    view.name().map(practice::basename) == Some("npm")
        && view.subcommand().is_some_and(|s| s.value == "prune")
        && npm_is_production(&view)
}

impl Rule for DevDependenciesInFinalImage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = ctx.final_stage() else {
            return;
        };
        let mut node_env_production = false;
        // ENV/ARG of the stages the final stage is built from apply too.
        for index in practice::final_image_instructions(ctx) {
            if final_stage.instructions.contains(&index) {
                break;
            }
            node_env_production = node_env(ctx, index).unwrap_or(node_env_production);
        }
        let prune_later: Vec<usize> = final_stage
            .instructions
            .clone()
            .filter(|&i| ctx.commands(i).any(|(_, c)| prunes_dev(c)))
            .collect();
        for index in final_stage.instructions.clone() {
            node_env_production = node_env(ctx, index).unwrap_or(node_env_production);
            let pruned = prune_later.iter().any(|&p| p >= index);
            for (script, command) in ctx.commands(index) {
                let Some(finding) = classify(ctx, command, node_env_production) else {
                    continue;
                };
                if pruned && finding.shown.starts_with("npm") {
                    continue;
                }
                let mut diagnostic = Diagnostic::new(
                    &Self::INFO,
                    ctx.script_span(script, finding.range.clone()),
                    format!(
                        "`{}` installs development dependencies into the final image",
                        finding.shown
                    ),
                )
                .with_help(
                    "install them in a build stage, or install only production dependencies here",
                );
                if let Some((after, flag)) = finding.insert_after {
                    let at = ctx.source_offset(script, after.end);
                    diagnostic = diagnostic.with_fix(Fix::unsafe_(
                        format!("Add `{}`", flag.trim()),
                        vec![Edit::insert(at, flag)],
                    ));
                }
                out.push(diagnostic);
            }
        }
    }
}

/// `Some(true/false)` when instruction `index` sets `NODE_ENV` (ENV or ARG default).
fn node_env(ctx: &Context<'_>, index: usize) -> Option<bool> {
    match ctx.instructions().get(index).map(|i| &i.kind)? {
        InstructionKind::Env(pairs) => pairs
            .iter()
            .rev()
            .find(|p| p.key.value == "NODE_ENV")
            .map(|p| practice::literal(ctx, &p.value.value) == "production"),
        InstructionKind::Arg(args) => args
            .iter()
            .rev()
            .find(|a| a.name.value == "NODE_ENV")
            .and_then(|a| a.default.as_ref())
            .map(|d| practice::literal(ctx, &d.value) == "production"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_names() {
        assert!(is_dev_name("requirements-dev.txt"));
        assert!(is_dev_name("dev-requirements.txt"));
        assert!(is_dev_name("requirements_test.txt"));
        assert!(is_dev_name("dev"));
        assert!(!is_dev_name("requirements.txt"));
        assert!(!is_dev_name("devops.txt"));
        assert!(!is_dev_name("main"));
    }
}
