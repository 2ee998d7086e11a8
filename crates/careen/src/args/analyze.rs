//! `careen analyze` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    #[command(flatten)]
    pub provenance: crate::provenance::DockerfileArgs,

    /// Check dive's CI rules (`.dive-ci` in the current directory, or `--ci-config`) and exit 1 when one fails.
    #[arg(long)]
    pub ci: bool,

    /// The `.dive-ci` file to read with `--ci`.
    #[arg(long, value_name = "FILE", default_value = ".dive-ci")]
    pub ci_config: PathBuf,

    /// How many inefficient files the text output lists.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
}
