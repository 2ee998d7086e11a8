//! `careen analyze`: stream every layer once (in parallel), build dive's
//! per-layer trees, and report sizes, efficiency and wasted bytes.

use crate::args::analyze::{AnalyzeArgs, AnalyzeFormat};
use crate::pass;
use crate::ExitStatus;
use anyhow::Context as _;
use careen_image::Image;
use careen_inspect::dive_ci::{DiveCiRules, RuleStatus};
use careen_inspect::provenance::Provenance;
use careen_inspect::reclaim::{self, Reclaim, ReclaimLayer};
use careen_inspect::tree::LayerTree;
use careen_inspect::waste::{self, Waste};
use serde_json::json;
use std::io::Write;

/// Stream every layer once (digests verified) into dive's layer tree and
/// the reclaim visitor's view.
fn layer_views(image: &Image) -> anyhow::Result<Vec<(LayerTree, ReclaimLayer)>> {
    let visitors = pass::Visitors {
        tree: true,
        reclaim: true,
        ..Default::default()
    };
    Ok(pass::run(image, &visitors)?
        .into_iter()
        .map(|layer| {
            (
                layer.tree.unwrap_or_default(),
                layer.reclaim.unwrap_or_default(),
            )
        })
        .collect())
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// Sizes the way people read them (SI, as dive prints them).
fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

fn command_of(image: &Image, index: usize) -> String {
    image
        .layers
        .get(index)
        .and_then(|l| l.created_by.clone())
        .unwrap_or_default()
        .trim()
        .trim_start_matches("/bin/sh -c #(nop) ")
        .trim_start_matches("/bin/sh -c ")
        .to_string()
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    let image = crate::image::open(&args.image, &args.source)?;
    let map = crate::provenance::load(&args.provenance, &image)?;
    let (trees, views): (Vec<_>, Vec<_>) = layer_views(&image)?.into_iter().unzip();
    let figures = waste::analyze(&trees);
    drop(trees);
    let instructions: Vec<_> = image.layers.iter().map(|l| l.created_by.clone()).collect();
    let mut reclaim = reclaim::analyze(&views, &instructions);
    drop(views);
    if let Some(map) = &map {
        crate::provenance::locate_reclaim(&mut reclaim, map);
    }

    let ci = if args.ci {
        let text = std::fs::read_to_string(&args.ci_config)
            .with_context(|| format!("cannot read CI rules `{}`", args.ci_config.display()))?;
        let rules = DiveCiRules::from_yaml(&text)
            .with_context(|| format!("invalid CI rules `{}`", args.ci_config.display()))?;
        Some(rules.evaluate(&figures))
    } else {
        None
    };

    let mut out = anstream::stdout().lock();
    match args.format {
        AnalyzeFormat::Json => {
            let mut value = to_json(&image, &figures, ci.as_deref());
            value["image"]["reclaimable_bytes"] = reclaim.reclaimable_bytes.into();
            value["reclaimable"] = serde_json::to_value(&reclaim.groups)?;
            if let Some(map) = &map {
                crate::provenance::annotate_layers(&mut value["layers"], map);
                crate::provenance::annotate_reclaim(&mut value["reclaimable"], &reclaim, map);
                value["dockerfile"] = crate::provenance::summary_json(map);
            }
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        AnalyzeFormat::Text => {
            render_text(
                &mut out,
                &image,
                &figures,
                args.top,
                ci.as_deref(),
                map.as_ref(),
            )?;
            render_reclaim(&mut out, &reclaim, args.top, map.as_ref())?;
        }
    }
    let failed = ci
        .as_ref()
        .is_some_and(|results| results.iter().any(|r| r.status == RuleStatus::Fail));
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

pub fn to_json(
    image: &Image,
    figures: &Waste,
    ci: Option<&[careen_inspect::dive_ci::RuleResult]>,
) -> serde_json::Value {
    let layers: Vec<_> = image
        .layers
        .iter()
        .zip(&figures.layers)
        .map(|(layer, f)| {
            json!({
                "index": layer.index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "size_bytes": f.size_bytes,
                "file_count": f.file_count,
                "command": layer.created_by,
            })
        })
        .collect();
    let mut value = json!({
        "schema": "careen.analyze/v1",
        "image": {
            "reference": image.reference,
            "id": image.config_digest,
            "tags": image.tags,
            "size_bytes": figures.size_bytes,
            "user_size_bytes": figures.user_size_bytes,
            "efficiency": finite(figures.efficiency),
            "wasted_bytes": figures.wasted_bytes,
            "user_wasted_percent": finite(figures.user_wasted_percent),
        },
        "layers": layers,
        "inefficient_files": figures.inefficient_files,
    });
    if let Some(results) = ci {
        value["ci"] = results
            .iter()
            .map(|r| json!({"rule": r.rule, "status": r.status.to_string(), "detail": r.detail}))
            .collect();
    }
    value
}

/// The layer table (with `map`, each layer's Dockerfile line and instruction),
/// inefficient files and CI results.
pub fn render_text(
    out: &mut dyn Write,
    image: &Image,
    figures: &Waste,
    top: usize,
    ci: Option<&[careen_inspect::dive_ci::RuleResult]>,
    map: Option<&Provenance>,
) -> anyhow::Result<()> {
    writeln!(out, "Image: {}", image.reference)?;
    writeln!(
        out,
        "  size {}   efficiency {:.2} %   wasted {}   user wasted {}",
        human(figures.size_bytes),
        figures.efficiency * 100.0,
        human(figures.wasted_bytes),
        finite(figures.user_wasted_percent)
            .map(|p| format!("{:.2} %", p * 100.0))
            .unwrap_or_else(|| "n/a (base layer only)".into())
    )?;
    writeln!(out)?;
    let width = 100;
    // With --dockerfile: a column with the line, and the instruction as written.
    let located: Vec<Option<String>> = (0..figures.layers.len())
        .map(|i| map.and_then(|m| m.layer(i)).map(short_location))
        .collect();
    let column = located
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .map(|w| w.max("DOCKERFILE".len()));
    match column {
        Some(w) => writeln!(
            out,
            "{:>5}  {:>10}  {:<w$}  COMMAND",
            "LAYER", "SIZE", "DOCKERFILE"
        )?,
        None => writeln!(out, "{:>5}  {:>10}  COMMAND", "LAYER", "SIZE")?,
    }
    for (index, f) in figures.layers.iter().enumerate() {
        let origin = map.and_then(|m| m.layer(index));
        let mut command = match origin {
            Some(o) => o.instruction.clone(),
            None => command_of(image, index),
        };
        if command.chars().count() > width {
            command = command.chars().take(width - 1).collect::<String>() + "…";
        }
        match column {
            Some(w) => {
                let location = located.get(index).cloned().flatten().unwrap_or_default();
                writeln!(
                    out,
                    "{:>5}  {:>10}  {:<w$}  {}",
                    index,
                    human(f.size_bytes),
                    location,
                    command
                )?
            }
            None => writeln!(
                out,
                "{:>5}  {:>10}  {}",
                index,
                human(f.size_bytes),
                command
            )?,
        }
    }
    if let Some(note) = map.and_then(crate::provenance::unmatched_note) {
        writeln!(out, "{note}")?;
    }
    if !figures.inefficient_files.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Inefficient files (in more than one layer), biggest first:"
        )?;
        writeln!(out, "{:>5}  {:>10}  PATH", "COUNT", "WASTED")?;
        for file in figures.inefficient_files.iter().take(top) {
            writeln!(
                out,
                "{:>5}  {:>10}  {}",
                file.count,
                human(file.size_bytes),
                file.path
            )?;
        }
        let more = figures.inefficient_files.len().saturating_sub(top);
        if more > 0 {
            writeln!(out, "  … and {more} more (`--top N` or `--format json`)")?;
        }
    }
    if let Some(results) = ci {
        writeln!(out)?;
        writeln!(out, "CI rules:")?;
        for r in results {
            writeln!(
                out,
                "  {}  {}  {}",
                r.status,
                r.rule,
                r.detail.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// `Dockerfile:12`, `Dockerfile:3 (base)`: the layer table's column.
fn short_location(origin: &careen_inspect::provenance::Origin) -> String {
    if origin.base_image {
        format!("{}:{} (base)", origin.file, origin.line)
    } else {
        format!("{}:{}", origin.file, origin.line)
    }
}

/// The "Reclaimable" section: each category, its size, and what to change
/// on which layer (with `map`, on which Dockerfile line, and the fix).
pub fn render_reclaim(
    out: &mut dyn Write,
    reclaim: &Reclaim,
    top: usize,
    map: Option<&Provenance>,
) -> anyhow::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Reclaimable: {} (careen's figure: every byte counted once)",
        human(reclaim.reclaimable_bytes)
    )?;
    for group in &reclaim.groups {
        writeln!(
            out,
            "  {:>10}  {}: {}",
            human(group.size_bytes),
            group.category.label(),
            group.hint
        )?;
        for item in group.items.iter().take(top.min(5)) {
            let origin = map.and_then(|m| m.layer(item.layer));
            let mut instruction = match origin {
                Some(o) => o.instruction.clone(),
                None => item
                    .instruction
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("/bin/sh -c #(nop) ")
                    .trim_start_matches("/bin/sh -c ")
                    .to_string(),
            };
            if instruction.chars().count() > 60 {
                instruction = instruction.chars().take(59).collect::<String>() + "…";
            }
            let hidden_by = item
                .hidden_by
                .as_deref()
                .map(|by| format!(", {by}"))
                .unwrap_or_default();
            let location = origin
                .map(|o| format!(", {}", short_location(o)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:>10}    layer {}{} (`{}`): {}{}",
                human(item.size_bytes),
                item.layer,
                location,
                instruction,
                item.path,
                hidden_by
            )?;
            if origin.is_some() {
                writeln!(out, "                fix: {}", item.hint)?;
            }
        }
        let more = group.item_count.saturating_sub(top.min(5));
        if more > 0 {
            writeln!(out, "                … and {more} more (`--format json`)")?;
        }
    }
    Ok(())
}
