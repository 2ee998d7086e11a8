//! `careen audit`, `sbom`, `scan`, `inspect` and `db import` on a real image
//! built with buildah from tests/images/waste (scripts/test-images.sh), and
//! their bad-input paths.

use super::{careen, workspace_root};
use serde_json::Value;
use std::path::PathBuf;

/// The buildah-built `waste` image as a docker-archive. Fails (does not skip)
/// when the images were not built, unless CAREEN_SKIP_IMAGE_TESTS=1.
fn waste_image() -> Option<PathBuf> {
    let path = workspace_root().join("target/test-data/images/waste.docker.tar");
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1") {
        return None;
    }
    panic!(
        "{} is missing: run `bash scripts/test-images.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)",
        path.display()
    );
}

fn osv_dir() -> PathBuf {
    workspace_root().join("crates/careen/tests/fixtures/osv")
}

fn json_of(args: &[&str]) -> (i32, Value) {
    let output = careen().args(args).output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, value)
}

#[test]
fn audit_finds_what_the_dockerfile_planted() {
    let Some(image) = waste_image() else { return };
    let image = image.to_str().unwrap();
    let (code, report) = json_of(&["audit", image, "--format", "json"]);
    assert_eq!(report["schema"], "careen.audit/v1");
    assert_eq!(code, 1, "a secret is an error finding: exit 1");
    let findings = report["findings"].as_array().unwrap();
    let find = |code: &str, path: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code && f["path"] == path)
            .unwrap_or_else(|| panic!("no {code} at {path} in {findings:#?}"))
    };
    // The .env was deleted in the last layer but still ships in layer 4.
    let secret = find("CS1002", "/app/.env");
    assert_eq!(secret["layer"], 4);
    assert_eq!(secret["severity"], "error");
    assert!(secret["instruction"].as_str().unwrap().contains("COPY"));
    find("CI2005", "/app/.env");
    assert_eq!(find("CI2001", "/usr/local/bin/careen-tool")["layer"], 6);
    find("CI2003", "/app/world-writable.txt");
    assert!(
        findings.iter().any(|f| f["code"] == "CI1001"),
        "runs as root"
    );
    // Never the whole secret, in any output.
    let text = careen().args(["audit", image]).output().unwrap();
    for bytes in [&text.stdout, &serde_json::to_vec(&report).unwrap()] {
        let out = String::from_utf8_lossy(bytes);
        assert!(
            !out.contains("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "secret printed in full"
        );
    }
    // --fail-on is honoured: nothing above error exists, so `error` fails, and
    // --min-level error hides the rest.
    let (_, only_errors) = json_of(&["audit", image, "-f", "json", "--min-level", "error"]);
    assert!(only_errors["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "error"));
    let (code, _) = json_of(&["audit", image, "-f", "json", "--no-secrets"]);
    assert_eq!(code, 0, "without the secret scan only warnings remain");
}

#[test]
fn sbom_lists_debian_packages_with_syft_purls_in_every_format() {
    let Some(image) = waste_image() else { return };
    let image = image.to_str().unwrap();
    let (code, sbom) = json_of(&["sbom", image, "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(sbom["schema"], "careen.sbom/v1");
    assert_eq!(sbom["distro"]["id"], "debian");
    let packages = sbom["packages"].as_array().unwrap();
    let jq = packages.iter().find(|p| p["name"] == "jq").expect("jq");
    assert_eq!(jq["location"]["layer"], 1, "installed by the apt-get layer");
    assert!(jq["purl"]
        .as_str()
        .unwrap()
        .starts_with("pkg:deb/debian/jq@1.6"));
    let libjq = packages.iter().find(|p| p["name"] == "libjq1").unwrap();
    assert!(libjq["purl"].as_str().unwrap().contains("upstream=jq"));

    let (_, cdx) = json_of(&["sbom", image, "--format", "cyclonedx-json"]);
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    assert_eq!(cdx["specVersion"], "1.5");
    let components = cdx["components"].as_array().unwrap();
    assert!(components.iter().any(|c| c["purl"] == jq["purl"]));
    let (_, spdx) = json_of(&["sbom", image, "--format", "spdx-json"]);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert!(spdx["packages"].as_array().unwrap().len() >= packages.len());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bom.json");
    careen()
        .args(["sbom", image, "-f", "cyclonedx", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written["components"], cdx["components"]);
}

#[test]
fn scan_matches_by_source_package_and_release() {
    let Some(image) = waste_image() else { return };
    let image = image.to_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let output = careen()
            .env("CAREEN_CACHE_DIR", cache.path())
            .current_dir(cache.path())
            .args(["scan", image, "--db"])
            .arg(osv_dir())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let value: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), value)
    };
    let (code, report) = run(&[]);
    assert_eq!(code, 0, "no --fail-on: exit 0");
    assert_eq!(report["schema"], "careen.scan/v1");
    let matches = report["matches"].as_array().unwrap();
    let ids = |name: &str| -> Vec<String> {
        matches
            .iter()
            .filter(|m| m["package"]["name"] == name)
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // jq and libjq1 both come from the source package jq.
    assert_eq!(ids("jq"), ["DEBIAN-CVE-2099-0001"]);
    assert_eq!(ids("libjq1"), ["DEBIAN-CVE-2099-0001"]);
    assert_eq!(ids("libonig5"), ["DEBIAN-CVE-2099-0004"]);
    assert_eq!(
        matches.len(),
        3,
        "Debian:11 and already-fixed entries do not match"
    );
    let jq = matches
        .iter()
        .find(|m| m["package"]["name"] == "jq")
        .unwrap();
    assert_eq!(jq["severity"], "CRITICAL");
    assert_eq!(jq["fixed"], serde_json::json!(["1.6-2.1+deb12u99"]));
    assert_eq!(jq["package"]["path"], "/var/lib/dpkg/status");

    let (code, _) = run(&["--fail-on", "critical"]);
    assert_eq!(code, 1);
    let ignore = cache.path().join("ignore");
    std::fs::write(&ignore, "# not reachable in our use\nCVE-2099-0001\n").unwrap();
    let (code, report) = run(&[
        "--fail-on",
        "high",
        "--ignore-file",
        ignore.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "the critical one is ignored by its CVE alias");
    assert_eq!(report["ignored"], 2);

    let sarif = careen()
        .env("CAREEN_CACHE_DIR", cache.path())
        .args(["scan", image, "--format", "sarif", "--db"])
        .arg(osv_dir())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
}

#[test]
fn db_import_builds_an_index_that_scan_reads() {
    let Some(image) = waste_image() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let output = careen()
        .args(["db", "import"])
        .arg(osv_dir())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("indexed 4 advisories"), "{stderr}");
    assert!(stderr.contains("1 malformed"), "{stderr}");
    let (code, report) = json_of(&[
        "scan",
        image.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "-f",
        "json",
        "--fail-on",
        "low",
    ]);
    assert_eq!(code, 1);
    assert_eq!(report["matches"].as_array().unwrap().len(), 3);
}

#[test]
fn inspect_is_analyze_audit_sbom_and_scan_in_one_report() {
    let Some(image) = waste_image() else { return };
    let image = image.to_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = careen()
        .env("CAREEN_CACHE_DIR", cache.path())
        .args(["inspect", image, "--format", "json", "--db"])
        .arg(osv_dir())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "the secret fails the audit");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["schema"], "careen.inspect/v1");
    // The same figures as the single-purpose commands.
    let (_, analysis) = json_of(&["analyze", image, "--format", "json"]);
    for key in [
        "size_bytes",
        "efficiency",
        "wasted_bytes",
        "user_wasted_percent",
        "reclaimable_bytes",
    ] {
        assert_eq!(report["image"][key], analysis["image"][key], "{key}");
    }
    assert_eq!(report["layers"], analysis["layers"]);
    let (_, audit) = json_of(&["audit", image, "--format", "json"]);
    assert_eq!(report["audit"]["findings"], audit["findings"]);
    let (_, sbom) = json_of(&["sbom", image, "--format", "json"]);
    assert_eq!(report["sbom"]["packages"], sbom["packages"]);
    assert_eq!(report["scan"]["matches"].as_array().unwrap().len(), 3);

    let text = careen().args(["inspect", image]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for heading in ["LAYER", "Reclaimable", "Audit of", "packages in"] {
        assert!(text.contains(heading), "{heading} missing in:\n{text}");
    }
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_image = dir.path().join("x.tar");
    std::fs::write(&not_image, b"not a tar at all").unwrap();
    let not_image = not_image.to_str().unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["audit".into(), not_image.into()],
        vec!["sbom".into(), not_image.into()],
        vec!["inspect".into(), not_image.into()],
        vec![
            "scan".into(),
            not_image.into(),
            "--db".into(),
            dir.path().join("missing").display().to_string(),
        ],
        vec![
            "db".into(),
            "import".into(),
            dir.path().join("missing").display().to_string(),
            "--db".into(),
            dir.path().join("db").display().to_string(),
        ],
    ];
    for args in cases {
        let output = careen()
            .env("CAREEN_CACHE_DIR", dir.path())
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
