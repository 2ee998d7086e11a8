//! `docker-daemon:` against a real Docker-compatible engine: podman's API service
//! (`podman system service`, vfs storage in a temp dir), the image pulled into it from an OCI
//! layout written in code. Own test binary: it sets `DOCKER_HOST`, which is process-wide.

mod support;

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use careen_image::{open, ImageError, OpenOptions};
use support::*;

/// A podman API service on a unix socket, with its own storage; killed on drop.
struct Podman {
    dir: tempfile::TempDir,
    service: Option<Child>,
}

impl Podman {
    fn command(&self) -> Command {
        let root = self.dir.path();
        let mut command = Command::new("podman");
        command
            .arg("--root")
            .arg(root.join("root"))
            .arg("--runroot")
            .arg(root.join("run"))
            .args([
                "--storage-driver",
                "vfs",
                "--events-backend",
                "file",
                "--cgroup-manager",
                "cgroupfs",
            ])
            .env("XDG_RUNTIME_DIR", root.join("xdg"))
            .stdin(Stdio::null());
        command
    }

    fn socket(&self) -> std::path::PathBuf {
        self.dir.path().join("podman.sock")
    }

    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("xdg")).unwrap();
        let mut podman = Self { dir, service: None };
        let child = podman
            .command()
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", podman.socket().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("podman (Debian package `podman`) must be installed");
        podman.service = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(podman.socket()).is_err() {
            assert!(
                Instant::now() < deadline,
                "podman system service did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        podman
    }

    fn run(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().unwrap();
        assert!(
            output.status.success(),
            "podman {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(child) = self.service.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn options(cache: &Path) -> OpenOptions {
    OpenOptions {
        cache_dir: Some(cache.to_owned()),
        ..Default::default()
    }
}

/// A directory with a lowercase path (podman names an `oci:` image after its path), removed
/// on drop.
struct LowercaseDir(std::path::PathBuf);

impl LowercaseDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("careen-daemon-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for LowercaseDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn docker_daemon_exports_through_the_engine_api() {
    let layout = LowercaseDir::new();
    let descriptor = write_image(
        layout.path(),
        "amd64",
        &[
            gzipped(layer(&[("etc/os-release", b"ID=careen\n")])),
            // Not zstd: podman cannot export zstd layers in the docker-archive format.
            plain(layer(&[("usr/share/zz", &[7u8; 3000])])),
        ],
    );
    write_index(layout.path(), vec![("app", descriptor)]);
    let expected = read_all(
        &format!("oci:{}:app", layout.path().display()),
        &OpenOptions::default(),
    )
    .unwrap();

    let podman = Podman::start();
    let id = podman.run(&[
        "pull",
        "-q",
        &format!("oci:{}:app", layout.path().display()),
    ]);
    podman.run(&[
        "tag",
        id.lines().last().unwrap_or(&id),
        "localhost/careen-daemon:1",
    ]);
    std::env::set_var(
        "DOCKER_HOST",
        format!("unix://{}", podman.socket().display()),
    );

    let cache = tempfile::tempdir().unwrap();
    let seen = read_all(
        "docker-daemon:localhost/careen-daemon:1",
        &options(cache.path()),
    )
    .unwrap();
    // The engine exports layers as it stores them (uncompressed): the diff IDs, config and
    // every entry are the same as in the layout.
    let diff_ids = |s: &Seen| {
        s.layers
            .iter()
            .map(|l| l.diff_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(diff_ids(&seen), diff_ids(&expected));
    assert_eq!(seen.entries, expected.entries);
    assert_eq!(seen.config_digest, expected.config_digest);
    // The export is deleted with the image.
    let leftovers = std::fs::read_dir(cache.path().join("tmp")).unwrap().count();
    assert_eq!(leftovers, 0);

    match open(
        "docker-daemon:localhost/no-such-image:1",
        &options(cache.path()),
    ) {
        Err(error @ ImageError::Daemon { .. }) => {
            assert!(error.to_string().contains("no-such-image"), "{error}");
        }
        other => panic!("expected a daemon error, got {other:?}"),
    }

    let missing = podman.dir.path().join("missing.sock");
    std::env::set_var("DOCKER_HOST", format!("unix://{}", missing.display()));
    match open("docker-daemon:app:1", &options(cache.path())) {
        Err(error @ ImageError::DaemonUnavailable { .. }) => {
            assert!(error.to_string().contains("missing.sock"), "{error}");
        }
        other => panic!("expected DaemonUnavailable, got {other:?}"),
    }
    std::env::set_var("DOCKER_HOST", "tcp://127.0.0.1:2375");
    assert!(matches!(
        open("docker-daemon:app:1", &options(cache.path())),
        Err(ImageError::DaemonUnavailable { .. })
    ));
}
