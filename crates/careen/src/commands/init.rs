//! `careen init [DIR]`: detect the Python or Node project in DIR and write a
//! production Dockerfile, `.dockerignore` and `compose.yaml` for it.
//!
//! Never overwrites a file without `--force` (exit 2 naming it, nothing
//! written); `--dry-run` prints instead of writing. The summary is talk
//! (stderr) in text mode and data (stdout, `careen.init/v1`) in JSON mode.

use crate::args::init::{InitArgs, InitFormat};
use crate::output;
use crate::ExitStatus;
use anyhow::Context as _;
use careen_init::{GeneratedFile, Kind, Language, Overrides, Project};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn run(args: InitArgs) -> anyhow::Result<ExitStatus> {
    let mut overrides = Overrides {
        language: args.language.map(Into::into),
        entrypoint: args.entrypoint.clone(),
        port: args.port,
        kind: args.kind.map(Into::into),
        python_version: args.python_version.clone(),
        node_version: args.node_version.clone(),
        base_image: args.base_image.clone(),
    };
    let mut project = careen_init::detect(&args.dir, &overrides)?;
    if args.interactive {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            if ask(&project, &mut overrides)? {
                project = careen_init::detect(&args.dir, &overrides)?;
            }
        } else {
            output::warning("--interactive needs a terminal; using what was detected");
        }
    }
    let files = careen_init::generate(&project);

    if args.dry_run {
        return print_files(&args, &project, &files);
    }

    let targets: Vec<(PathBuf, &GeneratedFile)> =
        files.iter().map(|f| (args.dir.join(f.name), f)).collect();
    let existing: Vec<&PathBuf> = targets
        .iter()
        .map(|(path, _)| path)
        .filter(|path| path.exists())
        .collect();
    if !existing.is_empty() && !args.force {
        let names: Vec<String> = existing
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        anyhow::bail!(
            "{} already exist{}; pass --force to overwrite, or --dry-run to print the files instead",
            names.join(", "),
            if names.len() == 1 { "s" } else { "" }
        );
    }
    let mut written = Vec::new();
    for (path, file) in &targets {
        let action = if path.exists() {
            "overwritten"
        } else {
            "written"
        };
        std::fs::write(path, &file.contents)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push((path.clone(), action));
    }

    match args.format {
        InitFormat::Json => {
            let files: Vec<serde_json::Value> = written
                .iter()
                .map(|(path, action)| json!({"path": path.display().to_string(), "action": action}))
                .collect();
            emit_json(&report(&args.dir, &project, files, false))?;
        }
        InitFormat::Text => {
            summary(&project);
            for (path, action) in &written {
                output::note(&format!("{action} {}", path.display()));
            }
            let lint_target = args.dir.join("Dockerfile");
            output::note(&format!(
                "next: `careen lint {}` and `docker compose up --build`",
                lint_target.display()
            ));
        }
    }
    Ok(ExitStatus::Success)
}

fn print_files(
    args: &InitArgs,
    project: &Project,
    files: &[GeneratedFile],
) -> anyhow::Result<ExitStatus> {
    match args.format {
        InitFormat::Json => {
            let files: Vec<serde_json::Value> = files
                .iter()
                .map(|f| {
                    json!({
                        "path": args.dir.join(f.name).display().to_string(),
                        "action": "printed",
                        "contents": f.contents,
                    })
                })
                .collect();
            emit_json(&report(&args.dir, project, files, true))?;
        }
        InitFormat::Text => {
            let mut out = anstream::stdout().lock();
            for (i, file) in files.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "==> {} <==", file.name)?;
                write!(out, "{}", file.contents)?;
            }
            summary(project);
        }
    }
    Ok(ExitStatus::Success)
}

fn emit_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn report(
    dir: &Path,
    project: &Project,
    files: Vec<serde_json::Value>,
    dry_run: bool,
) -> serde_json::Value {
    json!({
        "schema": "careen.init/v1",
        "directory": dir.display().to_string(),
        "dry_run": dry_run,
        "detected": project,
        "files": files,
    })
}

/// What was found, on stderr.
fn summary(project: &Project) {
    let tool = match (&project.python, &project.node) {
        (Some(python), _) => python.manager.name().to_string(),
        (_, Some(node)) => node.manager.as_str().to_string(),
        _ => String::new(),
    };
    let framework = if project.framework == "none" {
        String::new()
    } else {
        format!(" {}", project.framework)
    };
    let port = project
        .port
        .map(|p| format!(" on port {p}"))
        .unwrap_or_default();
    output::note(&format!(
        "detected: {}{framework} ({tool}), {}{port}; runs `{}`",
        project.language.as_str(),
        project.kind.as_str(),
        project.command.join(" ")
    ));
    for note in &project.notes {
        output::note(&format!("note: {note}"));
    }
}

/// Asks about each decision on the terminal; returns whether anything changed.
fn ask(project: &Project, overrides: &mut Overrides) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut prompt = |question: &str, default: &str| -> anyhow::Result<Option<String>> {
        let mut err = std::io::stderr();
        write!(err, "{question} [{default}]: ")?;
        err.flush()?;
        let answer = match lines.next() {
            Some(line) => line.context("cannot read the answer from stdin")?,
            None => String::new(),
        };
        let answer = answer.trim();
        Ok((!answer.is_empty() && answer != default).then(|| answer.to_string()))
    };
    let mut changed = false;
    if let Some(answer) = prompt("language (python, node)", project.language.as_str())? {
        overrides.language = match answer.as_str() {
            "python" => Some(Language::Python),
            "node" => Some(Language::Node),
            other => anyhow::bail!("unknown language `{other}`: expected python or node"),
        };
        changed = true;
    }
    if let Some(answer) = prompt("kind (http, mcp-stdio, worker)", project.kind.as_str())? {
        overrides.kind = Some(match answer.as_str() {
            "http" => Kind::Http,
            "mcp-stdio" => Kind::McpStdio,
            "worker" => Kind::Worker,
            other => anyhow::bail!("unknown kind `{other}`: expected http, mcp-stdio or worker"),
        });
        changed = true;
    }
    let kind = overrides.kind.unwrap_or(project.kind);
    if kind == Kind::Http {
        let default = project.port.unwrap_or(8000).to_string();
        if let Some(answer) = prompt("port", &default)? {
            let port = answer
                .parse::<u16>()
                .with_context(|| format!("`{answer}` is not a port number"))?;
            overrides.port = Some(port);
            changed = true;
        }
    }
    if let Some(answer) = prompt("command", &project.command.join(" "))? {
        overrides.entrypoint = Some(answer);
        changed = true;
    }
    Ok(changed)
}
