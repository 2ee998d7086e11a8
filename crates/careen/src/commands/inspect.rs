//! `careen inspect`: analyze + audit + secrets + sbom (+ scan with `--db`)
//! from ONE streaming pass over the image, as one report.

use crate::args::inspect::{InspectArgs, InspectFormat};
use crate::pass;
use crate::ExitStatus;
use careen_inspect::audit::Severity;
use careen_inspect::reclaim;
use careen_inspect::waste;
use serde_json::json;
use std::io::Write;

pub fn run(args: InspectArgs) -> anyhow::Result<ExitStatus> {
    // A wrong --db fails before any streaming.
    let db = args.db.as_deref().map(super::scan::open_db).transpose()?;
    let image = crate::image::open(&args.image, &args.source)?;
    let audit_options = super::audit::options(args.no_secrets);
    let visitors = pass::Visitors {
        tree: true,
        reclaim: true,
        audit: Some(audit_options),
        sbom: true,
    };
    let mut layers = pass::run(&image, &visitors)?;

    let audit = super::audit::audit_image(&image, &mut layers, &audit_options);
    let sbom = super::sbom::sbom_of(&image, &mut layers);
    let (trees, views): (Vec<_>, Vec<_>) = layers
        .into_iter()
        .map(|l| (l.tree.unwrap_or_default(), l.reclaim.unwrap_or_default()))
        .unzip();
    let figures = waste::analyze(&trees);
    drop(trees);
    let instructions: Vec<_> = image.layers.iter().map(|l| l.created_by.clone()).collect();
    let reclaim = reclaim::analyze(&views, &instructions);
    drop(views);
    let scan = match (&db, &args.db) {
        (Some(database), Some(path)) => Some(super::scan::scan(
            database,
            &sbom,
            &super::scan::ScanInputs {
                db: path,
                ignore_file: args.ignore_file.as_deref(),
                vex: &args.vex,
            },
        )?),
        _ => None,
    };

    let mut out = anstream::stdout().lock();
    match args.format {
        InspectFormat::Json => {
            let mut analysis = super::analyze::to_json(&image, &figures, None);
            analysis["image"]["reclaimable_bytes"] = reclaim.reclaimable_bytes.into();
            let mut value = json!({
                "schema": "careen.inspect/v1",
                "image": analysis["image"].take(),
                "layers": analysis["layers"].take(),
                "inefficient_files": analysis["inefficient_files"].take(),
                "reclaimable": reclaim.groups,
                "audit": {"findings": audit.findings, "secret_scan": audit.stats},
                "sbom": {"distro": sbom.distro, "packages": sbom.packages, "warnings": sbom.warnings},
            });
            if let Some(scan) = &scan {
                value["scan"] = super::scan::to_json(&image.reference, scan);
                if let Some(object) = value["scan"].as_object_mut() {
                    object.remove("schema");
                    object.remove("image");
                }
            }
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        InspectFormat::Text => {
            super::analyze::render_text(&mut out, &image, &figures, args.top, None)?;
            super::analyze::render_reclaim(&mut out, &reclaim, args.top)?;
            writeln!(out)?;
            super::audit::render_text(&mut out, &image, &audit.findings, args.top)?;
            writeln!(out)?;
            super::sbom::render_text(&mut out, &sbom, args.top)?;
            if let Some(scan) = &scan {
                writeln!(out)?;
                super::scan::render_text(&mut out, &image.reference, scan, args.top)?;
            }
        }
    }

    let audit_fail: Severity = args.audit_fail_on.into();
    let audit_failed = audit.findings.iter().any(|f| f.severity >= audit_fail);
    let scan_failed = match (&scan, args.fail_on) {
        (Some(scan), Some(level)) => {
            careen_vuln::fails_on(&super::scan::matched(scan), level.into())
        }
        _ => false,
    };
    Ok(if audit_failed || scan_failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
