//! `careen test`: unpack the image with careen's own unpacker, run it daemonless under runc,
//! and check it — a container-structure-test file, or the built-in checks.

use std::io::Write;
use std::time::Duration;

use anstyle::AnsiColor;
use careen_engine::runtime::{self, BundleOptions, Runtime, WorkDir};
use careen_engine::structure::{self, Context, TestResult};
use careen_engine::{bundle, checks};
use serde_json::json;

use crate::args::test::{TestArgs, TestFormat};
use crate::ExitStatus;

pub fn run(args: TestArgs) -> anyhow::Result<ExitStatus> {
    if !args.http_path.starts_with('/')
        || args
            .http_path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        anyhow::bail!(
            "--http-path `{}` is not a request path: start it with `/`, without spaces",
            args.http_path.escape_debug()
        );
    }
    let suite = args.config.as_deref().map(structure::load).transpose()?;
    let image = crate::image::open(&args.image, &args.source)?;
    let results = run_tests(
        &image,
        suite.as_ref(),
        BundleOptions {
            readonly_rootfs: args.read_only,
        },
        Duration::from_secs(args.timeout.max(1)),
        &checks::CheckOptions {
            http: !args.no_http_probe,
            http_path: args.http_path.clone(),
            mcp: if args.mcp {
                Some(true)
            } else if args.no_mcp {
                Some(false)
            } else {
                None
            },
        },
    )?;

    let (pass, fail) = structure::counts(&results);
    let mut out = anstream::stdout().lock();
    match args.format {
        TestFormat::Json => {
            let value = json!({
                "schema": "careen.test/v1",
                "image": image.reference,
                "pass": pass,
                "fail": fail,
                "results": results,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        TestFormat::Junit => write!(out, "{}", structure::junit(&image.reference, &results))?,
        TestFormat::Text => render_text(&mut out, &results, pass, fail)?,
    }
    Ok(if fail > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Unpacks `image` into a temporary bundle, runs `suite` (or, without one, the built-in checks)
/// under runc, and removes everything again (also on Ctrl-C). Shared by `careen check --test`.
pub fn run_tests(
    image: &careen_image::Image,
    suite: Option<&structure::Suite>,
    options: BundleOptions,
    timeout: Duration,
    check_options: &checks::CheckOptions,
) -> anyhow::Result<Vec<TestResult>> {
    runtime::install_interrupt_handler();
    let work = WorkDir::new()?;
    let rootfs = work.path().join("rootfs");
    bundle::unpack(image, &rootfs)?;
    let needs_runtime = suite.is_none_or(|s| !s.command_tests.is_empty());
    let runtime = match Runtime::detect() {
        Ok(runtime) => Some(runtime),
        Err(error) if needs_runtime => return Err(error.into()),
        Err(_) => None,
    };
    let ctx = Context {
        config: &image.config,
        rootfs: &rootfs,
        runtime: runtime.as_ref(),
        workdir: work.path(),
        options,
        timeout,
    };
    Ok(match suite {
        Some(suite) => structure::run(suite, &ctx)?,
        None => checks::run(&ctx, &image.raw_config, check_options)?,
    })
}

fn render_text(
    out: &mut impl Write,
    results: &[TestResult],
    pass: usize,
    fail: usize,
) -> std::io::Result<()> {
    let green = AnsiColor::Green.on_default().bold();
    let red = AnsiColor::Red.on_default().bold();
    for result in results {
        if result.pass {
            writeln!(
                out,
                "{green}PASS{green:#} {} ({} ms)",
                result.name, result.duration_ms
            )?;
            if let Some(detail) = &result.detail {
                writeln!(out, "     {}", crate::output::shorten(detail, 100))?;
            }
        } else {
            writeln!(
                out,
                "{red}FAIL{red:#} {} ({} ms)",
                result.name, result.duration_ms
            )?;
            for error in &result.errors {
                writeln!(out, "     {error}")?;
            }
        }
    }
    let style = if fail > 0 { red } else { green };
    writeln!(
        out,
        "\n{style}{pass} passed, {fail} failed{style:#} ({} tests)",
        results.len()
    )
}
