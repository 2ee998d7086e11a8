//! `careen analyze` on real images built by buildah from `tests/images/*/Dockerfile`
//! (`bash scripts/test-images.sh`), each read through every transport it was exported to:
//! docker-archive (uncompressed), `oci:` directory and oci-archive (gzip), oci-archive (zstd),
//! and the same files as bare paths (transport detection). Every read must give the same
//! numbers; the known waste, config and package files of the images are checked too.
//!
//! The images are not built here (that takes minutes). When they are missing the tests fail
//! and say how to build them, unless `CAREEN_SKIP_IMAGE_TESTS=1` is set.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{careen, code, workspace_root};

const SKIP_VAR: &str = "CAREEN_SKIP_IMAGE_TESTS";

fn images_dir() -> PathBuf {
    workspace_root().join("target/test-data/images")
}

/// One exported image: its name and the files of each transport.
struct Built {
    name: String,
    docker_archive: PathBuf,
    oci_dir: PathBuf,
    oci_archive: PathBuf,
    oci_archive_zstd: PathBuf,
}

impl Built {
    /// `(label, reference)` for every transport, and with `bare` also the files as bare paths
    /// (transport detection).
    fn references(&self, bare: bool) -> Vec<(&'static str, String)> {
        let path = |p: &Path| p.display().to_string();
        let mut references = vec![
            (
                "docker-archive",
                format!("docker-archive:{}", path(&self.docker_archive)),
            ),
            ("oci", format!("oci:{}", path(&self.oci_dir))),
            (
                "oci-archive (gzip)",
                format!("oci-archive:{}", path(&self.oci_archive)),
            ),
            (
                "oci-archive (zstd)",
                format!("oci-archive:{}", path(&self.oci_archive_zstd)),
            ),
        ];
        if bare {
            references.extend([
                ("bare docker-archive path", path(&self.docker_archive)),
                ("bare oci directory path", path(&self.oci_dir)),
                ("bare oci-archive path", path(&self.oci_archive_zstd)),
            ]);
        }
        references
    }
}

/// The images listed in `images.json`, or `None` when the tests are to be skipped. Panics
/// (fails the test) when the images were never built, or when an image of `tests/images` or
/// one of its files is missing.
fn built_images() -> Option<Vec<Built>> {
    if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
        eprintln!("{SKIP_VAR}=1: skipping the tests on buildah-built images");
        return None;
    }
    let dir = images_dir();
    let manifest = dir.join("images.json");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. The real test images are not built: run `bash scripts/test-images.sh` \
             (needs root, buildah, skopeo, debootstrap), or set {SKIP_VAR}=1 to skip these tests",
            manifest.display()
        )
    });
    let manifest_json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest_json["schema"], "careen.test-images/v1");
    let mut built = Vec::new();
    for image in manifest_json["images"].as_array().unwrap() {
        let transports = &image["transports"];
        let file = |key: &str| dir.join(transports[key].as_str().unwrap());
        let one = Built {
            name: image["name"].as_str().unwrap().to_owned(),
            docker_archive: file("docker-archive"),
            oci_dir: file("oci"),
            oci_archive: file("oci-archive"),
            oci_archive_zstd: file("oci-archive-zstd"),
        };
        for path in [
            &one.docker_archive,
            &one.oci_dir,
            &one.oci_archive,
            &one.oci_archive_zstd,
        ] {
            assert!(
                path.exists(),
                "{} is listed in images.json but missing: run `bash scripts/test-images.sh`",
                path.display()
            );
        }
        built.push(one);
    }
    // Every image of tests/images must have been built (a stale or partial build fails).
    let sources = workspace_root().join("tests/images");
    for entry in std::fs::read_dir(&sources).unwrap() {
        let entry = entry.unwrap();
        if entry.path().join("Dockerfile").is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                built.iter().any(|b| b.name == name),
                "tests/images/{name} is not in images.json: run `bash scripts/test-images.sh`"
            );
        }
    }
    Some(built)
}

fn image(name: &str) -> Option<Built> {
    let built = built_images()?;
    let found = built.into_iter().find(|b| b.name == name);
    Some(found.unwrap_or_else(|| panic!("{name} is not in images.json")))
}

fn analyze(reference: &str) -> Value {
    let out = careen()
        .args(["analyze", "--format", "json", reference])
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        0,
        "careen analyze {reference}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], "careen.analyze/v1");
    json
}

/// The figures that must not depend on how the image is stored: every image total, each
/// layer's uncompressed size, diff ID, file count and command, the inefficient files and the
/// reclaimable items. (The stored layer digests and the image ID do depend on it.)
fn figures(report: &Value) -> Value {
    let image = &report["image"];
    let layers: Vec<Value> = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| {
            serde_json::json!({
                "index": layer["index"],
                "diff_id": layer["diff_id"],
                "size_bytes": layer["size_bytes"],
                "file_count": layer["file_count"],
                "command": layer["command"],
            })
        })
        .collect();
    serde_json::json!({
        "size_bytes": image["size_bytes"],
        "user_size_bytes": image["user_size_bytes"],
        "efficiency": image["efficiency"],
        "wasted_bytes": image["wasted_bytes"],
        "user_wasted_percent": image["user_wasted_percent"],
        "reclaimable_bytes": image["reclaimable_bytes"],
        "layers": layers,
        "inefficient_files": report["inefficient_files"],
        "reclaimable": report["reclaimable"],
    })
}

fn layer_field(report: &Value, field: &str) -> Vec<String> {
    report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| layer[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Analyzes `built` through every transport and checks that all reads agree; returns the
/// docker-archive report.
fn same_numbers_on_every_transport(built: &Built, bare: bool) -> Value {
    let mut reports = Vec::new();
    for (label, reference) in built.references(bare) {
        reports.push((label, analyze(&reference)));
    }
    let (_, first) = &reports[0];
    let expected = figures(first);
    assert!(
        expected["size_bytes"].as_u64().unwrap() > 0,
        "{}: empty image",
        built.name
    );
    for (label, report) in &reports[1..] {
        let found = figures(report);
        if found != expected {
            panic!(
                "{}: {label} disagrees with docker-archive\n--- docker-archive ---\n{:#}\n--- {label} ---\n{:#}",
                built.name, expected, found
            );
        }
    }
    // Stored digests: a docker-archive stores layers uncompressed (digest = diff ID); the gzip
    // OCI directory and archive share their blobs; zstd blobs are other bytes again.
    let by_label = |wanted: &str| {
        &reports
            .iter()
            .find(|(label, _)| *label == wanted)
            .unwrap()
            .1
    };
    let diff_ids = layer_field(first, "diff_id");
    assert!(diff_ids.iter().all(|d| d.starts_with("sha256:")));
    assert_eq!(layer_field(first, "digest"), diff_ids, "{}", built.name);
    let gzip = layer_field(by_label("oci"), "digest");
    assert_eq!(
        layer_field(by_label("oci-archive (gzip)"), "digest"),
        gzip,
        "{}",
        built.name
    );
    let zstd = layer_field(by_label("oci-archive (zstd)"), "digest");
    for ((diff_id, gzip), zstd) in diff_ids.iter().zip(&gzip).zip(&zstd) {
        assert_ne!(
            diff_id, gzip,
            "{}: gzip layer stored uncompressed",
            built.name
        );
        assert_ne!(
            diff_id, zstd,
            "{}: zstd layer stored uncompressed",
            built.name
        );
        assert_ne!(gzip, zstd, "{}", built.name);
    }
    // The image is the one that was built: the tag buildah gave it survives in the archive.
    assert_eq!(
        first["image"]["tags"][0],
        format!("localhost/careen-test/{}:latest", built.name)
    );
    first.clone()
}

/// Paths (normalized, as `LayerEntry::path`) of every entry of the layers above the base,
/// read through the library on `reference`. (The base layer is skipped: tests run unoptimized
/// and it is the biggest layer.)
fn entry_paths(reference: &str) -> Vec<String> {
    let image = careen_image::open(reference, &careen_image::OpenOptions::default()).unwrap();
    let mut paths = Vec::new();
    for layer in image.layers.iter().skip(1) {
        image
            .for_each_entry(layer.index, &mut |entry, _| {
                paths.push(entry.path.clone());
                Ok(())
            })
            .unwrap();
    }
    paths
}

/// The Docker config JSON of a docker-archive (read with the `tar` crate, not careen).
fn docker_config(archive: &Path) -> Value {
    let read_member = |name: &str| -> Vec<u8> {
        let file = std::fs::File::open(archive).unwrap();
        let mut tar = tar::Archive::new(file);
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_string_lossy() == name {
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
                return data;
            }
        }
        panic!("{}: no {name}", archive.display());
    };
    let manifest: Value = serde_json::from_slice(&read_member("manifest.json")).unwrap();
    let config = manifest[0]["Config"].as_str().unwrap().to_owned();
    serde_json::from_slice(&read_member(&config)).unwrap()
}

fn config_user(reference: &str) -> Option<String> {
    let image = careen_image::open(reference, &careen_image::OpenOptions::default()).unwrap();
    image
        .config
        .config()
        .as_ref()
        .and_then(|c| c.user().clone())
}

fn inefficient<'a>(report: &'a Value, path: &str) -> Option<&'a Value> {
    report["inefficient_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
}

#[test]
fn waste_image_reads_the_same_everywhere_and_shows_its_waste() {
    let Some(built) = image("waste") else {
        return;
    };
    let report = same_numbers_on_every_transport(&built, true);
    // Base + 6 instructions that change files (CMD adds no layer).
    assert_eq!(report["layers"].as_array().unwrap().len(), 7);
    // The 1 MiB data file is written, then overwritten in the next layer: dive counts both copies.
    let blob = inefficient(&report, "/opt/data/blob.bin").expect("blob.bin is not wasted");
    assert_eq!(blob["count"], 2);
    assert_eq!(blob["size_bytes"], 2 * 1024 * 1024);
    // The scratch file and the .env are deleted in a later layer.
    let scratch = inefficient(&report, "/tmp/scratch.bin").expect("scratch.bin is not wasted");
    assert_eq!(scratch["size_bytes"], 512 * 1024);
    assert!(inefficient(&report, "/app/.env").is_some());
    let wasted = report["image"]["wasted_bytes"].as_u64().unwrap();
    assert!(wasted >= 2 * 1024 * 1024 + 512 * 1024, "wasted {wasted}");
    assert!(report["image"]["efficiency"].as_f64().unwrap() < 1.0);
    // The overwritten layer holds exactly the new 1 MiB.
    assert_eq!(report["layers"][3]["size_bytes"], 1024 * 1024);
    // careen's own figure: the apt lists left behind and the pip cache are reclaimable.
    let categories: Vec<&str> = report["reclaimable"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["category"].as_str())
        .collect();
    for wanted in ["apt-lists", "hidden", "pip-cache"] {
        assert!(
            categories.contains(&wanted),
            "no {wanted} in {categories:?}"
        );
    }
    // What later audit work looks for is really in the layers: the deleted secret and the
    // setuid tool.
    let paths = entry_paths(&format!("oci-archive:{}", built.oci_archive_zstd.display()));
    for wanted in ["app/.env", "app/.wh..env", "usr/local/bin/careen-tool"] {
        assert!(paths.iter().any(|p| p == wanted), "no {wanted} in a layer");
    }
}

#[test]
fn python_image_reads_the_same_everywhere_and_keeps_its_config() {
    let Some(built) = image("python") else {
        return;
    };
    let report = same_numbers_on_every_transport(&built, false);
    assert!(report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["command"].as_str().unwrap_or("").contains("pip install")));
    // HEALTHCHECK is a Docker config field: built with --format docker it is in the
    // docker-archive's config (the OCI config has no such field).
    let config = docker_config(&built.docker_archive);
    let test = config["config"]["Healthcheck"]["Test"].as_array().unwrap();
    assert_eq!(test[0], "CMD-SHELL");
    assert!(test[1].as_str().unwrap().contains("import requests"));
    assert_eq!(
        config["config"]["Healthcheck"]["Interval"],
        30_000_000_000u64
    );
    // USER survives in every transport's config.
    for (label, reference) in built.references(false) {
        assert_eq!(config_user(&reference).as_deref(), Some("10001"), "{label}");
    }
    // The pip-installed set is there with its metadata (for SBOM work), next to Debian's.
    let paths = entry_paths(&format!("oci:{}", built.oci_dir.display()));
    let dist_info = "usr/local/lib/python3.11/dist-packages/requests-2.32.3.dist-info/METADATA";
    assert!(paths.iter().any(|p| p == dist_info), "no {dist_info}");
    assert!(paths.iter().any(|p| p == "var/lib/dpkg/status"));
    assert!(paths
        .iter()
        .any(|p| p.starts_with("usr/lib/python3/dist-packages/yaml/")));
}

#[test]
fn node_image_reads_the_same_everywhere_and_has_its_node_modules() {
    let Some(built) = image("node") else {
        return;
    };
    let report = same_numbers_on_every_transport(&built, false);
    // `npm ci` installed the devDependency too: careen reports it as reclaimable.
    let dev = report["reclaimable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "node-dev-dependencies")
        .expect("no node-dev-dependencies");
    assert!(dev["items"][0]["path"]
        .as_str()
        .unwrap()
        .starts_with("app/node_modules/is-number"));
    let paths = entry_paths(&format!(
        "docker-archive:{}",
        built.docker_archive.display()
    ));
    for wanted in [
        "app/package-lock.json",
        "app/node_modules/ms/package.json",
        "app/node_modules/debug/package.json",
        "app/node_modules/is-number/package.json",
        "usr/bin/node",
    ] {
        assert!(paths.iter().any(|p| p == wanted), "no {wanted} in a layer");
    }
    // npm was only in the build stage.
    assert!(!paths.iter().any(|p| p == "usr/bin/npm"));
    assert_eq!(
        config_user(&built.oci_archive.display().to_string()).as_deref(),
        Some("app")
    );
}
