//! Checkstyle XML, as CI tools (Jenkins, reviewdog) read it.

use super::{display_path, LintReport};
use crate::xml_escape;
use careen_lint::Severity;
use std::io::{self, Write};

pub(super) fn render(report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    let mut files: Vec<&std::path::Path> = report
        .diagnostics()
        .map(|d| d.file.as_path())
        .chain(report.errors.iter().map(|e| e.path.as_path()))
        .collect();
    files.sort();
    files.dedup();
    for path in files {
        writeln!(
            out,
            r#"  <file name="{}">"#,
            xml_escape(&display_path(path))
        )?;
        for d in report.diagnostics().filter(|d| d.file == path) {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "info",
            };
            writeln!(
                out,
                r#"    <error line="{}" column="{}" severity="{severity}" message="{}" source="careen.{}"/>"#,
                d.span.start.line,
                d.span.start.column,
                xml_escape(&d.message),
                d.code
            )?;
        }
        for e in report.errors.iter().filter(|e| e.path == path) {
            writeln!(
                out,
                r#"    <error line="1" column="1" severity="error" message="{}" source="careen.parse"/>"#,
                xml_escape(&e.message)
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::LintFormat;

    #[test]
    fn checkstyle_snapshot() {
        insta::assert_snapshot!(render_to_string(LintFormat::Checkstyle));
    }
}
