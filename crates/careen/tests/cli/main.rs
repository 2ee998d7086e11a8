//! CLI tests: one test binary; each module covers a subcommand. Snapshots
//! record exit code, stdout and stderr with temp paths filtered.

mod analyze;
mod build;
mod check;
mod debug;
mod diff;
mod examples_e2e;
mod html;
mod init;
mod inspect;
mod lint;
mod probes;
mod provenance;
mod remote;
mod rule;
mod sbom_syft;
mod servers;
mod slim;
mod test_cmd;
mod transports;

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn careen() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("careen").unwrap();
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A buildah-built test image (scripts/test-images.sh) as a docker-archive, or `None` when it
/// is missing and CAREEN_SKIP_IMAGE_TESTS=1; missing otherwise is a failure, not a skip.
pub fn test_image(name: &str) -> Option<PathBuf> {
    let path = workspace_root().join(format!("target/test-data/images/{name}.docker.tar"));
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

pub fn shared() -> PathBuf {
    workspace_root().join("../shared")
}

/// Exit code, stdout and stderr as one string for snapshots, with `dir`
/// replaced by `[TMP]`.
pub fn transcript(output: &Output, dir: Option<&Path>) -> String {
    let mut text = format!(
        "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if let Some(dir) = dir {
        text = text.replace(&dir.display().to_string(), "[TMP]");
    }
    text
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

#[test]
fn help_and_version_exit_zero() {
    let out = careen().arg("--help").output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("lint"));
    let out = careen().arg("--version").output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("careen "));
}

#[test]
fn usage_errors_exit_two() {
    let out = careen().arg("--no-such-flag").output().unwrap();
    assert_eq!(code(&out), 2);
    let out = careen()
        .args(["lint", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let out = careen().output().unwrap();
    assert_eq!(code(&out), 2);
}
