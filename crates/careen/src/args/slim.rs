//! `careen slim` arguments (owned by the slim work; placeholder until it lands).

use clap::Args;

#[derive(Debug, Args)]
pub struct SlimArgs {
    /// The image to rewrite.
    pub image: String,
}
