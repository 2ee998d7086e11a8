//! One module per subcommand.

mod analyze;
mod audit;
mod build;
mod check;
mod db;
mod debug;
mod diff;
mod html;
mod init;
mod inspect;
mod lint;
mod rule;
mod sbom;
mod scan;
mod slim;
mod test;

use crate::args::{Cli, Command};
use crate::ExitStatus;

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Sbom(args) => sbom::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Db(command) => db::run(command),
        Command::Init(args) => init::run(args),
        Command::Build(args) => build::run(args),
        Command::Test(args) => test::run(args),
        Command::Slim(args) => slim::run(args),
        Command::Check(args) => check::run(args),
        Command::Rule(args) => rule::run(args),
        Command::Debug(command) => debug::run(command),
    }
}
