//! The SARIF output validates against the official SARIF 2.1.0 JSON schema.
//! The schema is test data fetched by `scripts/fetch-test-data.sh` (from the
//! npm package `@microsoft/jest-sarif`, which ships the OASIS schema).

use careen_dockerfile::{Pos, Span};
use careen_lint::{Diagnostic, Edit, Fix, Severity};
use careen_report::lint::{render, FileError, FileReport, LintFormat, LintReport, TextOptions};
use std::path::Path;

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/sarif-schema-2.1.0.json")
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let path = schema_path();
    let schema_text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "SARIF schema missing at {}: {e}; run `bash scripts/fetch-test-data.sh` first",
            path.display()
        )
    });
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let span = |line: u32, column: u32, offset: usize| Span {
        start: Pos {
            line,
            column,
            offset,
        },
        end: Pos {
            line,
            column: column + 4,
            offset: offset + 4,
        },
    };
    let report = LintReport {
        files: vec![FileReport {
            path: "Dockerfile".into(),
            source: "FROM x\nRUN apt-get install y\n".into(),
            diagnostics: vec![
                Diagnostic {
                    code: "DL3015",
                    severity: Severity::Info,
                    message: "m".into(),
                    file: "Dockerfile".into(),
                    span: span(2, 5, 11),
                    help: Some("h".into()),
                    fix: Some(Fix::safe(
                        "t",
                        vec![Edit::insert(22, " --no-install-recommends")],
                    )),
                },
                Diagnostic {
                    code: "CR9999",
                    severity: Severity::Error,
                    message: "unknown rule code still renders".into(),
                    file: "Dockerfile".into(),
                    span: span(1, 1, 0),
                    help: None,
                    fix: None,
                },
            ],
        }],
        errors: vec![FileError {
            path: "bad/Dockerfile".into(),
            message: "parse error".into(),
        }],
    };
    let mut out = Vec::new();
    render(LintFormat::Sarif, &report, TextOptions::default(), &mut out).unwrap();
    let instance: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output invalid:\n{}",
        errors.join("\n")
    );

    // And the validator does reject a broken document (the test can fail).
    let mut broken = instance.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("loud");
    assert!(!validator.is_valid(&broken));
}
