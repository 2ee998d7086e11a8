//! `careen slim` end to end on the buildah-built test images (scripts/test-images.sh): outputs
//! read by the real `skopeo` and `buildah`, `careen analyze` of the output, reproducibility,
//! refusals, corrupt input, a push to the real `docker-registry` on 127.0.0.1, and `careen
//! test` running the slimmed images under runc.

use super::servers::start_registry;
use super::{careen, code, test_image as image};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn archive(path: &Path) -> String {
    format!("docker-archive:{}", path.display())
}

/// Runs `careen slim` with JSON output; panics unless it exits 0.
fn slim(args: &[&str]) -> Value {
    let output = careen()
        .arg("slim")
        .args(args)
        .args(["--format", "json"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn analyze(reference: &str) -> Value {
    let output = careen()
        .args(["analyze", reference, "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{reference}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn sha256_file(path: &Path) -> String {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).unwrap();
    format!("{:x}", hasher.finalize())
}

fn run(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"))
}

#[test]
fn waste_image_slims_to_valid_images_without_waste() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("waste-slim.tar");
    let report = slim(&[
        &archive(&waste),
        "-o",
        &format!("{}:slim:v1", archive(&docker)),
        "--profile",
        "caches,docs",
    ]);
    assert_eq!(report["schema"], "careen.slim/v1");
    assert_eq!(report["squashed"], serde_json::json!([1, 6]));
    assert_eq!(report["after"]["layers"], 2);
    // The planted waste: a 1 MiB file written twice, a deleted file, a pip cache.
    assert!(
        report["saved"]["overwritten"].as_u64().unwrap() >= 1 << 20,
        "{report:#}"
    );
    assert!(
        report["saved"]["deleted"].as_u64().unwrap() > 0,
        "{report:#}"
    );
    assert!(
        report["saved"]["caches"].as_u64().unwrap() > 0,
        "{report:#}"
    );
    assert!(
        report["after"]["compressed_bytes"].as_u64()
            < report["before"]["compressed_bytes"].as_u64()
    );

    // Others can read it.
    let inspected = run("skopeo", &["inspect", &archive(&docker)]);
    assert!(
        inspected.status.success(),
        "{}",
        String::from_utf8_lossy(&inspected.stderr)
    );
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(inspected["Layers"].as_array().unwrap().len(), 2);

    // Everything squashed: no overwritten or deleted-file waste left at all.
    let oci = dir.path().join("oci");
    let all = slim(&[
        &archive(&waste),
        "-o",
        &format!("oci:{}:all", oci.display()),
        "--squash",
        "all",
        "--label",
        "org.example.slim=yes",
        "--healthcheck",
        "--interval=30s CMD jq --version",
    ]);
    assert_eq!(all["after"]["layers"], 1);
    let oci_ref = format!("oci:{}:all", oci.display());
    let inspected = run("skopeo", &["inspect", "--config", &oci_ref]);
    assert!(
        inspected.status.success(),
        "{}",
        String::from_utf8_lossy(&inspected.stderr)
    );
    let config: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(config["config"]["Labels"]["org.example.slim"], "yes");
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 1);
    let layered = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["empty_layer"] != true)
        .count();
    assert_eq!(layered, 1);
    let figures = analyze(&oci_ref);
    assert_eq!(
        figures["image"]["wasted_bytes"], 0,
        "{:#}",
        figures["inefficient_files"]
    );
    // The default keeps the base: what is left is base-layer files the build changed.
    let figures = analyze(&archive(&docker));
    for file in figures["inefficient_files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        assert!(
            !path.starts_with("/opt/data") && !path.starts_with("/root/.cache"),
            "planted waste left: {path}"
        );
    }
}

#[test]
fn buildah_can_build_from_the_output() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w.tar");
    slim(&[&archive(&waste), "-o", &archive(&out)]);
    let storage = dir.path().join("storage");
    let root = format!("--root={}", storage.join("root").display());
    let runroot = format!("--runroot={}", storage.join("run").display());
    let from = run(
        "buildah",
        &[
            &root,
            &runroot,
            "--storage-driver",
            "vfs",
            "from",
            "--pull-never",
            &archive(&out),
        ],
    );
    let from = if from.status.success() {
        from
    } else {
        run(
            "buildah",
            &[
                &root,
                &runroot,
                "--storage-driver",
                "vfs",
                "from",
                &archive(&out),
            ],
        )
    };
    assert!(
        from.status.success(),
        "{}",
        String::from_utf8_lossy(&from.stderr)
    );
    let container = String::from_utf8_lossy(&from.stdout).trim().to_owned();
    let removed = run(
        "buildah",
        &[&root, &runroot, "--storage-driver", "vfs", "rm", &container],
    );
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let _ = run(
        "buildah",
        &[
            &root,
            &runroot,
            "--storage-driver",
            "vfs",
            "rmi",
            "--all",
            "--force",
        ],
    );
}

#[test]
fn same_input_gives_byte_identical_output_and_zstd_reads_back() {
    let Some(python) = image("python") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.tar");
    let second = dir.path().join("b.tar");
    for out in [&first, &second] {
        slim(&[
            &archive(&python),
            "-o",
            &format!("oci-archive:{}:slim", out.display()),
            "--profile",
            "caches,docs",
        ]);
    }
    assert_eq!(sha256_file(&first), sha256_file(&second));

    let zstd = dir.path().join("z.tar");
    let report = slim(&[
        &archive(&python),
        "-o",
        &format!("oci-archive:{}", zstd.display()),
        "--compression",
        "zstd",
    ]);
    let rewritten: Vec<&Value> = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rewritten"] == true)
        .collect();
    assert_eq!(rewritten.len(), 1);
    assert_eq!(
        rewritten[0]["media_type"],
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
    let figures = analyze(&format!("oci-archive:{}", zstd.display()));
    assert_eq!(
        figures["layers"].as_array().unwrap().len(),
        report["after"]["layers"]
    );
}

/// Runs slim expecting a refusal; returns stderr.
fn refused(args: &[&str]) -> String {
    let output = careen().arg("slim").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(code(&output), 2, "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn slims_that_would_break_the_image_are_refused() {
    let Some(waste) = image("waste") else { return };
    let Some(node) = image("node") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tar");
    let out_ref = archive(&out);
    // CMD ["jq", "--version"]: jq comes from the squashed apt layer.
    let stderr = refused(&[&archive(&waste), "-o", &out_ref, "--remove", "usr/bin/jq"]);
    assert!(
        stderr.contains("`jq`") && stderr.contains("/usr/bin/jq"),
        "{stderr}"
    );
    // USER app: its passwd entry is in the squashed layers.
    let stderr = refused(&[&archive(&node), "-o", &out_ref, "--remove", "etc/passwd"]);
    assert!(stderr.contains("USER `app`"), "{stderr}");
    let stderr = refused(&[&archive(&node), "-o", &out_ref, "--user", "nobody-here"]);
    assert!(stderr.contains("nobody-here"), "{stderr}");
    let stderr = refused(&[&archive(&waste), "-o", &out_ref, "--from", "3", "--to", "9"]);
    assert!(stderr.contains("out of bounds"), "{stderr}");
    let stderr = refused(&[&archive(&waste), "-o", &archive(&waste)]);
    assert!(stderr.contains("is the input image"), "{stderr}");
    assert!(!out.exists(), "nothing is written on a refusal");
}

#[test]
fn corrupt_input_exits_two() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(&waste).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let output = careen()
        .args([
            "slim",
            &archive(&cut),
            "-o",
            &archive(&dir.path().join("o.tar")),
        ])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        2,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: "));
}

#[test]
fn pushes_to_a_registry_and_reads_back() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    std::fs::create_dir_all(&storage).unwrap();
    let (_registry, host) = start_registry(&storage, dir.path());
    let auth = dir.path().join("auth.json");
    std::fs::write(&auth, "{}").unwrap();
    let remote = format!("docker://{host}/careen/waste-slim:v1");
    let report = slim(&[
        &archive(&waste),
        "-o",
        &remote,
        "--squash",
        "all",
        "--authfile",
        auth.to_str().unwrap(),
    ]);
    assert_eq!(report["pushed"][0], 2, "a layer and the config: {report:#}");
    // Pushing again uploads nothing.
    let again = slim(&[
        &archive(&waste),
        "-o",
        &remote,
        "--squash",
        "all",
        "--authfile",
        auth.to_str().unwrap(),
    ]);
    assert_eq!(again["pushed"], serde_json::json!([0, 2]));
    let output = careen()
        .args(["analyze", &remote, "-f", "json", "--authfile"])
        .arg(&auth)
        .env("CAREEN_CACHE_DIR", dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(figures["image"]["wasted_bytes"], 0);
    assert_eq!(figures["image"]["id"], report["config_digest"]);
}

#[test]
fn slimmed_images_still_pass_their_structure_tests() {
    let Some(waste) = image("waste") else { return };
    let Some(python) = image("python") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let waste_out = dir.path().join("waste.tar");
    slim(&[
        &archive(&waste),
        "-o",
        &archive(&waste_out),
        "--profile",
        "caches,docs",
    ]);
    let cst = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cst/waste.yaml");
    let output = careen()
        .arg("test")
        .arg(&waste_out)
        .arg("--config")
        .arg(&cst)
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let python_out = dir.path().join("python.tar");
    slim(&[
        &archive(&python),
        "-o",
        &archive(&python_out),
        "--profile",
        "caches,docs",
    ]);
    let yaml = dir.path().join("python.yaml");
    std::fs::write(
        &yaml,
        r#"schemaVersion: 2.0.0
commandTests:
  - name: python runs and imports requests
    command: python3
    args: ["-c", "import requests, sys; print(sys.version_info[0])"]
    expectedOutput: ["^3"]
fileExistenceTests:
  - name: no pycache left
    path: /usr/lib/python3/dist-packages/requests/__pycache__
    shouldExist: false
  - name: the app
    path: /app/app.py
    shouldExist: true
metadataTest:
  user: "10001"
"#,
    )
    .unwrap();
    let output = careen()
        .arg("test")
        .arg(&python_out)
        .arg("--config")
        .arg(&yaml)
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
