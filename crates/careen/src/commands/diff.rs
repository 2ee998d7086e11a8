//! `careen diff A B`: what changed between two images — total and per-layer
//! sizes (shared layers marked), and the files added, removed and changed in
//! the final filesystems (by content digest, mode, owner, type, link target),
//! biggest changes first.
//!
//! Every layer of both images is streamed once, all in parallel, each into a
//! small per-layer record (path → size, mode, sha256); the layers are then
//! stacked in order and the two filesystems compared in one sorted walk.
//! A diff is information: exit 0 whatever it finds; 2 on errors.

use crate::args::diff::{DiffArgs, DiffFormat};
use crate::ExitStatus;
use anyhow::Context as _;
use careen_image::{EntryKind, Image, LayerEntry, Whiteout};
use careen_inspect::filesystem::{
    self, EntryMeta, Filesystem, FsDiff, LayerFs, LayerFsBuilder, NodeKind,
};
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};

/// One image, read: its layers' sizes and its final filesystem.
struct Side {
    image: Image,
    /// Per layer: bytes of the regular files in the layer tar (dive's layer size).
    layer_sizes: Vec<u64>,
    fs: Filesystem,
}

impl Side {
    fn size_bytes(&self) -> u64 {
        self.layer_sizes.iter().sum()
    }

    /// Whether layer `index` (by diff ID) is also a layer of `other`.
    fn shared_with(&self, index: usize, other: &Side) -> bool {
        let Some(Some(id)) = self.image.layers.get(index).map(|l| l.diff_id.as_ref()) else {
            return false;
        };
        other
            .image
            .layers
            .iter()
            .any(|l| l.diff_id.as_ref() == Some(id))
    }
}

fn kind_of(kind: EntryKind) -> NodeKind {
    match kind {
        EntryKind::File => NodeKind::File,
        EntryKind::Dir => NodeKind::Dir,
        EntryKind::Symlink => NodeKind::Symlink,
        EntryKind::Hardlink => NodeKind::Hardlink,
        EntryKind::Other => NodeKind::Other,
    }
}

/// Streams one layer (digests verified) into its filesystem changes.
fn read_layer(image: &Image, index: usize) -> Result<(LayerFs, u64), careen_image::ImageError> {
    let mut builder = LayerFsBuilder::default();
    let mut size = 0u64;
    image.for_each_entry(index, &mut |entry: &LayerEntry, data: &mut dyn Read| {
        size = size.saturating_add(entry.size);
        match &entry.whiteout {
            Some(Whiteout::File(path)) => builder.whiteout(path),
            Some(Whiteout::Opaque(dir)) => builder.opaque(dir),
            None => {
                let meta = EntryMeta {
                    kind: kind_of(entry.kind),
                    size: entry.size,
                    mode: entry.mode,
                    uid: entry.uid,
                    gid: entry.gid,
                    link_target: entry.link_target.as_deref(),
                };
                builder.entry(&entry.path, meta, data).map_err(|e| {
                    careen_image::ImageError::Io {
                        path: image.path().to_owned(),
                        source: e,
                    }
                })?;
            }
        }
        Ok(())
    })?;
    Ok((builder.finish(), size))
}

/// Reads both images: every layer of both streamed in parallel, then each
/// image's layers stacked in order.
fn read_both(a: Image, b: Image) -> anyhow::Result<(Side, Side)> {
    let jobs: Vec<(usize, usize)> = (0..a.layers.len())
        .map(|i| (0, i))
        .chain((0..b.layers.len()).map(|i| (1, i)))
        .collect();
    let progress = indicatif::ProgressBar::new(jobs.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{spinner} reading layers {pos}/{len} {wide_bar}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let images = [&a, &b];
    let results = jobs
        .par_iter()
        .map(|&(side, index)| {
            let image = images[side];
            let layer = read_layer(image, index)
                .with_context(|| format!("cannot read `{}`", image.reference))?;
            progress.inc(1);
            Ok(layer)
        })
        .collect::<anyhow::Result<Vec<_>>>();
    progress.finish_and_clear();
    let mut results = results?;
    let b_layers = results.split_off(a.layers.len());
    let side = |image: Image, layers: Vec<(LayerFs, u64)>| {
        let layer_sizes = layers.iter().map(|(_, size)| *size).collect();
        let fs = Filesystem::from_layers(layers.into_iter().map(|(fs, _)| fs));
        Side {
            image,
            layer_sizes,
            fs,
        }
    };
    Ok((side(a, results), side(b, b_layers)))
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitStatus> {
    // Open both first, so a bad second reference fails before any streaming.
    let a = crate::image::open(&args.a, &args.source)?;
    let b = crate::image::open(&args.b, &args.source)?;
    let (a, b) = read_both(a, b)?;
    let files = filesystem::diff(&a.fs, &b.fs);
    let report = Report::new(&a, &b, &files);

    let mut out = anstream::stdout().lock();
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report.to_json())?;
            writeln!(out)?;
        }
        DiffFormat::Text => report.render_text(&mut out, args.top)?,
    }
    Ok(ExitStatus::Success)
}

/// `b - a`, saturating into `i64` (sizes are far below its range in practice).
fn delta(a: u64, b: u64) -> i64 {
    let d = i128::from(b) - i128::from(a);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

/// The directory a file's size change is counted under: its first two path
/// components (`usr/lib/x.so` → `/usr/lib`), else its parent (`etc/passwd` →
/// `/etc`, `app` → `/`).
fn bucket(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let keep = if parts.len() > 2 { 2 } else { parts.len() - 1 };
    format!("/{}", parts[..keep].join("/"))
}

/// Everything the renderers need, computed once.
struct Report<'a> {
    a: &'a Side,
    b: &'a Side,
    files: &'a FsDiff,
    /// Per directory bucket, the net size change, biggest first.
    size_changes: Vec<(String, i64)>,
    added_bytes: u64,
    removed_bytes: u64,
    changed_delta: i64,
    shared_layers: usize,
    common_base_layers: usize,
}

impl<'a> Report<'a> {
    fn new(a: &'a Side, b: &'a Side, files: &'a FsDiff) -> Self {
        let mut buckets: BTreeMap<String, i64> = BTreeMap::new();
        let mut add = |path: &str, d: i64| {
            if d != 0 {
                let entry = buckets.entry(bucket(path)).or_default();
                *entry = entry.saturating_add(d);
            }
        };
        // Hardlinked bytes count once (a link to a file that is there adds nothing).
        for f in &files.added {
            add(&f.path, delta(0, f.owned_size));
        }
        for f in &files.removed {
            add(&f.path, delta(f.owned_size, 0));
        }
        for c in &files.changed {
            add(&c.path, delta(c.a_owned_size, c.b_owned_size));
        }
        let mut size_changes: Vec<(String, i64)> =
            buckets.into_iter().filter(|(_, d)| *d != 0).collect();
        size_changes.sort_by(|x, y| {
            y.1.unsigned_abs()
                .cmp(&x.1.unsigned_abs())
                .then_with(|| x.0.cmp(&y.0))
        });
        let b_ids: HashSet<&String> = b
            .image
            .layers
            .iter()
            .filter_map(|l| l.diff_id.as_ref())
            .collect();
        let shared_layers = a
            .image
            .layers
            .iter()
            .filter(|l| l.diff_id.as_ref().is_some_and(|id| b_ids.contains(id)))
            .count();
        let common_base_layers = a
            .image
            .layers
            .iter()
            .zip(&b.image.layers)
            .take_while(|(x, y)| x.diff_id.is_some() && x.diff_id == y.diff_id)
            .count();
        Report {
            a,
            b,
            files,
            size_changes,
            added_bytes: files.added.iter().map(|f| f.owned_size).sum(),
            removed_bytes: files.removed.iter().map(|f| f.owned_size).sum(),
            changed_delta: files
                .changed
                .iter()
                .map(|c| delta(c.a_owned_size, c.b_owned_size))
                .fold(0i64, i64::saturating_add),
            shared_layers,
            common_base_layers,
        }
    }

    fn side_json(side: &Side, other: &Side) -> serde_json::Value {
        let layers: Vec<_> = side
            .image
            .layers
            .iter()
            .map(|layer| {
                json!({
                    "index": layer.index,
                    "digest": layer.digest,
                    "diff_id": layer.diff_id,
                    "size_bytes": side.layer_sizes.get(layer.index).copied().unwrap_or(0),
                    "command": layer.created_by,
                    "shared": side.shared_with(layer.index, other),
                })
            })
            .collect();
        json!({
            "reference": side.image.reference,
            "id": side.image.config_digest,
            "tags": side.image.tags,
            "size_bytes": side.size_bytes(),
            "files_size_bytes": side.fs.size_bytes(),
            "file_count": side.fs.len(),
            "layers": layers,
        })
    }

    fn to_json(&self) -> serde_json::Value {
        let (a, b) = (self.a, self.b);
        let only = |f: &filesystem::OnlyIn, side: &Side| {
            json!({
                "path": f.path,
                "type": f.kind.as_str(),
                "size_bytes": f.size,
                "digest": side.fs.get(&f.path).and_then(|n| n.digest_hex()),
                "hardlink_to": side.fs.get(&f.path).and_then(|n| n.hardlink_to.clone()),
            })
        };
        let added: Vec<_> = self.files.added.iter().map(|f| only(f, b)).collect();
        let removed: Vec<_> = self.files.removed.iter().map(|f| only(f, a)).collect();
        let changed: Vec<_> = self
            .files
            .changed
            .iter()
            .map(|c| {
                let (na, nb) = (a.fs.get(&c.path), b.fs.get(&c.path));
                json!({
                    "path": c.path,
                    "a_size_bytes": c.a_size,
                    "b_size_bytes": c.b_size,
                    "delta_bytes": delta(c.a_size, c.b_size),
                    "what": c.what.iter().map(|w| w.as_str()).collect::<Vec<_>>(),
                    "a_type": c.a_kind.as_str(),
                    "b_type": c.b_kind.as_str(),
                    "a_digest": na.and_then(|n| n.digest_hex()),
                    "b_digest": nb.and_then(|n| n.digest_hex()),
                    "a_mode": na.map(|n| format!("{:04o}", n.mode)),
                    "b_mode": nb.map(|n| format!("{:04o}", n.mode)),
                    "a_link_target": na.and_then(|n| n.link_target.clone()),
                    "b_link_target": nb.and_then(|n| n.link_target.clone()),
                    "a_hardlink_to": na.and_then(|n| n.hardlink_to.clone()),
                    "b_hardlink_to": nb.and_then(|n| n.hardlink_to.clone()),
                })
            })
            .collect();
        let size_changes: Vec<_> = self
            .size_changes
            .iter()
            .map(|(path, d)| json!({"path": path, "delta_bytes": d}))
            .collect();
        json!({
            "schema": "careen.diff/v1",
            "a": Self::side_json(a, b),
            "b": Self::side_json(b, a),
            "size_delta_bytes": delta(a.size_bytes(), b.size_bytes()),
            "files": {
                "added": added,
                "removed": removed,
                "changed": changed,
            },
            "size_changes": size_changes,
            "summary": {
                "identical": a.image.config_digest == b.image.config_digest,
                "same_files": self.files.is_empty(),
                "layers_a": a.image.layers.len(),
                "layers_b": b.image.layers.len(),
                "layers_shared": self.shared_layers,
                "common_base_layers": self.common_base_layers,
                "files_added": self.files.added.len(),
                "files_removed": self.files.removed.len(),
                "files_changed": self.files.changed.len(),
                "added_bytes": self.added_bytes,
                "removed_bytes": self.removed_bytes,
                "changed_delta_bytes": self.changed_delta,
                "files_size_delta_bytes": delta(a.fs.size_bytes(), b.fs.size_bytes()),
            },
        })
    }

    fn render_text(&self, out: &mut dyn Write, top: usize) -> anyhow::Result<()> {
        let (a, b) = (self.a, self.b);
        for (label, side) in [("A", a), ("B", b)] {
            writeln!(
                out,
                "{label}: {}  (id {}, {} layers, {})",
                side.image.reference,
                short(&side.image.config_digest),
                side.image.layers.len(),
                human(side.size_bytes())
            )?;
        }
        let (sa, sb) = (a.size_bytes(), b.size_bytes());
        let percent = if sa == 0 {
            String::new()
        } else {
            format!(", {:+.1} %", (sb as f64 - sa as f64) / sa as f64 * 100.0)
        };
        writeln!(
            out,
            "Size: {} → {} ({}{percent})",
            human(sa),
            human(sb),
            signed(delta(sa, sb))
        )?;
        if a.image.config_digest == b.image.config_digest {
            writeln!(out, "The two images are identical (same image ID).")?;
        }

        writeln!(out)?;
        writeln!(
            out,
            "{:>5}  {:<12}  {:>9}  {:<12}  {:>9}  {:<6}  COMMAND",
            "LAYER", "A DIGEST", "A SIZE", "B DIGEST", "B SIZE", ""
        )?;
        let rows = a.image.layers.len().max(b.image.layers.len());
        for index in 0..rows {
            let cell = |side: &Side| match side.image.layers.get(index) {
                Some(layer) => (
                    short(layer.diff_id.as_deref().unwrap_or(&layer.digest)),
                    human(side.layer_sizes.get(index).copied().unwrap_or(0)),
                ),
                None => ("-".to_owned(), "-".to_owned()),
            };
            let (da, za) = cell(a);
            let (db, zb) = cell(b);
            let same_here = matches!(
                (a.image.layers.get(index), b.image.layers.get(index)),
                (Some(x), Some(y)) if x.diff_id.is_some() && x.diff_id == y.diff_id
            );
            let mark = if same_here {
                "same"
            } else if (index < a.image.layers.len() && a.shared_with(index, b))
                || (index < b.image.layers.len() && b.shared_with(index, a))
            {
                "shared"
            } else {
                ""
            };
            let command = command_of(b, index)
                .filter(|c| !c.is_empty())
                .or_else(|| command_of(a, index))
                .unwrap_or_default();
            writeln!(
                out,
                "{index:>5}  {da:<12}  {za:>9}  {db:<12}  {zb:>9}  {mark:<6}  {}",
                truncate(&command, 70)
            )?;
        }
        writeln!(
            out,
            "  {} shared layers, {} common base layers",
            self.shared_layers, self.common_base_layers
        )?;

        writeln!(out)?;
        let files = self.files;
        if files.is_empty() {
            writeln!(out, "Files: no differences.")?;
            return Ok(());
        }
        writeln!(
            out,
            "Files: {} added ({}), {} removed ({}), {} changed ({})",
            files.added.len(),
            signed(delta(0, self.added_bytes)),
            files.removed.len(),
            signed(delta(self.removed_bytes, 0)),
            files.changed.len(),
            signed(self.changed_delta)
        )?;

        if !self.size_changes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Where the size went, biggest first:")?;
            for (path, d) in self.size_changes.iter().take(top) {
                writeln!(out, "  {:>10}  {path}", signed(*d))?;
            }
            more(out, self.size_changes.len(), top)?;
        }
        if !files.added.is_empty() {
            writeln!(out)?;
            writeln!(out, "Added ({}):", files.added.len())?;
            for f in files.added.iter().take(top) {
                writeln!(
                    out,
                    "  {:>10}  {}{}{}",
                    signed(delta(0, f.owned_size)),
                    f.path,
                    kind_suffix(f.kind),
                    link_suffix(b, &f.path)
                )?;
            }
            more(out, files.added.len(), top)?;
        }
        if !files.removed.is_empty() {
            writeln!(out)?;
            writeln!(out, "Removed ({}):", files.removed.len())?;
            for f in files.removed.iter().take(top) {
                writeln!(
                    out,
                    "  {:>10}  {}{}{}",
                    signed(delta(f.owned_size, 0)),
                    f.path,
                    kind_suffix(f.kind),
                    link_suffix(a, &f.path)
                )?;
            }
            more(out, files.removed.len(), top)?;
        }
        if !files.changed.is_empty() {
            writeln!(out)?;
            writeln!(out, "Changed ({}):", files.changed.len())?;
            for c in files.changed.iter().take(top) {
                let what: Vec<&str> = c.what.iter().map(|w| w.as_str()).collect();
                writeln!(
                    out,
                    "  {:>10}  {}  ({}){}",
                    signed(delta(c.a_owned_size, c.b_owned_size)),
                    c.path,
                    what.join(", "),
                    link_suffix(b, &c.path)
                )?;
            }
            more(out, files.changed.len(), top)?;
        }
        Ok(())
    }
}

fn more(out: &mut dyn Write, len: usize, top: usize) -> std::io::Result<()> {
    let more = len.saturating_sub(top);
    if more > 0 {
        writeln!(out, "  … and {more} more (`--top N` or `--format json`)")?;
    }
    Ok(())
}

fn kind_suffix(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Dir => "/",
        NodeKind::Symlink => " (symlink)",
        NodeKind::Other => " (special)",
        NodeKind::File | NodeKind::Hardlink => "",
    }
}

/// ` (hardlink to PATH, SIZE)` for a hardlink whose bytes are counted at PATH.
fn link_suffix(side: &Side, path: &str) -> String {
    match side.fs.get(path) {
        Some(node) if side.fs.owned_size(node) == 0 => match &node.hardlink_to {
            Some(target) => format!(" (hardlink to {target}, {})", human(node.size)),
            None => String::new(),
        },
        _ => String::new(),
    }
}

/// `sha256:0123456789abcdef…` → `0123456789ab`.
fn short(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() > width {
        text.chars()
            .take(width.saturating_sub(1))
            .collect::<String>()
            + "…"
    } else {
        text.to_owned()
    }
}

fn command_of(side: &Side, index: usize) -> Option<String> {
    side.image.layers.get(index).map(|l| {
        l.created_by
            .as_deref()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("/bin/sh -c #(nop) ")
            .trim_start_matches("/bin/sh -c ")
            .replace('\n', " ")
    })
}

/// Sizes the way people read them (SI, as `careen analyze` prints them).
fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

fn signed(d: i64) -> String {
    match d {
        0 => "0 B".to_owned(),
        d if d > 0 => format!("+{}", human(d.unsigned_abs())),
        d => format!("-{}", human(d.unsigned_abs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_two_levels_deep() {
        assert_eq!(bucket("usr/lib/x/y.so"), "/usr/lib");
        assert_eq!(bucket("usr/lib/x.so"), "/usr/lib");
        assert_eq!(bucket("etc/passwd"), "/etc");
        assert_eq!(bucket("app"), "/");
    }

    #[test]
    fn deltas_and_signs() {
        assert_eq!(delta(10, 3), -7);
        assert_eq!(delta(0, u64::MAX), i64::MAX);
        assert_eq!(signed(-1000), "-1.0 kB");
        assert_eq!(signed(0), "0 B");
        assert_eq!(short("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
