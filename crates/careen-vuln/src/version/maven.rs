//! Maven version ordering (Maven's `ComparableVersion`).
//!
//! The version is split into tokens at `.`, `-` and digit/letter transitions (a
//! transition counts as `-`), each remembering the separator before it. Qualifiers are
//! lowercased; `cr` is `rc`; `ga`, `final` and `release` are empty; `a`, `b`, `m`
//! directly followed by a digit are `alpha`, `beta`, `milestone`. Trailing "null"
//! tokens (`0`, empty) are trimmed before each hyphen. Comparing pads the shorter list
//! with null tokens; tokens with the same separator compare as numbers, numbers after
//! qualifiers, known qualifiers by `alpha < beta < milestone < rc < snapshot < "" < sp`
//! and unknown ones after those, alphabetically; otherwise by separator kind
//! (`.qualifier < -qualifier < -number < .number`).

use std::cmp::Ordering;

use super::{cmp_digits, is_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// `""` (first token), `"."` or `"-"`.
    separator: &'static str,
    value: String,
    is_null: bool,
}

const KEYWORDS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn keyword_rank(value: &str) -> usize {
    KEYWORDS
        .iter()
        .position(|k| *k == value)
        .unwrap_or(KEYWORDS.len())
}

impl Token {
    fn separator_rank(&self) -> u8 {
        match (is_digits(&self.value), self.separator) {
            (true, "-") => 2,
            (true, ".") => 3,
            (false, "-") => 1,
            _ => 0,
        }
    }

    fn is_trimmable(&self) -> bool {
        matches!(self.value.as_str(), "0" | "" | "final" | "ga")
    }

    fn less_than(&self, other: &Token) -> bool {
        if self.separator != other.separator {
            return self.separator_rank() < other.separator_rank();
        }
        let (a_num, b_num) = (is_digits(&self.value), is_digits(&other.value));
        if a_num && b_num {
            return cmp_digits(&self.value, &other.value) == Ordering::Less;
        }
        if a_num && !self.is_null {
            return false;
        }
        if b_num && !other.is_null {
            return true;
        }
        let (a_rank, b_rank) = (keyword_rank(&self.value), keyword_rank(&other.value));
        if a_rank == KEYWORDS.len() && b_rank == KEYWORDS.len() {
            return self.value < other.value;
        }
        a_rank < b_rank
    }

    /// The null token that pads the other version opposite `other`.
    fn null_for(other: &Token) -> Token {
        if other.separator == "." {
            let value = if other.value == "sp" { "" } else { "0" };
            Token {
                separator: ".",
                value: value.to_string(),
                is_null: true,
            }
        } else {
            Token {
                separator: "-",
                value: String::new(),
                is_null: true,
            }
        }
    }
}

fn tokenize(version: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut separator: &'static str = "";
    let mut piece_start = 0;
    let bytes = version.as_bytes();
    let mut pieces: Vec<(&'static str, &str)> = Vec::new();
    for (i, c) in bytes.iter().enumerate() {
        if *c == b'.' || *c == b'-' {
            pieces.push((separator, &version[piece_start..i]));
            separator = if *c == b'.' { "." } else { "-" };
            piece_start = i + 1;
        }
    }
    pieces.push((separator, &version[piece_start..]));

    for (separator, piece) in pieces {
        // split at digit <-> non-digit transitions
        let pb = piece.as_bytes();
        let mut cuts: Vec<usize> = (1..pb.len())
            .filter(|&i| pb[i - 1].is_ascii_digit() != pb[i].is_ascii_digit())
            .collect();
        cuts.push(pb.len());
        let mut start = 0;
        for (j, end) in cuts.iter().copied().enumerate() {
            let sep = if j > 0 { "-" } else { separator };
            let mut value = piece.get(start..end).unwrap_or("").to_lowercase();
            if value.is_empty() {
                value = "0".to_string();
            }
            match value.as_str() {
                "cr" => value = "rc".to_string(),
                "ga" | "final" | "release" => value.clear(),
                _ => {}
            }
            if end != pb.len() {
                match value.as_str() {
                    "a" => value = "alpha".to_string(),
                    "b" => value = "beta".to_string(),
                    "m" => value = "milestone".to_string(),
                    _ => {}
                }
            }
            if is_digits(&value) {
                let trimmed = value.trim_start_matches('0');
                value = if trimmed.is_empty() {
                    "0".to_string()
                } else {
                    trimmed.to_string()
                };
            }
            tokens.push(Token {
                separator: sep,
                value,
                is_null: false,
            });
            start = end;
        }
    }

    // Trim trailing null tokens, then repeat before each remaining hyphen, end to start.
    let mut i = tokens.len().saturating_sub(1) as isize;
    while i > 0 {
        let idx = i as usize;
        if tokens[idx].is_trimmable() {
            tokens.remove(idx);
            i -= 1;
            continue;
        }
        while i >= 0 && tokens[i as usize].separator != "-" {
            i -= 1;
        }
        i -= 1;
    }
    tokens
}

/// Compares two Maven versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (tokenize(a), tokenize(b));
    if a == b {
        return Ordering::Equal;
    }
    for i in 0..a.len().max(b.len()) {
        let left = match (a.get(i), b.get(i)) {
            (Some(t), _) => t.clone(),
            (None, Some(other)) => Token::null_for(other),
            (None, None) => break,
        };
        let right = match (b.get(i), a.get(i)) {
            (Some(t), _) => t.clone(),
            (None, Some(other)) => Token::null_for(other),
            (None, None) => break,
        };
        if left.separator == right.separator && left.value == right.value {
            continue;
        }
        return if left.less_than(&right) {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    Ordering::Greater
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifier_order() {
        let ordered = [
            "1.0-alpha-1",
            "1.0-beta-1",
            "1.0-milestone-1",
            "1.0-rc-1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp",
            "1.0-1",
            "1.0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn null_values_trim() {
        assert_eq!(compare("1", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("1.0-final", "1"), Ordering::Equal);
        assert_eq!(compare("1.0.CR1", "1.0.RC1"), Ordering::Equal);
    }
}
