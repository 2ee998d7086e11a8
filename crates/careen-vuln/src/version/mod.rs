//! Version ordering, one module per scheme.
//!
//! Every scheme compares two version strings and never fails: a string that does not
//! follow the scheme still gets a deterministic place in the order (each module says
//! where). The behaviour follows the OSV ecosystem definitions and is checked line by
//! line against osv-scanner's fixtures in `shared/conformance/osv-versions`
//! (`tests/conformance.rs`).

use std::cmp::Ordering;

pub mod apk;
pub mod deb;
pub mod go;
pub mod maven;
pub mod pep440;
pub mod rpm;
pub mod semver;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// dpkg (Debian, Ubuntu).
    Deb,
    /// apk-tools (Alpine, Wolfi, Chainguard).
    Apk,
    /// rpmvercmp (Red Hat, Rocky, AlmaLinux, SUSE, ...).
    Rpm,
    /// PEP 440 (PyPI).
    Pep440,
    /// Semantic Versioning 2.0 (npm, crates.io, Hex, OSV `SEMVER` ranges).
    Semver,
    /// Go modules (semver with a `v` prefix and pseudo-versions).
    Go,
    /// Maven's ComparableVersion.
    Maven,
}

impl Scheme {
    /// Compares two versions in this scheme.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::Deb => deb::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Semver => semver::compare(a, b),
            Scheme::Go => go::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
        }
    }
}

/// Compares two strings of ASCII digits by numeric value, without a size limit
/// (leading zeros ignored; an empty string is zero). Versions in the wild carry
/// numbers far beyond `u64` (dates, build ids), so no integer parse is involved.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// True for a non-empty string made only of ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_by_value_not_text() {
        assert_eq!(cmp_digits("10", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(
            cmp_digits(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn scheme_dispatches() {
        assert_eq!(Scheme::Deb.compare("1:1.0", "2.0"), Ordering::Greater);
        assert_eq!(
            Scheme::Semver.compare("1.0.0", "1.0.0-rc.1"),
            Ordering::Greater
        );
    }
}
