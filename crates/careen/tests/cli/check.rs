//! `careen check`: budgets over the buildah-built test images (the waste image
//! breaks them, a generous careen.toml passes), a real `--build` through
//! buildah, the Markdown summary, and the bad-input paths (malformed
//! careen.toml, missing image).

use super::{careen, code, test_image as image, transcript, workspace_root};
use serde_json::Value;
use std::path::Path;

fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn budget<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no budget {name} in {report:#}"))
}

#[test]
fn waste_image_breaks_the_default_budgets() {
    let Some(waste) = image("waste") else { return };
    let context = workspace_root().join("tests/images/waste");
    let output = careen()
        .arg("check")
        .arg(&context)
        .arg("--image")
        .arg(&waste)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["schema"], "careen.check/v1");
    assert_eq!(report["pass"], false);
    assert_eq!(report["config"], Value::Null, "no careen.toml: defaults");
    // Root, and the .env secret that a later layer deletes.
    let root = budget(&report, "require.non-root");
    assert_eq!(root["pass"], false);
    let secrets = budget(&report, "require.no-secrets");
    assert_eq!(secrets["pass"], false);
    assert!(secrets["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["location"] == "/app/.env (layer 4)"));
    // The Dockerfile was linted (DL3008: unpinned apt package) and its FROM is pinned.
    let warnings = budget(&report, "lint.warning");
    assert_eq!(warnings["pass"], false);
    assert!(warnings["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["code"] == "DL3008"));
    assert_eq!(budget(&report, "require.pinned-base")["pass"], true);
    // No database: the vulnerability budget is skipped, not failed.
    let vulns = budget(&report, "vulnerabilities.critical");
    assert_eq!(vulns["skipped"], true);
    assert_eq!(vulns["pass"], true);

    // The text table says the same, without colour when not a terminal; the HTML report
    // carries the budgets, the lint findings and findings linked to Dockerfile lines.
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let output = careen()
        .arg("check")
        .arg(&context)
        .arg("--image")
        .arg(&waste)
        .arg("--html")
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let page = std::fs::read_to_string(&html).unwrap();
    for needle in [
        "require.non-root",
        "DL3008",
        "Dockerfile:21",
        "COPY .env /app/.env",
    ] {
        assert!(page.contains(needle), "no `{needle}` in the HTML report");
    }
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("require.non-root") && l.contains("FAIL")),
        "{text}"
    );
    assert!(text.contains("budgets broken"), "{text}");
}

#[test]
fn generous_config_passes() {
    let Some(python) = image("python") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("careen.toml"),
        r#"
[budgets]
max-image-size = "2 GiB"
min-efficiency = "50%"
max-reclaimable = "1GB"
max-wasted = "1GB"
max-user-wasted = 0.9

[budgets.audit]
error = 0

[budgets.require]
non-root = true
healthcheck = true
no-secrets = true
"#,
    )
    .unwrap();
    let markdown = dir.path().join("summary.md");
    let output = careen()
        .arg("check")
        .arg(dir.path())
        .arg("--image")
        .arg(&python)
        .arg("--markdown")
        .arg(&markdown)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json(&output);
    assert_eq!(report["pass"], true);
    assert_eq!(report["summary"]["broken"], 0);
    assert_eq!(report["summary"]["met"], 9);
    assert_eq!(budget(&report, "require.healthcheck")["actual"], "present");
    assert_eq!(budget(&report, "require.non-root")["actual"], "10001");
    let summary = std::fs::read_to_string(&markdown).unwrap();
    assert!(
        summary.starts_with("## ✅ careen check: all 9 budgets met"),
        "{summary}"
    );
}

#[test]
fn markdown_summary_of_the_waste_image() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("careen.toml"),
        r#"
[check]
dockerfile = "Dockerfile"

[budgets]
max-image-size = "10MB"
min-efficiency = "50%"

[budgets.lint]
error = 0
warning = 0

[budgets.audit]
error = 0

[budgets.require]
non-root = true
healthcheck = true
pinned-base = "digest"
no-secrets = true
"#,
    )
    .unwrap();
    std::fs::copy(
        workspace_root().join("tests/images/waste/Dockerfile"),
        dir.path().join("Dockerfile"),
    )
    .unwrap();
    let output = careen()
        .current_dir(dir.path())
        .args(["check", "--format", "markdown", "--image"])
        .arg(&waste)
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text =
        String::from_utf8_lossy(&output.stdout).replace(&waste.display().to_string(), "[IMAGE]");
    // Sizes depend on the Debian packages of the day; the verdicts do not.
    insta::with_settings!({filters => vec![
        (r"\d+(\.\d+)? (B|kB|MB|GB|KiB|MiB|GiB)", "[SIZE]"),
        (r"\d+(\.\d+)?%", "[PCT]"),
        (r"file:[0-9a-f]{64}", "file:[HASH]"),
    ]}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn malformed_config_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("careen.toml"),
        "[budgets]\nmax-image-size = \"200MB\"\nmax_sise = \"1GB\"\n",
    )
    .unwrap();
    let output = careen()
        .current_dir(dir.path())
        .args(["check", "--config", "careen.toml", "--image", "missing.tar"])
        .output()
        .unwrap();
    insta::assert_snapshot!(transcript(&output, Some(dir.path())), @r"
    exit: 2
    --- stdout ---
    --- stderr ---
    error: careen.toml:3:1: unknown key `max_sise` in [budgets] (did you mean `max-image-size`?); allowed keys: max-image-size, min-efficiency, max-reclaimable, max-wasted, max-user-wasted, lint, audit, vulnerabilities, require
    ");

    // A bad value, found in the context without --config.
    std::fs::write(
        dir.path().join("careen.toml"),
        "[budgets]\nmin-efficiency = \"ninety\"\n",
    )
    .unwrap();
    let output = careen().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "careen.toml:2:18: `min-efficiency` in [budgets]: `ninety` is not a percentage"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn missing_image_and_bad_input_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = careen()
            .current_dir(dir.path())
            .arg("check")
            .args(args)
            .output()
            .unwrap();
        (
            code(&output),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (status, stderr) = run(&["--image", "docker-archive:missing.tar"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("missing.tar"),
        "{stderr}"
    );
    let (status, stderr) = run(&[]);
    assert_eq!(status, 2);
    assert!(stderr.contains("nothing to inspect"), "{stderr}");
    let (status, stderr) = run(&["no-such-dir"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("not a directory"), "{stderr}");
    let (status, stderr) = run(&["--config", "nope.toml"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("cannot read `nope.toml`"), "{stderr}");
}

use super::build::{base_image_ready, BASE};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn builds_with_buildah_then_checks() {
    if !base_image_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM {BASE}\nCOPY hello.txt /hello.txt\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\nCMD [\"cat\", \"/hello.txt\"]\n"
        ),
    );
    write(dir.path(), "hello.txt", "hello\n");
    write(
        dir.path(),
        "careen.toml",
        r#"
[check]
build = true

[build]
engine = "buildah"
output = "out/image.tar"

[budgets]
max-image-size = "1GB"

[budgets.lint]
error = 0

[budgets.require]
non-root = true
healthcheck = true
pinned-base = true
no-secrets = true
"#,
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let output = careen()
        .arg("check")
        .arg(dir.path())
        .args(["-f", "json", "--test"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        0,
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let steps = report["steps"].as_array().unwrap();
    let build = steps.iter().find(|s| s["name"] == "build").unwrap();
    assert_eq!(build["ran"], true);
    assert!(dir.path().join("out/image.tar").is_file());
    assert!(report["image"]
        .as_str()
        .unwrap()
        .starts_with("docker-archive:"));
    assert_eq!(budget(&report, "require.healthcheck")["pass"], true);
    assert_eq!(budget(&report, "require.non-root")["pass"], true);
    // --test ran the built-in checks under runc: non-root, starts (a one-shot `cat`), and the
    // HEALTHCHECK (in a fresh container, the command having exited).
    let test = steps.iter().find(|s| s["name"] == "test").unwrap();
    assert_eq!(test["ran"], true, "{test}");
    assert_eq!(test["detail"], "3 of 3 passed", "{test}");
}

#[test]
fn failed_tests_break_the_tests_budget() {
    let Some(waste) = image("waste") else { return };
    // The waste image runs as root: `careen test`'s non-root check fails under runc.
    let output = careen()
        .arg("check")
        .arg(workspace_root().join("tests/images/waste"))
        .args(["-f", "json", "--test", "--image"])
        .arg(&waste)
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let tests = budget(&report, "require.tests-pass");
    assert_eq!(tests["pass"], false, "{tests:#}");
    assert!(tests.to_string().contains("runs as non-root"), "{tests:#}");
}
