//! dive's CI gate: the `.dive-ci` file and its three rules, read and
//! evaluated as dive 0.13.1 does.
//!
//! - keys under `rules:`: `lowestEfficiency` (0–1, default `0.9`),
//!   `highestWastedBytes` (a size such as `20MB`, `1.5 GiB`; default
//!   disabled), `highestUserWastedPercent` (0–1, default `0.1`); other keys
//!   are ignored;
//! - a value that is empty, `disabled`, `off` or `false` turns the rule off;
//! - a rule fails only on a strict comparison: efficiency *below* the
//!   lowest, wasted bytes or user-wasted ratio *above* the highest.

use crate::waste::Waste;
use std::fmt;

/// A `.dive-ci` that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DiveCiError {
    #[error("`.dive-ci` is not valid YAML: {message}")]
    Yaml { message: String },
    #[error("`rules.{key}` must be a single value")]
    NotAScalar { key: &'static str },
    #[error("`rules.{key}`: `{value}` is not a number")]
    NotANumber { key: &'static str, value: String },
    #[error("`rules.{key}`: `{value}` is outside 0–1")]
    OutOfRange { key: &'static str, value: String },
    #[error("`rules.highestWastedBytes`: `{value}` is not a size (like `20MB` or `1.5GiB`)")]
    NotASize { value: String },
}

/// The three rules with their thresholds; `None` is a disabled rule.
#[derive(Debug, Clone, PartialEq)]
pub struct DiveCiRules {
    pub lowest_efficiency: Option<f64>,
    pub highest_wasted_bytes: Option<u64>,
    pub highest_user_wasted_percent: Option<f64>,
}

impl Default for DiveCiRules {
    /// dive's defaults when there is no `.dive-ci`.
    fn default() -> Self {
        DiveCiRules {
            lowest_efficiency: Some(0.9),
            highest_wasted_bytes: None,
            highest_user_wasted_percent: Some(0.1),
        }
    }
}

const LOWEST_EFFICIENCY: &str = "lowestEfficiency";
const HIGHEST_WASTED_BYTES: &str = "highestWastedBytes";
const HIGHEST_USER_WASTED_PERCENT: &str = "highestUserWastedPercent";

fn is_disabled(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

/// The text of a scalar (dive reads every rule as a string); `None` for null.
fn scalar(key: &'static str, value: &serde_yaml::Value) -> Result<Option<String>, DiveCiError> {
    match value {
        serde_yaml::Value::Null => Ok(None),
        serde_yaml::Value::Bool(b) => Ok(Some(b.to_string())),
        serde_yaml::Value::Number(n) => Ok(Some(n.to_string())),
        serde_yaml::Value::String(s) => Ok(Some(s.clone())),
        _ => Err(DiveCiError::NotAScalar { key }),
    }
}

fn ratio(key: &'static str, value: &str) -> Result<Option<f64>, DiveCiError> {
    if is_disabled(value) {
        return Ok(None);
    }
    let number: f64 = value.trim().parse().map_err(|_| DiveCiError::NotANumber {
        key,
        value: value.to_owned(),
    })?;
    if !(0.0..=1.0).contains(&number) {
        return Err(DiveCiError::OutOfRange {
            key,
            value: value.to_owned(),
        });
    }
    Ok(Some(number))
}

/// Parses a size the way dive does (go-humanize's `ParseBytes`): digits,
/// `.` and `,` then an optional unit, case-insensitive; `k`/`kb` = 1000,
/// `ki`/`kib` = 1024, up to exa. Hand-written: no crate parses this exact
/// grammar, and the thresholds must mean what they meant to dive.
pub fn parse_size(text: &str) -> Option<u64> {
    let digits_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map_or(text.len(), |(index, _)| index);
    let number: f64 = text[..digits_end].replace(',', "").parse().ok()?;
    let unit = text[digits_end..].trim().to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        "e" | "eb" => 1e18,
        "ei" | "eib" => 1024f64.powi(6),
        _ => return None,
    };
    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return None;
    }
    // Truncation, as dive's conversion to an unsigned integer (finite,
    // non-negative and below u64::MAX: checked above).
    Some(bytes as u64)
}

impl DiveCiRules {
    /// Reads the text of a `.dive-ci` file over dive's defaults.
    pub fn from_yaml(text: &str) -> Result<Self, DiveCiError> {
        let document: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|error| DiveCiError::Yaml {
                message: error.to_string(),
            })?;
        let mut rules = DiveCiRules::default();
        let Some(map) = document.get("rules") else {
            return Ok(rules);
        };
        if let Some(value) = map.get(LOWEST_EFFICIENCY) {
            if let Some(text) = scalar(LOWEST_EFFICIENCY, value)? {
                rules.lowest_efficiency = ratio(LOWEST_EFFICIENCY, &text)?;
            }
        }
        if let Some(value) = map.get(HIGHEST_WASTED_BYTES) {
            if let Some(text) = scalar(HIGHEST_WASTED_BYTES, value)? {
                rules.highest_wasted_bytes = if is_disabled(&text) {
                    None
                } else {
                    Some(parse_size(&text).ok_or(DiveCiError::NotASize { value: text })?)
                };
            }
        }
        if let Some(value) = map.get(HIGHEST_USER_WASTED_PERCENT) {
            if let Some(text) = scalar(HIGHEST_USER_WASTED_PERCENT, value)? {
                rules.highest_user_wasted_percent = ratio(HIGHEST_USER_WASTED_PERCENT, &text)?;
            }
        }
        Ok(rules)
    }

    /// Evaluates the rules, in dive's order of report (by name).
    pub fn evaluate(&self, waste: &Waste) -> Vec<RuleResult> {
        let mut results = vec![
            RuleResult {
                rule: HIGHEST_USER_WASTED_PERCENT,
                status: match self.highest_user_wasted_percent {
                    None => RuleStatus::Skip,
                    Some(max) if waste.user_wasted_percent > max => RuleStatus::Fail,
                    Some(_) => RuleStatus::Pass,
                },
                detail: self.highest_user_wasted_percent.map(|max| {
                    format!(
                        "wasted/user bytes {:.2}, highest allowed {max}",
                        waste.user_wasted_percent
                    )
                }),
            },
            RuleResult {
                rule: HIGHEST_WASTED_BYTES,
                status: match self.highest_wasted_bytes {
                    None => RuleStatus::Skip,
                    Some(max) if waste.wasted_bytes > max => RuleStatus::Fail,
                    Some(_) => RuleStatus::Pass,
                },
                detail: self.highest_wasted_bytes.map(|max| {
                    format!("wasted {} bytes, highest allowed {max}", waste.wasted_bytes)
                }),
            },
            RuleResult {
                rule: LOWEST_EFFICIENCY,
                status: match self.lowest_efficiency {
                    None => RuleStatus::Skip,
                    Some(min) if min > waste.efficiency => RuleStatus::Fail,
                    Some(_) => RuleStatus::Pass,
                },
                detail: self
                    .lowest_efficiency
                    .map(|min| format!("efficiency {:.2}, lowest allowed {min}", waste.efficiency)),
            },
        ];
        results.sort_by_key(|result| result.rule);
        results
    }
}

/// How a rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    Pass,
    Fail,
    Skip,
}

impl fmt::Display for RuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleStatus::Pass => "PASS",
            RuleStatus::Fail => "FAIL",
            RuleStatus::Skip => "SKIP",
        })
    }
}

/// One rule's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// dive's key (`lowestEfficiency`…).
    pub rule: &'static str,
    pub status: RuleStatus,
    /// The measured value against the threshold; `None` when disabled.
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waste(efficiency: f64, wasted_bytes: u64, user_wasted_percent: f64) -> Waste {
        Waste {
            size_bytes: 0,
            user_size_bytes: 0,
            efficiency,
            wasted_bytes,
            user_wasted_percent,
            layers: vec![],
            inefficient_files: vec![],
        }
    }

    fn statuses(rules: &DiveCiRules, waste: &Waste) -> Vec<(&'static str, RuleStatus)> {
        rules
            .evaluate(waste)
            .into_iter()
            .map(|r| (r.rule, r.status))
            .collect()
    }

    #[test]
    fn sizes_like_go_humanize() {
        assert_eq!(parse_size("20MB"), Some(20_000_000));
        assert_eq!(parse_size("20Mb"), Some(20_000_000));
        assert_eq!(parse_size("1.5 GiB"), Some(1_610_612_736));
        assert_eq!(parse_size("1,000"), Some(1000));
        assert_eq!(parse_size("42"), Some(42));
        assert_eq!(parse_size("3k"), Some(3000));
        assert_eq!(parse_size("MB"), None);
        assert_eq!(parse_size("5 parsecs"), None);
        assert_eq!(parse_size("99999999999EB"), None);
    }

    #[test]
    fn reads_dives_own_example() {
        let text = "plugins:\n  - plugin1\nrules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20Mb\n  highestUserWastedPercent: 0.5\n  plugin1/rule1: error\n";
        let rules = DiveCiRules::from_yaml(text).unwrap();
        assert_eq!(
            rules,
            DiveCiRules {
                lowest_efficiency: Some(0.95),
                highest_wasted_bytes: Some(20_000_000),
                highest_user_wasted_percent: Some(0.5),
            }
        );
    }

    #[test]
    fn defaults_and_disabled_values() {
        assert_eq!(
            DiveCiRules::from_yaml("{}").unwrap(),
            DiveCiRules::default()
        );
        let rules = DiveCiRules::from_yaml(
            "rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: false\n  highestWastedBytes:\n",
        )
        .unwrap();
        assert_eq!(rules.lowest_efficiency, None);
        assert_eq!(rules.highest_user_wasted_percent, None);
        assert_eq!(rules.highest_wasted_bytes, None);
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(matches!(
            DiveCiRules::from_yaml("rules:\n  lowestEfficiency: 1.5\n"),
            Err(DiveCiError::OutOfRange { .. })
        ));
        assert!(matches!(
            DiveCiRules::from_yaml("rules:\n  lowestEfficiency: lots\n"),
            Err(DiveCiError::NotANumber { .. })
        ));
        assert!(matches!(
            DiveCiRules::from_yaml("rules:\n  highestWastedBytes: 5 parsecs\n"),
            Err(DiveCiError::NotASize { .. })
        ));
        assert!(matches!(
            DiveCiRules::from_yaml("rules: [\n"),
            Err(DiveCiError::Yaml { .. })
        ));
    }

    #[test]
    fn comparisons_are_strict() {
        let rules = DiveCiRules {
            lowest_efficiency: Some(0.5),
            highest_wasted_bytes: Some(100),
            highest_user_wasted_percent: Some(0.25),
        };
        // Exactly at every threshold: all pass.
        assert_eq!(
            statuses(&rules, &waste(0.5, 100, 0.25)),
            [
                ("highestUserWastedPercent", RuleStatus::Pass),
                ("highestWastedBytes", RuleStatus::Pass),
                ("lowestEfficiency", RuleStatus::Pass),
            ]
        );
        assert_eq!(
            statuses(&rules, &waste(0.49, 101, 0.26)),
            [
                ("highestUserWastedPercent", RuleStatus::Fail),
                ("highestWastedBytes", RuleStatus::Fail),
                ("lowestEfficiency", RuleStatus::Fail),
            ]
        );
        // A base-only image (0/0) passes the ratio rule, as in dive.
        let defaults = DiveCiRules::default();
        assert_eq!(
            statuses(&defaults, &waste(1.0, 0, f64::NAN))[0],
            ("highestUserWastedPercent", RuleStatus::Pass)
        );
        assert_eq!(
            statuses(&defaults, &waste(1.0, 0, 0.0))[1],
            ("highestWastedBytes", RuleStatus::Skip)
        );
    }
}
