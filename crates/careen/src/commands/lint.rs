//! `careen lint`: find Dockerfiles, lint them in parallel, fix, render.

use crate::args::lint::{LintArgs, LintFormat};
use crate::discover::find_dockerfiles;
use crate::output;
use crate::ExitStatus;
use anyhow::Context as _;
use careen_lint::linter::{decode, lint_parsed, read_dockerfile, MAX_DOCKERFILE_BYTES};
use careen_lint::{apply_fixes, BuildContext, LintError, Settings};
use careen_report::lint::{self as report, FileError, FileReport, LintReport, TextOptions};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One Dockerfile to lint: a path on disk, or stdin's text under a display name.
struct Target {
    path: PathBuf,
    stdin: Option<String>,
}

struct Outcome {
    report: Result<FileReport, FileError>,
    diff: Option<String>,
    fixed: usize,
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitStatus> {
    let targets = collect_targets(&args)?;
    if targets.is_empty() {
        anyhow::bail!(
            "no Dockerfiles found in {}; pass a Dockerfile path or a directory containing `Dockerfile`, `*.Dockerfile`, `Dockerfile.*` or `Containerfile`",
            args.paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        );
    }
    let explicit = match &args.config {
        Some(path) => Some(load_config(path)?),
        None => None,
    };
    let settings_cache: Mutex<HashMap<PathBuf, Settings>> = Mutex::new(HashMap::new());
    let settings_for = |path: &Path| -> anyhow::Result<Settings> {
        let mut settings = match &explicit {
            Some(settings) => settings.clone(),
            None => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                let cached = settings_cache
                    .lock()
                    .ok()
                    .and_then(|c| c.get(&dir).cloned());
                match cached {
                    Some(s) => s,
                    None => {
                        let s = Settings::discover(&dir)?;
                        if let Ok(mut cache) = settings_cache.lock() {
                            cache.insert(dir, s.clone());
                        }
                        s
                    }
                }
            }
        };
        apply_cli(&mut settings, &args);
        Ok(settings)
    };

    let contexts = ContextCache::default();
    let outcomes: Vec<Outcome> = targets
        .par_iter()
        .map(|target| lint_target(target, &args, &contexts, &settings_for))
        .collect();

    let mut lint_report = LintReport::default();
    let mut diffs = Vec::new();
    let mut fixed_total = 0;
    let mut fail_level = careen_lint::Severity::Warning;
    for (target, outcome) in targets.iter().zip(outcomes) {
        if let Ok(settings) = settings_for(&target.path) {
            fail_level = settings.fail_level;
        }
        fixed_total += outcome.fixed;
        if let Some(diff) = outcome.diff {
            diffs.push(diff);
        }
        match outcome.report {
            Ok(file) => lint_report.files.push(file),
            Err(error) => lint_report.errors.push(error),
        }
    }

    let mut stdout = anstream::stdout().lock();
    if args.diff {
        for diff in &diffs {
            write!(stdout, "{diff}")?;
        }
    } else if args.fix && targets.iter().any(|t| t.stdin.is_some()) {
        // `careen lint --fix -` prints the fixed Dockerfile on stdout, so
        // the findings left go to stderr.
        let mut stderr = anstream::stderr().lock();
        report::render(
            to_report_format(args.format),
            &lint_report,
            TextOptions {
                color: !matches!(
                    anstream::AutoStream::choice(&std::io::stderr()),
                    anstream::ColorChoice::Never
                ),
                unsafe_fixes: args.unsafe_fixes,
            },
            &mut stderr,
        )?;
    } else {
        report::render(
            to_report_format(args.format),
            &lint_report,
            TextOptions {
                color: output::stdout_color(),
                unsafe_fixes: args.unsafe_fixes,
            },
            &mut stdout,
        )?;
    }
    stdout.flush()?;
    drop(stdout);

    for error in &lint_report.errors {
        output::error(&anyhow::anyhow!("{}", error.message));
    }
    if args.format == LintFormat::Text || args.diff {
        if args.fix {
            output::note(&format!(
                "Fixed {fixed_total} problem{}.",
                if fixed_total == 1 { "" } else { "s" }
            ));
        }
        if args.diff {
            output::note(&format!(
                "Would fix {fixed_total} problem{} in {} file{}.",
                if fixed_total == 1 { "" } else { "s" },
                diffs.len(),
                if diffs.len() == 1 { "" } else { "s" }
            ));
        } else if !lint_report.files.is_empty() || lint_report.errors.is_empty() {
            output::note(&report::summary(&lint_report, args.unsafe_fixes));
        }
    }

    if !lint_report.errors.is_empty() {
        return Ok(ExitStatus::Error);
    }
    if args.diff {
        return Ok(if diffs.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        });
    }
    let failing = lint_report.diagnostics().any(|d| d.severity >= fail_level);
    Ok(if failing {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn to_report_format(format: LintFormat) -> report::LintFormat {
    match format {
        LintFormat::Text => report::LintFormat::Text,
        LintFormat::Json => report::LintFormat::Json,
        LintFormat::Sarif => report::LintFormat::Sarif,
        LintFormat::Checkstyle => report::LintFormat::Checkstyle,
        LintFormat::Gitlab => report::LintFormat::Gitlab,
    }
}

fn load_config(path: &Path) -> anyhow::Result<Settings> {
    let mut settings = Settings::default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        settings.merge_hadolint_file(path)?;
    } else {
        settings.merge_careen_file(path)?;
    }
    Ok(settings)
}

fn apply_cli(settings: &mut Settings, args: &LintArgs) {
    if !args.select.is_empty() {
        settings.select = args.select.iter().map(|s| s.trim().to_string()).collect();
    }
    settings
        .ignore
        .extend(args.ignore.iter().map(|s| s.trim().to_string()));
    if let Some(level) = args.fail_level {
        settings.fail_level = level.into();
    }
    if !args.trusted_registries.is_empty() {
        settings.trusted_registries = args.trusted_registries.clone();
    }
}

fn collect_targets(args: &LintArgs) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_DOCKERFILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
            if bytes.len() as u64 > MAX_DOCKERFILE_BYTES {
                anyhow::bail!("stdin is larger than {MAX_DOCKERFILE_BYTES} bytes; careen lints Dockerfiles up to that size");
            }
            let text = decode(&bytes).context("stdin is not a Dockerfile")?;
            targets.push(Target {
                path: args.stdin_filename.clone(),
                stdin: Some(text),
            });
            continue;
        }
        let metadata =
            std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if metadata.is_dir() {
            targets.extend(
                find_dockerfiles(path)
                    .into_iter()
                    .map(|path| Target { path, stdin: None }),
            );
        } else {
            targets.push(Target {
                path: path.clone(),
                stdin: None,
            });
        }
    }
    Ok(targets)
}

/// Build contexts scanned so far: Dockerfiles that share a context root and
/// ignore file (a monorepo's services, a folder of Dockerfiles) scan it once.
#[derive(Default)]
struct ContextCache {
    scanned: Mutex<HashMap<ContextKey, Arc<BuildContext>>>,
}

/// A context root and the ignore file in effect for it.
type ContextKey = (PathBuf, Option<PathBuf>);

impl ContextCache {
    fn get(
        &self,
        root: &Path,
        dockerfile: &Path,
    ) -> Result<Arc<BuildContext>, careen_lint::ContextError> {
        let key = (
            root.to_path_buf(),
            BuildContext::ignore_path_for(root, dockerfile),
        );
        if let Some(found) = self.scanned.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(found);
        }
        let scanned = Arc::new(BuildContext::scan(root, dockerfile)?);
        if let Ok(mut map) = self.scanned.lock() {
            map.insert(key, scanned.clone());
        }
        Ok(scanned)
    }
}

fn lint_target(
    target: &Target,
    args: &LintArgs,
    contexts: &ContextCache,
    settings_for: &(dyn Fn(&Path) -> anyhow::Result<Settings> + Sync),
) -> Outcome {
    let fail = |message: String| Outcome {
        report: Err(FileError {
            path: target.path.clone(),
            message,
        }),
        diff: None,
        fixed: 0,
    };
    let settings = match settings_for(&target.path) {
        Ok(s) => s,
        Err(e) => return fail(format!("{e:#}")),
    };
    let source = match &target.stdin {
        Some(text) => text.clone(),
        None => match read_dockerfile(&target.path) {
            Ok(s) => s,
            Err(e) => return fail(e.to_string()),
        },
    };
    let context: Option<Arc<BuildContext>> =
        if args.no_context || (target.stdin.is_some() && args.context.is_none()) {
            None
        } else {
            let root = args.context.clone().unwrap_or_else(|| {
                let parent = target
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent
                }
            });
            match contexts.get(&root, &target.path) {
                Ok(c) => Some(c),
                Err(e) => return fail(LintError::from(e).to_string()),
            }
        };
    let dockerfile = match careen_dockerfile::parse(&source) {
        Ok(d) => d,
        Err(e) => return fail(format!("`{}`: {e}", target.path.display())),
    };
    let mut diagnostics = lint_parsed(&target.path, &dockerfile, &settings, context.as_deref());
    let mut final_source = source.clone();
    let mut diff = None;
    let mut fixed = 0;
    if args.fix || args.diff {
        match apply_fixes(
            &target.path,
            &source,
            &settings,
            context.as_deref(),
            args.unsafe_fixes,
        ) {
            Ok(outcome) => {
                if args.fix && target.stdin.is_some() {
                    // Fixing stdin prints the (fixed) file instead of writing one.
                    print!("{}", outcome.source);
                }
                if outcome.source != source {
                    fixed = outcome.applied;
                    if args.diff {
                        diff = Some(unified_diff(&target.path, &source, &outcome.source));
                    } else if target.stdin.is_some() {
                        // Printed above.
                    } else if let Err(e) = std::fs::write(&target.path, &outcome.source) {
                        return fail(format!("cannot write `{}`: {e}", target.path.display()));
                    }
                    final_source = outcome.source;
                    diagnostics = outcome.remaining;
                }
                if !outcome.broken.is_empty() {
                    output::warning(&format!(
                        "fixes for {} would break `{}` and were skipped; please report this",
                        outcome.broken.join(", "),
                        target.path.display()
                    ));
                }
            }
            Err(e) => return fail(format!("`{}`: {e}", target.path.display())),
        }
    }
    Outcome {
        report: Ok(FileReport {
            path: target.path.clone(),
            source: final_source,
            diagnostics,
        }),
        diff,
        fixed,
    }
}

fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
