//! `careen test` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// A container-structure-test v2 file (YAML or JSON). Without it: the built-in checks
    /// (non-root user, the container starts, its HEALTHCHECK passes).
    #[arg(long, short = 'c', value_name = "FILE.yaml")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,

    /// Mount the container's root filesystem read-only.
    #[arg(long)]
    pub read_only: bool,

    /// Seconds each container may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}
