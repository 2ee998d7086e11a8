//! `careen diff` arguments.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first (old) image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, or a path (detected).
    pub a: String,

    /// The second (new) image, in the same forms.
    pub b: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Platform to pick from multi-platform images (`linux/amd64`); default: the host's.
    #[arg(long)]
    pub platform: Option<String>,

    /// How many files each section of the text output lists.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}
