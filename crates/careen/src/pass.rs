//! The single streaming pass: every layer of an image is decompressed and
//! hashed once (layers in parallel), and each entry is shown to the visitors
//! a command asked for — dive's layer tree, the reclaim view, the audit and
//! secret checks, the package catalogers. A file's contents are read at most
//! once, up to the largest bound any visitor asked for, and shared.

use careen_image::{EntryKind, Image, ImageError, LayerEntry, Whiteout};
use careen_inspect::audit::{AuditLayer, AuditLayerBuilder, AuditOptions};
use careen_inspect::reclaim::{self, ReclaimLayer, ReclaimLayerBuilder};
use careen_inspect::sbom::{self, SbomLayer, SbomLayerBuilder};
use careen_inspect::tree::{LayerTree, LayerTreeBuilder};
use careen_inspect::{FileRecord, LayerVisitor, RecordKind};
use rayon::prelude::*;
use std::io::Read;

/// Which visitors run.
#[derive(Debug, Clone, Default)]
pub struct Visitors {
    /// dive's per-layer file tree (efficiency, wasted bytes).
    pub tree: bool,
    /// careen's reclaimable-bytes view.
    pub reclaim: bool,
    /// Audit filesystem checks (and secrets, per the options).
    pub audit: Option<AuditOptions>,
    /// Package catalogers.
    pub sbom: bool,
}

/// What the visitors made of one layer.
#[derive(Debug, Default)]
pub struct LayerResult {
    pub tree: Option<LayerTree>,
    pub reclaim: Option<ReclaimLayer>,
    pub audit: Option<AuditLayer>,
    pub sbom: Option<SbomLayer>,
}

/// What the waste and reclaim visitors need of an entry: dive's view, with
/// whiteout markers under their raw tar names.
pub fn record(entry: &LayerEntry) -> FileRecord {
    match &entry.whiteout {
        Some(Whiteout::File(target)) => FileRecord::whiteout(target),
        Some(Whiteout::Opaque(dir)) => FileRecord::opaque(dir),
        None => FileRecord::new(
            entry.path.clone(),
            match entry.kind {
                EntryKind::File => RecordKind::File,
                EntryKind::Dir => RecordKind::Dir,
                EntryKind::Symlink => RecordKind::Symlink,
                EntryKind::Hardlink => RecordKind::Hardlink,
                _ => RecordKind::Other,
            },
            entry.size,
        ),
    }
}

/// The builders of one layer.
struct Builders {
    tree: Option<LayerTreeBuilder>,
    reclaim: Option<ReclaimLayerBuilder>,
    audit: Option<AuditLayerBuilder>,
    sbom: Option<SbomLayerBuilder>,
}

impl Builders {
    fn new(index: usize, visitors: &Visitors) -> Self {
        Self {
            tree: visitors.tree.then(LayerTreeBuilder::default),
            reclaim: visitors.reclaim.then(ReclaimLayerBuilder::default),
            audit: visitors.audit.map(AuditLayerBuilder::new),
            sbom: visitors.sbom.then(|| SbomLayerBuilder::new(index)),
        }
    }

    fn visit(&mut self, entry: &LayerEntry, reader: &mut dyn Read) -> Result<(), ImageError> {
        let record = record(entry);
        if let Some(tree) = &mut self.tree {
            tree.visit(&record);
        }
        if let Some(reclaim) = &mut self.reclaim {
            reclaim.visit(&record);
        }
        if let Some(sbom) = &mut self.sbom {
            sbom.visit(&record);
        }

        // How much of the file each visitor wants, by name and size.
        let reclaim_limit = self
            .reclaim
            .as_ref()
            .filter(|_| ReclaimLayerBuilder::wants_contents(&record))
            .map(|_| reclaim::MAX_CONTENT_BYTES);
        let sbom_limit = self
            .sbom
            .as_ref()
            .filter(|_| SbomLayerBuilder::wants_contents(&record))
            .map(|_| sbom::MAX_CONTENT_BYTES);
        let sbom_header =
            self.sbom.is_some() && sbom_limit.is_none() && SbomLayerBuilder::wants_header(&record);
        let audit_limit = self
            .audit
            .as_ref()
            .filter(|audit| audit.wants_contents(entry))
            .map(AuditLayerBuilder::content_limit);

        let first = [
            reclaim_limit,
            sbom_limit,
            audit_limit,
            sbom_header.then_some(sbom::BINARY_HEADER_BYTES as u64),
        ]
        .into_iter()
        .flatten()
        .max();
        let Some(first) = first else {
            if let Some(audit) = &mut self.audit {
                audit.visit(entry, &mut std::io::empty());
            }
            return Ok(());
        };

        // One bounded read, shared. A read fault here is met again (and
        // reported, naming the blob) by the layer stream itself.
        let mut data = Vec::new();
        if reader.take(first).read_to_end(&mut data).is_err() {
            return Ok(());
        }
        let mut binary = false;
        if sbom_header && SbomLayerBuilder::wants_binary(&data) {
            binary = true;
            let more = sbom::MAX_BINARY_BYTES.saturating_sub(data.len() as u64);
            if reader.take(more).read_to_end(&mut data).is_err() {
                return Ok(());
            }
        }
        let bounded =
            |limit: u64| &data[..data.len().min(usize::try_from(limit).unwrap_or(usize::MAX))];

        if let (Some(reclaim), Some(limit)) = (&mut self.reclaim, reclaim_limit) {
            reclaim.contents(&record.path, bounded(limit).to_vec());
        }
        if let Some(sbom) = &mut self.sbom {
            if let Some(limit) = sbom_limit {
                sbom.contents(&record.path, bounded(limit));
            } else if binary {
                sbom.contents(&record.path, &data);
            }
        }
        if let Some(audit) = &mut self.audit {
            match audit_limit {
                Some(limit) => audit.visit(entry, &mut bounded(limit)),
                None => audit.visit(entry, &mut std::io::empty()),
            }
        }
        Ok(())
    }

    fn finish(self) -> LayerResult {
        LayerResult {
            tree: self.tree.map(LayerVisitor::finish),
            reclaim: self.reclaim.map(LayerVisitor::finish),
            audit: self.audit.map(AuditLayerBuilder::finish),
            sbom: self.sbom.map(LayerVisitor::finish),
        }
    }
}

/// Streams every layer once, in parallel, through the chosen visitors;
/// results come back in layer order.
pub fn run(image: &Image, visitors: &Visitors) -> Result<Vec<LayerResult>, ImageError> {
    let progress = indicatif::ProgressBar::new(image.layers.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{spinner} reading layers {pos}/{len} {wide_bar}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let results = (0..image.layers.len())
        .into_par_iter()
        .map(|index| {
            let mut builders = Builders::new(index, visitors);
            image.for_each_entry(index, &mut |entry, reader| builders.visit(entry, reader))?;
            progress.inc(1);
            Ok(builders.finish())
        })
        .collect::<Result<Vec<_>, ImageError>>();
    progress.finish_and_clear();
    results
}
