//! `careen lint` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Dockerfiles or directories to lint (a directory finds `Dockerfile`,
    /// `*.Dockerfile`, `Dockerfile.*` and `Containerfile` below it); `-` reads stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,

    /// Apply safe fixes to the files in place.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes (with `--fix` or `--diff`), and show them as available.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Do not read the build context or `.dockerignore` beside each Dockerfile.
    #[arg(long)]
    pub no_context: bool,

    /// Build context directory (default: the Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,

    /// Config file (`careen.toml` or `.hadolint.yaml`); default: found from the Dockerfile's directory upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Only run these rules (codes or prefixes, comma-separated: `DL3008,CR12`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,

    /// Never report these rules (codes or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Exit 1 when a finding at or above this level remains.
    #[arg(long, value_enum)]
    pub fail_level: Option<Level>,

    /// Registries FROM may use (enables DL3026); repeatable.
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    pub trusted_registries: Vec<String>,

    /// Name to show for a Dockerfile read from stdin.
    #[arg(long, value_name = "PATH", default_value = "Dockerfile")]
    pub stdin_filename: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    Checkstyle,
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Error,
    Warning,
    Info,
    Style,
}

impl From<Level> for careen_lint::Severity {
    fn from(level: Level) -> careen_lint::Severity {
        match level {
            Level::Error => careen_lint::Severity::Error,
            Level::Warning => careen_lint::Severity::Warning,
            Level::Info => careen_lint::Severity::Info,
            Level::Style => careen_lint::Severity::Style,
        }
    }
}
