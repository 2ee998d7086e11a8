//! `careen inspect --html` (and `--baseline`) on the buildah-built test images, and the
//! report rendered by a real headless Chromium: the script runs (its self-test sorts and
//! filters the package table), nothing reaches the console, and a screenshot is taken
//! to target/html-screenshot.png for review.

use super::{careen, test_image as image, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Relative to the workspace root (the directory the commands run in).
fn osv_dir() -> PathBuf {
    PathBuf::from("crates/careen/tests/fixtures/osv")
}

/// `careen inspect IMAGE --html OUT [extra…]`; returns the HTML.
fn inspect_html(image: &Path, out: &Path, extra: &[&std::ffi::OsStr]) -> String {
    let cache = tempfile::tempdir().unwrap();
    let output = careen()
        // Paths relative to the workspace read better in the report (and its screenshot).
        .current_dir(workspace_root())
        .env("CAREEN_CACHE_DIR", cache.path())
        .arg("inspect")
        .arg(image)
        .arg("--html")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    // The waste image has a secret: the audit fails the run, the report is still written.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

/// No resource of the page may come from anywhere but the page itself.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for needle in ["src=", "<link", "url(", "@import"] {
        assert!(
            !lower.contains(needle),
            "the report loads something: {needle}"
        );
    }
    for (at, _) in lower.match_indices("href=\"") {
        assert!(lower[at + 6..].starts_with('#'), "a link leaves the page");
    }
}

#[test]
fn inspect_writes_a_self_contained_report() {
    let Some(waste) = image("waste") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.html");
    let html = inspect_html(&waste, &out, &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.ends_with("</html>\n"));
    assert_self_contained(&html);
    // The figures of the waste image: scorecard, layers, reclaimable, findings, packages.
    assert!(html.contains("id=\"scorecard\""));
    assert!(html.contains("<svg class=\"chart\""));
    assert!(html.contains("apt-lists"), "reclaimable apt lists");
    assert!(html.contains("/app/.env"), "the planted secret");
    assert!(html.contains("<td>jq</td>"), "the installed package");
    assert!(html.contains("Not scanned"));
    assert!(
        !html.contains("class=\"delta"),
        "no before/after without --baseline"
    );
}

#[test]
fn inspect_with_baseline_and_db_shows_deltas_and_vulnerabilities() {
    let (Some(waste), Some(python)) = (image("waste"), image("python")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.html");
    let html = inspect_html(
        &waste,
        &out,
        &[
            "--baseline".as_ref(),
            python.as_os_str(),
            "--db".as_ref(),
            osv_dir().as_os_str(),
        ],
    );
    assert_self_contained(&html);
    assert!(html.contains("Compared with <strong>"));
    assert!(html.contains("id=\"package-changes\""));
    assert!(html.contains("class=\"delta"));
    assert!(html.contains("<table id=\"vulns\" class=\"sortable\">"));
    assert!(html.contains("CVE-2099-0001"));
}

#[test]
fn baseline_needs_html_and_bad_baseline_fails() {
    let Some(waste) = image("waste") else { return };
    let output = careen()
        .current_dir(workspace_root())
        .arg("inspect")
        .arg(&waste)
        .args(["--baseline", "nowhere.tar"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "--baseline without --html is a usage error"
    );
    let dir = tempfile::tempdir().unwrap();
    let output = careen()
        .current_dir(workspace_root())
        .arg("inspect")
        .arg(&waste)
        .arg("--html")
        .arg(dir.path().join("out.html"))
        .arg("--baseline")
        .arg(dir.path().join("missing.tar"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!dir.path().join("out.html").exists());
}

/// Debian's `chromium`, or `None` when it is absent and CAREEN_SKIP_BROWSER_TESTS=1.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let path = dir.join(name);
            if path.is_file() {
                return Some(path);
            }
        }
    }
    if std::env::var_os("CAREEN_SKIP_BROWSER_TESTS").is_some_and(|v| v == "1") {
        return None;
    }
    panic!("chromium is missing: `apt-get install chromium` (or set CAREEN_SKIP_BROWSER_TESTS=1)");
}

/// Runs headless Chromium on `url` with `args`, offline, in a throw-away profile; returns
/// (stdout, stderr). `timeout` bounds it: a hung browser fails the test instead of CI.
fn run_chromium(browser: &Path, profile: &Path, args: &[String], url: &str) -> (String, String) {
    let output = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            // Let the inline script run to completion before the DOM is dumped.
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "chromium failed: {stderr}");
    (stdout, stderr)
}

/// The console messages in Chromium's log (`…:CONSOLE(12)] "Uncaught …"`), and CSP refusals.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("Refused to"))
        .collect()
}

#[test]
fn chromium_renders_the_report_without_console_errors() {
    let Some(browser) = chromium() else { return };
    let (Some(waste), Some(python)) = (image("waste"), image("python")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let mut extra: Vec<&std::ffi::OsStr> =
        vec!["--baseline".as_ref(), python.as_os_str(), "--db".as_ref()];
    let osv = osv_dir();
    extra.push(osv.as_os_str());
    let dockerfile = PathBuf::from("tests/images/waste/Dockerfile");
    if careen_knows_dockerfile_flag() {
        extra.push("--dockerfile".as_ref());
        extra.push(dockerfile.as_os_str());
    }
    let html = inspect_html(&waste, &out, &extra);
    let url = format!("file://{}", out.display());

    // The DOM after the script ran, with the self-test hook.
    let profile = dir.path().join("profile");
    let (dom, stderr) = run_chromium(
        &browser,
        &profile,
        &["--dump-dom".to_owned()],
        &format!("{url}#selftest"),
    );
    assert!(
        dom.contains("data-selftest=\"pass\""),
        "self-test: {}",
        &dom[..dom.len().min(400)]
    );
    assert!(
        console_lines(&stderr).is_empty(),
        "console: {:?}",
        console_lines(&stderr)
    );
    // The package table really is sorted by name, descending, in the rendered DOM.
    let names = package_names(&dom);
    assert!(names.len() > 50, "{} package rows", names.len());
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(names, sorted);
    assert_eq!(package_names(&html).len(), names.len());

    // A planted script error IS reported: the console check can fail.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
    )
    .unwrap();
    let (_, stderr) = run_chromium(
        &browser,
        &profile,
        &["--dump-dom".to_owned()],
        &format!("file://{}", broken.display()),
    );
    assert!(
        !console_lines(&stderr).is_empty(),
        "chromium did not log: {stderr}"
    );

    // The screenshot for review.
    let screenshot = workspace_root().join("target/html-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    run_chromium(
        &browser,
        &profile,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000".to_owned(),
        ],
        &url,
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
}

/// The first cell of each row of the `packages` table.
fn package_names(html: &str) -> Vec<String> {
    let Some(start) = html.find("<table id=\"packages\"") else {
        return Vec::new();
    };
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    table
        .split("<tr")
        .skip(2)
        .filter_map(|row| {
            let cell = row.split_once("<td>")?.1;
            Some(cell.split_once("</td>")?.0.to_owned())
        })
        .collect()
}

/// Whether `careen inspect` has `--dockerfile` (the layer → Dockerfile-line map).
fn careen_knows_dockerfile_flag() -> bool {
    let output = careen().args(["inspect", "--help"]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).contains("--dockerfile")
}
