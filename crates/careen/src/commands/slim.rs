//! `careen slim`: rewrite an image without rebuilding it.

use crate::args::slim::SlimArgs;
use crate::ExitStatus;

pub fn run(_args: SlimArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("careen slim is not built yet")
}
