//! Lint reports in every format `careen lint --format` offers.

mod checkstyle;
mod gitlab;
mod json;
mod sarif;
mod text;

use careen_lint::{Applicability, Diagnostic, Severity};
use std::io::{self, Write};
use std::path::PathBuf;

/// Output formats of `careen lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    Checkstyle,
    Gitlab,
}

/// One linted file: its path, text and findings (sorted).
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file that could not be linted.
#[derive(Debug, Clone)]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
}

/// Everything one `careen lint` run found.
#[derive(Debug, Clone, Default)]
pub struct LintReport {
    pub files: Vec<FileReport>,
    pub errors: Vec<FileError>,
}

/// Text rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Emit ANSI colours (the caller decides: TTY and `NO_COLOR`).
    pub color: bool,
    /// Whether unsafe fixes are enabled (changes the fix hints).
    pub unsafe_fixes: bool,
}

impl LintReport {
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    /// Counts per severity: (error, warning, info, style).
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for d in self.diagnostics() {
            let i = match d.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
                Severity::Style => 3,
            };
            counts[i] += 1;
        }
        counts
    }

    /// (safe fixes, unsafe-only fixes) available.
    pub fn fixable(&self) -> (usize, usize) {
        let mut safe = 0;
        let mut unsafe_ = 0;
        for d in self.diagnostics() {
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => safe += 1,
                Some(Applicability::Unsafe) => unsafe_ += 1,
                None => {}
            }
        }
        (safe, unsafe_)
    }
}

/// Render `report` in `format` to `out`.
pub fn render(
    format: LintFormat,
    report: &LintReport,
    options: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        LintFormat::Text => text::render(report, options, out),
        LintFormat::Json => json::render(report, out),
        LintFormat::Sarif => sarif::render(report, out),
        LintFormat::Checkstyle => checkstyle::render(report, out),
        LintFormat::Gitlab => gitlab::render(report, out),
    }
}

/// The human summary line (for stderr), e.g.
/// "Found 3 problems (1 error, 2 warnings) in 2 files. 2 fixable with `--fix`."
pub fn summary(report: &LintReport, unsafe_fixes: bool) -> String {
    let [errors, warnings, infos, styles] = report.counts();
    let total = errors + warnings + infos + styles;
    let files = report.files.len();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if total == 0 {
        return format!("No problems found in {}.", plural(files, "file"));
    }
    let mut parts = Vec::new();
    for (n, word) in [
        (errors, "error"),
        (warnings, "warning"),
        (infos, "info"),
        (styles, "style"),
    ] {
        if n > 0 {
            parts.push(if word == "info" || word == "style" {
                format!("{n} {word}")
            } else {
                plural(n, word)
            });
        }
    }
    let mut line = format!(
        "Found {} ({}) in {}.",
        plural(total, "problem"),
        parts.join(", "),
        plural(files, "file")
    );
    let (safe, unsafe_only) = report.fixable();
    if unsafe_fixes && safe + unsafe_only > 0 {
        line.push_str(&format!(
            " {} fixable with `--fix --unsafe-fixes`.",
            safe + unsafe_only
        ));
    } else {
        if safe > 0 {
            line.push_str(&format!(" {safe} fixable with `--fix`."));
        }
        if unsafe_only > 0 {
            line.push_str(&format!(" {unsafe_only} more with `--fix --unsafe-fixes`."));
        }
    }
    line
}

pub(crate) fn display_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use careen_dockerfile::{Pos, Span};
    use careen_lint::{Edit, Fix};

    fn span(line: u32, column: u32, offset: usize, len: usize) -> Span {
        Span {
            start: Pos {
                line,
                column,
                offset,
            },
            end: Pos {
                line,
                column: column + len as u32,
                offset: offset + len,
            },
        }
    }

    /// A small report used by every renderer's snapshot test.
    pub fn sample() -> LintReport {
        let source =
            "FROM python:latest\nRUN apt-get install -y curl <x>\nCMD python app.py\n".to_string();
        let diagnostics = vec![
            Diagnostic {
                code: "DL3007",
                severity: Severity::Warning,
                message: "`python:latest` uses the `latest` tag".into(),
                file: "app/Dockerfile".into(),
                span: span(1, 6, 5, 13),
                help: Some("pin a release tag, e.g. `python:3.12-slim`".into()),
                fix: None,
            },
            Diagnostic {
                code: "DL3015",
                severity: Severity::Info,
                message: "`apt-get install` without `--no-install-recommends`".into(),
                file: "app/Dockerfile".into(),
                span: span(2, 5, 23, 15),
                help: None,
                fix: Some(Fix::unsafe_(
                    "Add `--no-install-recommends`",
                    vec![Edit::insert(38, " --no-install-recommends")],
                )),
            },
            Diagnostic {
                code: "DL3025",
                severity: Severity::Error,
                message: "CMD in shell form & <not> exec form".into(),
                file: "app/Dockerfile".into(),
                span: span(3, 1, 51, 17),
                help: None,
                fix: Some(Fix::safe(
                    "Use JSON form",
                    vec![Edit::replace(55..68, "[\"python\", \"app.py\"]")],
                )),
            },
        ];
        LintReport {
            files: vec![FileReport {
                path: "app/Dockerfile".into(),
                source,
                diagnostics,
            }],
            errors: vec![FileError {
                path: "broken/Dockerfile".into(),
                message: "line 1: unknown flag".into(),
            }],
        }
    }

    pub fn render_to_string(format: LintFormat) -> String {
        let mut out = Vec::new();
        render(format, &sample(), TextOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}
