//! One module per subcommand.

mod analyze;
mod debug;
mod diff;
mod init;
mod lint;
mod rule;

use crate::args::{Cli, Command};
use crate::ExitStatus;

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Init(args) => init::run(args),
        Command::Rule(args) => rule::run(args),
        Command::Debug(command) => debug::run(command),
    }
}
