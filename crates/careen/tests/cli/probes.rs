//! `careen test`'s built-in probes on real containers under runc: the HTTP probe of exposed
//! ports (from inside the container's network namespace) and the MCP stdio handshake. The
//! images are the buildah-built python test image with a new config (and, for MCP, a layer
//! holding tests/fixtures/mcp/server.py) written by umoci, a tool of its own.

use super::{careen, code, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the python test image as an OCI layout, or `None` when it is missing and
/// CAREEN_SKIP_IMAGE_TESTS=1.
fn python_layout(dir: &Path) -> Option<PathBuf> {
    let source = workspace_root().join("target/test-data/images/python.oci");
    if !source.is_dir() {
        if std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1") {
            return None;
        }
        panic!(
            "{} is missing: run `bash scripts/test-images.sh` (or set CAREEN_SKIP_IMAGE_TESTS=1)",
            source.display()
        );
    }
    let layout = dir.join("img");
    run(Command::new("cp").arg("-r").arg(&source).arg(&layout));
    Some(layout)
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e} (is umoci installed?)"));
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `umoci config` on `layout:from`, tagged `to`.
fn umoci_config(layout: &Path, from: &str, to: &str, args: &[&str]) {
    run(Command::new("umoci")
        .arg("config")
        .arg("--image")
        .arg(format!("{}:{from}", layout.display()))
        .args(["--tag", to])
        .args(args));
}

fn cmd_args(argv: &[&str]) -> Vec<String> {
    argv.iter()
        .flat_map(|a| ["--config.cmd".to_owned(), (*a).to_owned()])
        .collect()
}

fn test_json(image: String, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = careen()
        .arg("test")
        .arg(&image)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{image}: not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code(&output), value)
}

fn result<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result `{name}` in {report:#}"))
}

/// A Python one-liner HTTP server on 8000 that answers every GET with `status`.
fn status_server(status: u16) -> String {
    format!(
        "import http.server as h\n\
         class H(h.BaseHTTPRequestHandler):\n    \
             def do_GET(self):\n        self.send_response({status}); self.end_headers()\n\
         h.HTTPServer(('0.0.0.0', 8000), H).serve_forever()"
    )
}

#[test]
fn http_probe_of_exposed_ports() {
    let dir = tempfile::tempdir().unwrap();
    let Some(layout) = python_layout(dir.path()) else {
        return;
    };
    let expose = |port: &str| ["--config.exposedports".to_owned(), port.to_owned()];
    let mut args = cmd_args(&["python3", "-m", "http.server", "8000"]);
    args.extend(expose("8000/tcp"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    umoci_config(&layout, "latest", "ok", &args);
    let server = status_server(500);
    let mut args = cmd_args(&["python3", "-c", &server]);
    args.extend(expose("8000/tcp"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    umoci_config(&layout, "latest", "err500", &args);
    // Serves 8000 but exposes 8001 as well: 8001 never answers.
    umoci_config(&layout, "ok", "silent", &["--config.exposedports", "8001"]);

    let reference = |tag: &str| format!("oci:{}:{tag}", layout.display());
    let (exit, report) = test_json(reference("ok"), &[]);
    assert_eq!(exit, 0, "{report:#}");
    let probe = result(&report, "HTTP answers on port 8000");
    assert_eq!(probe["pass"], true);
    assert!(
        probe["stdout"].as_str().unwrap().contains("200"),
        "{probe:#}"
    );

    let (exit, report) = test_json(reference("err500"), &["--http-path", "/healthz"]);
    assert_eq!(exit, 1, "{report:#}");
    let probe = result(&report, "HTTP answers on port 8000");
    assert_eq!(probe["pass"], false);
    let error = probe["errors"][0].as_str().unwrap();
    assert!(
        error.contains("GET /healthz") && error.contains("500"),
        "{error}"
    );

    // --timeout bounds how long a silent port is waited for.
    let (exit, report) = test_json(reference("silent"), &["--timeout", "3"]);
    assert_eq!(exit, 1, "{report:#}");
    assert_eq!(result(&report, "HTTP answers on port 8000")["pass"], true);
    let silent = result(&report, "HTTP answers on port 8001");
    assert_eq!(silent["pass"], false);
    assert!(
        silent["errors"][0]
            .as_str()
            .unwrap()
            .contains("nothing answered on port 8001"),
        "{silent:#}"
    );
    // The probe can be turned off.
    let (exit, report) = test_json(reference("silent"), &["--no-http-probe"]);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["results"].as_array().unwrap().len(), 2, "{report:#}");
}

#[test]
fn mcp_stdio_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let Some(layout) = python_layout(dir.path()) else {
        return;
    };
    // A proper tar layer holding the fixture server (umoci insert writes a truncated tar).
    let tree = dir.path().join("layer/app");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::copy(
        workspace_root().join("tests/fixtures/mcp/server.py"),
        tree.join("mcp_server.py"),
    )
    .unwrap();
    let tar = dir.path().join("layer.tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(dir.path().join("layer"))
        .arg("-cf")
        .arg(&tar)
        .arg("app"));
    run(Command::new("umoci")
        .args(["raw", "add-layer", "--image"])
        .arg(format!("{}:latest", layout.display()))
        .args(["--tag", "files"])
        .arg(&tar));
    let label = "io.modelcontextprotocol.server.name=io.github.careen/fixture";
    let mut args = cmd_args(&["python3", "/app/mcp_server.py"]);
    args.extend(["--config.label".to_owned(), label.to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    umoci_config(&layout, "files", "mcp", &args);
    let mut args = cmd_args(&["python3", "/app/mcp_server.py", "--noisy"]);
    args.extend(["--config.label".to_owned(), label.to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    umoci_config(&layout, "files", "noisy", &args);
    // No label: only with --mcp.
    umoci_config(
        &layout,
        "files",
        "unlabelled",
        &cmd_args(&["python3", "/app/mcp_server.py"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );

    let reference = |tag: &str| format!("oci:{}:{tag}", layout.display());
    let (exit, report) = test_json(reference("mcp"), &[]);
    assert_eq!(exit, 0, "{report:#}");
    let mcp = result(&report, "MCP initialize and tools/list");
    let stdout = mcp["stdout"].as_str().unwrap();
    assert!(
        stdout.contains("careen-fixture 1.0.0") && stdout.contains("2 tool(s): echo, add"),
        "{stdout}"
    );
    // The server saw end of input and said goodbye on stderr.
    assert!(mcp["stderr"].as_str().unwrap().contains("stdin closed"));

    let (exit, report) = test_json(reference("noisy"), &[]);
    assert_eq!(exit, 1, "{report:#}");
    let error = result(&report, "MCP initialize and tools/list")["errors"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("not JSON-RPC") && error.contains("server starting"),
        "{error}"
    );

    // Without the label the server is a one-shot (stdin is empty): it exits 0 at once.
    let (exit, report) = test_json(reference("unlabelled"), &[]);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["results"].as_array().unwrap().len(), 2, "{report:#}");
    let (exit, report) = test_json(reference("unlabelled"), &["--mcp"]);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(
        result(&report, "MCP initialize and tools/list")["pass"],
        true
    );
    let (exit, report) = test_json(reference("mcp"), &["--no-mcp"]);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["results"].as_array().unwrap().len(), 2, "{report:#}");
}

#[test]
fn an_entrypoint_missing_from_the_image_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let Some(layout) = python_layout(dir.path()) else {
        return;
    };
    umoci_config(
        &layout,
        "latest",
        "noent",
        &["--config.entrypoint", "/app/nope"],
    );
    umoci_config(
        &layout,
        "latest",
        "nopath",
        &["--config.entrypoint", "no-such-server"],
    );
    umoci_config(
        &layout,
        "latest",
        "notexec",
        &["--config.entrypoint", "/app/app.py"],
    );
    for (tag, reason) in [
        ("noent", "`/app/nope` does not exist in the image"),
        (
            "nopath",
            "`no-such-server` is not found on the image's PATH",
        ),
        ("notexec", "`/app/app.py` is not executable"),
    ] {
        let output = careen()
            .arg("test")
            .arg(format!("oci:{}:{tag}", layout.display()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(&output), 2, "{tag}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(reason),
            "{stderr}"
        );
    }
}

#[test]
fn a_bad_http_path_is_a_usage_error() {
    for path in ["health", "/a b", "/x\r\nHost: evil"] {
        let output = careen()
            .args(["test", "no-such-image.tar", "--http-path", path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(&output), 2, "{stderr}");
        assert!(stderr.contains("--http-path"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
