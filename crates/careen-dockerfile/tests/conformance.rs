//! BuildKit's parser test files: the dump of every `testfiles/<case>/Dockerfile`
//! must equal `result`, and every `testfiles-negative` case must be rejected.

use std::path::{Path, PathBuf};

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/buildkit-dockerfile")
}

fn case_dirs(sub: &str) -> Vec<PathBuf> {
    let dir = conformance_dir().join(sub);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// BuildKit's test compares `AST.Dump() + "\n"` with the result file.
fn dump_file(df: &careen_dockerfile::Dockerfile) -> String {
    df.root.dump() + "\n"
}

#[test]
fn buildkit_positive_cases() {
    let dirs = case_dirs("testfiles");
    assert!(
        dirs.len() >= 33,
        "expected at least 33 cases, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read(dir.join("Dockerfile")).unwrap();
        let want = std::fs::read_to_string(dir.join("result")).unwrap();
        match careen_dockerfile::parser::parse_bytes(&src) {
            Err(e) => failures.push(format!("{name}: unexpected error: {e}")),
            Ok(df) => {
                let got = dump_file(&df);
                if got != want {
                    failures.push(format!("{name}:\n--- want\n{want}--- got\n{got}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn buildkit_negative_cases() {
    let dirs = case_dirs("testfiles-negative");
    assert_eq!(dirs.len(), 4);
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read(dir.join("Dockerfile")).unwrap();
        match careen_dockerfile::parser::parse_bytes(&src) {
            Ok(df) => failures.push(format!("{name}: parsed, dump:\n{}", df.root.dump())),
            Err(e) => {
                let msg = e.to_string();
                if msg.is_empty() || msg.contains('\n') {
                    failures.push(format!("{name}: message is not one line: {msg:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
