//! Human output: `file:line:col: severity[CODE] message`, a code frame with a
//! caret under the culprit, then `help:` and fix hints.

use super::{display_path, LintReport, TextOptions};
use anstyle::{AnsiColor, Effects, Style};
use careen_lint::{Applicability, Diagnostic, Severity};
use std::io::{self, Write};

struct Palette {
    path: Style,
    error: Style,
    warning: Style,
    info: Style,
    style: Style,
    code: Style,
    gutter: Style,
    help: Style,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if !color {
            let plain = Style::new();
            return Palette {
                path: plain,
                error: plain,
                warning: plain,
                info: plain,
                style: plain,
                code: plain,
                gutter: plain,
                help: plain,
            };
        }
        Palette {
            path: Style::new().effects(Effects::BOLD),
            error: AnsiColor::Red.on_default().effects(Effects::BOLD),
            warning: AnsiColor::Yellow.on_default().effects(Effects::BOLD),
            info: AnsiColor::Cyan.on_default().effects(Effects::BOLD),
            style: AnsiColor::Magenta.on_default().effects(Effects::BOLD),
            code: Style::new().effects(Effects::BOLD),
            gutter: AnsiColor::Blue.on_default().effects(Effects::BOLD),
            help: AnsiColor::Green.on_default().effects(Effects::BOLD),
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
            Severity::Style => self.style,
        }
    }
}

pub(super) fn render(
    report: &LintReport,
    options: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options.color);
    for file in &report.files {
        for diagnostic in &file.diagnostics {
            let source = if diagnostic.file == file.path {
                Some(file.source.as_str())
            } else {
                None
            };
            render_one(diagnostic, source, &palette, options, out)?;
        }
    }
    Ok(())
}

fn render_one(
    d: &Diagnostic,
    source: Option<&str>,
    p: &Palette,
    options: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sev = p.severity(d.severity);
    writeln!(
        out,
        "{}{}:{}:{}{}: {}{}[{}]{} {}",
        p.path.render(),
        display_path(&d.file),
        d.span.start.line,
        d.span.start.column,
        p.path.render_reset(),
        sev.render(),
        d.severity,
        d.code,
        sev.render_reset(),
        d.message
    )?;
    let line_no = d.span.start.line;
    let width = line_no.to_string().len();
    let gutter = |out: &mut dyn Write, label: &str| -> io::Result<()> {
        write!(
            out,
            "{}{:>width$} |{}",
            p.gutter.render(),
            label,
            p.gutter.render_reset()
        )
    };
    if let Some(line) = source.and_then(|s| s.lines().nth(line_no.saturating_sub(1) as usize)) {
        let line = line.trim_end_matches('\r');
        gutter(out, "")?;
        writeln!(out)?;
        gutter(out, &line_no.to_string())?;
        writeln!(out, " {}", line.replace('\t', "    "))?;
        // Caret under the span on its first line (columns are chars).
        let start_col = d.span.start.column.max(1) as usize;
        let line_chars = line.chars().count();
        let end_col = if d.span.end.line == d.span.start.line {
            (d.span.end.column as usize).max(start_col + 1)
        } else {
            line_chars + 1
        };
        let prefix: String = line
            .chars()
            .take(start_col - 1)
            .map(|c| if c == '\t' { "    " } else { " " })
            .collect();
        let carets = "^".repeat(
            end_col
                .saturating_sub(start_col)
                .clamp(1, line_chars.max(1)),
        );
        gutter(out, "")?;
        writeln!(
            out,
            " {prefix}{}{carets}{}",
            sev.render(),
            sev.render_reset()
        )?;
    }
    if let Some(help) = &d.help {
        writeln!(
            out,
            "{:>width$} = {}help{}: {help}",
            "",
            p.help.render(),
            p.help.render_reset()
        )?;
    }
    if let Some(fix) = &d.fix {
        let how = match (fix.applicability, options.unsafe_fixes) {
            (Applicability::Safe, _) => "`--fix`",
            (Applicability::Unsafe, true) => "`--fix` (unsafe fixes on)",
            (Applicability::Unsafe, false) => "`--fix --unsafe-fixes`",
        };
        writeln!(
            out,
            "{:>width$} = {}fix{}: {} ({how})",
            "",
            p.help.render(),
            p.help.render_reset(),
            fix.title
        )?;
    }
    writeln!(
        out,
        "{:>width$} = {}see{}: `careen rule {}`",
        "",
        p.code.render(),
        p.code.render_reset(),
        d.code
    )?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::LintFormat;

    #[test]
    fn text_snapshot() {
        insta::assert_snapshot!(render_to_string(LintFormat::Text));
    }

    #[test]
    fn color_only_when_asked() {
        let plain = render_to_string(LintFormat::Text);
        assert!(!plain.contains('\u{1b}'));
        let mut out = Vec::new();
        super::super::render(
            LintFormat::Text,
            &sample(),
            super::super::TextOptions {
                color: true,
                unsafe_fixes: false,
            },
            &mut out,
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains('\u{1b}'));
    }
}
