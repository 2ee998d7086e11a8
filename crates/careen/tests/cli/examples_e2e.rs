//! The examples end to end (issue 5, part 4): for each project in examples/,
//! `careen init` → `careen lint` (no findings) → `careen build` (buildah) →
//! `careen test` (the built-in checks pass), and the naive single-stage
//! Dockerfile of tests/fixtures/naive/ built the same way gives a bigger image.
//! Both build a developer's working copy of the example, not a pristine one: a
//! git repository with a `.gitignore`, and for Python the local `.venv` a
//! developer makes (`python3 -m venv .venv`) — what a naive `COPY . .` takes
//! in and careen's `.dockerignore` keeps out. (From a pristine copy, with the
//! same base and no build-only dependencies, the Python images come out the
//! same size within 1 %: careen's runtime adds tini.)
//!
//! The builds run FROM the stand-in bases `localhost/careen-test/python:3.11`
//! and `node:18` (Debian packages on the debootstrap base) in the e2e store, a
//! buildah storage with the overlay driver that `scripts/example-bases.sh`
//! fills (see there why not vfs). pip and npm fetch from the real registries,
//! trusting the host's CA bundle through `--ca-bundle`. Layers stay cached in
//! the store, so a re-run only builds what changed.
//!
//! Also here: `careen init --interactive` answered through a pseudo-terminal.

use super::{careen, code, workspace_root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Instant;

/// One example at a time: two cores, and each build already uses both.
static SERIAL: Mutex<()> = Mutex::new(());

const CA: &str = "/etc/ssl/certs/ca-certificates.crt";
const PYTHON_BASE: &str = "localhost/careen-test/python:3.11";
const NODE_BASE: &str = "localhost/careen-test/node:18";

struct Example {
    name: &'static str,
    /// `careen init`'s detected kind.
    kind: &'static str,
    /// Build args that point the generated Dockerfile at the local base.
    base_args: [&'static str; 2],
}

const PYTHON_ARGS: [&str; 2] = [
    "PYTHON_IMAGE=localhost/careen-test/python:3.11",
    "PYTHON_VERSION=3.11",
];
const NODE_ARGS: [&str; 2] = [
    "NODE_IMAGE=localhost/careen-test/node:18",
    "NODE_VERSION=18",
];

fn store() -> PathBuf {
    std::env::var_os("CAREEN_E2E_STORE")
        .map_or_else(|| PathBuf::from("/var/tmp/careen-e2e"), PathBuf::from)
}

/// Environment that sends buildah (through `careen build`) to the e2e store.
fn with_store(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("CONTAINERS_STORAGE_CONF", store().join("storage.conf"))
        .env("STORAGE_DRIVER", "overlay")
        .env_remove("CAREEN_BUILDAH_ARGS")
        .env("SOURCE_DATE_EPOCH", "1700000000")
}

/// True when the e2e store has both bases. Fails (does not skip) when it does
/// not, unless CAREEN_SKIP_IMAGE_TESTS=1.
fn bases_ready() -> bool {
    let conf = store().join("storage.conf");
    let ready = conf.is_file()
        && [PYTHON_BASE, NODE_BASE].iter().all(|base| {
            Command::new("buildah")
                .args([
                    "--storage-driver",
                    "overlay",
                    "inspect",
                    "--type",
                    "image",
                    base,
                ])
                .env("CONTAINERS_STORAGE_CONF", &conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    if ready {
        return true;
    }
    assert!(
        std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1"),
        "the e2e store {} lacks {PYTHON_BASE} or {NODE_BASE}: run `bash scripts/example-bases.sh` \
         (or set CAREEN_SKIP_IMAGE_TESTS=1)",
        store().display()
    );
    false
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A developer's working copy of `examples/NAME` at `to`: the files, a
/// `.gitignore`, a git repository with one commit and, for Python, a local
/// virtual environment in `.venv`.
fn working_copy(name: &str, to: &Path) {
    copy_dir(&workspace_root().join("examples").join(name), to);
    std::fs::write(
        to.join(".gitignore"),
        ".venv/\nnode_modules/\ndist/\n__pycache__/\n",
    )
    .unwrap();
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .current_dir(to)
            .env("GIT_AUTHOR_NAME", "dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(out.status.success(), "{program} {args:?}:\n{}", text(&out));
    };
    if name.starts_with("python") {
        run("python3", &["-m", "venv", ".venv"]);
    }
    run("git", &["init", "-q"]);
    run("git", &["add", "-A"]);
    run("git", &["commit", "-q", "-m", "work"]);
}

fn text(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        code(out),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(out)))
}

/// `careen build` with buildah into a docker-archive (which, unlike an OCI
/// config, keeps the HEALTHCHECK `careen test` runs); returns the build seconds.
fn build(context: &Path, dockerfile: Option<&Path>, args: &[&str], archive: &Path) -> f64 {
    let mut cmd = careen();
    with_store(&mut cmd).args(["build", "--engine", "buildah", "--quiet", "--ca-bundle", CA]);
    if let Some(file) = dockerfile {
        cmd.arg("-f").arg(file);
    }
    for arg in args {
        cmd.args(["--build-arg", arg]);
    }
    cmd.arg("-o")
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(context);
    let start = Instant::now();
    let out = cmd.output().unwrap();
    assert_eq!(
        code(&out),
        0,
        "careen build {}:\n{}",
        context.display(),
        text(&out)
    );
    start.elapsed().as_secs_f64()
}

fn size_bytes(archive: &Path) -> u64 {
    let out = careen()
        .args(["analyze", "--format", "json"])
        .arg(archive)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen analyze:\n{}", text(&out));
    json(&out)["image"]["size_bytes"]
        .as_u64()
        .unwrap_or_else(|| panic!("no image.size_bytes:\n{}", text(&out)))
}

fn run_example(example: &Example) {
    if !bases_ready() {
        return;
    }
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join(example.name);
    working_copy(example.name, &project);

    // init: detected as expected, three files written.
    let out = careen()
        .args(["init", "--format", "json"])
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen init:\n{}", text(&out));
    let report = json(&out);
    assert_eq!(report["detected"]["kind"], example.kind, "{report:#}");
    for name in ["Dockerfile", ".dockerignore", "compose.yaml"] {
        assert!(project.join(name).is_file(), "{name} not written");
    }

    // lint: zero findings.
    let out = careen()
        .args(["lint", "--format", "json"])
        .arg(project.join("Dockerfile"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen lint:\n{}", text(&out));
    let lint = json(&out);
    assert_eq!(lint["diagnostics"], Value::Array(vec![]), "{lint:#}");
    assert_eq!(lint["errors"], Value::Array(vec![]), "{lint:#}");

    // build, then test with the built-in checks.
    let image = tmp.path().join("careen.docker.tar");
    let build_secs = build(&project, None, &example.base_args, &image);
    let start = Instant::now();
    let out = careen()
        .args(["test", "--format", "json"])
        .arg(format!("docker-archive:{}", image.display()))
        .output()
        .unwrap();
    let test_secs = start.elapsed().as_secs_f64();
    assert_eq!(code(&out), 0, "careen test:\n{}", text(&out));
    let results = json(&out);
    let checks = results.to_string();
    assert!(checks.contains("non-root"), "{results:#}");
    // The kind-specific checks ran (and passed, as the exit code says): an HTTP
    // service answers on its port and its HEALTHCHECK passes; an MCP server
    // answers the stdio handshake.
    let expected: &[&str] = if example.kind == "http" {
        &["HTTP answers on port", "healthcheck"]
    } else {
        &["MCP"]
    };
    for name in expected {
        assert!(checks.contains(name), "no `{name}` check in:\n{results:#}");
    }

    // The naive Dockerfile on the same working copy (no .dockerignore: a beginner has none).
    let naive_context = tmp.path().join(format!("naive-{}", example.name));
    working_copy(example.name, &naive_context);
    let naive_file = root
        .join("tests/fixtures/naive")
        .join(format!("{}.Dockerfile", example.name));
    let naive = tmp.path().join("naive.docker.tar");
    let naive_secs = build(&naive_context, Some(&naive_file), &[], &naive);

    let (ours, theirs) = (size_bytes(&image), size_bytes(&naive));
    eprintln!(
        "{}: careen init image {ours} bytes (build {build_secs:.0} s, test {test_secs:.0} s), \
         naive {theirs} bytes (build {naive_secs:.0} s)",
        example.name
    );
    assert!(
        ours < theirs,
        "{}: the careen init image ({ours} bytes) is not smaller than the naive one ({theirs} bytes)",
        example.name
    );
}

#[test]
fn python_http_example() {
    run_example(&Example {
        name: "python-http",
        kind: "http",
        base_args: PYTHON_ARGS,
    });
}

#[test]
fn python_mcp_example() {
    run_example(&Example {
        name: "python-mcp",
        kind: "mcp-stdio",
        base_args: PYTHON_ARGS,
    });
}

#[test]
fn node_http_example() {
    run_example(&Example {
        name: "node-http",
        kind: "http",
        base_args: NODE_ARGS,
    });
}

#[test]
fn node_mcp_example() {
    run_example(&Example {
        name: "node-mcp",
        kind: "mcp-stdio",
        base_args: NODE_ARGS,
    });
}

/// `--interactive` asks only on a terminal: util-linux `script` gives it a
/// pseudo-terminal whose input is this test's answers. Keeping the language
/// (empty answer), a worker instead of HTTP and another command must show in
/// what is written.
#[test]
fn init_interactive_answers_through_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("util-linux `script` is missing (apt-get install bsdutils)");
    }
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("app");
    copy_dir(&workspace_root().join("examples/python-http"), &project);
    let bin = assert_cmd::cargo::cargo_bin("careen");
    let inner = format!(
        "'{}' init --interactive --format json '{}'",
        bin.display(),
        project.display()
    );
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &inner, "/dev/null"])
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"\nworker\nuvicorn app.main:app --port 9000\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let all = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert_eq!(code(&out), 0, "{all}");
    for question in [
        "language (python, node) [python]: ",
        "kind (http, mcp-stdio, worker) [http]: ",
        "command [uvicorn app.main:app --host 0.0.0.0 --port 8000]: ",
    ] {
        assert!(all.contains(question), "no `{question}` in:\n{all}");
    }
    // A worker has no port, so no port question.
    assert!(!all.contains("port [8000]"), "{all}");
    let dockerfile = std::fs::read_to_string(project.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(r#"CMD ["uvicorn", "app.main:app", "--port", "9000"]"#),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("HEALTHCHECK NONE"), "{dockerfile}");
    assert!(!dockerfile.contains("EXPOSE"), "{dockerfile}");

    // Through a plain pipe it does not ask: a warning, and what was detected.
    let other = tmp.path().join("piped");
    copy_dir(&workspace_root().join("examples/python-http"), &other);
    let out = careen()
        .args(["init", "--interactive"])
        .arg(&other)
        .write_stdin("node\n")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--interactive needs a terminal"),
        "{}",
        text(&out)
    );
    let dockerfile = std::fs::read_to_string(other.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("EXPOSE 8000"), "{dockerfile}");
}

/// The Python package managers beyond pip, built for real: tests/init-matrix holds a small
/// service per manager with a lockfile the real tool wrote (poetry 1.8.5, uv, pipenv).
/// `careen init` → lint clean → build (the manager runs inside the build, trusting the host's
/// CA through `--ca-bundle`: REQUESTS_CA_BUNDLE for poetry and pipenv, SSL_CERT_FILE for uv)
/// → `careen test` (HTTP probe and HEALTHCHECK pass).
fn run_matrix_project(name: &str, manager: &str) {
    if !bases_ready() {
        return;
    }
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join(name);
    copy_dir(
        &workspace_root().join("tests/init-matrix").join(name),
        &project,
    );
    let out = careen()
        .args(["init", "--format", "json", "--python-version", "3.11"])
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen init:\n{}", text(&out));
    let report = json(&out);
    assert_eq!(report["detected"]["kind"], "http", "{report:#}");
    assert!(
        report.to_string().contains(manager),
        "{manager} not detected: {report:#}"
    );
    let out = careen()
        .args(["lint", "--format", "json"])
        .arg(project.join("Dockerfile"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen lint:\n{}", text(&out));
    let image = tmp.path().join("image.docker.tar");
    build(&project, None, &PYTHON_ARGS, &image);
    let out = careen()
        .args(["test", "--format", "json"])
        .arg(format!("docker-archive:{}", image.display()))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "careen test:\n{}", text(&out));
    let checks = json(&out).to_string();
    for check in ["HTTP answers on port 8000", "healthcheck"] {
        assert!(checks.contains(check), "no `{check}` in {checks}");
    }
}

#[test]
fn poetry_project_builds_and_passes() {
    run_matrix_project("flask-poetry", "poetry");
}

#[test]
fn uv_project_builds_and_passes() {
    run_matrix_project("fastapi-uv", "uv");
}

#[test]
fn pipenv_project_builds_and_passes() {
    run_matrix_project("flask-pipenv", "pipenv");
}
