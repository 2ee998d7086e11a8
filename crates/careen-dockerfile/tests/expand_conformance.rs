//! BuildKit's own expansion tables (`frontend/dockerfile/shell/envVarTest` and
//! `wordsTest`), read the way BuildKit's `lex_test.go` reads them. Every Unix
//! row must pass; all failures are reported together.

use std::collections::HashMap;
use std::path::PathBuf;

use careen_dockerfile::expand::Lexer;

fn conformance_file(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../../shared/conformance/buildkit-dockerfile",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()))
}

/// Rows: `platform | input | expected`; `#` lines and blank lines skipped;
/// every field trimmed; `error` means the word must be refused.
#[test]
fn env_var_test() {
    let text = conformance_file("envVarTest");
    let env: HashMap<String, String> = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let lexer = Lexer::new('\\');
    let mut failures = Vec::new();
    let mut ran = 0;
    for (index, raw) in text.lines().enumerate() {
        let line_number = index + 1;
        if raw.starts_with('#') {
            continue;
        }
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('|').collect();
        let [platform, source, expected] = fields.as_slice() else {
            failures.push(format!("line {line_number}: not 3 fields: {line:?}"));
            continue;
        };
        let (platform, source, expected) = (platform.trim(), source.trim(), expected.trim());
        match platform {
            "A" | "U" => {}
            "W" => continue,
            other => {
                failures.push(format!("line {line_number}: bad platform {other:?}"));
                continue;
            }
        }
        ran += 1;
        let got = lexer.process_word(source, &env);
        match (expected, got) {
            ("error", Ok(expansion)) => failures.push(format!(
                "line {line_number}: {source:?} should fail, got {:?}",
                expansion.value
            )),
            ("error", Err(_)) => {}
            (expected, Ok(expansion)) if expansion.value == expected => {}
            (expected, got) => failures.push(format!(
                "line {line_number}: {source:?} should give {expected:?}, got {got:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran > 200, "only {ran} rows ran");
}

/// Rows: `input | word,word,…` (input trimmed, expected only left-trimmed of
/// spaces, so trailing spaces count); `ENV k=v` lines add to the environment
/// for the rows after them; a refused input gives the single word `error`.
#[test]
fn words_test() {
    let text = conformance_file("wordsTest");
    let lexer = Lexer::new('\\');
    let mut env: Vec<(String, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("ENV ") {
            let assignment = rest.trim_start_matches(' ');
            let (key, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            env.push((key.to_owned(), value.to_owned()));
            continue;
        }
        let fields: Vec<&str> = line.split('|').collect();
        let [input, expected] = fields.as_slice() else {
            failures.push(format!("line {line_number}: not 2 fields: {line:?}"));
            continue;
        };
        ran += 1;
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        let got = lexer
            .process_words(input, &env)
            .unwrap_or_else(|_| vec!["error".to_owned()]);
        if got != expected {
            failures.push(format!(
                "line {line_number}: {input:?} should split to {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran > 20, "only {ran} rows ran");
}
