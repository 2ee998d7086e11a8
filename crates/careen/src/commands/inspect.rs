//! `careen inspect`: analyze + audit + secrets + sbom (+ scan with `--db`)
//! from ONE streaming pass over the image, as one report.
//!
//! [`collect`] gathers everything into an [`Inspection`] that `careen check`
//! and the HTML report reuse; [`run`] renders it for the command line.

use crate::args::inspect::{InspectArgs, InspectFormat};
use crate::pass;
use crate::ExitStatus;
use careen_image::Image;
use careen_inspect::audit::{Audit, Severity};
use careen_inspect::provenance::Provenance;
use careen_inspect::reclaim::{self, Reclaim};
use careen_inspect::sbom::Sbom;
use careen_inspect::waste::{self, Waste};
use careen_vuln::Database;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Everything `careen inspect` learns about one image in its single pass.
pub struct Inspection {
    pub image: Image,
    /// dive's figures: sizes, efficiency, inefficient files.
    pub figures: Waste,
    /// Reclaimable bytes by cause, pointed at the instructions.
    pub reclaim: Reclaim,
    pub audit: Audit,
    pub sbom: Sbom,
    /// Present when a vulnerability database was given.
    pub scan: Option<super::scan::ScanResult>,
    /// The instruction ↔ layer map, with `--dockerfile`: `provenance.layer(i)`
    /// is the Dockerfile line that made layer `i`.
    pub provenance: Option<Provenance>,
}

/// What to inspect with, besides the image.
#[derive(Default)]
pub struct CollectOptions<'a> {
    pub no_secrets: bool,
    /// An opened vulnerability database and the path it came from.
    pub db: Option<(&'a Database, &'a Path)>,
    pub ignore_file: Option<&'a Path>,
    pub vex: &'a [PathBuf],
    /// `--dockerfile` / `--target`: map the layers to the Dockerfile's lines.
    pub dockerfile: Option<&'a crate::provenance::DockerfileArgs>,
}

/// Opens nothing itself: streams `image` once and runs every analysis.
pub fn collect(image: Image, options: &CollectOptions) -> anyhow::Result<Inspection> {
    let provenance = match options.dockerfile {
        Some(args) => crate::provenance::load(args, &image)?,
        None => None,
    };
    let audit_options = super::audit::options(options.no_secrets);
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
    let mut reclaim = reclaim::analyze(&views, &instructions);
    drop(views);
    if let Some(map) = &provenance {
        crate::provenance::locate_reclaim(&mut reclaim, map);
    }
    let scan = match options.db {
        Some((database, path)) => Some(super::scan::scan(
            database,
            &sbom,
            &super::scan::ScanInputs {
                db: path,
                ignore_file: options.ignore_file,
                vex: options.vex,
            },
        )?),
        None => None,
    };
    Ok(Inspection {
        image,
        figures,
        reclaim,
        audit,
        sbom,
        scan,
        provenance,
    })
}

/// The `careen.inspect/v1` JSON document.
pub fn to_json(inspection: &Inspection) -> serde_json::Value {
    let Inspection {
        image,
        figures,
        reclaim,
        audit,
        sbom,
        scan,
        provenance,
    } = inspection;
    let mut analysis = super::analyze::to_json(image, figures, None);
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
    if let Some(map) = provenance {
        crate::provenance::annotate_layers(&mut value["layers"], map);
        crate::provenance::annotate_reclaim(&mut value["reclaimable"], reclaim, map);
        crate::provenance::annotate_findings(
            &mut value["audit"]["findings"],
            &audit.findings,
            map,
            image,
        );
        value["dockerfile"] = crate::provenance::summary_json(map);
    }
    if let Some(scan) = scan {
        value["scan"] = super::scan::to_json(&image.reference, scan);
        if let Some(object) = value["scan"].as_object_mut() {
            object.remove("schema");
            object.remove("image");
        }
    }
    value
}

/// The human-readable report.
pub fn render_text(out: &mut dyn Write, inspection: &Inspection, top: usize) -> anyhow::Result<()> {
    let image = &inspection.image;
    let map = inspection.provenance.as_ref();
    super::analyze::render_text(out, image, &inspection.figures, top, None, map)?;
    super::analyze::render_reclaim(out, &inspection.reclaim, top, map)?;
    writeln!(out)?;
    super::audit::render_text(out, image, &inspection.audit.findings, top, map)?;
    writeln!(out)?;
    super::sbom::render_text(out, &inspection.sbom, top)?;
    if let Some(scan) = &inspection.scan {
        writeln!(out)?;
        super::scan::render_text(out, &image.reference, scan, top)?;
    }
    Ok(())
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitStatus> {
    // A wrong --db fails before any streaming.
    let db = args.db.as_deref().map(super::scan::open_db).transpose()?;
    let image = crate::image::open(&args.image, &args.source)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|reference| crate::image::open(reference, &args.source))
        .transpose()?;
    let options = CollectOptions {
        no_secrets: args.no_secrets,
        db: db.as_ref().zip(args.db.as_deref()),
        ignore_file: args.ignore_file.as_deref(),
        vex: &args.vex,
        dockerfile: Some(&args.provenance),
    };
    let inspection = collect(image, &options)?;

    if let Some(path) = &args.html {
        let before = match baseline {
            // The Dockerfile describes this image, not the baseline.
            Some(image) => {
                let options = CollectOptions {
                    dockerfile: None,
                    ..options
                };
                Some(super::html::report_of(&collect(image, &options)?))
            }
            None => None,
        };
        super::html::write(path, &super::html::report_of(&inspection), before.as_ref())?;
    }

    let mut out = anstream::stdout().lock();
    match args.format {
        InspectFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(&inspection))?;
            writeln!(out)?;
        }
        InspectFormat::Text => render_text(&mut out, &inspection, args.top)?,
    }

    let audit_fail: Severity = args.audit_fail_on.into();
    let audit_failed = inspection
        .audit
        .findings
        .iter()
        .any(|f| f.severity >= audit_fail);
    let scan_failed = match (&inspection.scan, args.fail_on) {
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
