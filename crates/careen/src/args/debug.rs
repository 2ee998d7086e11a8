//! `careen debug` arguments.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print a Dockerfile's parse in BuildKit's test dump format.
    DockerfileAst(DockerfileAstArgs),
}

#[derive(Debug, Args)]
pub struct DockerfileAstArgs {
    /// The Dockerfile (`-` for stdin).
    pub file: PathBuf,

    /// Output format: `text` is BuildKit's dump; `json` adds spans.
    #[arg(long, short = 'f', value_enum, default_value_t = DebugFormat::Text)]
    pub format: DebugFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DebugFormat {
    Text,
    Json,
}
