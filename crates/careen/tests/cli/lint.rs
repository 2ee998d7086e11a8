//! `careen lint` end to end: the shipped example, output formats, fixes, bad input.

use crate::{careen, code, transcript, workspace_root};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn example() -> std::path::PathBuf {
    workspace_root().join("examples/python-api")
}

#[test]
fn example_text_output() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in ["DL3007", "DL4000", "DL3008", "DL3025", "CR3001", "CR3002"] {
        assert!(
            stdout.contains(expected),
            "missing {expected} in:\n{stdout}"
        );
    }
    assert!(!stdout.contains('\u{1b}'), "no colour when not a terminal");
    insta::assert_snapshot!(transcript(&out, Some(tmp.path())));
}

#[test]
fn example_json_output() {
    let out = careen()
        .args(["lint", "--format", "json"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "careen.lint/v1");
    let diagnostics = v["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 10);
    for d in diagnostics {
        for key in [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "fix",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
    }
    // The summary is talk, not data: it goes to stderr only for text.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_format_renders() {
    for format in ["sarif", "checkstyle", "gitlab"] {
        let out = careen()
            .args(["lint", "--format", format])
            .arg(example())
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{format}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match format {
            "checkstyle" => {
                assert!(stdout.starts_with("<?xml") && stdout.contains("source=\"careen.DL3007\""))
            }
            _ => {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                if format == "sarif" {
                    assert_eq!(v["version"], "2.1.0");
                } else {
                    assert!(v.as_array().unwrap().len() >= 10);
                }
            }
        }
    }
}

#[test]
fn colour_on_request_and_no_color_respected() {
    let out = careen()
        .args(["--color", "always", "lint"])
        .arg(example())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = careen()
        .env("NO_COLOR", "1")
        .args(["lint"])
        .arg(example())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn fail_level_and_select() {
    // CR1005 (EXPOSE 22) is a warning: reported, but below `--fail-level error`.
    let out = careen()
        .args(["lint", "--select", "CR1005", "--fail-level", "error"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", transcript(&out, None));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("CR1005") && !stdout.contains("DL3007"));
    // DL4000 is an error: it fails at every level.
    let out = careen()
        .args(["lint", "--select", "DL4000", "--fail-level", "error"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", transcript(&out, None));
    let out = careen()
        .args(["lint", "--ignore", "DL,CR", "--no-context"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", transcript(&out, None));
}

#[test]
fn fix_diff_and_idempotence() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    let dockerfile = tmp.path().join("Dockerfile");
    let before = std::fs::read_to_string(&dockerfile).unwrap();

    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "--diff", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let diff = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        diff.contains("--- a/Dockerfile") && diff.contains("+++ b/Dockerfile"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        before,
        "--diff must not write"
    );

    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "--fix", "--unsafe-fixes", "Dockerfile"])
        .output()
        .unwrap();
    assert_ne!(code(&out), 2, "{}", transcript(&out, None));
    let fixed = std::fs::read_to_string(&dockerfile).unwrap();
    assert_ne!(fixed, before);
    careen_dockerfile::parse(&fixed).expect("fixed file parses");

    // A second --fix changes nothing and --diff is then empty.
    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "--fix", "--unsafe-fixes", "Dockerfile"])
        .output()
        .unwrap();
    assert_ne!(code(&out), 2);
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), fixed);
    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "--diff", "--unsafe-fixes", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", transcript(&out, None));
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!("fixed_example", fixed);
}

#[test]
fn reads_stdin() {
    let out = careen()
        .args(["lint", "-", "--format", "json"])
        .write_stdin("FROM debian:latest\nMAINTAINER me\n")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["file"], "Dockerfile");
}

#[test]
fn finds_dockerfiles_in_directories() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("api")).unwrap();
    std::fs::write(
        tmp.path().join("api/Dockerfile"),
        "FROM debian:12\nUSER 10001\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("worker.Dockerfile"),
        "FROM debian:12\nUSER 10001\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("Dockerfile.dockerignore"), "*\n").unwrap();
    let out = careen()
        .args(["lint", "--format", "json", "--no-context"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn pragmas_and_hadolint_config() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("Dockerfile"),
        "FROM debian:latest\n# hadolint ignore=DL4000\nMAINTAINER me\n# careen ignore=DL3008\nRUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join(".hadolint.yaml"), "ignored:\n  - DL3007\n").unwrap();
    let out = careen()
        .current_dir(tmp.path())
        .args(["lint", "--format", "json", "--select", "DL"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for silenced in ["DL4000", "DL3008", "DL3007"] {
        assert!(
            !codes.contains(&silenced),
            "{silenced} not silenced: {codes:?}"
        );
    }
}

#[test]
fn malformed_config_names_key_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), "FROM debian:12\n").unwrap();
    std::fs::write(
        tmp.path().join("careen.toml"),
        "[lint]\nselect = [\"DL\"]\nfail-level = 3\n",
    )
    .unwrap();
    let out = careen()
        .current_dir(tmp.path())
        .args(["lint"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("careen.toml")
            && stderr.contains("fail-level")
            && stderr.contains("line 3"),
        "{stderr}"
    );
}

/// Bad input: one clear line on stderr, exit 2, never a panic.
#[test]
fn bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("empty.Dockerfile"), "").unwrap();
    std::fs::write(dir.join("binary.Dockerfile"), b"FROM x\n\x00\x01\x02\xff").unwrap();
    std::fs::write(
        dir.join("latin1.Dockerfile"),
        b"FROM x\nLABEL a=\"caf\xe9\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("heredoc.Dockerfile"),
        "FROM x\nRUN <<EOF\necho hi\n",
    )
    .unwrap();
    let huge = std::fs::File::create(dir.join("huge.Dockerfile")).unwrap();
    huge.set_len(100 * 1024 * 1024).unwrap();
    for name in ["empty", "binary", "latin1", "heredoc", "huge", "missing"] {
        let out = careen()
            .args(["lint", "--no-context"])
            .arg(dir.join(format!("{name}.Dockerfile")))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{name}: {stderr}");
        assert!(
            stderr.lines().any(|l| l.starts_with("error: ")),
            "{name}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{name}: {stderr}"
        );
    }
    // An unknown instruction is a finding (BuildKit would refuse the file).
    std::fs::write(
        dir.join("unknown.Dockerfile"),
        "FROM debian:12\nFROBNICATE now\n",
    )
    .unwrap();
    let out = careen()
        .args(["lint", "--no-context", "--format", "json"])
        .arg(dir.join("unknown.Dockerfile"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "CR0001" && d["severity"] == "error"),
        "{v}"
    );
    // A directory with no Dockerfile.
    let empty_dir = dir.join("nothing");
    std::fs::create_dir(&empty_dir).unwrap();
    let out = careen().args(["lint"]).arg(&empty_dir).output().unwrap();
    assert_eq!(code(&out), 2);
}

/// A path that cannot be read (here: through a regular file, which fails the
/// same way for every user, root included) is an input error.
#[test]
fn unreadable_path() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("Dockerfile");
    std::fs::write(&file, "FROM debian:12\n").unwrap();
    let out = careen()
        .args(["lint"])
        .arg(file.join("Dockerfile"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot read"), "{stderr}");
}

/// BuildKit's `# check=` directive skips or escalates the careen rules that
/// mirror BuildKit's build checks.
#[test]
fn buildkit_check_directive() {
    let lint = |text: &str| {
        let out = careen()
            .args(["lint", "-", "--format", "json", "--select", "DL3025,CR0003"])
            .write_stdin(text.to_string())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{}:{}",
                    d["code"].as_str().unwrap(),
                    d["severity"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let body = "FROM debian:12 as build\nCMD echo hi\n";
    assert_eq!(lint(body), vec!["CR0003:warning", "DL3025:warning"]);
    assert_eq!(
        lint(&format!("# check=skip=JSONArgsRecommended\n{body}")),
        vec!["CR0003:warning"]
    );
    assert_eq!(
        lint(&format!("# check=skip=all\n{body}")),
        Vec::<String>::new()
    );
    assert_eq!(
        lint(&format!("# check=error=true\n{body}")),
        vec!["CR0003:error", "DL3025:error"]
    );
}

/// `--fix -` prints the fixed file on stdout and the findings on stderr.
#[test]
fn fix_stdin_prints_the_fixed_file() {
    let out = careen()
        .args(["lint", "--fix", "--no-context", "-"])
        .write_stdin("FROM debian:12\nMAINTAINER me\nUSER 1000\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "FROM debian:12\nLABEL org.opencontainers.image.authors=\"me\"\nUSER 1000\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fixed 1 problem"));
}
