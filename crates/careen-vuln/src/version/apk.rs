//! apk-tools version ordering (Alpine, Wolfi):
//! `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`.
//!
//! Compared in order: numeric components (a component after the first with a leading
//! zero compares as text, as apk does), the optional letter (none < any), the suffixes
//! (`_alpha < _beta < _pre < _rc < none < _cvs < _svn < _git < _hg < _p`), and the
//! `-r` revision. Text left over after the revision makes a version older than the
//! same version without it. A string with text that is none of these parts is
//! invalid; two invalid strings compare as plain text (osv-scanner's behaviour,
//! which the conformance fixtures pin down).

use std::cmp::Ordering;

use super::cmp_digits;

/// Suffix names in the order the parser tries them (`pre` before `p`).
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];

/// Sort weight of a suffix: alpha 0, beta 1, pre 2, rc 3, (none 4), cvs 5, svn 6, git 7, hg 8, p 9.
fn suffix_weight(name: &str) -> u8 {
    match name {
        "alpha" => 0,
        "beta" => 1,
        "pre" => 2,
        "rc" => 3,
        "cvs" => 5,
        "svn" => 6,
        "git" => 7,
        "hg" => 8,
        _ => 9,
    }
}

/// Weight used for a missing suffix when the other version has more suffixes.
/// (osv-scanner pads with the weight of `_cvs`, number 0; the fixtures rely on it.)
const PADDING_SUFFIX_WEIGHT: u8 = 5;

struct ApkVersion<'a> {
    original: &'a str,
    invalid: bool,
    components: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(u8, &'a str)>,
    revision: &'a str,
    remainder: &'a str,
}

fn digits_prefix(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

fn parse(original: &str) -> ApkVersion<'_> {
    let mut rest = original;
    // numbers: digits, then repeatedly `.digits`.
    let mut components = Vec::new();
    let n = digits_prefix(rest);
    if n > 0 {
        components.push(&rest[..n]);
        rest = &rest[n..];
        while let Some(after_dot) = rest.strip_prefix('.') {
            let n = digits_prefix(after_dot);
            if n == 0 {
                break;
            }
            components.push(&after_dot[..n]);
            rest = &after_dot[n..];
        }
    }
    // letter
    let mut letter = None;
    if let Some(&c) = rest.as_bytes().first() {
        if c.is_ascii_lowercase() {
            letter = Some(c);
            rest = &rest[1..];
        }
    }
    // suffixes: every `_name{digits}` anywhere in the rest is counted (as osv-scanner's
    // unanchored search does), but only a run of them at the start is consumed.
    let mut suffixes = Vec::new();
    let mut pos = 0;
    let mut consuming = true;
    while let Some(offset) = rest[pos..].find('_') {
        let start = pos + offset;
        let after = &rest[start + 1..];
        match SUFFIXES.iter().find(|name| after.starts_with(**name)) {
            Some(name) => {
                let digits_start = start + 1 + name.len();
                let n = digits_prefix(&rest[digits_start..]);
                let end = digits_start + n;
                suffixes.push((suffix_weight(name), &rest[digits_start..end]));
                if consuming && start == 0 {
                    rest = &rest[end..];
                    pos = 0;
                } else {
                    consuming = false;
                    pos = end;
                }
            }
            None => {
                consuming = false;
                pos = start + 1;
            }
        }
    }
    // hash
    if let Some(after) = rest.strip_prefix('~') {
        let n = after
            .bytes()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count();
        if n > 0 {
            rest = &after[n..];
        }
    }
    // revision
    let mut invalid = false;
    let mut revision = "0";
    if !rest.is_empty() {
        match rest.strip_prefix("-r") {
            Some(after) => {
                let n = digits_prefix(after);
                revision = &after[..n];
                rest = &after[n..];
            }
            None => invalid = true,
        }
    }
    ApkVersion {
        original,
        invalid,
        components,
        letter,
        suffixes,
        revision,
        remainder: rest,
    }
}

fn compare_component(a: Option<&str>, b: Option<&str>, index: usize) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if index != 0 && (a.starts_with('0') || b.starts_with('0')) => a.cmp(b),
        (a, b) => cmp_digits(a.unwrap_or("0"), b.unwrap_or("0")),
    }
}

/// Compares two Alpine package versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    if a.invalid && b.invalid {
        return a.original.cmp(b.original);
    }
    for i in 0..a.components.len().max(b.components.len()) {
        let order = compare_component(
            a.components.get(i).copied(),
            b.components.get(i).copied(),
            i,
        );
        if order != Ordering::Equal {
            return order;
        }
    }
    let order = a.letter.cmp(&b.letter);
    if order != Ordering::Equal {
        return order;
    }
    for i in 0..a.suffixes.len().max(b.suffixes.len()) {
        let pad = (PADDING_SUFFIX_WEIGHT, "0");
        let (aw, an) = a.suffixes.get(i).copied().unwrap_or(pad);
        let (bw, bn) = b.suffixes.get(i).copied().unwrap_or(pad);
        let order = aw.cmp(&bw).then_with(|| cmp_digits(an, bn));
        if order != Ordering::Equal {
            return order;
        }
    }
    let order = cmp_digits(a.revision, b.revision);
    if order != Ordering::Equal {
        return order;
    }
    match (a.remainder.is_empty(), b.remainder.is_empty()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_and_numbers() {
        assert_eq!(compare("1.2.3-r1", "1.2.3-r10"), Ordering::Less);
        assert_eq!(compare("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare("1-r1", "1-r01"), Ordering::Equal);
    }

    #[test]
    fn suffix_order() {
        let ordered = [
            "1.2_alpha",
            "1.2_beta2",
            "1.2_pre1",
            "1.2_rc1",
            "1.2",
            "1.2_p1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn letters_after_numbers() {
        assert_eq!(compare("1.2.3b", "1.2.3"), Ordering::Greater);
        assert_eq!(compare("1.2.3b", "1.2.4"), Ordering::Less);
        assert_eq!(compare("6.6.2p1", "6.6.2_p1"), Ordering::Greater);
    }

    #[test]
    fn leading_zero_components_compare_as_text() {
        assert_eq!(compare("1.02", "1.1"), Ordering::Less);
    }

    #[test]
    fn invalid_versions_fall_back_to_text() {
        assert_eq!(compare("0..8", "0...8"), Ordering::Greater);
        assert_eq!(compare("1.2", "1.2_blah"), Ordering::Greater);
    }
}
