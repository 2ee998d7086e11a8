//! `careen.lint/v1` JSON.

use super::{display_path, LintReport};
use serde_json::{json, Value};
use std::io::{self, Write};

pub(super) fn to_value(report: &LintReport) -> Value {
    let diagnostics: Vec<Value> = report
        .diagnostics()
        .map(|d| {
            json!({
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "file": display_path(&d.file),
                "line": d.span.start.line,
                "column": d.span.start.column,
                "end_line": d.span.end.line,
                "end_column": d.span.end.column,
                "help": d.help,
                "fix": d.fix.as_ref().map(|f| json!({
                    "title": f.title,
                    "applicability": f.applicability,
                    "edits": f.edits.iter().map(|e| json!({
                        "start": e.start,
                        "end": e.end,
                        "content": e.content,
                    })).collect::<Vec<_>>(),
                })),
            })
        })
        .collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"file": display_path(&e.path), "message": e.message}))
        .collect();
    json!({
        "schema": "careen.lint/v1",
        "diagnostics": diagnostics,
        "errors": errors,
        "files": report.files.iter().map(|f| display_path(&f.path)).collect::<Vec<_>>(),
    })
}

pub(super) fn render(report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::LintFormat;

    #[test]
    fn json_snapshot() {
        insta::assert_snapshot!(render_to_string(LintFormat::Json));
    }

    #[test]
    fn json_has_schema_and_fields() {
        let v: serde_json::Value =
            serde_json::from_str(&render_to_string(LintFormat::Json)).unwrap();
        assert_eq!(v["schema"], "careen.lint/v1");
        let d = &v["diagnostics"][0];
        for key in [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "fix",
        ] {
            assert!(d.get(key).is_some(), "missing {key}");
        }
    }
}
