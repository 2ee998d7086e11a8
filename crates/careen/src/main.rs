//! The `careen` binary: parse arguments, run the command, map the outcome to
//! an exit code (0 clean, 1 findings or failed checks, 2 usage/input/environment
//! error), and print errors as one clear line.

mod args;
mod commands;
mod discover;
mod image;
mod output;
mod pass;
mod provenance;

use clap::Parser;
use std::process::ExitCode;

/// How a command ended; mapped to the process exit code in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the failing level.
    Success,
    /// Findings at or above the failing level, or a failed budget/test.
    Failure,
    /// Usage, input or environment error (already reported).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version print and exit 0; usage errors exit 2.
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    output::init_color(cli.global.color);
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            // `careen … | head` closing the pipe early is not an error.
            let broken_pipe = error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                    || cause
                        .downcast_ref::<serde_json::Error>()
                        .and_then(serde_json::Error::io_error_kind)
                        == Some(std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::from(0);
            }
            output::error(&error);
            ExitStatus::Error.into()
        }
    }
}
