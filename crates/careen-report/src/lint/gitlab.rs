//! GitLab Code Quality report (a JSON array of issues).

use super::{display_path, LintReport};
use careen_lint::Severity;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

pub(super) fn render(report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for d in report.diagnostics() {
        let path = display_path(&d.file);
        // Stable across runs and unaffected by unrelated line shifts elsewhere.
        let mut hasher = Sha256::new();
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(d.code.as_bytes());
        hasher.update([0]);
        hasher.update(d.span.start.line.to_string().as_bytes());
        hasher.update([0]);
        hasher.update(d.message.as_bytes());
        let fingerprint: String = hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let severity = match d.severity {
            Severity::Error => "critical",
            Severity::Warning => "major",
            Severity::Info => "minor",
            Severity::Style => "info",
        };
        issues.push(json!({
            "type": "issue",
            "check_name": d.code,
            "description": format!("{}: {}", d.code, d.message),
            "categories": ["Style"],
            "severity": severity,
            "fingerprint": fingerprint,
            "location": {"path": path, "lines": {"begin": d.span.start.line, "end": d.span.end.line}},
        }));
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::LintFormat;

    #[test]
    fn gitlab_snapshot() {
        insta::assert_snapshot!(render_to_string(LintFormat::Gitlab));
    }
}
