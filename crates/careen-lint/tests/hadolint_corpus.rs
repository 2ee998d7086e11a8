//! hadolint parity on ../shared/corpus/dockerfiles: careen's DL findings must
//! equal hadolint 2.15.1's (file, line, code) triples stored in
//! `hadolint/corpus.tsv` (made by `bench/hadolint_agreement.py --write-expected`),
//! except the differences listed, each with its reason, in
//! `hadolint/differences.tsv` (`file line code side reason`, where side is
//! `only-careen` or `only-hadolint`). A listed difference that no longer occurs
//! fails too, so the list stays true.

use careen_lint::{lint_source, Settings};
use std::collections::BTreeSet;
use std::path::Path;

type Triple = (String, u32, String);

fn read_triples(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn agrees_with_hadolint_on_the_corpus() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = here.join("../../../shared/corpus/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert!(files.len() > 300);
    check_agreement(&corpus, &files, "corpus.tsv", "differences.tsv");
}

/// The rule fixtures exercise every DL code; hadolint's findings on the
/// single-file ones (default config) are in `hadolint/fixtures.tsv`.
#[test]
fn agrees_with_hadolint_on_the_rule_fixtures() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = here.join("tests/fixtures");
    let mut files = Vec::new();
    for topic in ["packages", "instructions"] {
        for entry in std::fs::read_dir(dir.join(topic)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if name.starts_with("DL") && name.ends_with(".Dockerfile") {
                files.push(format!("{topic}/{name}"));
            }
        }
    }
    files.sort();
    let expected = read_triples(&here.join("tests/hadolint/fixtures.tsv"));
    let codes: BTreeSet<&str> = expected.iter().map(|r| r[2].as_str()).collect();
    assert!(
        codes.len() >= 55,
        "fixtures cover only {} DL codes",
        codes.len()
    );
    check_agreement(&dir, &files, "fixtures.tsv", "fixtures-differences.tsv");
}

fn check_agreement(dir: &Path, files: &[String], expected: &str, differences: &str) {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected: BTreeSet<Triple> = read_triples(&here.join("tests/hadolint").join(expected))
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap(), r[2].clone()))
        .collect();
    let mut explained: BTreeSet<(Triple, String)> = BTreeSet::new();
    for r in read_triples(&here.join("tests/hadolint").join(differences)) {
        assert!(
            r.len() >= 5 && !r[4].trim().is_empty(),
            "difference without a reason: {r:?}"
        );
        assert!(
            r[3] == "only-careen" || r[3] == "only-hadolint",
            "bad side: {r:?}"
        );
        explained.insert((
            (r[0].clone(), r[1].parse().unwrap(), r[2].clone()),
            r[3].clone(),
        ));
    }

    let settings = Settings {
        select: vec!["DL".into()],
        ..Settings::default()
    };
    let mut ours: BTreeSet<Triple> = BTreeSet::new();
    for name in files {
        let name = name.clone();
        let source = std::fs::read_to_string(dir.join(&name)).unwrap();
        let Ok(diagnostics) = lint_source(Path::new(&name), &source, &settings, None) else {
            continue;
        };
        let dockerfile = careen_dockerfile::parse(&source).unwrap();
        for d in diagnostics {
            // hadolint reports an instruction's first line; careen points at
            // the culprit inside it. Compare by instruction.
            let line = d.span.start.line;
            let line = dockerfile
                .instructions
                .iter()
                .find(|i| i.span.start.line <= line && line <= i.span.end.line)
                .map_or(line, |i| i.span.start.line);
            ours.insert((name.clone(), line, d.code.to_string()));
        }
    }

    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for t in ours.difference(&expected) {
        let key = (t.clone(), "only-careen".to_string());
        if explained.contains(&key) {
            seen.insert(key);
        } else {
            problems.push(format!("{}\t{}\t{}\tonly-careen", t.0, t.1, t.2));
        }
    }
    for t in expected.difference(&ours) {
        let key = (t.clone(), "only-hadolint".to_string());
        if explained.contains(&key) {
            seen.insert(key);
        } else {
            problems.push(format!("{}\t{}\t{}\tonly-hadolint", t.0, t.1, t.2));
        }
    }
    for stale in explained.difference(&seen) {
        problems.push(format!(
            "stale explanation: {}\t{}\t{}\t{}",
            stale.0 .0, stale.0 .1, stale.0 .2, stale.1
        ));
    }
    let agreed = ours.intersection(&expected).count();
    assert!(
        problems.is_empty(),
        "careen and hadolint agree on {agreed} of {} hadolint findings; {} unexplained differences:\n{}",
        expected.len(),
        problems.len(),
        problems.join("\n")
    );
}
