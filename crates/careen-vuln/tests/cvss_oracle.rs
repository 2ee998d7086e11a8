//! Our CVSS scoring against RustSec's `cvss` crate, over every CVSS v3.1 / v3.0 base
//! vector and every CVSS v4.0 base vector (plus threat metric E).

use std::str::FromStr;

fn product(options: &[(&str, &str)]) -> Vec<String> {
    let mut out = vec![String::new()];
    for (key, values) in options {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for prefix in &out {
            for v in values.chars() {
                let sep = if prefix.is_empty() { "" } else { "/" };
                next.push(format!("{prefix}{sep}{key}:{v}"));
            }
        }
        out = next;
    }
    out
}

#[test]
fn v3_every_base_vector() {
    let metrics = [
        ("AV", "NALP"),
        ("AC", "LH"),
        ("PR", "NLH"),
        ("UI", "NR"),
        ("S", "UC"),
        ("C", "HLN"),
        ("I", "HLN"),
        ("A", "HLN"),
    ];
    let mut mismatches = Vec::new();
    let all = product(&metrics);
    assert_eq!(all.len(), 2592);
    for body in &all {
        let vector = format!("CVSS:3.1/{body}");
        let ours = careen_vuln::cvss::score(&vector)
            .map(|s| s.score)
            .unwrap_or(-1.0);
        let theirs = cvss::v3::Vector::from_str(&vector)
            .map(|v| v.score().value())
            .unwrap_or(-2.0);
        if (ours - theirs).abs() > 1e-9 {
            mismatches.push(format!("{vector}: ours {ours} theirs {theirs}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}

#[test]
fn v4_every_base_vector() {
    let metrics = [
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
    ];
    let mut mismatches = Vec::new();
    let all = product(&metrics);
    assert_eq!(all.len(), 104_976);
    for (n, body) in all.iter().enumerate() {
        // every 7th vector also carries a threat metric, to cover EQ5
        let extra = match n % 7 {
            0 => "/E:U",
            3 => "/E:P",
            _ => "",
        };
        let vector = format!("CVSS:4.0/{body}{extra}");
        let ours = careen_vuln::cvss::score(&vector)
            .map(|s| s.score)
            .unwrap_or(-1.0);
        let theirs = cvss::v4::Vector::from_str(&vector)
            .map(|v| v.score().value())
            .unwrap_or(-2.0);
        if (ours - theirs).abs() > 1e-9 {
            mismatches.push(format!("{vector}: ours {ours} theirs {theirs}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}

#[test]
fn v4_threat_and_environmental_metrics() {
    let vectors = [
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:L/IR:M/AR:L",
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/MAV:N/MSI:S/MSA:S",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:H",
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N/E:U/CR:H/IR:H/AR:H/S:P/AU:Y",
    ];
    for vector in vectors {
        let ours = careen_vuln::cvss::score(vector)
            .map(|s| s.score)
            .unwrap_or(-1.0);
        let theirs = cvss::v4::Vector::from_str(vector)
            .map(|v| v.score().value())
            .unwrap_or(-2.0);
        assert!(
            (ours - theirs).abs() < 1e-9,
            "{vector}: ours {ours} theirs {theirs}"
        );
    }
}
