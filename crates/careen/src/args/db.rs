//! `careen db` arguments: the offline vulnerability database.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Index OSV data (a directory of OSV JSON files and/or per-ecosystem `all.zip` exports) for `careen scan --db`.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// OSV data: a directory (searched recursively) or an `all.zip` export.
    pub source: PathBuf,

    /// Where to write the index (a directory; created if missing).
    #[arg(long, value_name = "DIR")]
    pub db: PathBuf,
}
