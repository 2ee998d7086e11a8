//! `careen check`: the CI pipeline. Lint the Dockerfile, optionally build it,
//! inspect the image (and scan it with a database), optionally test it, then
//! check the budgets of `careen.toml` (careen-check) and report them as text,
//! JSON or a Markdown pull-request summary. Exit 1 when a budget is broken.

use crate::args::check::{CheckArgs, CheckFormat};
use crate::output;
use crate::ExitStatus;
use anyhow::{bail, Context as _};
use careen_check::{BaseImage, Config, Facts, ImageFacts, Item, Report, Step, TestFacts};
use careen_dockerfile::expand::Lexer;
use careen_dockerfile::InstructionKind;
use careen_inspect::audit::Finding;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Audit codes that are secrets: the detectors (`CS…`), and secrets in ENV,
/// labels, the history, and credentials files.
fn is_secret(code: &str) -> bool {
    code.starts_with("CS") || matches!(code, "CI1004" | "CI1005" | "CI1006" | "CI2006")
}

/// How many items a broken budget lists.
const TOP: usize = 20;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    if !args.context.is_dir() {
        bail!(
            "build context `{}` is not a directory",
            args.context.display()
        );
    }
    let (config, config_path) = load_config(&args)?;
    // Paths in careen.toml are relative to its directory.
    let base_dir = config_path
        .as_deref()
        .and_then(Path::parent)
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| args.context.clone());
    let budgets = config.budgets();
    let mut facts = Facts::default();
    let mut steps = Vec::new();

    // The Dockerfile: linted, and read for its FROM lines.
    let dockerfile = match &config.check.dockerfile {
        Some(path) => {
            let path = base_dir.join(path);
            if !path.is_file() {
                bail!(
                    "Dockerfile `{}` (from `dockerfile` in [check]) not found",
                    path.display()
                );
            }
            Some(path)
        }
        None => Some(args.context.join("Dockerfile")).filter(|p| p.is_file()),
    };
    match &dockerfile {
        Some(path) => {
            let parsed = parse_dockerfile(path)?;
            facts.bases = Some(base_images(&parsed, &config.build.build_args));
            if config.check.lint {
                let items = lint(path, &parsed, &args.context, config_path.as_deref())?;
                steps.push(step("lint", true, findings_summary(&items)));
                facts.lint = Some(items);
            } else {
                steps.push(step("lint", false, "off (`lint = false` in [check])"));
            }
        }
        None => steps.push(step("lint", false, "no Dockerfile in the context")),
    }

    // The image: built, given, or configured.
    let _scratch;
    let built = if args.build || config.check.build {
        let Some(path) = &dockerfile else {
            bail!(
                "cannot build: no Dockerfile in `{}`",
                args.context.display()
            );
        };
        let scratch = careen_build::run::Scratch::new()?;
        let output = match &config.build.output {
            Some(output) => std::path::absolute(base_dir.join(output)).with_context(|| {
                format!("`{}`: cannot make the path absolute", output.display())
            })?,
            None => scratch.path.join("image.tar"),
        };
        _scratch = scratch;
        let reference = build(&args, &config, path, &output)?;
        steps.push(step("build", true, format!("wrote {reference}")));
        Some(reference)
    } else {
        steps.push(step("build", false, "not asked for (`--build`)"));
        None
    };
    let reference = args
        .image
        .clone()
        .or(built)
        .or_else(|| config.check.image.clone());
    let Some(reference) = reference else {
        bail!("nothing to inspect: pass `--image REF` or `--build` (or set `image` or `build = true` in [check])");
    };

    let db_path = args
        .db
        .clone()
        .or_else(|| config.scan.db.as_ref().map(|db| base_dir.join(db)));
    let db = db_path.as_deref().map(super::scan::open_db).transpose()?;
    let ignore_file = config.scan.ignore_file.as_ref().map(|p| base_dir.join(p));
    let vex: Vec<PathBuf> = config.scan.vex.iter().map(|p| base_dir.join(p)).collect();
    let image = crate::image::open(&reference, &args.source)?;
    // With the Dockerfile at hand, findings and reclaimable bytes name its lines.
    let provenance = crate::provenance::DockerfileArgs {
        dockerfile: dockerfile.clone(),
        target: config.build.target.clone(),
    };
    let inspection = super::inspect::collect(
        image,
        &super::inspect::CollectOptions {
            no_secrets: !config.check.secrets,
            db: db.as_ref().zip(db_path.as_deref()),
            ignore_file: ignore_file.as_deref(),
            vex: &vex,
            dockerfile: dockerfile.is_some().then_some(&provenance),
        },
    )?;
    steps.push(step(
        "inspect",
        true,
        format!(
            "{} layers, {} audit findings, {} packages",
            inspection.image.layers.len(),
            inspection.audit.findings.len(),
            inspection.sbom.packages.len()
        ),
    ));
    facts.image = Some(image_facts(&inspection));
    facts.audit = Some(inspection.audit.findings.iter().map(audit_item).collect());
    match &inspection.scan {
        Some(scan) => {
            let items: Vec<Item> = scan
                .matches
                .iter()
                .map(|found| {
                    let m = &found.matched;
                    Item::new(
                        &m.severity.as_str().to_ascii_lowercase(),
                        &m.id,
                        m.summary.clone().unwrap_or_default(),
                    )
                    .at(format!("{} {}", m.package.name, m.package.version))
                })
                .collect();
            steps.push(step(
                "scan",
                true,
                format!(
                    "{} vulnerabilities in {} packages",
                    items.len(),
                    scan.packages_scanned
                ),
            ));
            facts.vulnerabilities = Some(items);
        }
        None => steps.push(step(
            "scan",
            false,
            "no vulnerability database (`db` in [scan] or `--db`)",
        )),
    }

    if args.test || config.check.test {
        let tests = test(&inspection.image, &config, &base_dir)?;
        steps.push(step(
            "test",
            true,
            format!(
                "{} of {} passed",
                tests.total - tests.failures.len(),
                tests.total
            ),
        ));
        facts.tests = Some(tests);
    } else {
        steps.push(step("test", false, "not asked for (`--test`)"));
    }

    let report = Report {
        image: Some(inspection.image.reference.clone()),
        dockerfile: dockerfile.as_ref().map(|p| display(p)),
        config: config_path.as_ref().map(|p| display(p)),
        steps,
        results: careen_check::evaluate(&budgets, &facts),
    };

    if let Some(path) = &args.html {
        let mut html = super::html::report_of(&inspection);
        html.budgets = report
            .results
            .iter()
            .filter(|r| !r.skipped)
            .map(|r| careen_report::html::BudgetRow {
                name: r.name.clone(),
                limit: r.limit.clone(),
                actual: r.actual.clone(),
                pass: r.pass,
            })
            .collect();
        html.lint = facts
            .lint
            .iter()
            .flatten()
            .map(|item| {
                let (file, line) = item
                    .location
                    .as_deref()
                    .and_then(|l| l.rsplit_once(':'))
                    .and_then(|(file, line)| Some((file.to_owned(), line.parse().ok()?)))
                    .unwrap_or_default();
                careen_report::html::LintRow {
                    code: item.code.clone(),
                    severity: item.severity.clone(),
                    file,
                    line,
                    message: item.message.clone(),
                }
            })
            .collect();
        super::html::write(path, &html, None)?;
    }

    let markdown = careen_check::markdown::render(&report);
    if let Some(path) = &args.markdown {
        std::fs::write(path, &markdown)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut out = anstream::stdout().lock();
    match args.format {
        CheckFormat::Text => write!(out, "{}", report.render_text(output::stdout_color()))?,
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report.to_json())?;
            writeln!(out)?;
        }
        CheckFormat::Markdown => write!(out, "{markdown}")?,
    }
    out.flush()?;
    Ok(if report.pass() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn step(name: &str, ran: bool, detail: impl Into<String>) -> Step {
    Step {
        name: name.to_owned(),
        ran,
        detail: detail.into(),
    }
}

/// A path as the user would type it: without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// `--config`, else CONTEXT/careen.toml when it exists, else the defaults.
fn load_config(args: &CheckArgs) -> anyhow::Result<(Config, Option<PathBuf>)> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => Some(args.context.join("careen.toml")).filter(|p| p.is_file()),
    };
    match path {
        Some(path) => Ok((Config::load(&path)?, Some(path))),
        None => Ok((Config::default(), None)),
    }
}

fn parse_dockerfile(path: &Path) -> anyhow::Result<careen_dockerfile::Dockerfile> {
    let source = careen_lint::linter::read_dockerfile(path)?;
    careen_dockerfile::parse(&source).with_context(|| format!("`{}`", path.display()))
}

/// Lints `path` as `careen lint` would: its settings are found from the
/// Dockerfile's directory upward, plus the `[lint]` of `--config`.
fn lint(
    path: &Path,
    dockerfile: &careen_dockerfile::Dockerfile,
    context: &Path,
    config: Option<&Path>,
) -> anyhow::Result<Vec<Item>> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut settings = careen_lint::Settings::discover(dir)?;
    if let Some(config) = config {
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        let known = settings
            .sources
            .iter()
            .any(|s| canonical(s).is_some() && canonical(s) == canonical(config));
        if !known {
            settings.merge_careen_file(config)?;
        }
    }
    let build_context =
        careen_lint::BuildContext::scan(context, path).map_err(careen_lint::LintError::from)?;
    let mut diagnostics =
        careen_lint::linter::lint_parsed(path, dockerfile, &settings, Some(&build_context));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let name = display(path);
    Ok(diagnostics
        .iter()
        .map(|d| {
            Item::new(d.severity.as_str(), d.code, d.message.clone())
                .at(format!("{name}:{}", d.span.start.line))
        })
        .collect())
}

fn findings_summary(items: &[Item]) -> String {
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        *by_severity.entry(item.severity.as_str()).or_default() += 1;
    }
    if by_severity.is_empty() {
        return "no findings".to_owned();
    }
    let parts: Vec<String> = ["error", "warning", "info", "style"]
        .iter()
        .filter_map(|s| by_severity.get(s).map(|n| format!("{n} {s}")))
        .collect();
    parts.join(", ")
}

/// The base image of every stage that is not `scratch` or an earlier stage,
/// with global ARG defaults (and `[build] build-args`) filled in.
fn base_images(
    dockerfile: &careen_dockerfile::Dockerfile,
    build_args: &[String],
) -> Vec<BaseImage> {
    let lexer = Lexer {
        skip_unset_env: true,
        ..Lexer::new(dockerfile.escape)
    };
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for instruction in &dockerfile.instructions {
        match &instruction.kind {
            InstructionKind::From(_) => break,
            InstructionKind::Arg(decls) => {
                for decl in decls {
                    if let Some(default) = &decl.default {
                        let value = lexer
                            .process_word(&default.value, &env)
                            .map(|e| e.value)
                            .unwrap_or_else(|_| default.value.clone());
                        env.insert(decl.name.value.clone(), value);
                    }
                }
            }
            _ => {}
        }
    }
    for arg in build_args {
        if let Some((key, value)) = arg.split_once('=') {
            env.insert(key.to_owned(), value.to_owned());
        }
    }
    let mut stages: Vec<String> = Vec::new();
    let mut bases = Vec::new();
    for stage in dockerfile.stages() {
        let Some(instruction) = dockerfile.instructions.get(stage.from_instruction) else {
            continue;
        };
        let reference = lexer
            .process_word(&stage.base, &env)
            .map(|e| e.value)
            .unwrap_or_else(|_| stage.base.clone());
        let lowered = reference.to_ascii_lowercase();
        if lowered != "scratch" && !stages.contains(&lowered) {
            bases.push(BaseImage {
                reference,
                line: instruction.span.start.line as usize,
            });
        }
        if let Some(name) = stage.name {
            stages.push(name);
        }
    }
    bases
}

fn audit_item(finding: &Finding) -> Item {
    let item = Item::new(
        finding.severity.as_str(),
        &finding.code,
        finding.message.clone(),
    );
    match (&finding.path, finding.layer) {
        (Some(path), Some(layer)) => item.at(format!("{path} (layer {layer})")),
        (Some(path), None) => item.at(path.clone()),
        (None, Some(layer)) => item.at(format!("layer {layer}")),
        (None, None) => item,
    }
}

fn image_facts(inspection: &super::inspect::Inspection) -> ImageFacts {
    let image = &inspection.image;
    let figures = &inspection.figures;
    let findings = &inspection.audit.findings;
    let has = |code: &str| findings.iter().any(|f| f.code == code);
    let mut layers: Vec<(usize, u64)> = figures
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.size_bytes))
        .collect();
    layers.sort_by_key(|l| std::cmp::Reverse(l.1));
    let size = |bytes: u64| careen_check::Size(bytes).to_string();
    ImageFacts {
        reference: image.reference.clone(),
        size_bytes: figures.size_bytes,
        efficiency: figures.efficiency,
        wasted_bytes: figures.wasted_bytes,
        user_wasted_percent: figures.user_wasted_percent,
        reclaimable_bytes: inspection.reclaim.reclaimable_bytes,
        user: image
            .config
            .config()
            .as_ref()
            .and_then(|c| c.user().clone())
            .unwrap_or_default(),
        runs_as_root: has("CI1001"),
        healthcheck: !has("CI1002") && !has("CI1003"),
        secrets: findings
            .iter()
            .filter(|f| is_secret(&f.code))
            .map(audit_item)
            .collect(),
        layers: layers
            .iter()
            .take(TOP)
            .map(|&(index, bytes)| {
                let command = image
                    .layers
                    .get(index)
                    .and_then(|l| l.created_by.clone())
                    .unwrap_or_default();
                Item::new(
                    "",
                    &format!("layer {index}"),
                    output::shorten(&command, 120),
                )
                .at(size(bytes))
            })
            .collect(),
        reclaimable: inspection
            .reclaim
            .groups
            .iter()
            .take(TOP)
            .map(|g| Item::new("", g.category.as_str(), g.category.label()).at(size(g.size_bytes)))
            .collect(),
        wasted: figures
            .inefficient_files
            .iter()
            .take(TOP)
            .map(|f| {
                Item::new("", "", format!("in {} layers", f.count)).at(format!(
                    "{} {}",
                    f.path,
                    size(f.size_bytes)
                ))
            })
            .collect(),
    }
}

/// `careen build` into a docker-archive at `output` (Docker's config format
/// keeps HEALTHCHECK); returns the reference to inspect.
fn build(
    args: &CheckArgs,
    config: &Config,
    dockerfile: &Path,
    output: &Path,
) -> anyhow::Result<String> {
    use careen_build::{detect, labels, run, BuildRequest, EngineKind, Output};
    let utf8 = |path: &Path| {
        path.to_str()
            .map(str::to_owned)
            .with_context(|| format!("{}: path is not UTF-8", path.display()))
    };
    let wanted = match config.build.engine.as_deref() {
        None => None,
        Some("docker") => Some(EngineKind::Docker),
        Some("podman") => Some(EngineKind::Podman),
        Some("buildah") => Some(EngineKind::Buildah),
        Some(other) => bail!("[build] engine = `{other}`: expected docker, podman or buildah"),
    };
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let mut all_labels = vec![(
        labels::CREATED.to_owned(),
        labels::created(epoch.as_deref(), std::time::SystemTime::now())?,
    )];
    all_labels.extend(labels::git_labels(&args.context));
    let (kind, _program) = detect::detect(wanted)?;
    let host = detect::host_settings(&detect::HostFacts::from_env())?;
    let output = Output::DockerArchive(utf8(output)?);
    let request = BuildRequest {
        context: utf8(&args.context)?,
        file: Some(utf8(dockerfile)?),
        tags: config.build.tags.clone(),
        target: config.build.target.clone(),
        build_args: config.build.build_args.clone(),
        platform: config
            .build
            .platform
            .clone()
            .or_else(|| args.source.platform.clone()),
        labels: all_labels,
        ca_bundle: None,
        no_cache: false,
        output: Some(output.clone()),
        iidfile: None,
    };
    // The engine's output goes to stderr; stdout stays the report's.
    run::build(kind, &host, &request, false, false)?;
    Ok(output.to_string())
}

/// `careen test` on the inspected image: the structure tests of `[test]
/// config`, or the built-in checks.
fn test(
    image: &careen_image::Image,
    config: &Config,
    base_dir: &Path,
) -> anyhow::Result<TestFacts> {
    use careen_engine::{checks, runtime::BundleOptions, structure};
    let suite = config
        .test
        .config
        .as_ref()
        .map(|p| structure::load(&base_dir.join(p)))
        .transpose()?;
    let results = super::test::run_tests(
        image,
        suite.as_ref(),
        BundleOptions::default(),
        std::time::Duration::from_secs(config.test.timeout.unwrap_or(30).max(1)),
        &checks::CheckOptions::default(),
    )?;
    Ok(TestFacts {
        total: results.len(),
        failures: results
            .iter()
            .filter(|r| !r.pass)
            .map(|r| Item::new("fail", &r.name, r.errors.join("; ")))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_resolve_args_and_skip_stages() {
        let dockerfile = careen_dockerfile::parse(
            "ARG BASE=python:3.12-slim\nARG TAG\nFROM ${BASE} AS build\nFROM build\nFROM scratch\nFROM debian:${TAG}\n",
        )
        .unwrap();
        let bases = base_images(&dockerfile, &[]);
        let refs: Vec<(&str, usize)> = bases
            .iter()
            .map(|b| (b.reference.as_str(), b.line))
            .collect();
        assert_eq!(refs, [("python:3.12-slim", 3), ("debian:${TAG}", 6)]);
        let bases = base_images(&dockerfile, &["TAG=bookworm".to_owned()]);
        assert_eq!(bases[1].reference, "debian:bookworm");
    }

    #[test]
    fn secret_codes() {
        assert!(is_secret("CS1002"));
        assert!(is_secret("CI1004"));
        assert!(!is_secret("CI1001"));
    }

    #[test]
    fn summary_of_findings() {
        let items = [
            Item::new("warning", "DL3008", "x"),
            Item::new("error", "DL3000", "y"),
            Item::new("warning", "DL3009", "z"),
        ];
        assert_eq!(findings_summary(&items), "1 error, 2 warning");
        assert_eq!(findings_summary(&[]), "no findings");
    }
}
