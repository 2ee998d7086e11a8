//! `careen build`: real builds with buildah (vfs storage, chroot isolation)
//! on a tiny context, read back with careen; and the error paths.

use super::{careen, code};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The debootstrap base (scripts/debian-base.sh) in buildah's vfs storage.
pub const BASE: &str = "localhost/careen-test/debian:bookworm";

/// True when buildah has the base image. Fails (does not skip) when it does
/// not, unless CAREEN_SKIP_IMAGE_TESTS=1.
pub fn base_image_ready() -> bool {
    let ready = Command::new("buildah")
        .args([
            "--storage-driver",
            "vfs",
            "inspect",
            "--type",
            "image",
            BASE,
        ])
        .output()
        .is_ok_and(|out| out.status.success());
    if ready {
        return true;
    }
    assert!(
        std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1"),
        "buildah has no {BASE}: run `bash scripts/debian-base.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)"
    );
    false
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git {args:?}");
}

fn git_head(dir: &Path) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The image config of a docker-archive, as written.
fn docker_archive_config(path: &Path) -> Value {
    let read = |name: &str| -> Vec<u8> {
        let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_string_lossy() == name {
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
                return data;
            }
        }
        panic!("{name} not in {}", path.display());
    };
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let config = manifest[0]["Config"].as_str().unwrap().to_owned();
    serde_json::from_slice(&read(&config)).unwrap()
}

fn write_context(dir: &Path, dockerfile: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.join("hello.txt"), "hello\n").unwrap();
}

#[test]
fn builds_with_buildah_into_archives_careen_reads() {
    if !base_image_ready() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let context = tmp.path().join("ctx");
    write_context(
        &context,
        &format!(
            "FROM {BASE}\n\
             ARG PIP_CERT\n\
             COPY hello.txt /app/hello.txt\n\
             RUN cp /app/hello.txt /app/copy.txt\n\
             RUN test -r \"$PIP_CERT\" && grep -q 'BEGIN CERTIFICATE' \"$PIP_CERT\"\n\
             HEALTHCHECK --interval=30s CMD test -f /app/copy.txt\n"
        ),
    );
    git(&context, &["init", "-q"]);
    git(&context, &["add", "."]);
    git(&context, &["commit", "-q", "-m", "ctx"]);
    git(
        &context,
        &[
            "remote",
            "add",
            "origin",
            "https://me:s3cret@example.com/app.git",
        ],
    );
    let head = git_head(&context);
    let ca = tmp.path().join("ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();

    // docker-archive: labels and HEALTHCHECK in the raw config.
    let docker_tar = tmp.path().join("app.docker.tar");
    let out = careen()
        .args([
            "build",
            "--engine",
            "buildah",
            "--quiet",
            "--format",
            "json",
            "--ca-bundle",
        ])
        .arg(&ca)
        .arg("-o")
        .arg(format!("docker-archive:{}", docker_tar.display()))
        .arg(&context)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "stderr: {stderr}");
    assert!(
        !stderr.contains("STEP"),
        "--quiet streams nothing: {stderr}"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["schema"], "careen.build/v1");
    assert_eq!(summary["engine"], "buildah");
    let config = docker_archive_config(&docker_tar);
    let labels = &config["config"]["Labels"];
    assert_eq!(labels["org.opencontainers.image.revision"], head.as_str());
    assert_eq!(
        labels["org.opencontainers.image.created"],
        "2023-11-14T22:13:20Z"
    );
    assert_eq!(
        labels["org.opencontainers.image.source"],
        "https://example.com/app.git"
    );
    assert_eq!(
        config["config"]["Healthcheck"]["Test"],
        serde_json::json!(["CMD-SHELL", "test -f /app/copy.txt"])
    );

    // oci-archive, with a dirty tree and progress streamed: careen reads it.
    std::fs::write(context.join("hello.txt"), "hello again\n").unwrap();
    let oci_tar = tmp.path().join("app.oci.tar");
    let out = careen()
        .args(["build", "--engine", "buildah", "--ca-bundle"])
        .arg(&ca)
        .arg("-o")
        .arg(format!("oci-archive:{}", oci_tar.display()))
        .arg(&context)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "stderr: {stderr}");
    assert!(stderr.contains("STEP"), "progress streamed: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("org.opencontainers.image.revision={head}-dirty")),
        "{stdout}"
    );
    let reference = format!("oci-archive:{}", oci_tar.display());
    let out = careen()
        .args(["analyze", "--format", "json", &reference])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let analysis: Value = serde_json::from_slice(&out.stdout).unwrap();
    let layers = analysis["layers"].as_array().unwrap();
    assert!(layers.len() >= 3, "{analysis}");
    assert!(
        layers.iter().any(|l| l["command"]
            .as_str()
            .unwrap_or("")
            .contains("cp /app/hello.txt")),
        "{analysis}"
    );
}

#[test]
fn failing_dockerfile_shows_the_engine_error() {
    if !base_image_ready() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    write_context(
        tmp.path(),
        &format!("FROM {BASE}\nRUN echo about-to-fail && false\n"),
    );
    let out = careen()
        .args(["build", "--engine", "buildah", "--quiet"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("failed"), "{stderr}");
    assert!(
        stderr.contains("about-to-fail"),
        "engine output shown: {stderr}"
    );
    assert!(
        stderr.contains("exit status 1"),
        "engine error shown: {stderr}"
    );
}

#[test]
fn missing_engine_and_bad_input_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    write_context(tmp.path(), "FROM scratch\n");
    let empty_path = tmp.path().join("bin");
    std::fs::create_dir_all(&empty_path).unwrap();

    let out = careen()
        .args(["build", "--engine", "podman"])
        .arg(tmp.path())
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("podman not found"), "{stderr}");

    let out = careen()
        .arg("build")
        .arg(tmp.path())
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(
        stderr
            .contains("no container engine found (looked for docker with buildx, podman, buildah)"),
        "{stderr}"
    );

    let out = careen()
        .arg("build")
        .arg(tmp.path().join("no-such-dir"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");

    for bad in [
        vec!["-o", "oci:dir"],
        vec!["--label", "novalue"],
        vec!["--ca-bundle", "/nonexistent/ca.pem"],
    ] {
        let out = careen()
            .arg("build")
            .args(&bad)
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(
            code(&out),
            2,
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
