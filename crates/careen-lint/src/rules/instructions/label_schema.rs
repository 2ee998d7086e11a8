//! Shared by the label-schema rules (DL3049–DL3058): the labels an
//! instruction sets, and value checks that accept what hadolint accepts.

use crate::context::Context;
use careen_dockerfile::expand::unquote;
use careen_dockerfile::{InstructionKind, Span};
use regex::Regex;
use std::sync::LazyLock;

/// One label set by a `LABEL`, key and value unquoted.
pub(crate) struct LabelEntry {
    pub instruction: usize,
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
}

/// Every label of every top-level `LABEL` (not `ONBUILD LABEL`), in order.
pub(crate) fn labels(ctx: &Context<'_>) -> Vec<LabelEntry> {
    let escape = ctx.dockerfile.escape;
    let mut out = Vec::new();
    for (index, instruction) in ctx.instructions().iter().enumerate() {
        let InstructionKind::Label(pairs) = &instruction.kind else {
            continue;
        };
        for pair in pairs {
            out.push(LabelEntry {
                instruction: index,
                key: unquote(&pair.key.value, escape),
                value: unquote(&pair.value.value, escape),
                key_span: pair.key.span,
                value_span: if pair.value.value.is_empty() {
                    pair.key.span
                } else {
                    pair.value.span
                },
            });
        }
    }
    out
}

/// An absolute URI as RFC 3986 spells it: a scheme, `:`, then only URI
/// characters, with at most one `#`. Hand-written rather than the `url`
/// crate: that one follows the WHATWG URL standard, which quietly
/// percent-encodes spaces and non-ASCII text (hadolint rejects them) and
/// rejects URIs such as `http://` that RFC 3986 allows.
pub(crate) fn is_url(value: &str) -> bool {
    static URI: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"^[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~%!$&'()*+,;=:@/?\[\]]*(#[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*)?$",
        )
        .ok()
    });
    URI.as_ref().is_some_and(|re| re.is_match(value))
}

/// An RFC 3339 timestamp as hadolint reads it: surrounding blanks allowed,
/// `T`/`Z` in either case, a fraction of any length (even empty), a leap
/// second, and offsets with or without `:`. Hand-written: `chrono`/`time`
/// parse strict RFC 3339 and would reject forms hadolint accepts.
pub(crate) fn is_rfc3339(value: &str) -> bool {
    static TIME: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d*)?([Zz]|[+\-](\d{2}):?(\d{2}))$",
        )
        .ok()
    });
    let Some(caps) = TIME.as_ref().and_then(|re| re.captures(value.trim())) else {
        return false;
    };
    let number = |i: usize| {
        caps.get(i)
            .and_then(|m| m.as_str().parse::<u32>().ok())
            .unwrap_or(0)
    };
    let (year, month, day) = (number(1), number(2), number(3));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&day)
        && number(4) < 24
        && number(5) < 60
        && number(6) <= 60
        && number(9) < 24
        && number(10) < 60
}

/// A current (not deprecated) SPDX license identifier, exactly as listed;
/// not an expression. Trailing blanks are allowed, as in hadolint.
pub(crate) fn is_spdx(value: &str) -> bool {
    let value = value.trim_end();
    // `spdx::license_id` drops a trailing `+` and knows the special values;
    // hadolint accepts neither.
    if value.contains('+') || value == "NOASSERTION" || value == "NONE" {
        return false;
    }
    spdx::license_id(value).is_some_and(|id| !id.is_deprecated())
}

/// A full (40) or short (7) lowercase hexadecimal git commit hash.
pub(crate) fn is_git_hash(value: &str) -> bool {
    (value.len() == 40 || value.len() == 7)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// A semantic version as hadolint's parser reads it: `MAJOR.MINOR.PATCH`
/// with optional `-pre` and `+build` parts of dot-separated identifiers.
/// Hand-written rather than the `semver` crate: hadolint accepts leading
/// zeros, empty pre-release/build parts and a trailing dot, which `semver`
/// rejects.
pub(crate) fn is_semver(value: &str) -> bool {
    static SEMVER: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^\d+\.\d+\.\d+(-([0-9A-Za-z\-]+\.?)*)?(\+([0-9A-Za-z\-]+\.?)*)?$").ok()
    });
    SEMVER.as_ref().is_some_and(|re| re.is_match(value))
}

/// An RFC 5322 address (`local@domain`), surrounding blanks allowed: the local
/// part a dot-atom or a quoted string, the domain a dot-separated host name
/// (labels of letters, digits and inner `-`, trailing dot allowed) or a
/// `[…]` literal. Hand-written: the address crates on crates.io accept or
/// reject different edge cases than hadolint's validator.
pub(crate) fn is_email(value: &str) -> bool {
    static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
        let atext = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+";
        let local = format!(r#"(?:{atext}(?:\.{atext})*|"(?:[^"\\]|\\.)*")"#);
        let label = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?";
        let domain = format!(r"(?:{label}(?:\.{label})*\.?|\[[^\[\]\\]*\])");
        Regex::new(&format!("^{local}@{domain}$")).ok()
    });
    EMAIL.as_ref().is_some_and(|re| re.is_match(value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "http://x.org/a",
            "http://",
            "http:",
            "mailto:a@b.c",
            "x:y",
            "http://[::1]/",
            "git+ssh://x",
            "http://x:99999/",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in [
            "/path",
            "//host/x",
            "http://a b",
            "http://x/é",
            "1http://x",
            "http://x/<a>",
            "http://x/a|b",
            "http://x#a#b",
            "x",
            "",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn times() {
        for ok in [
            "2020-01-01T00:00:00Z",
            "2020-01-01t00:00:00z",
            "2020-01-01T00:00:00+0100",
            "2020-01-01T00:00:00.123+01:00",
            "2020-01-01T00:00:60Z",
            "2020-01-01T00:00:00.Z",
            " 2020-01-01T00:00:00Z ",
            "2024-02-29T00:00:00Z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2020-01-01",
            "2020-01-01 00:00:00Z",
            "2020-01-01T00:00:00",
            "2020-01-01T25:00:00Z",
            "2020-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2020-01-01T00:00:00,5Z",
            "2020-01-01T0:00:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn licenses() {
        for ok in ["MIT", "Apache-2.0", "GPL-2.0-only", "0BSD", "Apache-2.0 "] {
            assert!(is_spdx(ok), "{ok}");
        }
        for bad in [
            "mit",
            "MIT OR Apache-2.0",
            "GPL-2.0",
            "GPL-2.0+",
            "MIT+",
            "NOASSERTION",
            "NONE",
            "LicenseRef-x",
            " MIT",
            "",
        ] {
            assert!(!is_spdx(bad), "{bad}");
        }
    }

    #[test]
    fn hashes() {
        assert!(is_git_hash("abcdef0"));
        assert!(is_git_hash(&"a".repeat(40)));
        assert!(!is_git_hash("ABCDEF0"));
        assert!(!is_git_hash("abcdef"));
        assert!(!is_git_hash("abcdef0 "));
        assert!(!is_git_hash(""));
    }

    #[test]
    fn semvers() {
        for ok in [
            "1.0.0",
            "1.0.0-alpha.1+b",
            "01.0.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0+",
            "1.0.0-a.",
            "1.0.0-+b",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in [
            "1.0",
            "v1.0.0",
            " 1.0.0",
            "1.0.0 ",
            "1.0.0-a..b",
            "1.0.0-a_b",
            "1.0.0+b..c",
            "1.0.0-ä",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.c",
            "a@b",
            "a.b@c",
            "\"a b\"@c.d",
            "a@[1.2.3.4]",
            "a@b.",
            "A@B.C",
            "a+b@c.d",
            " a@b.c",
            "a@b.c.d-e",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "a b@c.d", "a..b@c.d", "a@-b.c", "a@b_c.d", "a@b-.c", "a@.b", "a.@b", ".a@b", "a@b..c",
            "<a@b.c>", "",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
