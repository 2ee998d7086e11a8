//! `careen init` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// The project's language (default: detected from its files).
    #[arg(long, value_enum)]
    pub language: Option<InitLanguage>,

    /// The command the image runs (words, or a JSON array: `["node", "dist/server.js"]`).
    #[arg(long, value_name = "COMMAND", allow_hyphen_values = true)]
    pub entrypoint: Option<String>,

    /// The port an HTTP service listens on.
    #[arg(long)]
    pub port: Option<u16>,

    /// What the container does: serve HTTP, an MCP server over stdio, or a worker.
    #[arg(long, value_enum)]
    pub kind: Option<InitKind>,

    /// Python version of the base image (`3.12`).
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,

    /// Node major version of the base image (`22`).
    #[arg(long, value_name = "VERSION")]
    pub node_version: Option<String>,

    /// The base image for every stage (default: the official slim image of the version).
    #[arg(long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,

    /// Print the files instead of writing them.
    #[arg(long, visible_alias = "stdout")]
    pub dry_run: bool,

    /// Ask before deciding (only on a terminal).
    #[arg(long, short = 'i')]
    pub interactive: bool,

    /// Output format of the summary.
    #[arg(long, short = 'f', value_enum, default_value_t = InitFormat::Text)]
    pub format: InitFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitLanguage {
    Python,
    Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitKind {
    Http,
    McpStdio,
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitFormat {
    Text,
    Json,
}

impl From<InitLanguage> for careen_init::Language {
    fn from(language: InitLanguage) -> Self {
        match language {
            InitLanguage::Python => careen_init::Language::Python,
            InitLanguage::Node => careen_init::Language::Node,
        }
    }
}

impl From<InitKind> for careen_init::Kind {
    fn from(kind: InitKind) -> Self {
        match kind {
            InitKind::Http => careen_init::Kind::Http,
            InitKind::McpStdio => careen_init::Kind::McpStdio,
            InitKind::Worker => careen_init::Kind::Worker,
        }
    }
}
