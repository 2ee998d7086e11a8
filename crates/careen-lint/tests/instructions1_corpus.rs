//! Agreement with hadolint on the shared corpus for the hadolint-coded
//! `instructions` rules (part 1). Ignored by default: it needs the corpus
//! at /work/shared/corpus/dockerfiles. Writes `code<TAB>file<TAB>line` rows
//! to `$CAREEN_CORPUS_TSV` (default /tmp/instructions1_careen.tsv) for
//! comparison with hadolint's JSON output. `$CAREEN_CORPUS_DIR` lints
//! another folder of Dockerfiles.
//!
//! Run: `cargo test -p careen-lint --test instructions1_corpus -- --ignored`

use careen_lint::{lint_source, Settings};
use std::fmt::Write as _;
use std::path::Path;

const CODES: &[&str] = &[
    "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3010", "DL3011",
    "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3029", "DL3046", "DL3047",
    "DL4001", "DL4005", "DL4006",
];

#[test]
#[ignore = "needs the shared corpus"]
fn lint_corpus() {
    let dir = std::env::var("CAREEN_CORPUS_DIR")
        .unwrap_or_else(|_| "/work/shared/corpus/dockerfiles".to_string());
    let dir = Path::new(&dir);
    let mut settings = Settings::default();
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
        .unwrap_or_else(|_| "/tmp/instructions1_careen.tsv".to_string());
    std::fs::write(&out, tsv).expect("write TSV");
    eprintln!("wrote {out}; {failed} files did not parse");
}
