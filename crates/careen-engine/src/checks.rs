//! The checks `careen test IMAGE` runs when no structure-test file is given: the image runs as
//! a non-root user, its container starts (stays up for two seconds, or exits 0 within them, as
//! a one-shot command does), and its HEALTHCHECK passes.
//!
//! It also probes every exposed TCP port over HTTP from inside the container's network
//! namespace, and talks MCP over stdio (`initialize`, `tools/list`) to an MCP server image.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::bundle::resolve_in_root;
use crate::error::EngineError;
use crate::probe::{self, HttpProbe};
use crate::runtime::{interrupted, resolve_user, Container, ProcessSpec, RunOutput};
use crate::structure::{Context, TestResult};

/// How long the container must stay up (or exit 0 within) to count as started.
pub const STARTUP: Duration = Duration::from_secs(2);

/// Longest pause between two health probes: Docker waits the full `--interval` (30 s by
/// default); a test run should not.
const MAX_PROBE_INTERVAL: Duration = Duration::from_secs(5);

/// A Docker `HEALTHCHECK`, from the image config's `Healthcheck`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// The argv to run (`CMD-SHELL` becomes `/bin/sh -c …`).
    pub command: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub start_period: Duration,
    pub retries: u32,
}

/// Reads the HEALTHCHECK of a Docker image config (raw JSON); `None` when there is none or it
/// is `NONE`.
pub fn healthcheck(raw_config: &[u8]) -> Option<Healthcheck> {
    let value: Value = serde_json::from_slice(raw_config).ok()?;
    let check = value
        .get("config")
        .and_then(|c| c.get("Healthcheck"))
        .or_else(|| {
            value
                .get("container_config")
                .and_then(|c| c.get("Healthcheck"))
        })?;
    let test: Vec<String> = check
        .get("Test")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let (kind, rest) = test.split_first()?;
    let command = match kind.as_str() {
        "CMD" if !rest.is_empty() => rest.to_vec(),
        "CMD-SHELL" if !rest.is_empty() => {
            vec!["/bin/sh".into(), "-c".into(), rest.join(" ")]
        }
        _ => return None,
    };
    let nanos = |key: &str, default: Duration| {
        check
            .get(key)
            .and_then(Value::as_u64)
            .filter(|n| *n > 0)
            .map_or(default, Duration::from_nanos)
    };
    Some(Healthcheck {
        command,
        interval: nanos("Interval", Duration::from_secs(30)),
        timeout: nanos("Timeout", Duration::from_secs(30)),
        start_period: nanos("StartPeriod", Duration::ZERO),
        retries: check
            .get("Retries")
            .and_then(Value::as_u64)
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| *r > 0)
            .unwrap_or(3),
    })
}

/// Knobs of the built-in checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// Probe exposed TCP ports over HTTP.
    pub http: bool,
    /// The path the HTTP probe asks for.
    pub http_path: String,
    /// `Some(true)`: talk MCP over stdio; `Some(false)`: never; `None`: when the image carries
    /// the `io.modelcontextprotocol.server.name` label and exposes no port.
    pub mcp: Option<bool>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            http: true,
            http_path: "/".into(),
            mcp: None,
        }
    }
}

/// The label the MCP registry asks server images to carry.
pub const MCP_LABEL: &str = "io.modelcontextprotocol.server.name";

/// How long an HTTP port may take to answer after the container started, unless the
/// HEALTHCHECK's start period is longer.
const HTTP_READY: Duration = Duration::from_secs(30);

/// How long the MCP handshake may take.
const MCP_DEADLINE: Duration = Duration::from_secs(60);

/// Runs the built-in checks. An interrupt, a runtime that cannot start at all, or an
/// entrypoint that does not exist in the image is an error; anything else is a failed check.
pub fn run(
    ctx: &Context<'_>,
    raw_config: &[u8],
    options: &CheckOptions,
) -> Result<Vec<TestResult>, EngineError> {
    let mut results = vec![non_root(ctx)];
    let started = Instant::now();
    let Some(runtime) = ctx.runtime else {
        return Err(EngineError::NoRuntime);
    };
    let process = match ProcessSpec::from_image(ctx.config, ctx.rootfs, None) {
        Ok(process) => process,
        Err(error) => {
            results.push(result("container starts", vec![error.to_string()], started));
            return Ok(results);
        }
    };
    check_entrypoint(ctx.rootfs, &process)?;
    let ports = exposed_tcp_ports(ctx.config);
    let mcp = options
        .mcp
        .unwrap_or_else(|| ports.is_empty() && has_mcp_label(ctx.config));
    let ports = if options.http { ports } else { Vec::new() };
    let mut container = if mcp {
        runtime.start_interactive(ctx.rootfs, &process, &ctx.options, ctx.workdir)?
    } else {
        runtime.start(ctx.rootfs, &process, &ctx.options, ctx.workdir)?
    };
    let exited = container.wait_for(STARTUP)?;
    let mut start = result("container starts", Vec::new(), started);
    match exited {
        None => start.stdout = Some(format!("still running after {} s", STARTUP.as_secs())),
        Some(0) if !mcp => {
            let output = container.finish(Duration::from_secs(1))?;
            start.stdout = Some(output.stdout);
            start.stderr = Some(output.stderr);
        }
        Some(code) => {
            let output = container.finish(Duration::from_secs(1))?;
            start.pass = false;
            start.errors.push(if mcp {
                format!(
                    "the MCP server exited with code {code} within {} s although its stdin is open; stderr: {}",
                    STARTUP.as_secs(),
                    output.stderr.trim()
                )
            } else {
                format!(
                    "the container exited with code {code} within {} s; stderr: {}",
                    STARTUP.as_secs(),
                    output.stderr.trim()
                )
            });
            start.stderr = Some(output.stderr);
        }
    }
    results.push(start);
    let health = healthcheck(raw_config);
    if mcp {
        results.push(mcp_check(&mut container, exited.is_none(), ctx)?);
    }
    let ready_by = started
        + health
            .as_ref()
            .map_or(HTTP_READY, |h| h.start_period.max(HTTP_READY))
            .min(ctx.timeout);
    for port in &ports {
        results.push(http_check(
            &mut container,
            *port,
            &options.http_path,
            ready_by,
        )?);
    }
    if let Some(check) = health {
        let started = Instant::now();
        let probe = ProcessSpec {
            args: check.command.clone(),
            ..process.clone()
        };
        let timeout = check.timeout.min(ctx.timeout);
        let still_running = exited.is_none();
        // A one-shot command that has exited already is probed in a fresh container.
        let attempt = |probe: &ProcessSpec| -> Result<RunOutput, EngineError> {
            if still_running {
                container.exec(probe, timeout)
            } else {
                runtime.run(ctx.rootfs, probe, &ctx.options, ctx.workdir, timeout)
            }
        };
        let mut failures = 0u32;
        let mut errors = Vec::new();
        let last = loop {
            let output = attempt(&probe)?;
            if output.exit_code == Some(0) {
                errors.clear();
                break output;
            }
            if started.elapsed() >= check.start_period {
                failures += 1;
            }
            errors = vec![format!(
                "the healthcheck failed {failures} time(s) (retries {}): exit code {}; {}",
                check.retries,
                output
                    .exit_code
                    .map_or_else(|| "none (timed out)".to_owned(), |c| c.to_string()),
                output.stderr.trim()
            )];
            if failures >= check.retries || interrupted() {
                break output;
            }
            std::thread::sleep(check.interval.min(MAX_PROBE_INTERVAL));
        };
        let mut health = result("healthcheck", errors, started);
        if !still_running {
            health.stdout = Some(format!(
                "(run in a fresh container: the image's command had exited) {}",
                last.stdout
            ));
        } else {
            health.stdout = Some(last.stdout);
        }
        health.stderr = Some(last.stderr);
        results.push(health);
    }
    drop(container);
    Ok(results)
}

/// Fails early, with a clear error, when the program the container would run is not in the
/// image (a typo in ENTRYPOINT, or a binary a stage forgot to copy).
fn check_entrypoint(rootfs: &Path, process: &ProcessSpec) -> Result<(), EngineError> {
    let Some(program) = process.args.first() else {
        return Ok(());
    };
    let missing = |reason: &str| EngineError::Entrypoint {
        program: program.clone(),
        reason: reason.to_owned(),
    };
    let candidates: Vec<String> = if program.contains('/') {
        if program.starts_with('/') {
            vec![program.clone()]
        } else {
            vec![format!("{}/{program}", process.cwd.trim_end_matches('/'))]
        }
    } else {
        let path = process
            .env
            .iter()
            .rev()
            .find_map(|e| e.strip_prefix("PATH="))
            .unwrap_or("");
        path.split(':')
            .filter(|dir| !dir.is_empty())
            .map(|dir| format!("{}/{program}", dir.trim_end_matches('/')))
            .collect()
    };
    let mut not_executable = false;
    for candidate in &candidates {
        let Ok(Some(found)) = resolve_in_root(rootfs, candidate) else {
            continue;
        };
        match std::fs::metadata(&found) {
            Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o111 != 0 => return Ok(()),
            Ok(meta) if meta.is_file() => not_executable = true,
            _ => {}
        }
    }
    Err(if not_executable {
        missing("is not executable")
    } else if program.contains('/') {
        missing("does not exist in the image")
    } else {
        missing("is not found on the image's PATH")
    })
}

/// `ExposedPorts` entries for TCP (`8000/tcp` or `8000`), in order.
pub fn exposed_tcp_ports(config: &oci_spec::image::ImageConfiguration) -> Vec<u16> {
    let mut ports: Vec<u16> = config
        .config()
        .as_ref()
        .and_then(|c| c.exposed_ports().clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|spec| {
            let (port, proto) = spec.split_once('/').unwrap_or((spec.as_str(), "tcp"));
            if proto.eq_ignore_ascii_case("tcp") {
                port.trim().parse().ok()
            } else {
                None
            }
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn has_mcp_label(config: &oci_spec::image::ImageConfiguration) -> bool {
    config
        .config()
        .as_ref()
        .and_then(|c| c.labels().as_ref())
        .is_some_and(|labels| labels.get(MCP_LABEL).is_some_and(|v| !v.is_empty()))
}

/// Probes `port` until it answers HTTP or `ready_by` passes. Any answer below 500 passes: a
/// 404 on `/` still proves the service is up and speaks HTTP.
fn http_check(
    container: &mut Container,
    port: u16,
    path: &str,
    ready_by: Instant,
) -> Result<TestResult, EngineError> {
    let started = Instant::now();
    let name = format!("HTTP answers on port {port}");
    let mut last;
    loop {
        if interrupted() {
            return Err(EngineError::Interrupted);
        }
        if let Some(code) = container.wait_for(Duration::ZERO)? {
            let output = container.finish(Duration::from_secs(1))?;
            let mut failed = result(
                &name,
                vec![format!(
                    "the container exited (code {code}) before port {port} answered; stderr: {}",
                    output.stderr.trim()
                )],
                started,
            );
            failed.stderr = Some(output.stderr);
            return Ok(failed);
        }
        let pid = container.pid()?;
        match probe::http_get(pid, port, path, Duration::from_secs(5))? {
            HttpProbe::Answered {
                status,
                status_line,
            } => {
                let errors = if status >= 500 {
                    vec![format!(
                        "GET {path} on port {port} answered `{status_line}`"
                    )]
                } else {
                    Vec::new()
                };
                let mut outcome = result(&name, errors, started);
                outcome.stdout = Some(format!("GET {path}: {status_line}"));
                outcome.detail = outcome.stdout.clone();
                return Ok(outcome);
            }
            HttpProbe::NotHttp(first) => {
                return Ok(result(
                    &name,
                    vec![format!(
                        "port {port} answered, but not with HTTP: `{first}` (use --no-http-probe for non-HTTP ports)"
                    )],
                    started,
                ));
            }
            HttpProbe::NotReady(reason) => last = reason,
        }
        if Instant::now() >= ready_by {
            return Ok(result(
                &name,
                vec![format!(
                    "nothing answered on port {port} within {} s ({last}); does the server listen on 0.0.0.0:{port}?",
                    started.elapsed().as_secs()
                )],
                started,
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The MCP stdio handshake on the running container, then end of input: the server should
/// exit by itself.
fn mcp_check(
    container: &mut Container,
    running: bool,
    ctx: &Context<'_>,
) -> Result<TestResult, EngineError> {
    let started = Instant::now();
    let name = "MCP initialize and tools/list";
    if !running {
        return Ok(result(
            name,
            vec!["the server was not running".to_owned()],
            started,
        ));
    }
    let deadline = started + MCP_DEADLINE.min(ctx.timeout);
    let outcome = probe::mcp_handshake(container, deadline)?;
    container.close_stdin();
    let output = container.finish(Duration::from_secs(5))?;
    Ok(match outcome {
        Ok(session) => {
            let mut passed = result(name, Vec::new(), started);
            passed.detail = Some(format!(
                "server {} {} (protocol {}), {} tool(s): {}",
                session.server_name,
                session.server_version,
                session.protocol_version,
                session.tools.len(),
                session.tools.join(", ")
            ));
            passed.stdout = passed.detail.clone();
            passed.stderr = Some(output.stderr);
            passed
        }
        Err(message) => {
            let mut failed = result(name, vec![message], started);
            failed.stderr = Some(output.stderr);
            failed
        }
    })
}

fn result(name: &str, errors: Vec<String>, started: Instant) -> TestResult {
    TestResult {
        name: name.to_owned(),
        pass: errors.is_empty(),
        errors,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        stdout: None,
        stderr: None,
        detail: None,
    }
}

fn non_root(ctx: &Context<'_>) -> TestResult {
    let started = Instant::now();
    let user = ctx
        .config
        .config()
        .as_ref()
        .and_then(|c| c.user().clone())
        .unwrap_or_default();
    let errors = match resolve_user(ctx.rootfs, &user) {
        Ok(resolved) if resolved.uid == 0 => vec![if user.is_empty() {
            "the image sets no USER, so it runs as root".to_owned()
        } else {
            format!("USER `{user}` is root (uid 0)")
        }],
        Ok(_) => Vec::new(),
        Err(error) => vec![error.to_string()],
    };
    result("runs as non-root", errors, started)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthchecks_parse() {
        let raw = br#"{"config":{"Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"Interval":5000000000,"Retries":2}}}"#;
        let check = healthcheck(raw).unwrap();
        assert_eq!(
            check.command,
            vec!["/bin/sh", "-c", "curl -f http://localhost/ || exit 1"]
        );
        assert_eq!(check.interval, Duration::from_secs(5));
        assert_eq!(check.timeout, Duration::from_secs(30));
        assert_eq!(check.retries, 2);
        let exec = healthcheck(br#"{"config":{"Healthcheck":{"Test":["CMD","true"]}}}"#).unwrap();
        assert_eq!(exec.command, vec!["true"]);
        assert_eq!(exec.retries, 3);
        assert_eq!(
            healthcheck(br#"{"config":{"Healthcheck":{"Test":["NONE"]}}}"#),
            None
        );
        assert_eq!(healthcheck(br#"{"config":{}}"#), None);
        assert_eq!(healthcheck(b"not json"), None);
    }
}
