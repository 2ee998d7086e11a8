//! `--dockerfile` on analyze, audit and inspect: the planted waste of the
//! buildah-built test images points at the right lines of tests/images/*/Dockerfile.

use super::{careen, code, test_image as image, workspace_root};
use serde_json::Value;
use std::path::PathBuf;

fn dockerfile(name: &str) -> PathBuf {
    workspace_root().join(format!("tests/images/{name}/Dockerfile"))
}

fn json(args: &[&str], name: &str) -> Value {
    let image = image(name).unwrap();
    let out = careen()
        .args(args)
        .arg(&image)
        .arg("--dockerfile")
        .arg(dockerfile(name))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(code(&out) <= 1, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line(value: &Value) -> Option<u64> {
    value["dockerfile"]["line"].as_u64()
}

#[test]
fn analyze_points_layers_and_reclaim_at_the_waste_dockerfile() {
    if image("waste").is_none() {
        return;
    }
    let value = json(&["analyze"], "waste");
    let layers: Vec<Option<u64>> = value["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(line)
        .collect();
    assert_eq!(layers, [3, 6, 9, 16, 21, 22, 25].map(Some).to_vec());
    assert_eq!(value["layers"][0]["dockerfile"]["base_image"], true);
    assert_eq!(
        value["layers"][4]["dockerfile"]["instruction"],
        "COPY .env /app/.env"
    );
    assert_eq!(
        value["dockerfile"]["unmatched_layers"],
        serde_json::json!([])
    );
    let group = |category: &str| {
        value["reclaimable"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["category"] == category)
            .cloned()
            .unwrap_or_else(|| panic!("no {category} group"))
    };
    // apt lists left by the RUN on line 6, with the fix for that line.
    let apt = group("apt-lists");
    assert_eq!(line(&apt), Some(6));
    let fix = apt["dockerfile"]["fix"].as_str().unwrap();
    assert!(
        fix.contains("rm -rf /var/lib/apt/lists/*") && fix.contains("Dockerfile:6"),
        "{fix}"
    );
    assert!(apt["items"][0]["hint"]
        .as_str()
        .unwrap()
        .contains("Dockerfile:6"));
    // The pip cache is made by the RUN on line 9.
    assert_eq!(line(&group("pip-cache")), Some(9));
    // The first blob.bin (line 9) is overwritten by line 16.
    let hidden = group("hidden");
    let blob = hidden["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "opt/data/blob.bin")
        .unwrap();
    assert_eq!(line(blob), Some(9));
    let fix = blob["dockerfile"]["fix"].as_str().unwrap();
    assert!(fix.contains("Dockerfile:16"), "{fix}");
}

#[test]
fn audit_points_the_secret_at_the_copy_line() {
    if image("waste").is_none() {
        return;
    }
    let value = json(&["audit"], "waste");
    let findings = value["findings"].as_array().unwrap();
    let by_code = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("no {code}"))
    };
    let secret = by_code("CS1002");
    assert_eq!(line(secret), Some(21));
    assert!(secret["dockerfile"]["fix"]
        .as_str()
        .unwrap()
        .contains(".dockerignore"));
    assert_eq!(line(by_code("CI2005")), Some(21));
    assert_eq!(line(by_code("CI2001")), Some(25));
    assert_eq!(line(by_code("CI2003")), Some(25));
    let apt = findings
        .iter()
        .find(|f| f["code"] == "CI2009" && f["layer"] == 1)
        .unwrap();
    assert_eq!(line(apt), Some(6));
    assert!(apt["dockerfile"]["fix"]
        .as_str()
        .unwrap()
        .contains("rm -rf /var/lib/apt/lists/*"));
}

#[test]
fn audit_text_names_the_line() {
    let Some(image) = image("waste") else {
        return;
    };
    let dir = dockerfile("waste");
    let out = careen()
        .current_dir(dir.parent().unwrap())
        .arg("audit")
        .arg(&image)
        .args(["--dockerfile", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("by Dockerfile:21 `COPY .env /app/.env`"),
        "{text}"
    );
    assert!(
        text.contains("fix: the RUN at Dockerfile:25 leaves the setuid/setgid bit"),
        "{text}"
    );
}

#[test]
fn inspect_maps_multi_stage_node_and_python() {
    if image("node").is_none() || image("python").is_none() {
        return;
    }
    let value = json(&["inspect"], "node");
    let layers: Vec<Option<u64>> = value["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(line)
        .collect();
    assert_eq!(layers, [16, 17, 22, 23].map(Some).to_vec());
    // The devDependencies come from the COPY --from=deps on line 22.
    let dev = value["reclaimable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["category"] == "node-dev-dependencies")
        .unwrap();
    assert_eq!(line(dev), Some(22));
    let value = json(&["inspect"], "python");
    let layers: Vec<Option<u64>> = value["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(line)
        .collect();
    assert_eq!(layers, [5, 7, 12, 15].map(Some).to_vec());
}

#[test]
fn bad_dockerfile_or_target_is_an_input_error() {
    let Some(image) = image("waste") else {
        return;
    };
    let out = careen()
        .arg("analyze")
        .arg(&image)
        .arg("--dockerfile")
        .arg(dockerfile("waste"))
        .args(["--target", "nope"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no build stage `nope`"));
    let out = careen()
        .args(["audit", "--target", "x"])
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "--target needs --dockerfile");
    let out = careen()
        .arg("analyze")
        .arg(&image)
        .args(["--dockerfile", "/nonexistent/Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
}
