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
    /// (non-root user, the container starts, every exposed TCP port answers HTTP, an MCP stdio
    /// server answers `initialize` and `tools/list`, its HEALTHCHECK passes).
    #[arg(long, short = 'c', value_name = "FILE.yaml")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,

    /// Mount the container's root filesystem read-only.
    #[arg(long)]
    pub read_only: bool,

    /// The path the HTTP probe of each exposed TCP port asks for (any answer below 500 passes).
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub http_path: String,

    /// Do not probe exposed ports over HTTP (for images that expose non-HTTP ports).
    #[arg(long)]
    pub no_http_probe: bool,

    /// Talk MCP over stdio (`initialize`, `tools/list`) even without the
    /// `io.modelcontextprotocol.server.name` label.
    #[arg(long, conflicts_with = "no_mcp")]
    pub mcp: bool,

    /// Never talk MCP over stdio, even when the image carries the label.
    #[arg(long)]
    pub no_mcp: bool,

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
