//! dpkg version ordering (`deb-version(7)`): `[epoch:]upstream[-revision]`.
//!
//! Upstream and revision are compared by alternating runs: a run of non-digits
//! compared character by character (`~` before the end of the string, which is before
//! letters, which are before every other character), then a run of digits compared
//! numerically. A missing revision compares like `0`. A non-numeric epoch is not an
//! epoch: the whole string is then the upstream part.

use std::cmp::Ordering;

use super::{cmp_digits, is_digits};

struct DebVersion<'a> {
    epoch: &'a str,
    upstream: &'a str,
    revision: &'a str,
}

fn parse(version: &str) -> DebVersion<'_> {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) if is_digits(epoch) => (epoch, rest),
        _ => ("0", version),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((upstream, revision)) => (upstream, revision),
        None => (rest, "0"),
    };
    DebVersion {
        epoch,
        upstream,
        revision,
    }
}

/// Compares two Debian versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| compare_part(a.upstream, b.upstream))
        .then_with(|| compare_part(a.revision, b.revision))
}

/// The sort weight of one character of a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> u32 {
    match c {
        Some(b'~') => 0,
        None => 1,
        Some(c) if c.is_ascii_alphabetic() => 2 + u32::from(c),
        Some(c) => 2 + 256 + u32::from(c),
    }
}

fn split_run(s: &str, digits: bool) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|c| c.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at(end)
}

fn compare_part(mut a: &str, mut b: &str) -> Ordering {
    while !a.is_empty() || !b.is_empty() {
        let (a_text, a_rest) = split_run(a, false);
        let (b_text, b_rest) = split_run(b, false);
        let (a_bytes, b_bytes) = (a_text.as_bytes(), b_text.as_bytes());
        for i in 0..a_bytes.len().max(b_bytes.len()) {
            let order = weight(a_bytes.get(i).copied()).cmp(&weight(b_bytes.get(i).copied()));
            if order != Ordering::Equal {
                return order;
            }
        }
        let (a_num, a_rest) = split_run(a_rest, true);
        let (b_num, b_rest) = split_run(b_rest, true);
        let order = cmp_digits(a_num, b_num);
        if order != Ordering::Equal {
            return order;
        }
        a = a_rest;
        b = b_rest;
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_win() {
        assert_eq!(compare("1:0.1", "9.9"), Ordering::Greater);
        assert_eq!(compare("0:1.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn tilde_sorts_before_everything() {
        assert_eq!(compare("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(compare("1.2.3-1~deb7u1", "1.2.3-1"), Ordering::Less);
        assert_eq!(compare("1.0~~", "1.0~"), Ordering::Less);
    }

    #[test]
    fn letters_before_other_characters_and_numbers_by_value() {
        assert_eq!(compare("1.0a", "1.0+"), Ordering::Less);
        assert_eq!(compare("1.10", "1.9"), Ordering::Greater);
        assert_eq!(
            compare("2.7.4-13ubuntu1", "2.7.4-13+deb9u1"),
            Ordering::Less
        );
    }

    #[test]
    fn revision_splits_at_last_hyphen() {
        assert_eq!(compare("1.0-beta-2", "1.0-beta-10"), Ordering::Less);
        assert_eq!(compare("0.0.0", "0.0.0-0"), Ordering::Equal);
    }

    #[test]
    fn non_numeric_epoch_is_not_an_epoch() {
        // Never panics; the colon stays part of the upstream version.
        assert_eq!(compare("a:1", "a:1"), Ordering::Equal);
        assert_eq!(compare("a:1", "a:2"), Ordering::Less);
    }
}
