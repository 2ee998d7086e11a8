//! PEP 440 version ordering (PyPI), plus PyPI project-name normalisation.
//!
//! `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]` with the spellings PEP 440 normalises
//! (`alpha`, `c`, `pre`, `preview`, `rev`, `r`, implicit post `1.0-1`, `_`/`-`/`.`
//! separators, case, a leading `v`). Ordering: epoch, release (zero padded), then
//! dev-only releases before pre-releases, pre-releases before the release, post after,
//! dev before its pre/post, then the local label (numbers above text, longer above a
//! prefix). Strings that are not PEP 440 ("legacy" versions) sort below every PEP 440
//! version and compare among themselves by setuptools' old `parse_version` keys.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

use super::{cmp_digits, is_digits};

/// PEP 440's canonical pattern (Appendix B), matched case-insensitively on the lowercased string.
static PEP440: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*v?(?:(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)",
        r"(?P<pre>[-_.]?(?P<pre_l>alpha|beta|preview|pre|a|b|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?",
        r"(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?",
        r"(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?)",
        r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$"
    ))
    .ok()
});

static LEGACY_PART: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\d+|[a-z]+|\.|-").ok());

/// Normalises a PyPI project name (PEP 503): runs of `-`, `_`, `.` become `-`, lowercase.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq, Clone, Copy, PartialOrd, Ord)]
enum PreKind {
    Alpha,
    Beta,
    Rc,
}

#[derive(Debug)]
struct Pep440 {
    epoch: String,
    release: Vec<String>,
    pre: Option<(PreKind, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Vec<String>,
}

#[derive(Debug)]
enum Parsed {
    Pep440(Pep440),
    Legacy(String),
}

fn parse(version: &str) -> Parsed {
    let lower = version.to_lowercase();
    let Some(caps) = PEP440.as_ref().and_then(|re| re.captures(&lower)) else {
        return Parsed::Legacy(legacy_key(&lower));
    };
    let text = |name: &str| caps.name(name).map(|m| m.as_str().to_string());
    let number = |name: &str| text(name).unwrap_or_else(|| "0".to_string());
    let pre = caps.name("pre_l").map(|label| {
        let kind = match label.as_str() {
            "a" | "alpha" => PreKind::Alpha,
            "b" | "beta" => PreKind::Beta,
            _ => PreKind::Rc,
        };
        (kind, number("pre_n"))
    });
    let post = text("post_n1").or_else(|| {
        caps.name("post_l")
            .map(|_| text("post_n2").unwrap_or_else(|| "0".to_string()))
    });
    let dev = caps.name("dev_l").map(|_| number("dev_n"));
    let local = caps
        .name("local")
        .map(|m| {
            m.as_str()
                .split(['.', '_', '-'])
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Parsed::Pep440(Pep440 {
        epoch: number("epoch"),
        release: text("release")
            .unwrap_or_default()
            .split('.')
            .map(str::to_string)
            .collect(),
        pre,
        post,
        dev,
        local,
    })
}

/// The sort key setuptools' legacy `parse_version` gave a non-PEP 440 string.
fn legacy_key(lower: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let Some(re) = LEGACY_PART.as_ref() else {
        return lower.to_string();
    };
    let found = re.find_iter(lower).map(|m| m.as_str()).chain(["final"]);
    for part in found {
        if part == "." {
            continue;
        }
        let part = match part {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        let part = if part.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{part:0>8}")
        } else {
            format!("*{part}")
        };
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts.concat()
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let order = cmp_digits(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Pre-release key: a dev-only release sorts before any pre-release; no pre-release after all.
fn pre_key(v: &Pep440) -> (u8, Option<(PreKind, &str)>) {
    if v.pre.is_none() && v.post.is_none() && v.dev.is_some() {
        return (0, None);
    }
    match &v.pre {
        Some((kind, n)) => (1, Some((*kind, n.as_str()))),
        None => (2, None),
    }
}

fn cmp_pre(a: &Pep440, b: &Pep440) -> Ordering {
    let (ka, pa) = pre_key(a);
    let (kb, pb) = pre_key(b);
    ka.cmp(&kb).then_with(|| match (pa, pb) {
        (Some((x, n)), Some((y, m))) => x.cmp(&y).then_with(|| cmp_digits(n, m)),
        _ => Ordering::Equal,
    })
}

fn cmp_local(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => x.cmp(y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_pep440(a: &Pep440, b: &Pep440) -> Ordering {
    cmp_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| cmp_pre(a, b))
        .then_with(|| match (&a.post, &b.post) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => cmp_digits(x, y),
        })
        .then_with(|| match (&a.dev, &b.dev) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => cmp_digits(x, y),
        })
        .then_with(|| cmp_local(&a.local, &b.local))
}

/// Compares two PyPI versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Parsed::Pep440(a), Parsed::Pep440(b)) => cmp_pep440(&a, &b),
        (Parsed::Legacy(_), Parsed::Pep440(_)) => Ordering::Less,
        (Parsed::Pep440(_), Parsed::Legacy(_)) => Ordering::Greater,
        (Parsed::Legacy(a), Parsed::Legacy(b)) => a.cmp(&b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_of_release_kinds() {
        let ordered = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0b2",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn normalised_spellings_are_equal() {
        assert_eq!(compare("1.0ALPHA1", "1.0a1"), Ordering::Equal);
        assert_eq!(compare("v1.0-1", "1.0.post1"), Ordering::Equal);
        assert_eq!(compare("1.0.0", "1"), Ordering::Equal);
        assert_eq!(compare("1.0c1", "1.0rc1"), Ordering::Equal);
    }

    #[test]
    fn epochs() {
        assert_eq!(compare("1!0.1", "2024.1"), Ordering::Greater);
    }

    #[test]
    fn legacy_versions_sort_below_pep440() {
        assert_eq!(compare("0.9-doduo", "0.1"), Ordering::Less);
        assert_eq!(compare("0.1-bulbasaur", "0.1-charmander"), Ordering::Less);
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("Foo.Bar__baz-"), "foo-bar-baz-");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("PyYAML"), "pyyaml");
    }
}
