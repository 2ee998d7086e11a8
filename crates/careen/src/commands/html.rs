//! The HTML report of an inspection (`careen inspect --html`, `careen check --html`):
//! [`report_of`] turns an [`Inspection`] into careen-report's plain-data
//! [`Report`]; [`write`] renders it to a file.

use super::inspect::Inspection;
use anyhow::Context;
use careen_report::html::{
    Finding, ImageInfo, Layer, Package, Reclaimable, Report, Scorecard, SeverityCount, SourceRef,
    Vulnerability,
};
use std::path::Path;

/// How many paths of one reclaimable cause the report lists.
const PATHS_PER_CAUSE: usize = 8;

/// The report's data for one inspected image.
pub fn report_of(inspection: &Inspection) -> Report {
    let Inspection {
        image,
        figures,
        reclaim,
        audit,
        sbom,
        scan,
        provenance,
    } = inspection;
    let source_of = |origin: &careen_inspect::provenance::Origin| SourceRef {
        file: origin.file.clone(),
        line: origin.line as usize,
        text: Some(if origin.base_image {
            format!("{}  (base image)", origin.instruction)
        } else {
            origin.instruction.clone()
        }),
    };
    let layer_source = |index: usize| {
        provenance
            .as_ref()
            .and_then(|map| map.layer(index))
            .map(source_of)
    };

    let layers = image
        .layers
        .iter()
        .enumerate()
        .map(|(index, layer)| Layer {
            index,
            size_bytes: figures.layers.get(index).map_or(0, |f| f.size_bytes),
            instruction: layer.created_by.clone(),
            source: layer_source(index),
        })
        .collect();

    let reclaimable = reclaim
        .groups
        .iter()
        .map(|group| {
            // Items come biggest first: the first one names the instruction to fix.
            let top = group.items.first();
            let mut paths: Vec<String> = group
                .items
                .iter()
                .take(PATHS_PER_CAUSE)
                .map(|item| item.path.clone())
                .collect();
            if group.item_count > paths.len() {
                paths.push(format!("… {} more", group.item_count - paths.len()));
            }
            Reclaimable {
                cause: group.category.as_str().to_owned(),
                bytes: group.size_bytes,
                paths,
                instruction: top.and_then(|item| item.instruction.clone()),
                layer: top.map(|item| item.layer),
                source: top.and_then(|item| layer_source(item.layer)),
                // With a Dockerfile, the top item's hint names the line to change.
                hint: top
                    .filter(|_| provenance.is_some())
                    .map(|item| item.hint.clone())
                    .or_else(|| Some(group.hint.clone()))
                    .filter(|h| !h.is_empty()),
            }
        })
        .collect();

    let findings: Vec<Finding> = audit
        .findings
        .iter()
        .map(|finding| {
            let title = careen_inspect::audit::check(&finding.code)
                .map_or_else(|| finding.code.clone(), |check| check.title.to_owned());
            let mut detail = finding.message.clone();
            if let Some(evidence) = &finding.evidence {
                detail.push_str(&format!(" ({evidence})"));
            }
            let origin = provenance
                .as_ref()
                .and_then(|map| crate::provenance::finding_origin(map, image, finding));
            let fix = origin.and_then(|origin| crate::provenance::finding_fix(finding, origin));
            if let Some(hint) = fix.as_ref().or(finding.hint.as_ref()) {
                detail.push('\n');
                detail.push_str(hint);
            }
            Finding {
                id: finding.code.clone(),
                severity: finding.severity.as_str().to_owned(),
                title,
                detail,
                layer: finding.layer,
                path: finding.path.as_ref().map(|path| match finding.line {
                    Some(line) => format!("{path}:{line}"),
                    None => path.clone(),
                }),
                source: origin.map(source_of),
            }
        })
        .collect();

    let packages = sbom
        .packages
        .iter()
        .map(|package| Package {
            name: package.name.clone(),
            version: package.version.clone(),
            kind: package.kind.as_str().to_owned(),
            purl: package.purl.clone(),
            layer: package.location.layer,
            path: package.location.path.clone(),
        })
        .collect();

    let vulnerabilities: Vec<Vulnerability> = scan
        .iter()
        .flat_map(|scan| &scan.matches)
        .map(|found| {
            let m = &found.matched;
            Vulnerability {
                id: m.id.clone(),
                package: m.package.name.clone(),
                version: m.package.version.clone(),
                fixed: (!m.fixed.is_empty()).then(|| m.fixed.join(", ")),
                severity: m.severity.as_str().to_ascii_lowercase(),
                score: m.score,
            }
        })
        .collect();

    let count = |names: &[&str], severities: Vec<&str>| -> Vec<SeverityCount> {
        names
            .iter()
            .map(|name| SeverityCount {
                severity: (*name).to_owned(),
                count: severities.iter().filter(|s| *s == name).count() as u64,
            })
            .collect()
    };
    let scorecard = Scorecard {
        size_bytes: figures.size_bytes,
        efficiency: figures.efficiency,
        wasted_bytes: figures.wasted_bytes,
        reclaimable_bytes: reclaim.reclaimable_bytes,
        findings: count(
            &["error", "warning", "info"],
            findings.iter().map(|f| f.severity.as_str()).collect(),
        ),
        vulnerabilities: count(
            &["critical", "high", "medium", "low", "none", "unknown"],
            vulnerabilities
                .iter()
                .map(|v| v.severity.as_str())
                .collect(),
        ),
        scanned: scan.is_some(),
    };

    Report {
        image: ImageInfo {
            name: image.reference.clone(),
            digest: image
                .manifest_digest
                .clone()
                .or_else(|| Some(image.config_digest.clone())),
            created: image.config.created().clone(),
        },
        scorecard,
        layers,
        reclaimable,
        findings,
        packages,
        vulnerabilities,
        budgets: Vec::new(),
        lint: Vec::new(),
    }
}

/// Render `report` (against `baseline`, the "before" image, when given) into `path`.
pub fn write(path: &Path, report: &Report, baseline: Option<&Report>) -> anyhow::Result<()> {
    let html = careen_report::html::render(report, baseline);
    std::fs::write(path, html).with_context(|| format!("cannot write {}", path.display()))
}
