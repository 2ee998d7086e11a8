//! Rule fixtures: `fixtures/<topic>/<CODE>.Dockerfile`, or a directory
//! `fixtures/<topic>/<CODE>/` holding a `Dockerfile`, its build context and
//! optionally a `careen.toml` (for rules that need context or settings).
//!
//! Markers: a comment `# expect: CODE` (or `# expect: CODE, CODE`) marks the
//! next instruction as one where the rule must fire; every finding of the
//! rule must be on a marked instruction, and every marked instruction must
//! get one. Instructions without a marker are the "no violation" part.
//! Findings on other files (`.dockerignore`, context files) are marked with a
//! line `# expect-file: CODE path` anywhere in the Dockerfile.
//! Findings on a comment line (e.g. DL1001 on a pragma) are marked with
//! `# expect-next-line: CODE` on the line right above it.
//!
//! For rules with fixes, the fixed file (safe and unsafe fixes) must parse,
//! have no fixable finding of that rule left, and a second run must change
//! nothing. Findings and fixed output are snapshotted.

use careen_lint::{apply_fixes, lint_source, BuildContext, Settings};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Fixture {
    code: String,
    dockerfile: PathBuf,
    context: Option<PathBuf>,
    settings: Settings,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load_fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    for topic in std::fs::read_dir(fixtures_dir()).unwrap() {
        let topic = topic.unwrap().path();
        if !topic.is_dir() {
            continue;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&topic)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if let Some(code) = name.strip_suffix(".Dockerfile") {
                let settings = Settings {
                    select: vec![code.to_string()],
                    ..Settings::default()
                };
                fixtures.push(Fixture {
                    code: code.to_string(),
                    dockerfile: path.clone(),
                    context: None,
                    settings,
                });
            } else if path.is_dir() && path.join("Dockerfile").is_file() {
                let code = name.split('-').next().unwrap().to_string();
                let mut settings = Settings::default();
                if path.join("careen.toml").is_file() {
                    settings
                        .merge_careen_file(&path.join("careen.toml"))
                        .unwrap();
                }
                settings.select = vec![code.clone()];
                fixtures.push(Fixture {
                    code,
                    dockerfile: path.join("Dockerfile"),
                    context: Some(path.clone()),
                    settings,
                });
            }
        }
    }
    fixtures
}

/// Lines (1-based) of instructions marked `# expect: CODE` for `code`, and
/// expected findings in other files.
fn expectations(source: &str, code: &str) -> (BTreeSet<u32>, BTreeSet<String>) {
    let dockerfile = careen_dockerfile::parse(source).expect("fixture parses");
    let mut lines = BTreeSet::new();
    let mut files = BTreeSet::new();
    for comment in &dockerfile.comments {
        let text = comment.text.trim();
        if let Some(rest) = text.strip_prefix("expect:") {
            if rest.split(',').any(|c| c.trim() == code) {
                let line = comment.span.start.line;
                if let Some(instruction) = dockerfile
                    .instructions
                    .iter()
                    .find(|i| i.span.start.line > line || i.span.end.line > line)
                {
                    lines.insert(instruction.span.start.line);
                }
            }
        } else if let Some(rest) = text.strip_prefix("expect-next-line:") {
            if rest.split(',').any(|c| c.trim() == code) {
                lines.insert(comment.span.start.line + 1);
            }
        } else if let Some(rest) = text.strip_prefix("expect-file:") {
            let mut parts = rest.split_whitespace();
            if parts.next() == Some(code) {
                if let Some(file) = parts.next() {
                    files.insert(file.to_string());
                }
            }
        }
    }
    (lines, files)
}

#[test]
fn rule_fixtures() {
    let fixtures = load_fixtures();
    assert!(!fixtures.is_empty());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let source = std::fs::read_to_string(&fixture.dockerfile).unwrap();
        let context = fixture
            .context
            .as_ref()
            .map(|root| BuildContext::scan(root, &fixture.dockerfile).unwrap());
        let name = fixture
            .dockerfile
            .strip_prefix(fixtures_dir())
            .unwrap()
            .to_string_lossy()
            .replace('/', "__");
        let display = Path::new("Dockerfile");
        let diagnostics = match lint_source(display, &source, &fixture.settings, context.as_ref()) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        let dockerfile = careen_dockerfile::parse(&source).unwrap();
        let (expected_lines, expected_files) = expectations(&source, &fixture.code);
        if expected_lines.is_empty() && expected_files.is_empty() {
            failures.push(format!("{name}: no `# expect: {}` marker", fixture.code));
        }
        let mut fired_lines = BTreeSet::new();
        let mut fired_files = BTreeSet::new();
        for d in diagnostics.iter().filter(|d| d.code == fixture.code) {
            if d.file == display {
                let start = dockerfile
                    .instructions
                    .iter()
                    .find(|i| {
                        i.span.start.line <= d.span.start.line
                            && d.span.start.line <= i.span.end.line
                    })
                    .map(|i| i.span.start.line)
                    .unwrap_or(d.span.start.line);
                fired_lines.insert(start);
            } else {
                let relative = fixture
                    .context
                    .as_ref()
                    .and_then(|root| d.file.strip_prefix(root).ok())
                    .unwrap_or(&d.file);
                fired_files.insert(relative.to_string_lossy().to_string());
            }
        }
        for line in expected_lines.difference(&fired_lines) {
            failures.push(format!(
                "{name}: expected {} on line {line}, not reported",
                fixture.code
            ));
        }
        for line in fired_lines.difference(&expected_lines) {
            failures.push(format!(
                "{name}: unexpected {} on line {line}",
                fixture.code
            ));
        }
        for file in expected_files.symmetric_difference(&fired_files) {
            failures.push(format!(
                "{name}: {} on file {file}: expected and reported differ",
                fixture.code
            ));
        }

        let mut snapshot = String::new();
        for d in &diagnostics {
            let file = if d.file == display {
                String::new()
            } else {
                format!(
                    "{} ",
                    d.file.file_name().unwrap_or_default().to_string_lossy()
                )
            };
            snapshot.push_str(&format!(
                "{file}{}:{} {} [{}] {}\n",
                d.span.start.line, d.span.start.column, d.code, d.severity, d.message
            ));
            if let Some(help) = &d.help {
                snapshot.push_str(&format!("    help: {help}\n"));
            }
            if let Some(fix) = &d.fix {
                snapshot.push_str(&format!(
                    "    fix ({:?}): {}\n",
                    fix.applicability, fix.title
                ));
            }
        }
        if diagnostics.iter().any(|d| d.fix.is_some()) {
            match apply_fixes(display, &source, &fixture.settings, context.as_ref(), true) {
                Ok(outcome) => {
                    if !outcome.broken.is_empty() {
                        failures.push(format!("{name}: fix breaks parsing: {:?}", outcome.broken));
                    }
                    if outcome.did_not_converge {
                        failures.push(format!("{name}: fixes do not converge"));
                    }
                    if careen_dockerfile::parse(&outcome.source).is_err() {
                        failures.push(format!("{name}: fixed file does not parse"));
                    }
                    let left: Vec<_> = outcome
                        .remaining
                        .iter()
                        .filter(|d| d.code == fixture.code && d.fix.is_some())
                        .map(|d| d.span.start.line)
                        .collect();
                    if !left.is_empty() {
                        failures.push(format!(
                            "{name}: fixable findings left after fixing on lines {left:?}"
                        ));
                    }
                    match apply_fixes(
                        display,
                        &outcome.source,
                        &fixture.settings,
                        context.as_ref(),
                        true,
                    ) {
                        Ok(second) if second.source != outcome.source => {
                            failures.push(format!("{name}: second --fix changed the file again"))
                        }
                        Ok(_) => {}
                        Err(e) => failures.push(format!("{name}: fixed file does not parse: {e}")),
                    }
                    snapshot.push_str("\n--- fixed ---\n");
                    snapshot.push_str(&outcome.source);
                }
                Err(e) => failures.push(format!("{name}: fix failed: {e}")),
            }
        }
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_fixture() {
    let fixtures = load_fixtures();
    let codes: BTreeSet<_> = fixtures.iter().map(|f| f.code.as_str()).collect();
    let missing: Vec<_> = careen_lint::all_rules()
        .iter()
        .map(|r| r.info().code)
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}
