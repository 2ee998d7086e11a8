//! `careen sbom`: the packages of an image from one streaming pass — dpkg,
//! apk, rpm, Python, npm, Go and Rust binaries — as a table, careen's JSON,
//! CycloneDX 1.5 or SPDX 2.3.

use crate::args::sbom::{SbomArgs, SbomFormat};
use crate::output;
use crate::pass::{self, LayerResult};
use crate::ExitStatus;
use anyhow::Context as _;
use careen_image::Image;
use careen_inspect::sbom::{self, Sbom};
use careen_report::sbom::{cyclonedx, spdx, SbomRenderOptions};
use serde_json::json;
use std::io::Write;

/// Merges the per-layer catalogs in layer order.
pub fn sbom_of(image: &Image, layers: &mut [LayerResult]) -> Sbom {
    let per_layer = layers.iter_mut().filter_map(|l| l.sbom.take()).collect();
    sbom::merge(per_layer, sbom::ImageInfo::of(image))
}

/// Render options; `SOURCE_DATE_EPOCH` fixes the timestamp (reproducible documents).
fn render_options() -> SbomRenderOptions {
    let mut options = SbomRenderOptions::default();
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        options.timestamp = careen_report::sbom::rfc3339_utc(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(epoch),
        );
    }
    options
}

pub fn run(args: SbomArgs) -> anyhow::Result<ExitStatus> {
    let image = crate::image::open(&args.image, &args.source)?;
    let visitors = pass::Visitors {
        sbom: true,
        ..Default::default()
    };
    let mut layers = pass::run(&image, &visitors)?;
    let sbom = sbom_of(&image, &mut layers);
    for warning in sbom.warnings.iter().take(20) {
        output::warning(&format!(
            "{} (layer {}): {}",
            warning.path, warning.layer, warning.message
        ));
    }

    let mut buffer: Vec<u8> = Vec::new();
    let options = render_options();
    match args.format {
        SbomFormat::CyclonedxJson => cyclonedx::write(&sbom, &options, &mut buffer)?,
        SbomFormat::SpdxJson => spdx::write(&sbom, &options, &mut buffer)?,
        SbomFormat::Json => {
            let value = json!({
                "schema": "careen.sbom/v1",
                "image": sbom.image,
                "distro": sbom.distro,
                "packages": sbom.packages,
                "warnings": sbom.warnings,
            });
            serde_json::to_writer_pretty(&mut buffer, &value)?;
            writeln!(buffer)?;
        }
        SbomFormat::Text => render_text(&mut buffer, &sbom, usize::MAX)?,
    }
    match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .with_context(|| format!("cannot write `{}`", path.display()))?,
        None => {
            let mut out = anstream::stdout().lock();
            out.write_all(&buffer)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// A table of packages: name, version, type, where found.
pub fn render_text(out: &mut dyn Write, sbom: &Sbom, top: usize) -> anyhow::Result<()> {
    let distro = sbom
        .distro
        .as_ref()
        .and_then(|d| d.pretty_name.clone().or_else(|| Some(d.id.clone())))
        .unwrap_or_else(|| "unknown distro".to_owned());
    writeln!(
        out,
        "{} packages in {} ({distro})\n",
        sbom.packages.len(),
        sbom.image.reference
    )?;
    let rows: Vec<Vec<String>> = sbom
        .packages
        .iter()
        .take(top)
        .map(|p| {
            vec![
                p.name.clone(),
                p.version.clone(),
                p.kind.as_str().to_owned(),
                p.location.layer.to_string(),
                p.location.path.clone(),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        output::table(
            &["NAME", "VERSION", "TYPE", "LAYER", "FOUND IN"],
            &rows,
            &[3]
        )
    )?;
    if sbom.packages.len() > top {
        writeln!(
            out,
            "… and {} more (`careen sbom` lists all)",
            sbom.packages.len() - top
        )?;
    }
    Ok(())
}
