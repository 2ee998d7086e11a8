//! `careen audit`: the image config and every layer's files, checked in the
//! single streaming pass (secrets included, also in files a later layer deleted).

use crate::args::audit::{AuditArgs, AuditFormat};
use crate::output;
use crate::pass::{self, LayerResult};
use crate::ExitStatus;
use careen_image::Image;
use careen_inspect::audit::{self, config, Audit, AuditOptions, Finding, ImageFormat, Severity};
use careen_inspect::provenance::Provenance;
use serde_json::json;
use std::io::Write;

/// The audit options for a command line.
pub fn options(no_secrets: bool) -> AuditOptions {
    AuditOptions {
        scan_secrets: !no_secrets,
        ..AuditOptions::default()
    }
}

/// Merges the per-layer filesystem results and adds the config, history and
/// tag checks.
pub fn audit_image(image: &Image, layers: &mut [LayerResult], options: &AuditOptions) -> Audit {
    let per_layer = layers.iter_mut().filter_map(|l| l.audit.take()).collect();
    let instructions: Vec<Option<String>> =
        image.layers.iter().map(|l| l.created_by.clone()).collect();
    let mut audit = audit::filesystem::merge(per_layer, &instructions, options);
    let format = image.layers.first().map_or(ImageFormat::Unknown, |l| {
        ImageFormat::from_media_type(&l.media_type)
    });
    audit.findings.extend(config::check(
        &image.config,
        Some(&image.raw_config),
        format,
    ));
    audit.findings.extend(config::check_tags(&image.tags));
    audit::sort_findings(&mut audit.findings);
    audit
}

pub fn run(args: AuditArgs) -> anyhow::Result<ExitStatus> {
    let image = crate::image::open(&args.image, &args.source)?;
    let map = crate::provenance::load(&args.provenance, &image)?;
    let options = options(args.no_secrets);
    let visitors = pass::Visitors {
        audit: Some(options),
        ..Default::default()
    };
    let mut layers = pass::run(&image, &visitors)?;
    let mut audit = audit_image(&image, &mut layers, &options);
    let min: Severity = args.min_level.into();
    audit.findings.retain(|f| f.severity >= min);

    let mut out = anstream::stdout().lock();
    match args.format {
        AuditFormat::Json => {
            let mut value = json!({
                "schema": "careen.audit/v1",
                "image": image.reference,
                "findings": audit.findings,
                "secret_scan": audit.stats,
            });
            if let Some(map) = &map {
                crate::provenance::annotate_findings(
                    &mut value["findings"],
                    &audit.findings,
                    map,
                    &image,
                );
                value["dockerfile"] = crate::provenance::summary_json(map);
            }
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        AuditFormat::Text => {
            render_text(&mut out, &image, &audit.findings, usize::MAX, map.as_ref())?
        }
    }
    let fail: Severity = args.fail_on.into();
    Ok(if audit.findings.iter().any(|f| f.severity >= fail) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn severity_style(severity: Severity) -> anstyle::Style {
    use anstyle::{AnsiColor, Effects};
    match severity {
        Severity::Error => AnsiColor::Red.on_default().effects(Effects::BOLD),
        Severity::Warning => AnsiColor::Yellow.on_default(),
        Severity::Info => AnsiColor::Cyan.on_default(),
    }
}

/// Findings grouped by severity, worst first: code, where, what, how to fix.
/// With `map`, each finding is pointed at the Dockerfile line that made it,
/// with a fix for that line where it is plain (`--dockerfile`).
pub fn render_text(
    out: &mut dyn Write,
    image: &Image,
    findings: &[Finding],
    top: usize,
    map: Option<&Provenance>,
) -> anyhow::Result<()> {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    writeln!(
        out,
        "Audit of {}: {}, {}, {} info",
        image.reference,
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    )?;
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for finding in ordered.iter().take(top) {
        let style = severity_style(finding.severity);
        let mut place = String::new();
        if let Some(path) = &finding.path {
            place.push_str(path);
            if let Some(line) = finding.line {
                place.push_str(&format!(":{line}"));
            }
        }
        if let Some(layer) = finding.layer {
            if !place.is_empty() {
                place.push(' ');
            }
            place.push_str(&format!("(layer {layer})"));
        }
        writeln!(
            out,
            "\n{}{:<7}{} {} {}",
            style.render(),
            finding.severity.as_str(),
            style.render_reset(),
            finding.code,
            finding.message
        )?;
        if !place.is_empty() {
            writeln!(out, "        at {place}")?;
        }
        let origin = map.and_then(|m| crate::provenance::finding_origin(m, image, finding));
        match (origin, &finding.instruction) {
            (Some(origin), _) => writeln!(
                out,
                "        by {} `{}`",
                origin.location(),
                output::shorten(&origin.instruction, 100)
            )?,
            (None, Some(instruction)) => {
                writeln!(out, "        by {}", output::shorten(instruction, 100))?
            }
            (None, None) => {}
        }
        if let Some(evidence) = &finding.evidence {
            writeln!(out, "        found {evidence}")?;
        }
        let located = origin.and_then(|o| crate::provenance::finding_fix(finding, o));
        if let Some(fix) = &located {
            writeln!(out, "        fix: {fix}")?;
        }
        if let Some(hint) = &finding.hint {
            let label = if located.is_some() { "hint" } else { "fix" };
            writeln!(out, "        {label}: {hint}")?;
        }
        if !finding.related.is_empty() {
            writeln!(out, "        see {}", finding.related.join(", "))?;
        }
    }
    if ordered.len() > top {
        writeln!(
            out,
            "\n… and {} more (--format json lists all)",
            ordered.len() - top
        )?;
    }
    Ok(())
}
