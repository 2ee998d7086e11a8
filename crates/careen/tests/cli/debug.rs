//! `careen debug dockerfile-ast` reproduces BuildKit's parser test results.

use crate::{careen, code, shared};

#[test]
fn reproduces_every_buildkit_result() {
    let dir = shared().join("conformance/buildkit-dockerfile/testfiles");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 33);
    let mut failures = Vec::new();
    for case in &cases {
        let expected = std::fs::read_to_string(case.join("result")).unwrap();
        let out = careen()
            .args(["debug", "dockerfile-ast"])
            .arg(case.join("Dockerfile"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if code(&out) != 0 || stdout != expected {
            failures.push(format!(
                "{}: exit {}\n{}",
                case.display(),
                code(&out),
                similar::TextDiff::from_lines(expected.as_str(), &*stdout).unified_diff()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn negative_cases_exit_two_with_one_line() {
    let dir = shared().join("conformance/buildkit-dockerfile/testfiles-negative");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 4);
    for case in &cases {
        let out = careen()
            .args(["debug", "dockerfile-ast"])
            .arg(case.join("Dockerfile"))
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{}", case.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", case.display());
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn json_format_has_spans() {
    let file = shared().join("conformance/buildkit-dockerfile/testfiles/flags/Dockerfile");
    let out = careen()
        .args(["debug", "dockerfile-ast", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "careen.debug.dockerfile-ast/v1");
    assert_eq!(v["instructions"][0]["instruction"], "from");
    assert!(v["instructions"][0]["start_line"].as_u64().unwrap() >= 1);
}
