//! The remote transports end to end through the CLI, on the buildah-built
//! `waste` image: pushed with skopeo to the real `docker-registry` on
//! 127.0.0.1 and read back with `docker://`, and loaded into a real
//! Docker-compatible engine (podman's API service) and read with
//! `docker-daemon:` — the same numbers as from the docker-archive.

use super::servers::{start_registry, Service};
use super::{careen, workspace_root};
use serde_json::Value;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn images_dir() -> Option<PathBuf> {
    let dir = workspace_root().join("target/test-data/images");
    if dir.join("waste.oci").is_dir() && dir.join("waste.docker.tar").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1"),
        "{} has no waste image: run `bash scripts/test-images.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)",
        dir.display()
    );
    None
}

fn json(args: &[&str], env: &[(&str, &Path)]) -> Value {
    let mut command = careen();
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.args(args).output().unwrap();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What must not depend on where the image came from.
fn figures(report: &Value) -> Value {
    let layers: Vec<Value> = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| serde_json::json!([l["size_bytes"], l["command"]]))
        .collect();
    serde_json::json!({
        "size": report["image"]["size_bytes"],
        "efficiency": report["image"]["efficiency"],
        "wasted": report["image"]["wasted_bytes"],
        "user_wasted_percent": report["image"]["user_wasted_percent"],
        "reclaimable": report["image"]["reclaimable_bytes"],
        "inefficient": report["inefficient_files"],
        "layers": layers,
    })
}

#[test]
fn registry_gives_the_same_report_as_the_archive() {
    let Some(dir) = images_dir() else { return };
    let work = tempfile::tempdir().unwrap();
    let storage = work.path().join("storage");
    let (_registry, host) = start_registry(&storage, work.path());
    let output = Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:latest", dir.join("waste.oci").display()))
        .arg(format!("docker://{host}/careen-test/waste:1"))
        .output()
        .expect("skopeo must be installed");
    assert!(output.status.success(), "{output:?}");

    let cache = work.path().join("cache");
    let env = [("CAREEN_CACHE_DIR", cache.as_path())];
    let remote = format!("docker://{host}/careen-test/waste:1");
    let archive = dir.join("waste.docker.tar");
    let archive = archive.to_str().unwrap();
    let from_registry = json(&["analyze", &remote, "-f", "json"], &env);
    let from_archive = json(&["analyze", archive, "-f", "json"], &env);
    assert_eq!(figures(&from_registry), figures(&from_archive));
    // Blobs came into the content-addressed cache, verified.
    assert!(cache.join("blobs/sha256").read_dir().unwrap().count() >= 7);

    // Every visitor sees the same image: findings and packages too.
    let remote_inspect = json(&["inspect", &remote, "-f", "json"], &env);
    let archive_inspect = json(&["inspect", archive, "-f", "json"], &env);
    let codes = |report: &Value| -> Vec<(Value, Value, Value)> {
        report["audit"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            // CI1015 judges the tags the archive carries (`:latest` here); a
            // registry reference names its own tag (`:1`).
            .filter(|f| f["code"] != "CI1015")
            .map(|f| (f["code"].clone(), f["path"].clone(), f["layer"].clone()))
            .collect()
    };
    assert_eq!(codes(&remote_inspect), codes(&archive_inspect));
    assert_eq!(
        remote_inspect["sbom"]["packages"].as_array().unwrap().len(),
        archive_inspect["sbom"]["packages"]
            .as_array()
            .unwrap()
            .len()
    );

    // An unknown tag is a one-line error, exit 2.
    let output = careen()
        .env("CAREEN_CACHE_DIR", &cache)
        .args([
            "analyze",
            &format!("docker://{host}/careen-test/waste:nope"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// podman's Docker-compatible API service with its own vfs storage.
struct Podman {
    dir: tempfile::TempDir,
    _service: Option<Service>,
}

impl Podman {
    fn command(dir: &Path) -> Command {
        let mut command = Command::new("podman");
        command
            .arg("--root")
            .arg(dir.join("root"))
            .arg("--runroot")
            .arg(dir.join("run"))
            .args([
                "--storage-driver",
                "vfs",
                "--events-backend",
                "file",
                "--cgroup-manager",
                "cgroupfs",
            ])
            .env("XDG_RUNTIME_DIR", dir.join("xdg"))
            .stdin(Stdio::null());
        command
    }

    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("xdg")).unwrap();
        let socket = dir.path().join("podman.sock");
        let child = Self::command(dir.path())
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("podman (Debian package `podman`) must be installed");
        let service = Service(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(&socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "podman system service did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            dir,
            _service: Some(service),
        }
    }
}

#[test]
fn docker_daemon_gives_the_same_report_as_the_archive() {
    let Some(dir) = images_dir() else { return };
    let podman = Podman::start();
    let archive = dir.join("waste.docker.tar");
    let output = Podman::command(podman.dir.path())
        .args(["load", "-q", "-i"])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(output.status.success(), "podman load: {output:?}");
    let socket = podman.dir.path().join("podman.sock");
    let host = format!("unix://{}", socket.display());
    let cache = podman.dir.path().join("cache");
    let mut command = careen();
    let output = command
        .env("DOCKER_HOST", &host)
        .env("CAREEN_CACHE_DIR", &cache)
        .args([
            "analyze",
            "docker-daemon:localhost/careen-test/waste:latest",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_daemon: Value = serde_json::from_slice(&output.stdout).unwrap();
    let from_archive = json(&["analyze", archive.to_str().unwrap(), "-f", "json"], &[]);
    assert_eq!(figures(&from_daemon), figures(&from_archive));
}
