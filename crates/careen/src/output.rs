//! Terminal output: colour choice, error and warning lines on stderr.
//! Data goes to stdout; talk (summaries, warnings, errors) to stderr.

use crate::args::ColorChoice;
use anstyle::{AnsiColor, Effects};
use std::io::Write;

pub fn init_color(choice: ColorChoice) {
    let choice = match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Whether stdout gets colour (a terminal, `NO_COLOR` unset, or `--color always`).
pub fn stdout_color() -> bool {
    !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    )
}

/// Print `error: <message>: <cause>: <cause>` as one line on stderr.
pub fn error(error: &anyhow::Error) {
    let style = AnsiColor::Red.on_default().effects(Effects::BOLD);
    // Errors that print their cause in their own message (`cannot read `x`:
    // No such file…`) would otherwise show it twice.
    let mut message = String::new();
    for cause in error.chain().map(|e| e.to_string()) {
        if message.contains(&cause) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&cause);
    }
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{}error{}: {message}",
        style.render(),
        style.render_reset()
    );
}

/// Print `warning: …` on stderr.
pub fn warning(message: &str) {
    let style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{}warning{}: {message}",
        style.render(),
        style.render_reset()
    );
}

/// Print a plain line on stderr.
pub fn note(message: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{message}");
}
