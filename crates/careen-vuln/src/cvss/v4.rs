//! CVSS v4.0 score (specification section 8.2): the vector's MacroVector (EQ1..EQ6)
//! gives a score from the published lookup table; the score is then lowered by the
//! mean, over the EQs that have a lower MacroVector, of the available score drop
//! times how far (in severity steps) the vector is from the MacroVector's
//! highest-severity vectors. Threat and environmental metrics are honoured when
//! present (CVSS-BTE); with base metrics only this is the base score (CVSS-B).

use super::v4_lookup::MACROVECTOR_SCORES;
use super::{metric, parse_metrics, CvssError};

const METRICS: &[(&str, &str)] = &[
    ("AV", "NALP"),
    ("AC", "LH"),
    ("AT", "NP"),
    ("PR", "NLH"),
    ("UI", "NPA"),
    ("VC", "HLN"),
    ("VI", "HLN"),
    ("VA", "HLN"),
    ("SC", "HLN"),
    ("SI", "HLN"),
    ("SA", "HLN"),
    ("E", "XAPU"),
    ("CR", "XHML"),
    ("IR", "XHML"),
    ("AR", "XHML"),
    ("MAV", "XNALP"),
    ("MAC", "XLH"),
    ("MAT", "XNP"),
    ("MPR", "XNLH"),
    ("MUI", "XNPA"),
    ("MVC", "XHLN"),
    ("MVI", "XHLN"),
    ("MVA", "XHLN"),
    ("MSC", "XHLN"),
    ("MSI", "XSHLN"),
    ("MSA", "XSHLN"),
    // supplemental metrics do not change the score
    ("S", "XNP"),
    ("AU", "XNY"),
    ("R", "XAUI"),
    ("V", "XDC"),
    ("RE", "XLMH"),
    ("U", "X"),
];

const BASE: [&str; 11] = [
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// Highest-severity vectors per EQ level (specification Table 24 / `max_composed`).
const EQ1_MAX: [&[&str]; 3] = [
    &["AV:N/PR:N/UI:N"],
    &["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
    &["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
];
const EQ2_MAX: [&[&str]; 2] = [&["AC:L/AT:N"], &["AC:H/AT:N", "AC:L/AT:P"]];
/// Indexed by (EQ3, EQ6).
fn eq3_eq6_max(eq3: u8, eq6: u8) -> &'static [&'static str] {
    match (eq3, eq6) {
        (0, 0) => &["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
        (0, _) => &[
            "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H",
            "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M",
        ],
        (1, 0) => &[
            "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H",
            "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H",
        ],
        (1, _) => &[
            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H",
            "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
            "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
            "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
        ],
        _ => &["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
    }
}
const EQ4_MAX: [&str; 3] = ["SC:H/SI:S/SA:S", "SC:H/SI:H/SA:H", "SC:L/SI:L/SA:L"];

/// Depth of each MacroVector, in severity steps (`max_severity`).
fn max_severity_eq1(level: u8) -> f64 {
    [1.0, 4.0, 5.0][usize::from(level.min(2))]
}
fn max_severity_eq2(level: u8) -> f64 {
    [1.0, 2.0][usize::from(level.min(1))]
}
fn max_severity_eq3_eq6(eq3: u8, eq6: u8) -> f64 {
    match (eq3, eq6) {
        (0, 0) => 7.0,
        (0, _) => 6.0,
        (1, _) => 8.0,
        _ => 10.0,
    }
}
fn max_severity_eq4(level: u8) -> f64 {
    [6.0, 5.0, 4.0][usize::from(level.min(2))]
}

/// Severity level of a metric value, in steps from the most severe value.
fn level(key: &str, value: u8) -> i32 {
    let order: &[u8] = match key {
        "AV" => b"NALP",
        "PR" => b"NLH",
        "UI" => b"NPA",
        "AC" => b"LH",
        "AT" => b"NP",
        "VC" | "VI" | "VA" => b"HLN",
        // SC has no S value; its scale starts one step down
        "SC" => b"SHLN",
        "SI" | "SA" => b"SHLN",
        "CR" | "IR" | "AR" => b"HML",
        _ => b"",
    };
    order
        .iter()
        .position(|c| *c == value)
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(0)
}

fn lookup(eqs: [u8; 6]) -> Option<f64> {
    let key: String = eqs.iter().map(|d| char::from(b'0' + d)).collect();
    MACROVECTOR_SCORES
        .binary_search_by(|(k, _)| (*k).cmp(key.as_str()))
        .ok()
        .map(|i| MACROVECTOR_SCORES[i].1)
}

struct Effective<'a> {
    metrics: &'a [(&'a str, u8)],
}

impl Effective<'_> {
    /// The value used for scoring: modified metric when set, worst case for X threat /
    /// requirement metrics, else the base value.
    fn get(&self, key: &str) -> u8 {
        let raw = metric(self.metrics, key).unwrap_or(b'X');
        match key {
            "E" if raw == b'X' => return b'A',
            "CR" | "IR" | "AR" if raw == b'X' => return b'H',
            _ => {}
        }
        let modified = format!("M{key}");
        match metric(self.metrics, &modified) {
            Some(v) if v != b'X' => v,
            _ => raw,
        }
    }
}

fn value_in(fragment: &str, key: &str) -> u8 {
    fragment
        .split('/')
        .filter_map(|pair| pair.split_once(':'))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.bytes().next())
        .unwrap_or(b'X')
}

pub(super) fn score(vector: &str, rest: &str) -> Result<f64, CvssError> {
    let metrics = parse_metrics(vector, rest, METRICS)?;
    for key in BASE {
        if metric(&metrics, key).is_none() {
            return Err(CvssError::MissingMetric {
                vector: vector.to_string(),
                metric: key,
            });
        }
    }
    let m = Effective { metrics: &metrics };
    let g = |k: &str| m.get(k);

    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|k| g(k) == b'N')
    {
        return Ok(0.0);
    }

    let (av, pr, ui) = (g("AV"), g("PR"), g("UI"));
    let eq1 = if av == b'N' && pr == b'N' && ui == b'N' {
        0
    } else if (av == b'N' || pr == b'N' || ui == b'N') && av != b'P' {
        1
    } else {
        2
    };
    let eq2 = if g("AC") == b'L' && g("AT") == b'N' {
        0
    } else {
        1
    };
    let (vc, vi, va) = (g("VC"), g("VI"), g("VA"));
    let eq3 = if vc == b'H' && vi == b'H' {
        0
    } else if vc == b'H' || vi == b'H' || va == b'H' {
        1
    } else {
        2
    };
    let eq4 = if g("SI") == b'S' || g("SA") == b'S' {
        0
    } else if g("SC") == b'H' || g("SI") == b'H' || g("SA") == b'H' {
        1
    } else {
        2
    };
    let eq5 = match g("E") {
        b'A' => 0,
        b'P' => 1,
        _ => 2,
    };
    let eq6 = if (g("CR") == b'H' && vc == b'H')
        || (g("IR") == b'H' && vi == b'H')
        || (g("AR") == b'H' && va == b'H')
    {
        0
    } else {
        1
    };
    let eqs = [eq1, eq2, eq3, eq4, eq5, eq6];
    let Some(value) = lookup(eqs) else {
        return Err(CvssError::BadMetric {
            vector: vector.to_string(),
            metric: "macrovector".to_string(),
        });
    };

    // Scores of the next lower MacroVector for each EQ (None when there is none).
    let lower = |i: usize| {
        let mut next = eqs;
        next[i] += 1;
        lookup(next)
    };
    let lower_eq3_eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]),
        (1, 0) => lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]),
        (0, 0) => {
            let left = lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]);
            let right = lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]);
            match (left, right) {
                (Some(l), Some(r)) if l > r => Some(l),
                _ => right,
            }
        }
        _ => None,
    };

    // Severity distance from the first highest-severity vector that is at least as
    // severe as this one in every metric.
    const DISTANCE_METRICS: [&str; 14] = [
        "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
    ];
    let mut distances = [0i32; 14];
    'search: for e1 in EQ1_MAX[usize::from(eq1)] {
        for e2 in EQ2_MAX[usize::from(eq2)] {
            for e36 in eq3_eq6_max(eq3, eq6) {
                let e4 = EQ4_MAX[usize::from(eq4)];
                let max_vector = format!("{e1}/{e2}/{e36}/{e4}");
                for (slot, key) in distances.iter_mut().zip(DISTANCE_METRICS) {
                    *slot = level(key, g(key)) - level(key, value_in(&max_vector, key));
                }
                if distances.iter().all(|d| *d >= 0) {
                    break 'search;
                }
            }
        }
    }
    let d = |range: std::ops::Range<usize>| f64::from(distances[range].iter().sum::<i32>());
    let current_eq1 = d(0..3);
    let current_eq2 = d(3..5);
    let current_eq4 = d(8..11);
    let current_eq3_eq6 = d(5..8) + d(11..14);

    let mut existing = 0u32;
    let mut total = 0.0;
    let parts = [
        (lower(0), current_eq1, max_severity_eq1(eq1)),
        (lower(1), current_eq2, max_severity_eq2(eq2)),
        (
            lower_eq3_eq6,
            current_eq3_eq6,
            max_severity_eq3_eq6(eq3, eq6),
        ),
        (lower(3), current_eq4, max_severity_eq4(eq4)),
        // EQ5 counts but its proportion is always zero
        (lower(4), 0.0, 1.0),
    ];
    for (lower_score, current, depth) in parts {
        if let Some(lower_score) = lower_score {
            existing += 1;
            total += (value - lower_score) * (current / depth);
        }
    }
    let mean = if existing == 0 {
        0.0
    } else {
        total / f64::from(existing)
    };
    // Round half up to one decimal, with the 1e-6 epsilon of the reference implementation
    // (RedHat's cvss40, used by FIRST) so float noise like 8.549999 still rounds to 8.6.
    const EPSILON: f64 = 1e-6;
    let result = (value - mean).clamp(0.0, 10.0);
    Ok((((result + EPSILON) * 10.0).round() / 10.0).min(10.0))
}

#[cfg(test)]
mod tests {
    use super::super::score;

    /// Vector → score pairs from the CVSS v4.0 specification's examples and FIRST's calculator.
    #[test]
    fn known_scores() {
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
                5.1,
            ),
            (
                "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
                1.0,
            ),
        ];
        for (vector, expected) in cases {
            let got = score(vector).map(|s| s.score);
            assert_eq!(got, Ok(expected), "{vector}");
        }
    }
}
