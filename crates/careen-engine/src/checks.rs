//! The checks `careen test IMAGE` runs when no structure-test file is given: the image runs as
//! a non-root user, its container starts (stays up for two seconds, or exits 0 within them, as
//! a one-shot command does), and its HEALTHCHECK passes.
//!
//! Not yet here: an HTTP probe of an exposed port and an MCP stdio handshake.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::EngineError;
use crate::runtime::{interrupted, resolve_user, ProcessSpec, RunOutput};
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

/// Runs the built-in checks. Only an interrupt or a runtime that cannot start at all is an
/// error; anything else is a failed check.
pub fn run(ctx: &Context<'_>, raw_config: &[u8]) -> Result<Vec<TestResult>, EngineError> {
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
    let mut container = runtime.start(ctx.rootfs, &process, &ctx.options, ctx.workdir)?;
    let exited = container.wait_for(STARTUP)?;
    let mut start = result("container starts", Vec::new(), started);
    match exited {
        None => start.stdout = Some(format!("still running after {} s", STARTUP.as_secs())),
        Some(0) => {
            let output = container.finish(Duration::from_secs(1))?;
            start.stdout = Some(output.stdout);
            start.stderr = Some(output.stderr);
        }
        Some(code) => {
            let output = container.finish(Duration::from_secs(1))?;
            start.pass = false;
            start.errors.push(format!(
                "the container exited with code {code} within {} s; stderr: {}",
                STARTUP.as_secs(),
                output.stderr.trim()
            ));
            start.stderr = Some(output.stderr);
        }
    }
    results.push(start);
    if let Some(check) = healthcheck(raw_config) {
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

fn result(name: &str, errors: Vec<String>, started: Instant) -> TestResult {
    TestResult {
        name: name.to_owned(),
        pass: errors.is_empty(),
        errors,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        stdout: None,
        stderr: None,
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
