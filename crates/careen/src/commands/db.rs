//! `careen db import`: OSV data → one index file, so a scan never re-reads the data.

use crate::args::db::{DbCommand, ImportArgs};
use crate::output;
use crate::ExitStatus;
use anyhow::Context as _;

pub fn run(command: DbCommand) -> anyhow::Result<ExitStatus> {
    match command {
        DbCommand::Import(args) => import(args),
    }
}

fn import(args: ImportArgs) -> anyhow::Result<ExitStatus> {
    let stats = careen_vuln::import(&args.source, &args.db)
        .with_context(|| format!("cannot import OSV data from `{}`", args.source.display()))?;
    for warning in stats.warnings.iter().take(20) {
        output::warning(&format!("{}: {}", warning.source, warning.reason));
    }
    output::note(&format!(
        "indexed {} advisories for {} packages into {} ({} files read, {} withdrawn, {} malformed skipped)",
        stats.advisories,
        stats.packages,
        args.db.display(),
        stats.documents,
        stats.withdrawn,
        stats.malformed
    ));
    Ok(ExitStatus::Success)
}
