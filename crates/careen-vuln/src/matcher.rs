//! Matching an installed package against OSV `affected[]` entries.

use std::cmp::Ordering;

use serde::ser::SerializeStruct;

use crate::ecosystem::Ecosystem;
use crate::osv::{Event, RangeKind, StoredAdvisory, StoredAffected, StoredRange};
use crate::severity::Severity;
use crate::version::Scheme;

/// An installed package to look up.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageQuery {
    pub ecosystem: Ecosystem,
    /// Binary / installed package name.
    pub name: String,
    pub version: String,
    /// Source package (dpkg `Source:`, apk `origin`); OSV Debian, Ubuntu and Alpine
    /// advisories name source packages.
    pub source_name: Option<String>,
    /// Source package version when it differs from `version` (binNMUs).
    pub source_version: Option<String>,
    /// Distro id and release (`("debian", "12")`, `("alpine", "3.19.1")`).
    pub distro: Option<(String, String)>,
    pub purl: Option<String>,
}

impl PackageQuery {
    /// A query without source package, distro or purl.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        PackageQuery {
            ecosystem,
            name: name.into(),
            version: version.into(),
            source_name: None,
            source_version: None,
            distro: None,
            purl: None,
        }
    }

    /// The (name, version) OSV files this package under.
    pub(crate) fn advisory_name_and_version(&self) -> (&str, &str) {
        if self.ecosystem.advisories_name_source_package() {
            if let Some(source) = self.source_name.as_deref().filter(|s| !s.is_empty()) {
                let version = self
                    .source_version
                    .as_deref()
                    .filter(|v| !v.is_empty())
                    .unwrap_or(&self.version);
                return (source, version);
            }
        }
        (&self.name, &self.version)
    }
}

/// Serialised as `{name, version, type, ecosystem, purl, source_name, source_version, distro}`
/// (`type` is the purl type, as in careen's SBOM).
impl serde::Serialize for PackageQuery {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("PackageQuery", 8)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("version", &self.version)?;
        s.serialize_field("type", self.ecosystem.purl_type())?;
        s.serialize_field("ecosystem", &self.ecosystem)?;
        s.serialize_field("purl", &self.purl)?;
        s.serialize_field("source_name", &self.source_name)?;
        s.serialize_field("source_version", &self.source_version)?;
        s.serialize_field(
            "distro",
            &self
                .distro
                .as_ref()
                .map(|(id, release)| serde_json::json!({"id": id, "release": release})),
        )?;
        s.end()
    }
}

/// One advisory that affects one queried package.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    /// OSV id (`DSA-5678-1`, `GHSA-xxxx-xxxx-xxxx`, `PYSEC-...`, `CVE-...`).
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    /// CVSS base score when a vector was given.
    pub score: Option<f64>,
    /// The CVSS vector the score comes from.
    pub vector: Option<String>,
    pub package: PackageQuery,
    /// Versions that fix it (empty when no fix is known).
    pub fixed: Vec<String>,
    /// The OSV ecosystem of the matching entry (`Debian:12`).
    pub affected_ecosystem: String,
    /// The package name the advisory names (the source package for Debian).
    pub affected_package: String,
}

impl Match {
    /// All ids this match is known by (id first, then aliases).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Evaluates an advisory for a query; `None` when it does not affect the package.
pub(crate) fn match_advisory(advisory: &StoredAdvisory, query: &PackageQuery) -> Option<Match> {
    let (name, version) = query.advisory_name_and_version();
    let wanted_name = query.ecosystem.normalize_name(name);
    let release = query.distro.as_ref().map(|(_, release)| release.as_str());
    let mut fixed: Vec<String> = Vec::new();
    let mut hit: Option<&StoredAffected> = None;
    for affected in &advisory.affected {
        let (eco, osv_release) = Ecosystem::parse_osv(&affected.ecosystem);
        if eco != query.ecosystem
            || eco.normalize_name(&affected.name) != wanted_name
            || !eco.release_matches(osv_release, release)
        {
            continue;
        }
        if let Some(fixes) = affected_by(affected, &eco, version) {
            for fix in fixes {
                if !fixed.contains(&fix) {
                    fixed.push(fix);
                }
            }
            hit.get_or_insert(affected);
        }
    }
    let hit = hit?;
    let severity = match (&advisory.severity, &hit.severity) {
        // a per-package severity (Debian urgency, Ubuntu priority) beats a missing
        // top-level one; a top-level CVSS score is kept.
        (top, Some(own)) if top.score.is_none() => own.clone(),
        (top, _) => top.clone(),
    };
    Some(Match {
        id: advisory.id.clone(),
        aliases: advisory.aliases.clone(),
        summary: advisory.summary.clone(),
        severity: severity.severity,
        score: severity.score,
        vector: severity.vector,
        package: query.clone(),
        fixed,
        affected_ecosystem: hit.ecosystem.clone(),
        affected_package: hit.name.clone(),
    })
}

/// `Some(fixed versions)` when `version` is affected by this entry.
fn affected_by(affected: &StoredAffected, eco: &Ecosystem, version: &str) -> Option<Vec<String>> {
    let scheme = eco.scheme();
    let mut hit = affected
        .versions
        .iter()
        .any(|v| v == version || scheme.is_some_and(|s| s.compare(v, version) == Ordering::Equal));
    let mut fixes = Vec::new();
    for range in &affected.ranges {
        let range_scheme = match range.kind {
            RangeKind::Semver => Some(if *eco == Ecosystem::Go {
                Scheme::Go
            } else {
                Scheme::Semver
            }),
            RangeKind::Ecosystem => scheme,
        };
        let Some(range_scheme) = range_scheme else {
            continue;
        };
        if let Some(fix) = in_range(range, range_scheme, version) {
            hit = true;
            fixes.extend(fix);
        }
    }
    hit.then_some(fixes)
}

fn event_version(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// The OSV evaluation: sort the events by version (`introduced: "0"` first) and walk
/// them; `Some(fix)` when the version is affected, with the fix that closes its
/// interval if there is one.
fn in_range(range: &StoredRange, scheme: Scheme, version: &str) -> Option<Option<String>> {
    let rank = |e: &Event| match e {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    };
    let is_zero = |e: &Event| matches!(e, Event::Introduced(v) if v == "0");
    let mut events: Vec<&Event> = range.events.iter().collect();
    events.sort_by(|a, b| match (is_zero(a), is_zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => scheme
            .compare(event_version(a), event_version(b))
            .then_with(|| rank(a).cmp(&rank(b))),
    });
    let mut affected = false;
    let mut fix: Option<String> = None;
    for event in &events {
        match event {
            Event::Introduced(v) => {
                if v == "0" || scheme.compare(version, v) != Ordering::Less {
                    affected = true;
                    fix = None;
                }
            }
            Event::Fixed(v) => {
                if scheme.compare(version, v) != Ordering::Less {
                    affected = false;
                } else if affected && fix.is_none() {
                    fix = Some(v.clone());
                }
            }
            Event::LastAffected(v) => {
                if scheme.compare(version, v) == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    // `limit`: the version must lie below at least one limit when any is given.
    let limits: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    if !limits.is_empty()
        && !limits
            .iter()
            .any(|l| *l == "*" || scheme.compare(version, l) == Ordering::Less)
    {
        affected = false;
    }
    affected.then_some(fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: RangeKind, events: Vec<Event>) -> StoredRange {
        StoredRange { kind, events }
    }

    #[test]
    fn walk_handles_multiple_intervals_and_last_affected() {
        let r = range(
            RangeKind::Semver,
            vec![
                Event::Fixed("2.0.0".into()),
                Event::Introduced("3.0.0".into()),
                Event::Introduced("0".into()),
                Event::LastAffected("3.5.0".into()),
            ],
        );
        assert_eq!(
            in_range(&r, Scheme::Semver, "1.0.0"),
            Some(Some("2.0.0".into()))
        );
        assert_eq!(in_range(&r, Scheme::Semver, "2.5.0"), None);
        assert_eq!(in_range(&r, Scheme::Semver, "3.5.0"), Some(None));
        assert_eq!(in_range(&r, Scheme::Semver, "3.5.1"), None);
    }

    #[test]
    fn unfixed_range_has_no_fix() {
        let r = range(
            RangeKind::Ecosystem,
            vec![Event::Introduced("1.0-1".into())],
        );
        assert_eq!(in_range(&r, Scheme::Deb, "1.0-2"), Some(None));
        assert_eq!(in_range(&r, Scheme::Deb, "0.9-1"), None);
    }

    #[test]
    fn limit_bounds_the_range() {
        let r = range(
            RangeKind::Semver,
            vec![Event::Introduced("0".into()), Event::Limit("2.0.0".into())],
        );
        assert_eq!(in_range(&r, Scheme::Semver, "1.0.0"), Some(None));
        assert_eq!(in_range(&r, Scheme::Semver, "2.0.0"), None);
    }

    #[test]
    fn epochs_matter_in_deb_ranges() {
        let r = range(
            RangeKind::Ecosystem,
            vec![
                Event::Introduced("0".into()),
                Event::Fixed("1:1.0-1".into()),
            ],
        );
        assert_eq!(
            in_range(&r, Scheme::Deb, "2.0-1"),
            Some(Some("1:1.0-1".into()))
        );
        assert_eq!(in_range(&r, Scheme::Deb, "1:1.0-1"), None);
    }
}
