//! Qualitative severity: from a CVSS score, from database-specific labels, and the
//! `--fail-on` threshold check.

use std::fmt;
use std::str::FromStr;

/// Severity of a match. Ordered: `Unknown < None < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// No CVSS vector and no label the database gave.
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// CVSS v3/v4 qualitative rating bands.
    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    /// A database's own severity word: GitHub (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`),
    /// Debian urgency (`unimportant`, `low`, `medium`, `high`, `not yet assigned`),
    /// Ubuntu priority (`negligible`, ..., `critical`). `None` when not recognised.
    pub fn from_label(label: &str) -> Option<Severity> {
        let label = label.trim().to_ascii_lowercase();
        let label = label.trim_end_matches('*').trim();
        Some(match label {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "moderate" | "medium" => Severity::Medium,
            "low" | "unimportant" | "negligible" => Severity::Low,
            "none" => Severity::None,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::None => "NONE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--fail-on` value that is not a severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected one of: unknown, none, low, medium, high, critical)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "unknown" => Ok(Severity::Unknown),
            "none" => Ok(Severity::None),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// True when any severity is at or above `threshold` (`--fail-on`).
pub fn any_at_or_above<I>(severities: I, threshold: Severity) -> bool
where
    I: IntoIterator<Item = Severity>,
{
    severities.into_iter().any(|s| s >= threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands() {
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(3.9), Severity::Low);
        assert_eq!(Severity::from_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(8.9), Severity::High);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
    }

    #[test]
    fn labels() {
        assert_eq!(Severity::from_label("MODERATE"), Some(Severity::Medium));
        assert_eq!(Severity::from_label("unimportant"), Some(Severity::Low));
        assert_eq!(Severity::from_label("not yet assigned"), None);
    }

    #[test]
    fn fail_on_threshold() {
        let found = [Severity::Low, Severity::High];
        assert!(any_at_or_above(found, Severity::High));
        assert!(any_at_or_above(found, Severity::Medium));
        assert!(!any_at_or_above(found, Severity::Critical));
        assert!(!any_at_or_above([], Severity::Unknown));
        assert_eq!("High".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }
}
