//! careen's practice rules (CR0xxx–CR2xxx) over the shared corpus of real
//! Dockerfiles. Ignored by default (the corpus lives outside the repository):
//! `cargo test -p careen-lint --test careen1_corpus -- --ignored --nocapture`.
//! Prints every finding and the count per code, for review; fails only if a
//! rule panics or a finding points outside its file.

use careen_lint::{lint_source, Settings};
use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = "/work/shared/corpus/dockerfiles";

#[test]
#[ignore = "needs the shared corpus"]
fn practice_rules_over_corpus() {
    let Ok(entries) = std::fs::read_dir(CORPUS) else {
        eprintln!("no corpus at {CORPUS}");
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let codes: Vec<String> = careen_lint::all_rules()
        .iter()
        .map(|r| r.info().code)
        .filter(|c| c.starts_with("CR0") || c.starts_with("CR1") || c.starts_with("CR2"))
        .map(String::from)
        .collect();
    let settings = Settings {
        select: codes.clone(),
        ..Settings::default()
    };
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut files_parsed = 0;
    for path in &paths {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(diagnostics) = lint_source(Path::new("Dockerfile"), &source, &settings, None) else {
            continue;
        };
        files_parsed += 1;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        for d in diagnostics {
            assert!(
                d.span.end.offset <= source.len(),
                "{name}: span outside file"
            );
            *counts.entry(d.code).or_default() += 1;
            let line = source
                .lines()
                .nth(d.span.start.line.saturating_sub(1) as usize)
                .unwrap_or("")
                .trim();
            let line: String = line.chars().take(110).collect();
            println!(
                "{} {name}:{} {} | {line}",
                d.code, d.span.start.line, d.message
            );
        }
    }
    println!("\nfiles linted: {files_parsed}/{}", paths.len());
    for code in &codes {
        println!(
            "{code}: {}",
            counts.get(code.as_str()).copied().unwrap_or(0)
        );
    }
}
