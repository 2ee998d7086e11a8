//! `careen check` arguments (owned by the check work; placeholder until it lands).

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The budgets file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}
