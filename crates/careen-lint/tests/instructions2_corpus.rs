//! Agreement with hadolint on the shared corpus for the hadolint-coded
//! `instructions` rules (part 2). Ignored by default: it needs the corpus at
//! /work/shared/corpus/dockerfiles. Writes `code<TAB>file<TAB>line` rows to
//! `$CAREEN_CORPUS_TSV` (default /tmp/instructions2_careen.tsv) for
//! comparison with hadolint's JSON output. The opt-in rules run too; the
//! label-schema ones with the schema below (give hadolint the same one).
//!
//! Run: `cargo test -p careen-lint --test instructions2_corpus -- --ignored`

use careen_lint::{lint_source, Settings};
use std::fmt::Write as _;
use std::path::Path;

const CODES: &[&str] = &[
    "DL1001", "DL3012", "DL3043", "DL3044", "DL3045", "DL3048", "DL3049", "DL3050", "DL3051",
    "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3057", "DL3058", "DL3059", "DL3061",
    "DL3063", "DL3064", "DL3065", "DL3066", "DL3067", "DL4000", "DL4003", "DL4004",
];

/// The schema used for the label rules (same as hadolint's `label-schema`).
const SCHEMA: &str = r#"[lint]
strict-labels = true
[lint.label-schema]
maintainer = "text"
"org.opencontainers.image.source" = "url"
"org.opencontainers.image.url" = "url"
"org.opencontainers.image.created" = "rfc3339"
"org.opencontainers.image.licenses" = "spdx"
"org.opencontainers.image.revision" = "hash"
"org.opencontainers.image.version" = "semver"
"org.opencontainers.image.authors" = "email"
"#;

#[test]
#[ignore = "needs the shared corpus"]
fn lint_corpus() {
    let dir = Path::new("/work/shared/corpus/dockerfiles");
    let mut settings = Settings::default();
    settings.merge_careen_toml(SCHEMA).expect("schema parses");
    settings.select = CODES.iter().map(|c| c.to_string()).collect();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut tsv = String::new();
    let mut failed = 0;
    for path in entries {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        match lint_source(Path::new("Dockerfile"), &source, &settings, None) {
            Ok(diagnostics) => {
                let dockerfile = careen_dockerfile::parse(&source).expect("parsed once already");
                for d in diagnostics {
                    // hadolint reports the first line of the instruction.
                    let line = dockerfile
                        .instructions
                        .iter()
                        .find(|i| {
                            i.span.start.line <= d.span.start.line
                                && d.span.start.line <= i.span.end.line
                        })
                        .map(|i| i.span.start.line)
                        .unwrap_or(d.span.start.line);
                    let _ = writeln!(tsv, "{}\t{}\t{}", d.code, name, line);
                }
            }
            Err(error) => {
                failed += 1;
                eprintln!("{name}: {error}");
            }
        }
    }
    let out = std::env::var("CAREEN_CORPUS_TSV")
        .unwrap_or_else(|_| "/tmp/instructions2_careen.tsv".to_string());
    std::fs::write(&out, tsv).expect("write TSV");
    eprintln!("wrote {out}; {failed} files did not parse");
}
