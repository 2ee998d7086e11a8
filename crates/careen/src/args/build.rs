//! `careen build` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Engine: docker with buildx (when `docker buildx version` works and `docker info` answers), \
else podman, else buildah; --engine overrides. buildah and podman build in Docker format \
(HEALTHCHECK survives) with `--storage-driver` from STORAGE_DRIVER (default vfs unless a \
containers storage.conf chooses one), `--isolation chroot` when running as root (unless \
BUILDAH_ISOLATION is set), and extra build arguments from CAREEN_BUILDAH_ARGS.

Labels: org.opencontainers.image.created (now, or SOURCE_DATE_EPOCH) always; \
org.opencontainers.image.revision (HEAD, `-dirty` when tracked files changed) and \
org.opencontainers.image.source (remote origin, credentials removed) when git is installed \
and the context is in a repository. --label overrides them.

--ca-bundle FILE: buildah and podman mount FILE read-only at /run/careen/ca.crt in every RUN \
step. docker (BuildKit) cannot mount into every RUN step: FILE is passed as the secret \
`careen-ca`, which a RUN step mounts with \
`--mount=type=secret,id=careen-ca,target=/run/careen/ca.crt`. All engines also get the \
build args PIP_CERT (pip), REQUESTS_CA_BUNDLE (poetry, pipenv), SSL_CERT_FILE (uv, OpenSSL), \
NODE_EXTRA_CA_CERTS (Node, corepack), npm_config_cafile (npm, pnpm) and YARN_HTTPS_CA_FILE_PATH \
(yarn berry) set to /run/careen/ca.crt; like every build arg they reach a RUN step only where \
the stage declares them with ARG (the Dockerfiles `careen init` writes declare them in their \
builder stages only, so apt and the runtime image's trust store are left alone). \
Semantics: NODE_EXTRA_CA_CERTS adds FILE to Node's roots, but the others use FILE instead \
of their own bundle, so pass a complete bundle (the host's system bundle with your CA).

--bench: one build without cache, then one after touching the newest source file of the \
context that .dockerignore does not exclude (its time is restored); prints both times (each \
including writing the archive; without -o a temporary oci-archive is written) and \
the image size (sum of the uncompressed layers of the written image).")]
pub struct BuildArgs {
    /// The build context directory.
    #[arg(default_value = ".")]
    pub context: PathBuf,

    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Name the image (repeatable).
    #[arg(long, short = 't', value_name = "NAME:TAG")]
    pub tag: Vec<String>,

    /// Build this stage.
    #[arg(long)]
    pub target: Option<String>,

    /// A build arg, `K=V` (or `K` to take the value from the environment); repeatable.
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_arg: Vec<String>,

    /// A label, `K=V`; repeatable (wins over careen's own labels).
    #[arg(long, value_name = "K=V")]
    pub label: Vec<String>,

    /// Target platform (`linux/amd64`).
    #[arg(long)]
    pub platform: Option<String>,

    /// Write the image to `oci-archive:PATH` or `docker-archive:PATH` (readable by every careen command).
    #[arg(long, short = 'o', value_name = "TRANSPORT:PATH")]
    pub output: Option<String>,

    /// The engine to use instead of detecting one.
    #[arg(long, value_enum)]
    pub engine: Option<EngineChoice>,

    /// A CA bundle that package managers in RUN steps trust (see below).
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,

    /// Build without the engine's cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Time a cold and a warm build and report the image size.
    #[arg(long)]
    pub bench: bool,

    /// Do not stream the engine's output (it is still shown if the build fails).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = BuildFormat::Text)]
    pub format: BuildFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    Docker,
    Podman,
    Buildah,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    Text,
    Json,
}
