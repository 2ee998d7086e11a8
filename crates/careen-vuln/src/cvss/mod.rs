//! CVSS base scores from vector strings: v3.0, v3.1 (the specification's formulas)
//! and v4.0 (the MacroVector lookup table plus the specification's interpolation).

mod v3;
mod v4;
mod v4_lookup;

use crate::severity::Severity;

/// A CVSS vector that could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The prefix is not `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/`.
    #[error("unsupported CVSS vector prefix in `{vector}`")]
    UnsupportedVersion { vector: String },
    /// A `metric:value` pair is malformed, unknown, repeated or has an unknown value.
    #[error("bad CVSS metric `{metric}` in `{vector}`")]
    BadMetric { vector: String, metric: String },
    /// A mandatory base metric is missing.
    #[error("CVSS vector `{vector}` lacks base metric `{metric}`")]
    MissingMetric {
        vector: String,
        metric: &'static str,
    },
}

/// CVSS version of a scored vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CvssVersion {
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
}

/// A scored vector.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CvssScore {
    pub version: CvssVersion,
    /// Base score, 0.0..=10.0, one decimal.
    pub score: f64,
    pub vector: String,
}

impl CvssScore {
    /// The qualitative rating of the score (the same bands in v3 and v4).
    pub fn severity(&self) -> Severity {
        Severity::from_score(self.score)
    }
}

/// Scores a CVSS v3.0, v3.1 or v4.0 vector string.
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    let (version, score) = if let Some(rest) = vector.strip_prefix("CVSS:3.1/") {
        (CvssVersion::V3_1, v3::base_score(vector, rest, true)?)
    } else if let Some(rest) = vector.strip_prefix("CVSS:3.0/") {
        (CvssVersion::V3_0, v3::base_score(vector, rest, false)?)
    } else if let Some(rest) = vector.strip_prefix("CVSS:4.0/") {
        (CvssVersion::V4_0, v4::score(vector, rest)?)
    } else {
        return Err(CvssError::UnsupportedVersion {
            vector: vector.to_string(),
        });
    };
    Ok(CvssScore {
        version,
        score,
        vector: vector.to_string(),
    })
}

/// Splits `K:V/K:V/...` into pairs, checking each key against `allowed` (key, values)
/// and rejecting repeats.
fn parse_metrics<'a>(
    vector: &str,
    rest: &'a str,
    allowed: &[(&str, &str)],
) -> Result<Vec<(&'a str, u8)>, CvssError> {
    let mut seen: Vec<(&'a str, u8)> = Vec::new();
    for pair in rest.split('/') {
        let bad = || CvssError::BadMetric {
            vector: vector.to_string(),
            metric: pair.to_string(),
        };
        let (key, value) = pair.split_once(':').ok_or_else(bad)?;
        let values = allowed
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, values)| *values)
            .ok_or_else(bad)?;
        let [value] = value.as_bytes() else {
            return Err(bad());
        };
        if !values.as_bytes().contains(value) || seen.iter().any(|(k, _)| *k == key) {
            return Err(bad());
        }
        seen.push((key, *value));
    }
    Ok(seen)
}

fn metric(metrics: &[(&str, u8)], key: &str) -> Option<u8> {
    metrics.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_prefix_and_metrics() {
        assert!(matches!(
            score("AV:N/AC:L"),
            Err(CvssError::UnsupportedVersion { .. })
        ));
        assert!(matches!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q"),
            Err(CvssError::BadMetric { .. })
        ));
        assert!(matches!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
            Err(CvssError::MissingMetric { metric: "A", .. })
        ));
        assert!(matches!(
            score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::BadMetric { .. })
        ));
    }
}
