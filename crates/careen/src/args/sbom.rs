//! `careen sbom` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// Output format: a table, careen's JSON, CycloneDX 1.5 JSON or SPDX 2.3 JSON.
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Text)]
    pub format: SbomFormat,

    /// Write the document to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    Text,
    Json,
    #[value(name = "cyclonedx-json", alias = "cyclonedx")]
    CyclonedxJson,
    #[value(name = "spdx-json", alias = "spdx")]
    SpdxJson,
}
