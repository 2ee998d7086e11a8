//! `careen scan` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// OSV data: an index made by `careen db import`, a directory of OSV JSON files, or `all.zip` exports
    /// (indexed once into the cache, then reused).
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,

    /// Exit 1 when a vulnerability at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Ids to ignore, `.trivyignore` syntax (default: `.trivyignore` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// OpenVEX documents whose `not_affected`/`fixed` statements suppress matches (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Unknown,
}

impl From<FailOn> for careen_vuln::Severity {
    fn from(level: FailOn) -> Self {
        match level {
            FailOn::Critical => careen_vuln::Severity::Critical,
            FailOn::High => careen_vuln::Severity::High,
            FailOn::Medium => careen_vuln::Severity::Medium,
            FailOn::Low => careen_vuln::Severity::Low,
            FailOn::Unknown => careen_vuln::Severity::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Sarif,
}
