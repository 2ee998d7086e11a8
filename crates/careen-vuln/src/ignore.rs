//! `.trivyignore`: one vulnerability id per line, `#` comments, an optional
//! `exp:YYYY-MM-DD` after the id. An entry matches a finding by its id or any alias
//! (a CVE entry hides the GHSA that aliases it), case-insensitively. An entry stops
//! applying on its expiry date (as Trivy: expiry is midnight UTC starting that day).

use crate::matcher::Match;

/// A calendar date (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Today's date in UTC from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }
}

/// One ignore entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub id: String,
    pub expires: Option<Date>,
    /// 1-based line number.
    pub line: usize,
}

/// A line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: bad expiry `{text}` (expected exp:YYYY-MM-DD); the entry is not applied")]
pub struct IgnoreWarning {
    pub line: usize,
    pub text: String,
}

/// A parsed ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    pub entries: Vec<IgnoreEntry>,
}

impl IgnoreList {
    /// Parses `.trivyignore` text. Lines with a malformed expiry are reported and left out
    /// (so a typo never hides a finding forever).
    pub fn parse(text: &str) -> (IgnoreList, Vec<IgnoreWarning>) {
        let mut list = IgnoreList::default();
        let mut warnings = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let Some(id) = fields.next() else { continue };
            let mut expires = None;
            let mut bad = false;
            for field in fields {
                if field.starts_with('#') {
                    break;
                }
                if let Some(date) = field.strip_prefix("exp:") {
                    match Date::parse(date) {
                        Some(d) => expires = Some(d),
                        None => {
                            warnings.push(IgnoreWarning {
                                line: index + 1,
                                text: field.to_string(),
                            });
                            bad = true;
                        }
                    }
                }
            }
            if !bad {
                list.entries.push(IgnoreEntry {
                    id: id.to_string(),
                    expires,
                    line: index + 1,
                });
            }
        }
        (list, warnings)
    }

    /// The entry that hides `finding` on `today`, if any.
    pub fn entry_for(&self, finding: &Match, today: Date) -> Option<&IgnoreEntry> {
        self.entries.iter().find(|entry| {
            entry.expires.is_none_or(|exp| today < exp)
                && finding.ids().any(|id| id.eq_ignore_ascii_case(&entry.id))
        })
    }

    /// Splits matches into (kept, ignored).
    pub fn apply(&self, matches: Vec<Match>, today: Date) -> (Vec<Match>, Vec<Match>) {
        matches
            .into_iter()
            .partition(|m| self.entry_for(m, today).is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ecosystem, PackageQuery, Severity};

    fn finding(id: &str, aliases: &[&str]) -> Match {
        Match {
            id: id.to_string(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            summary: None,
            severity: Severity::High,
            score: None,
            vector: None,
            package: PackageQuery::new(Ecosystem::Npm, "a", "1.0.0"),
            fixed: vec![],
            affected_ecosystem: "npm".into(),
            affected_package: "a".into(),
        }
    }

    #[test]
    fn ids_aliases_comments_and_expiry() {
        let (list, warnings) = IgnoreList::parse(
            "# comment\nCVE-2024-0001\n\n  cve-2024-0002 exp:2025-01-01 # until upgrade\nGHSA-zzzz exp:soon\n",
        );
        assert_eq!(list.entries.len(), 2);
        assert_eq!(warnings.len(), 1);
        let before = Date::parse("2024-12-31").unwrap_or(Date {
            year: 0,
            month: 1,
            day: 1,
        });
        let on = Date::parse("2025-01-01").unwrap_or(Date {
            year: 0,
            month: 1,
            day: 1,
        });
        assert!(list
            .entry_for(&finding("CVE-2024-0001", &[]), before)
            .is_some());
        assert!(list
            .entry_for(&finding("GHSA-aaaa", &["CVE-2024-0001"]), before)
            .is_some());
        assert!(list
            .entry_for(&finding("CVE-2024-0002", &[]), before)
            .is_some());
        assert!(list.entry_for(&finding("CVE-2024-0002", &[]), on).is_none());
        assert!(list.entry_for(&finding("GHSA-zzzz", &[]), before).is_none());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(
            Date::from_days_since_epoch(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days_since_epoch(19_723),
            Date {
                year: 2024,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days_since_epoch(19_782),
            Date {
                year: 2024,
                month: 2,
                day: 29
            }
        );
    }
}
