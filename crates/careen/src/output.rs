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

/// `text` cut to at most `max` characters, with `…` when cut; one line.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Rows aligned under their headers; columns listed in `right` are
/// right-aligned (numbers). Widths count characters.
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count());
            let last = i + 1 == cells.len();
            if i > 0 {
                text.push_str("  ");
            }
            if right.contains(&i) {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if !last {
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        text.push('\n');
        text
    };
    let mut text = line(headers.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}
