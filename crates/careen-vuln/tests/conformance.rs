//! Version ordering against osv-scanner's fixtures (`shared/conformance/osv-versions`).
//!
//! Each fixture line is `A OP B` with OP one of `<`, `=`, `>`; lines that are empty or
//! start with `# ` or `// ` are comments. Every line is checked in both directions
//! (`A OP B` and `B flip(OP) A`), as osv-scanner's own test does.
//!
//! Every fixture file present is run: Alpine → apk, Debian → dpkg, PyPI → PEP 440,
//! Red Hat → rpm, semver → npm/crates.io/Go, Maven → Maven. A file without a scheme
//! mapping fails the test, so a new fixture cannot be skipped silently.

use std::cmp::Ordering;
use std::path::PathBuf;

use careen_vuln::version::Scheme;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/osv-versions")
}

fn schemes_for(file: &str) -> Option<Vec<Scheme>> {
    let prefix = file.split("-versions").next()?;
    Some(match prefix {
        "alpine" => vec![Scheme::Apk],
        "debian" => vec![Scheme::Deb],
        "pypi" => vec![Scheme::Pep440],
        "redhat" => vec![Scheme::Rpm],
        // osv-scanner runs this file for npm, crates.io, Go and Hex.
        "semver" => vec![Scheme::Semver, Scheme::Go],
        "maven" => vec![Scheme::Maven],
        _ => return None,
    })
}

#[test]
fn every_fixture_line_orders_as_expected() {
    let dir = fixture_dir();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 9, "fixtures missing in {}", dir.display());

    let mut failures = Vec::new();
    let mut checked = 0usize;
    for file in &entries {
        let schemes = schemes_for(file)
            .unwrap_or_else(|| panic!("no version scheme mapped for fixture {file}"));
        let text =
            std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (number, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            let pieces: Vec<&str> = line.split(' ').collect();
            assert_eq!(
                pieces.len(),
                3,
                "{file}:{}: malformed line {line:?}",
                number + 1
            );
            let expected = match pieces[1] {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                ">" => Ordering::Greater,
                other => panic!("{file}:{}: unknown operator {other}", number + 1),
            };
            for scheme in &schemes {
                checked += 1;
                let forward = scheme.compare(pieces[0], pieces[2]);
                let backward = scheme.compare(pieces[2], pieces[0]);
                if forward != expected || backward != expected.reverse() {
                    failures.push(format!(
                        "{file}:{} [{scheme:?}] {line}: got {forward:?} / reverse {backward:?}",
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 40_000, "only {checked} comparisons ran");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
