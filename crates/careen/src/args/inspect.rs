//! `careen inspect` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    #[command(flatten)]
    pub provenance: crate::provenance::DockerfileArgs,

    /// OSV data to scan the packages against (see `careen scan --db`).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Exit 1 when a vulnerability at or above this severity is found (with `--db`).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<super::scan::FailOn>,

    /// Exit 1 when an audit finding at or above this level is found.
    #[arg(long, value_enum, default_value_t = super::audit::AuditLevel::Error)]
    pub audit_fail_on: super::audit::AuditLevel,

    /// Ids to ignore, `.trivyignore` syntax.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// OpenVEX documents (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// Do not run the secret detectors.
    #[arg(long)]
    pub no_secrets: bool,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,

    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// The "before" image for the HTML report's before/after view (with `--html`).
    #[arg(long, value_name = "IMAGE", requires = "html")]
    pub baseline: Option<String>,

    /// How many items each list in the text output shows.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}
