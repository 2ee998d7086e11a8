//! `careen diff` arguments.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first (old) image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub a: String,

    /// The second (new) image, in the same forms.
    pub b: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// How many files each section of the text output lists.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}
