//! Which engine to use, and the host settings buildah and podman need.

use crate::{BuildError, EngineKind, HostSettings};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a probe (`docker info`) may take before the engine counts as absent.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// `program` found in the directories of `path` (a `PATH` value).
///
/// Hand-written: a dozen lines against pulling in a crate for it.
pub fn find_in_path(program: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// True when `program args…` exits 0 within [`PROBE_TIMEOUT`].
fn probe(program: &Path, args: &[&str]) -> bool {
    let Ok(mut child) = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < PROBE_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// The engine to build with: `wanted` if given (it must be on `PATH`), else
/// the first of docker with buildx and a daemon that answers, podman, buildah.
pub fn detect(wanted: Option<EngineKind>) -> Result<(EngineKind, PathBuf), BuildError> {
    let path = std::env::var_os("PATH");
    if let Some(kind) = wanted {
        return find_in_path(kind.program(), path.as_deref())
            .map(|program| (kind, program))
            .ok_or(BuildError::EngineNotFound(kind));
    }
    if let Some(docker) = find_in_path("docker", path.as_deref()) {
        if probe(&docker, &["buildx", "version"]) && probe(&docker, &["info"]) {
            return Ok((EngineKind::Docker, docker));
        }
    }
    for kind in [EngineKind::Podman, EngineKind::Buildah] {
        if let Some(program) = find_in_path(kind.program(), path.as_deref()) {
            return Ok((kind, program));
        }
    }
    Err(BuildError::NoEngine)
}

/// What the environment says, gathered so [`host_settings`] stays pure.
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    /// `STORAGE_DRIVER`.
    pub storage_driver_env: Option<String>,
    /// A containers `storage.conf` that sets `driver`.
    pub storage_conf_sets_driver: bool,
    /// Running as uid 0.
    pub root: bool,
    /// `BUILDAH_ISOLATION` is set (buildah and podman honour it themselves).
    pub isolation_env: bool,
    /// `CAREEN_BUILDAH_ARGS`.
    pub extra_args_env: Option<String>,
}

impl HostFacts {
    /// Read from this process's environment and the usual config files.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut confs: Vec<PathBuf> = Vec::new();
        if let Some(conf) = std::env::var_os("CONTAINERS_STORAGE_CONF") {
            confs.push(conf.into());
        }
        if let Some(home) = std::env::var_os("HOME") {
            confs.push(Path::new(&home).join(".config/containers/storage.conf"));
        }
        confs.push("/etc/containers/storage.conf".into());
        let storage_conf_sets_driver = confs
            .iter()
            .any(|conf| std::fs::read_to_string(conf).is_ok_and(|text| conf_sets_driver(&text)));
        Self {
            storage_driver_env: var("STORAGE_DRIVER"),
            storage_conf_sets_driver,
            root: current_uid() == Some(0),
            isolation_env: var("BUILDAH_ISOLATION").is_some(),
            extra_args_env: var("CAREEN_BUILDAH_ARGS"),
        }
    }
}

/// The uid of this process (owner of `/proc/self`), without libc.
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").ok().map(|meta| meta.uid())
}

/// True when a `storage.conf` text sets a non-empty `driver = "…"`.
fn conf_sets_driver(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        line.strip_prefix("driver")
            .and_then(|rest| rest.trim_start().strip_prefix('='))
            .is_some_and(|value| !value.trim().trim_matches('"').is_empty())
    })
}

/// Settings for buildah and podman:
/// - storage driver: `STORAGE_DRIVER` if set; else none when a `storage.conf`
///   chooses one; else `vfs` — containers-storage would pick overlay, which
///   does not work when running as root inside a container, and vfs always does;
/// - `--isolation chroot` when running as root (unless `BUILDAH_ISOLATION`
///   says otherwise): the default OCI isolation needs namespaces such hosts
///   do not grant;
/// - extra build arguments from `CAREEN_BUILDAH_ARGS` (shell-quoted).
pub fn host_settings(facts: &HostFacts) -> Result<HostSettings, BuildError> {
    let storage_driver = match &facts.storage_driver_env {
        Some(driver) => Some(driver.clone()),
        None if facts.storage_conf_sets_driver => None,
        None => Some("vfs".to_owned()),
    };
    let extra_args = match &facts.extra_args_env {
        Some(text) => {
            shlex::split(text).ok_or_else(|| BuildError::InvalidExtraArgs(text.clone()))?
        }
        None => Vec::new(),
    };
    Ok(HostSettings {
        storage_driver,
        isolation_chroot: facts.root && !facts.isolation_env,
        extra_args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_driver_choice() {
        let settings = host_settings(&HostFacts::default()).unwrap();
        assert_eq!(settings.storage_driver.as_deref(), Some("vfs"));
        assert!(!settings.isolation_chroot);
        let facts = HostFacts {
            storage_conf_sets_driver: true,
            root: true,
            ..Default::default()
        };
        let settings = host_settings(&facts).unwrap();
        assert_eq!(settings.storage_driver, None);
        assert!(settings.isolation_chroot);
        let facts = HostFacts {
            storage_driver_env: Some("overlay".into()),
            storage_conf_sets_driver: true,
            root: true,
            isolation_env: true,
            extra_args_env: Some("--ulimit 'nofile=1024:2048' --cap-add=SYS_ADMIN".into()),
        };
        let settings = host_settings(&facts).unwrap();
        assert_eq!(settings.storage_driver.as_deref(), Some("overlay"));
        assert!(!settings.isolation_chroot);
        assert_eq!(
            settings.extra_args,
            ["--ulimit", "nofile=1024:2048", "--cap-add=SYS_ADMIN"]
        );
        let facts = HostFacts {
            extra_args_env: Some("--x 'open".into()),
            ..Default::default()
        };
        assert!(host_settings(&facts).is_err());
    }

    #[test]
    fn storage_conf_driver_lines() {
        assert!(conf_sets_driver("[storage]\ndriver = \"overlay\"\n"));
        assert!(conf_sets_driver("  driver=\"vfs\""));
        assert!(!conf_sets_driver("[storage]\ndriver = \"\"\n"));
        assert!(!conf_sets_driver(
            "# driver = \"overlay\"\nrunroot = \"/x\""
        ));
    }

    #[test]
    fn path_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("buildah");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        let plain = dir.path().join("podman");
        std::fs::write(&plain, "not executable").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["/nonexistent", dir.path().to_str().unwrap()]).unwrap();
        assert_eq!(find_in_path("buildah", Some(&path)), Some(exe));
        assert_eq!(find_in_path("podman", Some(&path)), None);
        assert_eq!(find_in_path("buildah", None), None);
    }
}
