//! container-structure-test (CST) v2 suites, read as they are: `commandTests`,
//! `fileExistenceTests`, `fileContentTests`, `metadataTest`, `licenseTests`, `globalEnvVars`.
//!
//! File tests read the unpacked root filesystem directly (paths resolved inside it, symlinks
//! never leaving it). Command tests run each in its own container under runc, all on the same
//! unpacked root filesystem (no copy-on-write layer here, so a test's writes are seen by later
//! tests). CST runs `setup` commands and then the command in the same container; careen does the
//! same by chaining them in one `/bin/sh -c` script when the image has `/bin/sh`, and otherwise
//! runs them one after another as separate containers on the same root filesystem.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::bundle::{lookup_in_root, resolve_in_root};
use crate::error::EngineError;
use crate::runtime::{BundleOptions, ProcessSpec, RunOutput, Runtime};

/// Largest file a `fileContentTests` entry reads.
const MAX_CONTENT: u64 = 64 << 20;

/// One `key`/`value` pair (`envVars`, `globalEnvVars`, metadata `env` and `labels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
}

/// A container-structure-test v2 file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suite {
    pub schema_version: String,
    #[serde(default)]
    pub global_env_vars: Vec<KeyValue>,
    #[serde(default)]
    pub command_tests: Vec<CommandTest>,
    #[serde(default)]
    pub file_existence_tests: Vec<FileExistenceTest>,
    #[serde(default)]
    pub file_content_tests: Vec<FileContentTest>,
    #[serde(default)]
    pub metadata_test: Option<MetadataTest>,
    #[serde(default)]
    pub license_tests: Vec<LicenseTest>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandTest {
    pub name: String,
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub setup: Vec<Vec<String>>,
    #[serde(default)]
    pub teardown: Vec<Vec<String>>,
    #[serde(default)]
    pub env_vars: Vec<KeyValue>,
    #[serde(default)]
    pub expected_output: Vec<String>,
    #[serde(default)]
    pub excluded_output: Vec<String>,
    #[serde(default)]
    pub expected_error: Vec<String>,
    #[serde(default)]
    pub excluded_error: Vec<String>,
    /// CST checks the exit code always; 0 when not given.
    #[serde(default)]
    pub exit_code: i32,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileExistenceTest {
    pub name: String,
    pub path: String,
    /// CST defaults this to true.
    #[serde(default = "yes")]
    pub should_exist: bool,
    /// Go's `os.FileMode` string, e.g. `-rw-r--r--`, `drwxr-xr-x`, `urwxr-xr-x` (setuid).
    #[serde(default)]
    pub permissions: Option<String>,
    #[serde(default)]
    pub uid: Option<i64>,
    #[serde(default)]
    pub gid: Option<i64>,
    /// `owner`, `group`, `other` or `any`.
    #[serde(default)]
    pub is_executable_by: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileContentTest {
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub expected_contents: Vec<String>,
    #[serde(default)]
    pub excluded_contents: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataTest {
    #[serde(default, alias = "envVars")]
    pub env: Vec<KeyValue>,
    #[serde(default)]
    pub labels: Vec<KeyValue>,
    #[serde(default)]
    pub exposed_ports: Vec<String>,
    #[serde(default)]
    pub unexposed_ports: Vec<String>,
    #[serde(default)]
    pub volumes: Vec<String>,
    #[serde(default)]
    pub unmounted_volumes: Vec<String>,
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub workdir: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseTest {
    #[serde(default)]
    pub debian: bool,
    #[serde(default)]
    pub files: Vec<String>,
}

/// Reads a CST file (YAML or JSON) and checks its schema version.
pub fn load(path: &Path) -> Result<Suite, EngineError> {
    let text = std::fs::read_to_string(path).map_err(|e| EngineError::io(path, e))?;
    parse(&text, path)
}

/// Parses CST YAML (JSON is YAML too); `path` names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<Suite, EngineError> {
    let suite: Suite = serde_yaml::from_str(text).map_err(|e| EngineError::Config {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if suite.schema_version != "2.0.0" {
        return Err(EngineError::Config {
            path: path.to_path_buf(),
            reason: format!(
                "schemaVersion `{}` is not supported (only 2.0.0)",
                suite.schema_version
            ),
        });
    }
    Ok(suite)
}

/// The outcome of one test.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TestResult {
    pub name: String,
    pub pass: bool,
    pub errors: Vec<String>,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// One line on what a built-in check saw (the HTTP status, the MCP server and its tools).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl TestResult {
    fn new(name: String, errors: Vec<String>, started: Instant) -> Self {
        Self {
            name,
            pass: errors.is_empty(),
            errors,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            stdout: None,
            stderr: None,
            detail: None,
        }
    }
}

/// Where and how a suite runs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub config: &'a oci_spec::image::ImageConfiguration,
    /// The unpacked root filesystem (absolute).
    pub rootfs: &'a Path,
    /// Runs command tests; `None` fails them with a clear message.
    pub runtime: Option<&'a Runtime>,
    /// Bundles are written here.
    pub workdir: &'a Path,
    pub options: BundleOptions,
    /// Per container.
    pub timeout: Duration,
}

/// Runs every test of `suite`. Only an interrupt is an error; anything else a test meets is
/// reported as that test's failure.
pub fn run(suite: &Suite, ctx: &Context<'_>) -> Result<Vec<TestResult>, EngineError> {
    let mut results = Vec::new();
    for test in &suite.command_tests {
        results.push(command_test(test, &suite.global_env_vars, ctx)?);
    }
    // CST's order and CST's result names, so reports line up with its own.
    // File paths may name the image's environment variables (`$HOME/.config`), as in CST.
    let env = ctx
        .config
        .config()
        .as_ref()
        .and_then(|c| c.env().clone())
        .unwrap_or_default();
    for test in &suite.file_content_tests {
        let test = FileContentTest {
            path: expand_env(&test.path, &env),
            ..test.clone()
        };
        results.push(file_content_test(&test, ctx.rootfs));
    }
    for test in &suite.file_existence_tests {
        let test = FileExistenceTest {
            path: expand_env(&test.path, &env),
            ..test.clone()
        };
        results.push(file_existence_test(&test, ctx.rootfs));
    }
    for test in &suite.license_tests {
        results.push(license_test(test, ctx.rootfs));
    }
    if let Some(test) = &suite.metadata_test {
        results.push(metadata_test(test, ctx.config));
    }
    Ok(results)
}

/// Replaces `$NAME` and `${NAME}` with the value of `NAME=` in `env`; unknown names become
/// empty, the way a shell (and CST) expands them.
pub fn expand_env(text: &str, env: &[String]) -> String {
    if !text.contains('$') {
        return text.to_owned();
    }
    let Ok(pattern) = Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
    else {
        return text.to_owned();
    };
    pattern
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let name = caps
                .get(1)
                .or_else(|| caps.get(2))
                .map_or("", |m| m.as_str());
            env.iter()
                .rev()
                .find_map(|e| e.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .unwrap_or_default()
                .to_owned()
        })
        .into_owned()
}

/// Quotes one word for `/bin/sh`.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `sh -c` script running `setup`, the command and `teardown` in one container; the
/// command's exit code is the script's.
fn chained_script(test: &CommandTest) -> String {
    let mut script = String::new();
    for setup in &test.setup {
        let words = shell_words(setup);
        let _ = writeln!(
            script,
            "{words} >/dev/null 2>&1 || {{ echo {} >&2; exit 125; }}",
            shell_quote(&format!(
                "careen: setup command failed: {}",
                setup.join(" ")
            ))
        );
    }
    let mut argv = vec![test.command.clone()];
    argv.extend(test.args.iter().cloned());
    let _ = writeln!(script, "{}", shell_words(&argv));
    script.push_str("careen_status=$?\n");
    for teardown in &test.teardown {
        let _ = writeln!(script, "{} >/dev/null 2>&1", shell_words(teardown));
    }
    script.push_str("exit $careen_status\n");
    script
}

fn command_test(
    test: &CommandTest,
    global_env: &[KeyValue],
    ctx: &Context<'_>,
) -> Result<TestResult, EngineError> {
    let started = Instant::now();
    let name = test.name.clone();
    let Some(runtime) = ctx.runtime else {
        return Ok(TestResult::new(
            name,
            vec!["no OCI runtime (runc or crun) to run the command".into()],
            started,
        ));
    };
    if test.command.is_empty() {
        return Ok(TestResult::new(
            name,
            vec!["the test has no command".into()],
            started,
        ));
    }
    let mut argv = vec![test.command.clone()];
    argv.extend(test.args.iter().cloned());
    let has_shell = matches!(resolve_in_root(ctx.rootfs, "/bin/sh"), Ok(Some(_)));
    let chained = !(test.setup.is_empty() && test.teardown.is_empty()) && has_shell;
    let main_argv = if chained {
        vec!["/bin/sh".into(), "-c".into(), chained_script(test)]
    } else {
        argv
    };
    let mut process = match ProcessSpec::from_image(ctx.config, ctx.rootfs, Some(main_argv)) {
        Ok(process) => process,
        Err(error) => return Ok(TestResult::new(name, vec![error.to_string()], started)),
    };
    for pair in global_env.iter().chain(&test.env_vars) {
        process.set_env(&pair.key, &pair.value);
    }
    let mut errors = Vec::new();
    let run_one = |argv: Vec<String>| -> Result<RunOutput, EngineError> {
        let mut process = process.clone();
        process.args = argv;
        runtime.run(ctx.rootfs, &process, &ctx.options, ctx.workdir, ctx.timeout)
    };
    if !chained {
        for setup in &test.setup {
            match run_one(setup.clone()) {
                Ok(output) if output.exit_code == Some(0) => {}
                Ok(output) => errors.push(format!(
                    "setup command `{}` failed (exit code {}): {}",
                    setup.join(" "),
                    describe_exit(&output),
                    output.stderr.trim()
                )),
                Err(EngineError::Interrupted) => return Err(EngineError::Interrupted),
                Err(error) => errors.push(format!("setup command failed: {error}")),
            }
        }
    }
    let output = if errors.is_empty() {
        match run_one(process.args.clone()) {
            Ok(output) => Some(output),
            Err(EngineError::Interrupted) => return Err(EngineError::Interrupted),
            Err(error) => {
                errors.push(error.to_string());
                None
            }
        }
    } else {
        None
    };
    if !chained {
        for teardown in &test.teardown {
            match run_one(teardown.clone()) {
                Err(EngineError::Interrupted) => return Err(EngineError::Interrupted),
                Ok(output) if output.exit_code != Some(0) => errors.push(format!(
                    "teardown command `{}` failed (exit code {})",
                    teardown.join(" "),
                    describe_exit(&output)
                )),
                _ => {}
            }
        }
    }
    if let Some(output) = &output {
        if output.timed_out {
            errors.push(format!(
                "timed out after {} s and was killed",
                ctx.timeout.as_secs()
            ));
        } else if output.exit_code != Some(test.exit_code) {
            errors.push(format!(
                "expected exit code {}, got {}",
                test.exit_code,
                describe_exit(output)
            ));
        }
        check_regexes(
            "stdout",
            &output.stdout,
            &test.expected_output,
            &test.excluded_output,
            &mut errors,
        );
        check_regexes(
            "stderr",
            &output.stderr,
            &test.expected_error,
            &test.excluded_error,
            &mut errors,
        );
    }
    let mut result = TestResult::new(name, errors, started);
    if let Some(output) = output {
        result.stdout = Some(output.stdout);
        result.stderr = Some(output.stderr);
    }
    Ok(result)
}

fn describe_exit(output: &RunOutput) -> String {
    output
        .exit_code
        .map_or_else(|| "none (killed)".to_owned(), |c| c.to_string())
}

fn check_regexes(
    what: &str,
    text: &str,
    expected: &[String],
    excluded: &[String],
    errors: &mut Vec<String>,
) {
    for (patterns, want) in [(expected, true), (excluded, false)] {
        for pattern in patterns {
            match Regex::new(pattern) {
                Err(e) => errors.push(format!("invalid regex `{pattern}`: {e}")),
                Ok(re) if re.is_match(text) != want => errors.push(if want {
                    format!(
                        "expected {what} to match `{pattern}`; got: {}",
                        excerpt(text)
                    )
                } else {
                    format!(
                        "{what} should not match `{pattern}`; got: {}",
                        excerpt(text)
                    )
                }),
                Ok(_) => {}
            }
        }
    }
}

/// The first 200 characters of `text`, trimmed, for an error message.
fn excerpt(text: &str) -> String {
    let trimmed = text.trim();
    let mut cut: String = trimmed.chars().take(200).collect();
    if cut.len() < trimmed.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Go's `os.FileMode.String()` for a file's metadata, which CST compares `permissions` with.
pub fn go_mode_string(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    let mode = meta.permissions().mode();
    let mut out = String::new();
    // Go's order of type and special letters: d a l T L D p S u g c t ?
    if kind.is_dir() {
        out.push('d');
    }
    if kind.is_symlink() {
        out.push('L');
    }
    if kind.is_block_device() || kind.is_char_device() {
        out.push('D');
    }
    if kind.is_fifo() {
        out.push('p');
    }
    if kind.is_socket() {
        out.push('S');
    }
    if mode & 0o4000 != 0 {
        out.push('u');
    }
    if mode & 0o2000 != 0 {
        out.push('g');
    }
    if kind.is_char_device() {
        out.push('c');
    }
    if mode & 0o1000 != 0 {
        out.push('t');
    }
    if out.is_empty() {
        out.push('-');
    }
    for (bit, letter) in [
        (0o400, 'r'),
        (0o200, 'w'),
        (0o100, 'x'),
        (0o040, 'r'),
        (0o020, 'w'),
        (0o010, 'x'),
        (0o004, 'r'),
        (0o002, 'w'),
        (0o001, 'x'),
    ] {
        out.push(if mode & bit != 0 { letter } else { '-' });
    }
    out
}

fn file_existence_test(test: &FileExistenceTest, rootfs: &Path) -> TestResult {
    let started = Instant::now();
    let mut errors = Vec::new();
    let found = match lookup_in_root(rootfs, &test.path) {
        Ok(found) => found.and_then(|p| std::fs::symlink_metadata(p).ok()),
        Err(error) => {
            errors.push(error.to_string());
            None
        }
    };
    match (&found, test.should_exist) {
        (None, true) => errors.push(format!("{} should exist but does not", test.path)),
        (Some(_), false) => errors.push(format!("{} should not exist but does", test.path)),
        _ => {}
    }
    if let Some(meta) = found.as_ref().filter(|_| test.should_exist) {
        let mode = go_mode_string(meta);
        if let Some(expected) = test.permissions.as_deref().filter(|p| !p.is_empty()) {
            if expected != mode {
                errors.push(format!(
                    "{} has permissions {mode}, expected {expected}",
                    test.path
                ));
            }
        }
        if let Some(who) = test.is_executable_by.as_deref().filter(|w| !w.is_empty()) {
            let bits = match who {
                "owner" => Some(0o100),
                "group" => Some(0o010),
                "other" => Some(0o001),
                "any" => Some(0o111),
                _ => None,
            };
            match bits {
                None => errors.push(format!(
                    "isExecutableBy `{who}` is not one of owner, group, other, any"
                )),
                Some(bits) if meta.permissions().mode() & bits == 0 => errors.push(format!(
                    "{} is not executable by {who} (permissions {mode})",
                    test.path
                )),
                Some(_) => {}
            }
        }
        if let Some(uid) = test.uid.filter(|u| *u >= 0) {
            if i64::from(meta.uid()) != uid {
                errors.push(format!(
                    "{} is owned by uid {}, expected {uid}",
                    test.path,
                    meta.uid()
                ));
            }
        }
        if let Some(gid) = test.gid.filter(|g| *g >= 0) {
            if i64::from(meta.gid()) != gid {
                errors.push(format!(
                    "{} has group gid {}, expected {gid}",
                    test.path,
                    meta.gid()
                ));
            }
        }
    }
    TestResult::new(
        format!("File Existence Test: {}", test.name),
        errors,
        started,
    )
}

fn file_content_test(test: &FileContentTest, rootfs: &Path) -> TestResult {
    let started = Instant::now();
    let mut errors = Vec::new();
    match resolve_in_root(rootfs, &test.path) {
        Ok(Some(path)) if path.is_file() => {
            let mut bytes = Vec::new();
            match std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_CONTENT).read_to_end(&mut bytes))
            {
                Ok(_) => {
                    let text = String::from_utf8_lossy(&bytes);
                    check_regexes(
                        "contents",
                        &text,
                        &test.expected_contents,
                        &test.excluded_contents,
                        &mut errors,
                    );
                }
                Err(e) => errors.push(format!("cannot read {}: {e}", test.path)),
            }
        }
        Ok(Some(_)) => errors.push(format!("{} is not a regular file", test.path)),
        Ok(None) => errors.push(format!("{} does not exist", test.path)),
        Err(error) => errors.push(error.to_string()),
    }
    TestResult::new(format!("File Content Test: {}", test.name), errors, started)
}

fn value_matches(pair: &KeyValue, actual: &str, errors: &mut Vec<String>, what: &str) {
    let ok = if pair.is_regex {
        match Regex::new(&pair.value) {
            Ok(re) => re.is_match(actual),
            Err(e) => {
                errors.push(format!("invalid regex `{}`: {e}", pair.value));
                return;
            }
        }
    } else {
        pair.value == actual
    };
    if !ok {
        errors.push(format!(
            "{what} {} is {actual:?}, expected {:?}",
            pair.key, pair.value
        ));
    }
}

fn metadata_test(test: &MetadataTest, config: &oci_spec::image::ImageConfiguration) -> TestResult {
    let started = Instant::now();
    let mut errors = Vec::new();
    let image = config.config().clone().unwrap_or_default();
    let env: HashMap<&str, &str> = image
        .env()
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|e| e.split_once('=').unwrap_or((e.as_str(), "")))
        .collect();
    for pair in &test.env {
        match env.get(pair.key.as_str()) {
            Some(actual) => value_matches(pair, actual, &mut errors, "env var"),
            None => errors.push(format!("env var {} is not set in the image", pair.key)),
        }
    }
    let labels = image.labels().clone().unwrap_or_default();
    for pair in &test.labels {
        match labels.get(&pair.key) {
            Some(actual) => value_matches(pair, actual, &mut errors, "label"),
            None => errors.push(format!("label {} is not set in the image", pair.key)),
        }
    }
    let ports = image.exposed_ports().clone().unwrap_or_default();
    for port in &test.exposed_ports {
        if !ports.contains(port) {
            errors.push(format!("port {port} is not exposed (exposed: {ports:?})"));
        }
    }
    for port in &test.unexposed_ports {
        if ports.contains(port) {
            errors.push(format!("port {port} is exposed but should not be"));
        }
    }
    let volumes = image.volumes().clone().unwrap_or_default();
    for volume in &test.volumes {
        if !volumes.contains(volume) {
            errors.push(format!(
                "volume {volume} is not declared (volumes: {volumes:?})"
            ));
        }
    }
    for volume in &test.unmounted_volumes {
        if volumes.contains(volume) {
            errors.push(format!("volume {volume} is declared but should not be"));
        }
    }
    let lists = [
        ("entrypoint", &test.entrypoint, image.entrypoint()),
        ("cmd", &test.cmd, image.cmd()),
    ];
    for (what, expected, actual) in lists {
        if let Some(expected) = expected {
            let actual = actual.clone().unwrap_or_default();
            if &actual != expected {
                errors.push(format!("image {what} is {actual:?}, expected {expected:?}"));
            }
        }
    }
    if let Some(workdir) = test.workdir.as_deref().filter(|w| !w.is_empty()) {
        let actual = image.working_dir().clone().unwrap_or_default();
        if actual != workdir {
            errors.push(format!("image workdir is {actual:?}, expected {workdir:?}"));
        }
    }
    if let Some(user) = test.user.as_deref().filter(|u| !u.is_empty()) {
        let actual = image.user().clone().unwrap_or_default();
        if actual != user {
            errors.push(format!("image user is {actual:?}, expected {user:?}"));
        }
    }
    TestResult::new("Metadata Test".into(), errors, started)
}

/// Debian packages whose copyright file CST does not require.
const LICENSE_EXEMPT: &[&str] = &["libgnutls30"];
/// Words that fail a license file (as CST does, compared upper-case).
const LICENSE_DENIED: &[&str] = &["AGPL", "WTFPL"];

fn check_license_file(rootfs: &Path, file: &str, errors: &mut Vec<String>) {
    let Some(text) = crate::runtime::read_rootfs_file(rootfs, file) else {
        errors.push(format!(
            "license file {file} does not exist or cannot be read"
        ));
        return;
    };
    let upper = text.to_uppercase();
    for word in LICENSE_DENIED {
        if upper.contains(word) {
            errors.push(format!("license file {file} mentions {word}"));
        }
    }
}

fn license_test(test: &LicenseTest, rootfs: &Path) -> TestResult {
    let started = Instant::now();
    let mut errors = Vec::new();
    if test.debian {
        match resolve_in_root(rootfs, "/usr/share/doc").map(|d| d.map(std::fs::read_dir)) {
            Ok(Some(Ok(entries))) => {
                let mut packages: Vec<String> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| !LICENSE_EXEMPT.contains(&name.as_str()))
                    .collect();
                packages.sort();
                for package in packages {
                    check_license_file(
                        rootfs,
                        &format!("/usr/share/doc/{package}/copyright"),
                        &mut errors,
                    );
                }
            }
            _ => errors.push("/usr/share/doc cannot be read".into()),
        }
    }
    for file in &test.files {
        check_license_file(rootfs, file, &mut errors);
    }
    TestResult::new("License Test".into(), errors, started)
}

/// Pass and fail counts.
pub fn counts(results: &[TestResult]) -> (usize, usize) {
    let pass = results.iter().filter(|r| r.pass).count();
    (pass, results.len() - pass)
}

/// The results as JUnit XML (one `<testsuite>`).
pub fn junit(suite_name: &str, results: &[TestResult]) -> String {
    let (_, fail) = counts(results);
    let total_ms: u64 = results.iter().map(|r| r.duration_ms).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites tests=\"{}\" failures=\"{fail}\" time=\"{}\">",
        results.len(),
        seconds(total_ms)
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fail}\" errors=\"0\" time=\"{}\">",
        escape(suite_name),
        results.len(),
        seconds(total_ms)
    );
    for result in results {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
            escape(&result.name),
            escape(suite_name),
            seconds(result.duration_ms)
        );
        if result.pass {
            xml.push_str("/>\n");
        } else {
            xml.push_str(">\n");
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\">{}</failure>",
                escape(result.errors.first().map_or("failed", String::as_str)),
                escape(&result.errors.join("\n"))
            );
            xml.push_str("    </testcase>\n");
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// XML-escapes text and attribute values; drops characters XML 1.0 cannot hold.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_cst_file_with_defaults() {
        let suite = parse(
            r#"
schemaVersion: 2.0.0
globalEnvVars: [{key: A, value: "1"}]
commandTests:
  - name: jq
    command: jq
    args: [--version]
    expectedOutput: ["jq-1"]
fileExistenceTests:
  - name: bin
    path: /bin
    permissions: drwxr-xr-x
metadataTest:
  cmd: [jq, --version]
  env: [{key: PATH, value: "/.*", isRegex: true}]
licenseTests: [{debian: true}]
unknownField: ignored
"#,
            Path::new("t.yaml"),
        )
        .unwrap();
        assert_eq!(suite.command_tests[0].exit_code, 0);
        assert!(suite.file_existence_tests[0].should_exist);
        assert_eq!(suite.file_existence_tests[0].uid, None);
        assert!(suite.metadata_test.as_ref().unwrap().env[0].is_regex);
        assert!(parse("schemaVersion: 1.0.0\n", Path::new("t")).is_err());
        assert!(parse("schemaVersion: [\n", Path::new("t")).is_err());
    }

    #[test]
    fn env_expansion_in_paths() {
        let env = vec!["HOME=/home/app".to_owned(), "HOMEX=no".to_owned()];
        assert_eq!(expand_env("$HOME/.config", &env), "/home/app/.config");
        assert_eq!(expand_env("${HOME}x", &env), "/home/appx");
        assert_eq!(expand_env("/a/$MISSING/b", &env), "/a//b");
        assert_eq!(expand_env("/plain", &env), "/plain");
    }

    #[test]
    fn go_mode_strings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4755)).unwrap();
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(go_mode_string(&meta), "urwxr-xr-x");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            go_mode_string(&std::fs::metadata(&file).unwrap()),
            "-rw-r--r--"
        );
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(
            go_mode_string(&std::fs::metadata(dir.path()).unwrap()),
            "dtrwxrwxrwx"
        );
    }

    #[test]
    fn file_tests_read_the_rootfs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("etc/os-release"), "ID=debian\n").unwrap();
        std::os::unix::fs::symlink("/etc/os-release", dir.path().join("os")).unwrap();
        let ok = file_content_test(
            &FileContentTest {
                name: "os".into(),
                path: "/os".into(),
                expected_contents: vec!["ID=debian".into()],
                excluded_contents: vec!["alpine".into()],
            },
            dir.path(),
        );
        assert!(ok.pass, "{ok:?}");
        let bad = file_content_test(
            &FileContentTest {
                name: "os".into(),
                path: "/etc/os-release".into(),
                expected_contents: vec!["alpine".into()],
                excluded_contents: vec!["debian".into(), "(".into()],
            },
            dir.path(),
        );
        assert_eq!(bad.errors.len(), 3, "{bad:?}");
        let absent = file_existence_test(
            &FileExistenceTest {
                name: "absent".into(),
                path: "/nope".into(),
                should_exist: false,
                permissions: None,
                uid: None,
                gid: None,
                is_executable_by: None,
            },
            dir.path(),
        );
        assert!(absent.pass);
        let exec = file_existence_test(
            &FileExistenceTest {
                name: "exec".into(),
                path: "/etc/os-release".into(),
                should_exist: true,
                permissions: None,
                uid: None,
                gid: None,
                is_executable_by: Some("any".into()),
            },
            dir.path(),
        );
        assert!(!exec.pass);
    }

    #[test]
    fn chained_script_quotes_and_keeps_the_exit_code() {
        let test = CommandTest {
            name: "t".into(),
            command: "echo".into(),
            args: vec!["it's".into()],
            setup: vec![vec!["touch".into(), "/tmp/x".into()]],
            teardown: vec![vec!["rm".into(), "/tmp/x".into()]],
            ..Default::default()
        };
        let script = chained_script(&test);
        assert!(script.contains(r"'echo' 'it'\''s'"), "{script}");
        assert!(script.ends_with("exit $careen_status\n"));
    }

    #[test]
    fn junit_escapes() {
        let xml = junit(
            "img",
            &[
                TestResult {
                    name: "a<b".into(),
                    pass: false,
                    errors: vec!["x & \"y\"\u{1}".into()],
                    ..Default::default()
                },
                TestResult {
                    name: "ok".into(),
                    pass: true,
                    ..Default::default()
                },
            ],
        );
        assert!(xml.contains("name=\"a&lt;b\""));
        assert!(xml.contains("x &amp; &quot;y&quot;</failure>"));
        assert!(xml.contains("failures=\"1\""));
    }
}
