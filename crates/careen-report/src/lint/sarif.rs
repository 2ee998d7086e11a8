//! SARIF 2.1.0 (GitHub code scanning and other SARIF consumers).

use super::{display_path, LintReport};
use careen_lint::{rule_by_code, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

pub(super) fn to_value(report: &LintReport) -> Value {
    // Rules referenced by results, in code order, with their docs as help.
    let mut rule_index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for d in report.diagnostics() {
        rule_index.insert(d.code, 0);
    }
    let mut rules = Vec::new();
    for (i, (code, index)) in rule_index.iter_mut().enumerate() {
        *index = i;
        let mut rule = json!({ "id": code });
        if let Some(r) = rule_by_code(code) {
            let info = r.info();
            rule = json!({
                "id": code,
                "name": info.name,
                "shortDescription": { "text": info.summary() },
                "fullDescription": { "text": info.summary() },
                "help": { "text": info.doc.trim(), "markdown": info.doc.trim() },
                "defaultConfiguration": { "level": level(info.severity) },
                "properties": { "tags": [if info.is_hadolint() { "hadolint" } else { "careen" }] },
            });
        }
        rules.push(rule);
    }
    let mut results = Vec::new();
    for d in report.diagnostics() {
        let region = json!({
            "startLine": d.span.start.line.max(1),
            "startColumn": d.span.start.column.max(1),
            "endLine": d.span.end.line.max(d.span.start.line).max(1),
            "endColumn": d.span.end.column.max(1),
        });
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let mut result = json!({
            "ruleId": d.code,
            "ruleIndex": rule_index[d.code],
            "level": level(d.severity),
            "message": { "text": message },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": display_path(&d.file) },
                    "region": region,
                }
            }],
        });
        if let Some(fix) = &d.fix {
            result["properties"] = json!({ "fixApplicability": fix.applicability });
            result["fixes"] = json!([{
                "description": { "text": fix.title },
                "artifactChanges": [{
                    "artifactLocation": { "uri": display_path(&d.file) },
                    "replacements": fix.edits.iter().map(|e| json!({
                        "deletedRegion": { "byteOffset": e.start, "byteLength": e.end - e.start },
                        "insertedContent": { "text": e.content },
                    })).collect::<Vec<_>>(),
                }],
            }]);
        }
        results.push(result);
    }
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": display_path(&e.path) } } }],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "careen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/careen-dev/careen",
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
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
    fn sarif_snapshot() {
        insta::assert_snapshot!(render_to_string(LintFormat::Sarif));
    }
}
