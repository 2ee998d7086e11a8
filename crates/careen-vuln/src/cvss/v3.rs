//! CVSS v3.0 / v3.1 base score (specification section 7.1 and Appendix A, Roundup).

use super::{metric, parse_metrics, CvssError};

const METRICS: &[(&str, &str)] = &[
    ("AV", "NALP"),
    ("AC", "LH"),
    ("PR", "NLH"),
    ("UI", "NR"),
    ("S", "UC"),
    ("C", "HLN"),
    ("I", "HLN"),
    ("A", "HLN"),
    // temporal and environmental metrics are accepted and do not change the base score
    ("E", "XUPFH"),
    ("RL", "XOTWU"),
    ("RC", "XURC"),
    ("CR", "XLMH"),
    ("IR", "XLMH"),
    ("AR", "XLMH"),
    ("MAV", "XNALP"),
    ("MAC", "XLH"),
    ("MPR", "XNLH"),
    ("MUI", "XNR"),
    ("MS", "XUC"),
    ("MC", "XHLN"),
    ("MI", "XHLN"),
    ("MA", "XHLN"),
];

/// v3.1 Roundup: the smallest number with one decimal that is >= the input, computed
/// on integers to avoid floating-point surprises (specification Appendix A).
fn roundup_v31(value: f64) -> f64 {
    let int_input = (value * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// v3.0 Roundup: ceiling to one decimal.
fn roundup_v30(value: f64) -> f64 {
    (value * 10.0).ceil() / 10.0
}

pub(super) fn base_score(vector: &str, rest: &str, v31: bool) -> Result<f64, CvssError> {
    let metrics = parse_metrics(vector, rest, METRICS)?;
    let get = |key: &'static str| {
        metric(&metrics, key).ok_or_else(|| CvssError::MissingMetric {
            vector: vector.to_string(),
            metric: key,
        })
    };
    let scope_changed = get("S")? == b'C';
    let av = match get("AV")? {
        b'N' => 0.85,
        b'A' => 0.62,
        b'L' => 0.55,
        _ => 0.2,
    };
    let ac = if get("AC")? == b'L' { 0.77 } else { 0.44 };
    let pr = match (get("PR")?, scope_changed) {
        (b'N', _) => 0.85,
        (b'L', false) => 0.62,
        (b'L', true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let ui = if get("UI")? == b'N' { 0.85 } else { 0.62 };
    let cia = |v: u8| match v {
        b'H' => 0.56,
        b'L' => 0.22,
        _ => 0.0,
    };
    let (c, i, a) = (cia(get("C")?), cia(get("I")?), cia(get("A")?));
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(if v31 {
        roundup_v31(raw)
    } else {
        roundup_v30(raw)
    })
}

#[cfg(test)]
mod tests {
    use super::super::score;

    /// Vectors and scores from the CVSS v3.1 specification's examples document and NVD.
    #[test]
    fn known_scores() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O", 9.8),
        ];
        for (vector, expected) in cases {
            let got = score(vector).map(|s| s.score);
            assert_eq!(got, Ok(expected), "{vector}");
        }
    }
}
