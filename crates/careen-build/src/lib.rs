//! Build container images through an engine that is already installed:
//! docker with buildx (BuildKit), podman or buildah, chosen in that order.
//!
//! The command lines are built by pure functions ([`command`]) so every
//! engine/option combination is unit-tested without running an engine;
//! [`detect`] finds the engine, [`labels`] computes the OCI labels from git,
//! [`run`] runs the engine streaming its output, [`bench`] picks and touches
//! the source file a warm build is timed against.

pub mod bench;
pub mod command;
pub mod detect;
pub mod labels;
pub mod run;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Where, inside RUN steps, `--ca-bundle` is mounted.
pub const CA_MOUNT_PATH: &str = "/run/careen/ca.crt";
/// The BuildKit secret id `--ca-bundle` is passed as on docker.
pub const CA_SECRET_ID: &str = "careen-ca";
/// Build args that point package managers at [`CA_MOUNT_PATH`]: pip, requests-based tools
/// (poetry, pipenv), OpenSSL and uv, Node itself (corepack included), npm and pnpm, yarn berry.
pub const CA_BUILD_ARGS: [&str; 6] = [
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "NODE_EXTRA_CA_CERTS",
    "npm_config_cafile",
    "YARN_HTTPS_CA_FILE_PATH",
];

/// A build engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// `docker buildx build` (BuildKit).
    Docker,
    Podman,
    Buildah,
}

impl EngineKind {
    /// The program run for this engine.
    pub fn program(self) -> &'static str {
        match self {
            EngineKind::Docker => "docker",
            EngineKind::Podman => "podman",
            EngineKind::Buildah => "buildah",
        }
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program())
    }
}

/// Where the built image is written, in a transport careen reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// `oci-archive:PATH`
    OciArchive(String),
    /// `docker-archive:PATH`
    DockerArchive(String),
}

impl Output {
    /// The file written.
    pub fn path(&self) -> &str {
        match self {
            Output::OciArchive(path) | Output::DockerArchive(path) => path,
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::OciArchive(path) => write!(f, "oci-archive:{path}"),
            Output::DockerArchive(path) => write!(f, "docker-archive:{path}"),
        }
    }
}

impl FromStr for Output {
    type Err = BuildError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || BuildError::InvalidOutput(text.to_owned());
        let (transport, path) = text.split_once(':').ok_or_else(invalid)?;
        if path.is_empty() {
            return Err(invalid());
        }
        match transport {
            "oci-archive" => Ok(Output::OciArchive(path.to_owned())),
            "docker-archive" => Ok(Output::DockerArchive(path.to_owned())),
            _ => Err(invalid()),
        }
    }
}

/// Everything about one build, engine-independent. Paths are UTF-8 strings
/// because they end up on a command line the user may read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildRequest {
    pub context: String,
    /// `-f`; the engine's default (`CONTEXT/Dockerfile`) when `None`.
    pub file: Option<String>,
    pub tags: Vec<String>,
    pub target: Option<String>,
    /// `K=V` (or `K`, taken from the environment by the engine), in order.
    pub build_args: Vec<String>,
    pub platform: Option<String>,
    /// `(key, value)`, in order; later ones win in the engine.
    pub labels: Vec<(String, String)>,
    pub ca_bundle: Option<String>,
    pub no_cache: bool,
    pub output: Option<Output>,
    /// Where buildah/podman write the image ID (needed to push it).
    pub iidfile: Option<String>,
}

/// Host facts that change the buildah/podman command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// `--storage-driver` (global option), when one must be forced.
    pub storage_driver: Option<String>,
    /// Add `--isolation chroot` to builds.
    pub isolation_chroot: bool,
    /// Extra build arguments from `CAREEN_BUILDAH_ARGS`.
    pub extra_args: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no container engine found (looked for docker with buildx, podman, buildah); install one or pass --engine")]
    NoEngine,
    #[error("{0} not found on PATH (asked for with --engine)")]
    EngineNotFound(EngineKind),
    #[error("invalid output `{0}`: expected oci-archive:PATH or docker-archive:PATH")]
    InvalidOutput(String),
    #[error("invalid SOURCE_DATE_EPOCH `{0}`: expected seconds since 1970 as an integer")]
    InvalidSourceDateEpoch(String),
    #[error("invalid CAREEN_BUILDAH_ARGS `{0}`: unbalanced quotes")]
    InvalidExtraArgs(String),
    #[error("could not run {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{command} failed ({status}); its last output lines:\n{tail}")]
    EngineFailed {
        command: String,
        status: String,
        tail: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
