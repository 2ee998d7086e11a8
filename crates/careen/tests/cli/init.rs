//! `careen init` end to end: each fixture project gets its three files
//! (snapshotted), and the generated Dockerfile and `.dockerignore` lint clean
//! — zero findings at every severity — with the real `careen lint`.

use crate::{careen, code, transcript, workspace_root};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    workspace_root()
        .join("crates/careen/tests/fixtures/init")
        .join(name)
}

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

/// A copy of fixture `name` in a temp dir (the project directory is `app`).
fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    copy_dir(&fixture(name), &dir);
    (tmp, dir)
}

/// Asserts `careen lint` finds nothing at all in the generated files.
fn assert_lints_clean(dir: &Path) {
    let out = careen()
        .args(["lint", "--format", "json"])
        .arg(dir.join("Dockerfile"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("lint JSON: {e}\n{stdout}"));
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.is_empty(),
        "generated files have findings:\n{}",
        serde_json::to_string_pretty(diagnostics).unwrap()
    );
    assert_eq!(code(&out), 0, "{stdout}");
}

/// Runs `careen init` on a fixture, snapshots the files, lints them.
fn init_fixture(name: &str, extra: &[&str]) -> String {
    let (_tmp, dir) = project(name);
    let out = careen().arg("init").args(extra).arg(&dir).output().unwrap();
    assert_eq!(code(&out), 0, "{}", transcript(&out, Some(&dir)));
    let mut files = String::new();
    for file in ["Dockerfile", ".dockerignore", "compose.yaml"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        files.push_str(&format!("==> {file} <==\n{text}\n"));
    }
    assert_lints_clean(&dir);
    files
}

#[test]
fn fastapi_with_requirements() {
    let files = init_fixture("fastapi-requirements", &[]);
    assert!(
        files.contains(r#"CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]"#)
    );
    assert!(files.contains("pip install -r requirements-dev.txt"));
    insta::assert_snapshot!("fastapi_requirements", files);
}

#[test]
fn flask_with_poetry() {
    let files = init_fixture("flask-poetry", &[]);
    assert!(
        files.contains("poetry==1.8.5"),
        "the version that wrote poetry.lock"
    );
    assert!(files.contains(r#""gunicorn", "shortener.web:app""#));
    insta::assert_snapshot!("flask_poetry", files);
}

#[test]
fn django_with_uv() {
    let files = init_fixture("django-uv", &[]);
    assert!(files.contains("uv sync --frozen --no-dev --no-install-project"));
    assert!(files.contains("mysite.wsgi:application"));
    assert!(files.contains("/healthz"));
    insta::assert_snapshot!("django_uv", files);
}

#[test]
fn fastmcp_stdio_server() {
    let files = init_fixture("fastmcp-stdio", &[]);
    assert!(files.contains("HEALTHCHECK NONE"));
    assert!(!files.contains("EXPOSE"));
    assert!(files.contains("stdin_open: true"));
    assert!(!files.contains("ports:"));
    insta::assert_snapshot!("fastmcp_stdio", files);
}

#[test]
fn node_typescript_express_with_npm() {
    let files = init_fixture("node-ts-express", &[]);
    assert!(files.contains("npm ci --omit=dev"));
    assert!(files.contains("RUN npm run build"));
    assert!(files.contains("COPY --from=builder /app/dist ./dist"));
    assert!(files.contains("EXPOSE 8080"));
    insta::assert_snapshot!("node_ts_express", files);
}

#[test]
fn node_mcp_server_with_pnpm() {
    let files = init_fixture("node-mcp-pnpm", &[]);
    assert!(files.contains("npm install -g pnpm@9.12.0"));
    assert!(files.contains("pnpm install --prod --frozen-lockfile"));
    assert!(files.contains("HEALTHCHECK NONE"));
    insta::assert_snapshot!("node_mcp_pnpm", files);
}

#[test]
fn yarn_project_with_main_only() {
    let files = init_fixture("yarn-main", &[]);
    assert!(files.contains("yarn install --production --frozen-lockfile"));
    assert!(files.contains(r#"CMD ["node", "index.js"]"#));
    insta::assert_snapshot!("yarn_main", files);
}

#[test]
fn flags_override_detection() {
    let files = init_fixture(
        "yarn-main",
        &[
            "--kind",
            "worker",
            "--entrypoint",
            r#"["node", "worker.js"]"#,
            "--node-version",
            "20",
            "--base-image",
            "localhost/careen-test/node:20",
        ],
    );
    assert!(files.contains(r#"CMD ["node", "worker.js"]"#));
    assert!(files.contains("ARG NODE_IMAGE=localhost/careen-test/node:20"));
    assert!(files.contains("ARG NODE_VERSION=20"));
    assert!(!files.contains("EXPOSE"));
    let files = init_fixture(
        "fastapi-requirements",
        &["--port", "9000", "--python-version", "3.11"],
    );
    assert!(files.contains("EXPOSE 9000"));
    assert!(files.contains(r#""--port", "9000""#));
    assert!(files.contains("ARG PYTHON_VERSION=3.11"));
}

#[test]
fn never_overwrites_without_force() {
    let (_tmp, dir) = project("yarn-main");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let out = careen().arg("init").arg(&dir).output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Dockerfile") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert!(
        !dir.join("compose.yaml").exists(),
        "nothing is written when one file exists"
    );

    let out = careen()
        .args(["init", "--force"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(std::fs::read_to_string(dir.join("Dockerfile"))
        .unwrap()
        .contains("AS runtime"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("overwritten"));
}

#[test]
fn dry_run_prints_and_writes_nothing() {
    let (_tmp, dir) = project("fastmcp-stdio");
    let out = careen()
        .args(["init", "--dry-run"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("==> Dockerfile <==") && stdout.contains("==> compose.yaml <=="));
    assert!(!dir.join("Dockerfile").exists());
    let out = careen()
        .args(["init", "--stdout"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(!dir.join(".dockerignore").exists());
}

#[test]
fn json_report() {
    let (_tmp, dir) = project("node-mcp-pnpm");
    let out = careen()
        .args(["init", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "careen.init/v1");
    assert_eq!(v["detected"]["language"], "node");
    assert_eq!(v["detected"]["kind"], "mcp-stdio");
    assert_eq!(v["detected"]["node"]["manager"], "pnpm");
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    assert_eq!(v["files"][0]["action"], "written");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_project_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "hello").unwrap();
    let out = careen().arg("init").arg(tmp.path()).output().unwrap();
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(transcript(&out, Some(tmp.path())));
}

#[test]
fn broken_manifests_name_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("package.json"),
        "{\n  \"name\": \"x\",\n  \"main\": \n}\n",
    )
    .unwrap();
    let out = careen().arg("init").arg(tmp.path()).output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("package.json") && stderr.contains("line 4, column 1"),
        "{stderr}"
    );

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\ndependencies = [\n",
    )
    .unwrap();
    let out = careen().arg("init").arg(tmp.path()).output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pyproject.toml") && stderr.contains("line 4"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn language_flag_without_its_files() {
    let (_tmp, dir) = project("fastmcp-stdio");
    let out = careen()
        .args(["init", "--language", "node"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no package.json"));
}
