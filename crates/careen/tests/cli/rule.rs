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
    let out = careen()
        .args(["rule", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "careen.rule/v1");
    let rules = v["rules"].as_array().unwrap();
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    let dl = rules
        .iter()
        .filter(|r| r["code"].as_str().unwrap().starts_with("DL"))
        .count();
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

/// `docs/rules/` is generated from the rules' doc comments (their only
/// documentation). Regenerate with `UPDATE_DOCS=1 cargo test -p careen --test cli docs_are_current`.
#[test]
fn docs_are_current() {
    let out = careen()
        .args(["rule", "--all", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dir = crate::workspace_root().join("docs/rules");
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut index = String::from(
        "# careen lint rules\n\nGenerated from each rule's doc comment; `careen rule CODE` prints the same text.\n\n| code | name | severity | fix | summary |\n|---|---|---|---|---|\n",
    );
    for rule in v["rules"].as_array().unwrap() {
        let code = rule["code"].as_str().unwrap();
        let out = careen()
            .args(["rule", code, "--format", "markdown"])
            .output()
            .unwrap();
        assert_eq!(code_of(&out), 0);
        expected.push((format!("{code}.md"), String::from_utf8(out.stdout).unwrap()));
        let mut severity = rule["severity"].as_str().unwrap().to_string();
        if !rule["enabled"].as_bool().unwrap() {
            severity.push_str(" (opt-in)");
        }
        index.push_str(&format!(
            "| [{code}]({code}.md) | `{}` | {severity} | {} | {} |\n",
            rule["name"].as_str().unwrap(),
            rule["fix"].as_str().unwrap(),
            rule["summary"].as_str().unwrap().replace('|', "\\|")
        ));
    }
    expected.push(("README.md".into(), index));
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && on_disk == expected.len(),
        "docs/rules is out of date ({stale:?}); run `UPDATE_DOCS=1 cargo test -p careen --test cli docs_are_current`"
    );
}

fn code_of(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}
