//! `careen audit` arguments.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    #[command(flatten)]
    pub provenance: crate::provenance::DockerfileArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Exit 1 when a finding at or above this level is found.
    #[arg(long, value_enum, default_value_t = AuditLevel::Error)]
    pub fail_on: AuditLevel,

    /// Do not run the secret detectors over the layers' text files.
    #[arg(long)]
    pub no_secrets: bool,

    /// Only report findings at or above this level.
    #[arg(long, value_enum, default_value_t = AuditLevel::Info)]
    pub min_level: AuditLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditLevel {
    Error,
    Warning,
    Info,
}

impl From<AuditLevel> for careen_inspect::audit::Severity {
    fn from(level: AuditLevel) -> Self {
        match level {
            AuditLevel::Error => careen_inspect::audit::Severity::Error,
            AuditLevel::Warning => careen_inspect::audit::Severity::Warning,
            AuditLevel::Info => careen_inspect::audit::Severity::Info,
        }
    }
}
