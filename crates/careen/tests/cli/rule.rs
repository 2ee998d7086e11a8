//! `careen rule`.

use crate::{careen, code};

#[test]
fn explains_a_rule() {
    let out = careen().args(["rule", "DL3008"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# DL3008"), "{text}");
    assert!(text.contains("## What it does"));
}

#[test]
fn lists_every_rule_as_json() {
    let out = careen().args(["rule", "--all", "--format", "json"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "careen.rule/v1");
    let rules = v["rules"].as_array().unwrap();
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    let dl = rules.iter().filter(|r| r["code"].as_str().unwrap().starts_with("DL")).count();
    assert!(dl >= 40, "only {dl} DL rules");
    for r in rules {
        assert!(r["code"].is_string() && r["summary"].as_str().is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn text_list_is_a_table() {
    let out = careen().args(["rule", "--all"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap().starts_with("CODE"));
}

#[test]
fn unknown_rule_exits_two() {
    let out = careen().args(["rule", "XX9999"]).output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("careen rule --all"), "{stderr}");
}
