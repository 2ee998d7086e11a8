#![no_main]
//! Any text as a Dockerfile: every rule, with default settings and no build
//! context, must run without panicking or hanging, and so must rendering
//! the findings; applying every fix
//! (unsafe ones too) to a file that parses must give a file that still
//! parses, no fix may be rolled back as broken, and fixing must settle.

use careen_lint::{apply_fixes, lint_source, Settings};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static SETTINGS: LazyLock<Settings> = LazyLock::new(Settings::default);

fuzz_target!(|data: &[u8]| {
    let Ok(src) = careen_lint::linter::decode(data) else {
        return;
    };
    let path = Path::new("Dockerfile");
    let Ok(diagnostics) = lint_source(path, &src, &SETTINGS, None) else {
        return;
    };
    for d in &diagnostics {
        assert!(d.span.start.offset <= d.span.end.offset, "{d:?}");
        assert!(src.get(d.span.range()).is_some(), "{d:?}");
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert!(
                    e.start <= e.end && src.get(e.start..e.end).is_some(),
                    "{d:?}"
                );
            }
        }
    }
    // The text renderer draws code frames from the spans: it must not panic.
    let report = careen_report::lint::LintReport {
        files: vec![careen_report::lint::FileReport {
            path: path.to_path_buf(),
            source: src.clone(),
            diagnostics,
        }],
        errors: Vec::new(),
    };
    let options = careen_report::lint::TextOptions {
        color: true,
        unsafe_fixes: true,
    };
    for format in [
        careen_report::lint::LintFormat::Text,
        careen_report::lint::LintFormat::Sarif,
    ] {
        careen_report::lint::render(format, &report, options, &mut std::io::sink())
            .expect("sink never fails");
    }
    let outcome = apply_fixes(path, &src, &SETTINGS, None, true).expect("input parsed");
    assert!(
        outcome.broken.is_empty(),
        "fix broke the file: {:?}",
        outcome.broken
    );
    assert!(
        careen_dockerfile::parse(&outcome.source).is_ok(),
        "fixed text does not parse:\n{}",
        outcome.source
    );
});
