//! Semantic Versioning 2.0 ordering (npm, crates.io, Hex, OSV `SEMVER` ranges), lenient
//! the way OSV tooling is: a leading `v` is ignored, missing components are zero, numbers
//! have no size limit, and components after the third count as part of the pre-release
//! text. Build metadata (`+...`) is ignored; a pre-release sorts before its release;
//! pre-release identifiers compare numerically when both are numeric, numeric before
//! text, text by ASCII, and more identifiers after fewer.

use std::cmp::Ordering;

use super::{cmp_digits, is_digits};

struct Semver<'a> {
    components: Vec<&'a str>,
    /// Everything from the first character that is not a digit or a dot, plus any
    /// components past the third (each written as `.N`).
    rest: String,
}

fn parse(version: &str) -> Semver<'_> {
    let s = version.strip_prefix('v').unwrap_or(version);
    let mut components = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut tail = "";
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() {
            i += 1;
            continue;
        }
        if i > start {
            components.push(&s[start..i]);
        }
        if c == b'.' {
            i += 1;
            start = i;
            continue;
        }
        tail = &s[i..];
        start = bytes.len();
        break;
    }
    if tail.is_empty() && start < bytes.len() {
        components.push(&s[start..]);
    }
    let mut rest = String::new();
    if components.len() > 3 {
        for extra in &components[3..] {
            rest.push('.');
            let trimmed = extra.trim_start_matches('0');
            rest.push_str(if trimmed.is_empty() { "0" } else { trimmed });
        }
        components.truncate(3);
    }
    rest.push_str(tail);
    Semver { components, rest }
}

fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    let a = a.split('+').next().unwrap_or("");
    let b = b.split('+').next().unwrap_or("");
    let a = a.strip_prefix('-').unwrap_or(a);
    let b = b.strip_prefix('-').unwrap_or(b);
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (xs, ys): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in xs.iter().zip(&ys) {
        let order = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => x.cmp(y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    xs.len().cmp(&ys.len())
}

/// Compares two semantic versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    for i in 0..a.components.len().max(b.components.len()) {
        let x = a.components.get(i).copied().unwrap_or("0");
        let y = b.components.get(i).copied().unwrap_or("0");
        let order = cmp_digits(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    cmp_prerelease(&a.rest, &b.rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_precedence_example() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(compare("1.2.3+a", "1.2.3+b"), Ordering::Equal);
        assert_eq!(compare("1.2.3-rc.1+a", "1.2.3-rc.1"), Ordering::Equal);
    }

    #[test]
    fn leading_v_and_missing_parts() {
        assert_eq!(compare("v1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(compare("1.2.3.4", "1.2.3.10"), Ordering::Less);
    }
}
