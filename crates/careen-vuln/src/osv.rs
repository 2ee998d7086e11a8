//! The OSV record format (what is read on import) and the compact record the index
//! stores (what a scan reads back).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cvss;
use crate::severity::Severity;

/// One OSV record as read from JSON. Unknown fields are ignored; fields careen does
/// not need are not read.
#[derive(Debug, Deserialize)]
pub(crate) struct OsvRecord {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Option<Vec<String>>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub severity: Option<Vec<OsvSeverity>>,
    #[serde(default)]
    pub affected: Option<Vec<OsvAffected>>,
    #[serde(default)]
    pub database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OsvSeverity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OsvAffected {
    #[serde(default)]
    pub package: Option<OsvPackage>,
    #[serde(default)]
    pub severity: Option<Vec<OsvSeverity>>,
    #[serde(default)]
    pub ranges: Option<Vec<OsvRange>>,
    #[serde(default)]
    pub versions: Option<Vec<String>>,
    #[serde(default)]
    pub ecosystem_specific: Option<Value>,
    #[serde(default)]
    pub database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OsvPackage {
    pub ecosystem: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OsvRange {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<OsvEvent>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OsvEvent {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

/// Severity of an advisory (or of one affected package) as computed at import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SeverityInfo {
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

/// A range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Event {
    #[serde(rename = "i")]
    Introduced(String),
    #[serde(rename = "f")]
    Fixed(String),
    #[serde(rename = "l")]
    LastAffected(String),
    #[serde(rename = "m")]
    Limit(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RangeKind {
    #[serde(rename = "e")]
    Ecosystem,
    #[serde(rename = "s")]
    Semver,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredRange {
    #[serde(rename = "t")]
    pub kind: RangeKind,
    #[serde(rename = "e")]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredAffected {
    /// Full OSV ecosystem, with release (`Debian:12`).
    #[serde(rename = "eco")]
    pub ecosystem: String,
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<StoredRange>,
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityInfo>,
}

/// What the index keeps of an OSV record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredAdvisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    pub severity: SeverityInfo,
    pub affected: Vec<StoredAffected>,
}

/// Best severity from OSV `severity[]` entries: CVSS v3.1, then v3.0, then v4.0 (v3 first
/// because that is what thresholds and other scanners' numbers are usually about),
/// then an `Ubuntu` priority word. `None` when nothing there can be used.
fn from_severity_entries(entries: &[OsvSeverity]) -> Option<SeverityInfo> {
    let mut scored: Vec<cvss::CvssScore> = entries
        .iter()
        .filter(|e| e.kind.starts_with("CVSS_V3") || e.kind == "CVSS_V4")
        .filter_map(|e| cvss::score(&e.score).ok())
        .collect();
    scored.sort_by_key(|s| match s.version {
        cvss::CvssVersion::V3_1 => 0,
        cvss::CvssVersion::V3_0 => 1,
        cvss::CvssVersion::V4_0 => 2,
    });
    if let Some(best) = scored.into_iter().next() {
        return Some(SeverityInfo {
            severity: best.severity(),
            score: Some(best.score),
            vector: Some(best.vector),
        });
    }
    entries
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("ubuntu"))
        .find_map(|e| Severity::from_label(&e.score))
        .map(|severity| SeverityInfo {
            severity,
            score: None,
            vector: None,
        })
}

/// A `severity` / `urgency` word in a `database_specific` or `ecosystem_specific` object.
fn from_specific(value: Option<&Value>) -> Option<Severity> {
    let object = value?.as_object()?;
    ["severity", "urgency", "priority"]
        .iter()
        .filter_map(|key| object.get(*key)?.as_str())
        .find_map(Severity::from_label)
}

const UNKNOWN: SeverityInfo = SeverityInfo {
    severity: Severity::Unknown,
    score: None,
    vector: None,
};

/// Outcome of converting one record.
pub(crate) enum Converted {
    Kept(StoredAdvisory),
    Withdrawn,
}

impl OsvRecord {
    /// Converts to the stored form: keeps affected entries that have a package and an
    /// `ECOSYSTEM`/`SEMVER` range or a `versions` list (`GIT` ranges dropped), and computes
    /// severities once.
    pub(crate) fn into_stored(self) -> Converted {
        if self.withdrawn.is_some() {
            return Converted::Withdrawn;
        }
        let top = from_severity_entries(self.severity.as_deref().unwrap_or_default())
            .or_else(|| {
                from_specific(self.database_specific.as_ref()).map(|severity| SeverityInfo {
                    severity,
                    score: None,
                    vector: None,
                })
            })
            .unwrap_or(UNKNOWN);
        let mut affected = Vec::new();
        for entry in self.affected.unwrap_or_default() {
            let Some(package) = entry.package else {
                continue;
            };
            if package.name.is_empty() || package.ecosystem.is_empty() {
                continue;
            }
            let ranges: Vec<StoredRange> = entry
                .ranges
                .unwrap_or_default()
                .into_iter()
                .filter_map(|range| {
                    let kind = match range.kind.as_str() {
                        "ECOSYSTEM" => RangeKind::Ecosystem,
                        "SEMVER" => RangeKind::Semver,
                        _ => return None,
                    };
                    let events: Vec<Event> = range
                        .events
                        .into_iter()
                        .filter_map(|e| {
                            e.introduced
                                .map(Event::Introduced)
                                .or(e.fixed.map(Event::Fixed))
                                .or(e.last_affected.map(Event::LastAffected))
                                .or(e.limit.map(Event::Limit))
                        })
                        .collect();
                    (!events.is_empty()).then_some(StoredRange { kind, events })
                })
                .collect();
            let versions = entry.versions.unwrap_or_default();
            if ranges.is_empty() && versions.is_empty() {
                continue;
            }
            let severity = from_severity_entries(entry.severity.as_deref().unwrap_or_default())
                .or_else(|| {
                    from_specific(entry.ecosystem_specific.as_ref())
                        .or_else(|| from_specific(entry.database_specific.as_ref()))
                        .map(|severity| SeverityInfo {
                            severity,
                            score: None,
                            vector: None,
                        })
                });
            affected.push(StoredAffected {
                ecosystem: package.ecosystem,
                name: package.name,
                ranges,
                versions,
                severity,
            });
        }
        Converted::Kept(StoredAdvisory {
            id: self.id,
            aliases: self.aliases.unwrap_or_default(),
            summary: self.summary.filter(|s| !s.is_empty()),
            modified: self.modified,
            severity: top,
            affected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> StoredAdvisory {
        let record: OsvRecord = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        match record.into_stored() {
            Converted::Kept(a) => a,
            Converted::Withdrawn => panic!("withdrawn"),
        }
    }

    #[test]
    fn prefers_cvss_v3_and_drops_git_ranges() {
        let a = convert(
            r#"{"id":"X-1","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
                {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}],
                "affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]},
                            {"package":{"ecosystem":"npm","name":"b"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#,
        );
        assert_eq!(a.severity.score, Some(6.1));
        assert_eq!(a.severity.severity, Severity::Medium);
        assert_eq!(a.affected.len(), 1);
        assert_eq!(a.affected[0].name, "b");
    }

    #[test]
    fn falls_back_to_database_labels() {
        let a = convert(r#"{"id":"GHSA-x","database_specific":{"severity":"MODERATE"}}"#);
        assert_eq!(a.severity.severity, Severity::Medium);
        let b = convert(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"Debian:12","name":"a"},"versions":["1"],"ecosystem_specific":{"urgency":"high"}}]}"#,
        );
        assert_eq!(b.severity.severity, Severity::Unknown);
        assert_eq!(
            b.affected[0].severity.as_ref().map(|s| s.severity),
            Some(Severity::High)
        );
    }

    #[test]
    fn withdrawn_is_dropped() {
        let record: Result<OsvRecord, _> =
            serde_json::from_str(r#"{"id":"X","withdrawn":"2024-01-01T00:00:00Z"}"#);
        assert!(matches!(
            record.map(OsvRecord::into_stored),
            Ok(Converted::Withdrawn)
        ));
    }
}
