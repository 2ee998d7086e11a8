//! RPM version ordering (`rpmvercmp`), for `[epoch:]version[-release]`.
//!
//! Each part is compared by runs: separators (anything but ASCII letters, digits, `~`
//! and `^`) are skipped; `~` sorts before anything, even the end of the string; `^`
//! sorts after the end of the string but before anything else; digit runs compare
//! numerically and beat letter runs; letter runs compare as text. An epoch that is not
//! all digits is not an epoch (then the colon is part of the version).

use std::cmp::Ordering;

use super::is_digits;

struct RpmVersion<'a> {
    epoch: &'a str,
    version: &'a str,
    /// Includes its leading `-` when present, so `1` < `1-`.
    release: &'a str,
}

fn parse(s: &str) -> RpmVersion<'_> {
    let (epoch, rest) = match s.split_once(':') {
        Some((epoch, rest)) if epoch.is_empty() || is_digits(epoch) => (epoch, rest),
        _ => ("", s),
    };
    let (version, release) = match rest.find('-') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    RpmVersion {
        epoch: if epoch.is_empty() { "0" } else { epoch },
        version,
        release,
    }
}

/// Compares two RPM versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    rpmvercmp(a.epoch, b.epoch)
        .then_with(|| rpmvercmp(a.version, b.version))
        .then_with(|| rpmvercmp(a.release, b.release))
}

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// The `rpmvercmp` algorithm on one part.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && is_separator(a[i]) {
            i += 1;
        }
        while j < b.len() && is_separator(b[j]) {
            j += 1;
        }
        let (a_tilde, b_tilde) = (a.get(i) == Some(&b'~'), b.get(j) == Some(&b'~'));
        if a_tilde && b_tilde {
            i += 1;
            j += 1;
            continue;
        }
        if a_tilde {
            return Ordering::Less;
        }
        if b_tilde {
            return Ordering::Greater;
        }
        let (a_caret, b_caret) = (a.get(i) == Some(&b'^'), b.get(j) == Some(&b'^'));
        if a_caret && b_caret {
            i += 1;
            j += 1;
            continue;
        }
        if a_caret {
            return if j == b.len() {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if b_caret {
            return if i == a.len() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if i == a.len() || j == b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let in_run = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let a_len = a[i..].iter().take_while(|c| in_run(c)).count();
        let b_len = b[j..].iter().take_while(|c| in_run(c)).count();
        let a_run = &a[i..i + a_len];
        let b_run = &b[j..j + b_len];
        i += a_len;
        j += b_len;
        if b_run.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let order = if numeric {
            let a_run = trim_zeros(a_run);
            let b_run = trim_zeros(b_run);
            a_run.len().cmp(&b_run.len()).then_with(|| a_run.cmp(b_run))
        } else {
            a_run.cmp(b_run)
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_and_caret() {
        assert_eq!(compare("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(compare("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(compare("1.0^git1~pre", "1.0^git1"), Ordering::Less);
    }

    #[test]
    fn epochs_and_releases() {
        assert_eq!(compare("1:1.0-1", "2.0-1"), Ordering::Greater);
        assert_eq!(
            compare("0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b"),
            Ordering::Less
        );
        assert_eq!(compare("1", "1-"), Ordering::Less);
    }

    #[test]
    fn digits_beat_letters() {
        assert_eq!(compare("2.0.1a", "2.0.1"), Ordering::Greater);
        assert_eq!(compare("xyz.4", "8"), Ordering::Less);
        assert_eq!(compare("10.0001", "10.1"), Ordering::Equal);
    }

    #[test]
    fn non_ascii_is_a_separator() {
        assert_eq!(compare("1.1.α", "1.1.β"), Ordering::Equal);
        assert_eq!(compare("1.1.α", "1.1.a"), Ordering::Less);
    }
}
