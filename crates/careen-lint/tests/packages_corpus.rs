//! Corpus agreement check for the `packages` rules (not run by default):
//! lints every file of `CAREEN_CORPUS` (default /work/shared/corpus/dockerfiles)
//! with the package rules only and writes `code<TAB>file<TAB>line` rows to
//! `CAREEN_CORPUS_OUT` (default /tmp/careen-packages.tsv), the line being the
//! first line of the instruction the finding is in, as hadolint reports it.

use careen_lint::{lint_source, Settings};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CODES: &[&str] = &[
    "DL3008", "DL3009", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018", "DL3019", "DL3027",
    "DL3028", "DL3030", "DL3032", "DL3033", "DL3034", "DL3035", "DL3036", "DL3037", "DL3038",
    "DL3040", "DL3041", "DL3042", "DL3060", "DL3062",
];

#[test]
#[ignore]
fn packages_corpus() {
    let dir = std::env::var("CAREEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/work/shared/corpus/dockerfiles"));
    let out =
        std::env::var("CAREEN_CORPUS_OUT").unwrap_or_else(|_| "/tmp/careen-packages.tsv".into());
    let settings = Settings {
        select: CODES.iter().map(|c| c.to_string()).collect(),
        ..Settings::default()
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut tsv = String::new();
    for path in files {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let Ok(dockerfile) = careen_dockerfile::parse(&source) else {
            let _ = writeln!(tsv, "PARSE\t{name}\t0");
            continue;
        };
        let Ok(diagnostics) = lint_source(Path::new(&name), &source, &settings, None) else {
            continue;
        };
        for d in diagnostics {
            let line = dockerfile
                .instructions
                .iter()
                .find(|i| {
                    i.span.start.line <= d.span.start.line && d.span.start.line <= i.span.end.line
                })
                .map(|i| i.span.start.line)
                .unwrap_or(d.span.start.line);
            let _ = writeln!(tsv, "{}\t{name}\t{line}", d.code);
        }
    }
    std::fs::write(out, tsv).expect("write tsv");
}

/// Applies every fix (unsafe ones too) of the package rules to each corpus
/// file and checks the result parses, converges and has no fixable finding left.
#[test]
#[ignore]
fn packages_corpus_fixes() {
    let dir = std::env::var("CAREEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/work/shared/corpus/dockerfiles"));
    let settings = Settings {
        select: CODES.iter().map(|c| c.to_string()).collect(),
        ..Settings::default()
    };
    let mut failures = Vec::new();
    let mut fixed = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for path in files {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.display().to_string();
        let Ok(outcome) =
            careen_lint::apply_fixes(Path::new(&name), &source, &settings, None, true)
        else {
            continue;
        };
        if outcome.source != source {
            fixed += 1;
        }
        if !outcome.broken.is_empty() || outcome.did_not_converge {
            failures.push(format!("{name}: broken or not converging"));
        }
        let left: Vec<_> = outcome
            .remaining
            .iter()
            .filter(|d| d.fix.is_some())
            .map(|d| format!("{}:{}", d.code, d.span.start.line))
            .collect();
        if !left.is_empty() {
            failures.push(format!("{name}: fixable findings left: {left:?}"));
        }
    }
    eprintln!("{fixed} files changed by fixes");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
