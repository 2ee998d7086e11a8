//! The merged file trees slim reasons about: the kept layers below the squashed range (`lower`),
//! the squashed range itself (`Squash`: what survives, what it hides from below, and why every
//! dropped byte was dropped), and the kept layers above it (`Upper`).
//!
//! Only paths and small metadata are kept in memory (directory headers); file data never is.

use std::collections::{BTreeMap, HashMap, HashSet};

use careen_image::{EntryKind, LayerEntry, RawHeader, Whiteout};

/// Where an entry came from: (layer index, entry ordinal in that layer).
pub type EntryId = (usize, u64);

/// Why bytes were dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    Overwritten,
    Deleted,
    Caches,
    Docs,
    Removed,
}

/// One path of a merged tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: EntryKind,
    pub id: EntryId,
    /// For files: the entry itself; for hardlinks: the file entry whose data the link shares
    /// (`None` when that file is outside the tree, e.g. in a kept lower layer).
    pub content: Option<EntryId>,
    /// Symlink target as written, or hardlink target path.
    pub link: Option<String>,
    pub size: u64,
}

impl Node {
    pub fn from_entry(entry: &LayerEntry, id: EntryId) -> Self {
        Self {
            kind: entry.kind,
            id,
            content: (entry.kind == EntryKind::File).then_some(id),
            link: entry.link_target.clone(),
            size: entry.size,
        }
    }
}

/// Keys of `map` strictly below `dir` (all of them for the root `""`).
pub fn descendants<V>(map: &BTreeMap<String, V>, dir: &str) -> Vec<String> {
    if dir.is_empty() {
        return map.keys().cloned().collect();
    }
    let prefix = format!("{dir}/");
    map.range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect()
}

pub fn has_descendants<V>(map: &BTreeMap<String, V>, dir: &str) -> bool {
    if dir.is_empty() {
        return !map.is_empty();
    }
    let prefix = format!("{dir}/");
    map.range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
}

/// Ancestors of `path`, nearest first (`a/b/c` → `a/b`, `a`, then the root `""`).
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.rsplit_once('/') {
            Some((parent, _)) => {
                rest = Some(parent);
                Some(parent)
            }
            None => {
                rest = None;
                (!current.is_empty()).then_some("")
            }
        }
    })
}

/// A plain merge of layers (whiteouts applied): the kept layers below the range.
#[derive(Debug, Default)]
pub struct Merged {
    pub nodes: BTreeMap<String, Node>,
}

impl Merged {
    /// Applies one entry of layer `id.0` (entries of one layer must come in order).
    pub fn apply(&mut self, entry: &LayerEntry, id: EntryId) {
        match &entry.whiteout {
            Some(Whiteout::File(path)) => {
                for key in descendants(&self.nodes, path) {
                    if self.nodes.get(&key).is_some_and(|n| n.id.0 < id.0) {
                        self.nodes.remove(&key);
                    }
                }
                if self.nodes.get(path).is_some_and(|n| n.id.0 < id.0) {
                    self.nodes.remove(path);
                }
            }
            Some(Whiteout::Opaque(dir)) => {
                for key in descendants(&self.nodes, dir) {
                    if self.nodes.get(&key).is_some_and(|n| n.id.0 < id.0) {
                        self.nodes.remove(&key);
                    }
                }
            }
            None => {
                let mut node = Node::from_entry(entry, id);
                if entry.kind == EntryKind::Hardlink {
                    node.content = entry
                        .link_target
                        .as_ref()
                        .and_then(|t| self.nodes.get(t))
                        .and_then(|n| n.content);
                }
                replace(&mut self.nodes, &entry.path, node, &mut |_| {});
            }
        }
    }
}

/// Puts `node` at `path`, dropping what it replaces: a directory over a directory keeps the
/// children; anything else replaces the old node and, for an old directory, its subtree.
/// `dropped` is told every node removed.
fn replace(
    nodes: &mut BTreeMap<String, Node>,
    path: &str,
    node: Node,
    dropped: &mut dyn FnMut(Node),
) {
    let Some(old) = nodes.get(path) else {
        nodes.insert(path.to_owned(), node);
        return;
    };
    let both_dirs = old.kind == EntryKind::Dir && node.kind == EntryKind::Dir;
    if !both_dirs && old.kind == EntryKind::Dir {
        for key in descendants(nodes, path) {
            if let Some(removed) = nodes.remove(&key) {
                dropped(removed);
            }
        }
    }
    if let Some(old) = nodes.insert(path.to_owned(), node) {
        dropped(old);
    }
}

/// What the squashed layer hides from the kept layers below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hide {
    /// The path (and its subtree) was deleted.
    Whiteout,
    /// The directory's lower contents were hidden.
    Opaque,
}

/// The squashed range, merged.
#[derive(Debug, Default)]
pub struct Squash {
    pub nodes: BTreeMap<String, Node>,
    pub hides: BTreeMap<String, Hide>,
    /// Directory headers, by entry (only directories are written from memory).
    pub dir_headers: HashMap<EntryId, RawHeader>,
    /// File entries dropped, with why and how big.
    pub dropped: HashMap<EntryId, (Cause, u64)>,
    /// Nodes removed by a profile or `--remove`, for the before/after checks.
    pub filtered: BTreeMap<String, Node>,
}

impl Squash {
    fn drop_node(&mut self, node: &Node, cause: Cause) {
        if node.kind == EntryKind::File {
            self.dropped.insert(node.id, (cause, node.size));
        }
        if node.kind == EntryKind::Dir {
            self.dir_headers.remove(&node.id);
        }
    }

    fn remove_below(&mut self, dir: &str, layer: usize, cause: Cause) {
        for key in descendants(&self.nodes, dir) {
            if self.nodes.get(&key).is_some_and(|n| n.id.0 < layer) {
                if let Some(node) = self.nodes.remove(&key) {
                    self.drop_node(&node, cause);
                }
            }
        }
    }

    /// Applies one entry of a squashed layer.
    pub fn apply(&mut self, entry: &LayerEntry, raw: &RawHeader, id: EntryId) {
        match &entry.whiteout {
            Some(Whiteout::File(path)) => {
                self.remove_below(path, id.0, Cause::Deleted);
                if self.nodes.get(path).is_some_and(|n| n.id.0 < id.0) {
                    if let Some(node) = self.nodes.remove(path) {
                        self.drop_node(&node, Cause::Deleted);
                    }
                }
                self.hides.insert(path.clone(), Hide::Whiteout);
            }
            Some(Whiteout::Opaque(dir)) => {
                self.remove_below(dir, id.0, Cause::Deleted);
                self.hides.entry(dir.clone()).or_insert(Hide::Opaque);
            }
            None => {
                let mut node = Node::from_entry(entry, id);
                if entry.kind == EntryKind::Hardlink {
                    node.content = entry
                        .link_target
                        .as_ref()
                        .and_then(|t| self.nodes.get(t))
                        .and_then(|n| n.content);
                }
                if entry.kind == EntryKind::Dir {
                    self.dir_headers.insert(id, raw.clone());
                }
                let mut dropped = Vec::new();
                replace(&mut self.nodes, &entry.path, node, &mut |old| {
                    dropped.push(old)
                });
                for old in dropped {
                    self.drop_node(&old, Cause::Overwritten);
                }
            }
        }
    }

    /// Removes what the kept upper layers delete or replace anyway (paths an upper hardlink
    /// points at are kept).
    pub fn apply_upper(&mut self, upper: &Upper) {
        let mut doomed: Vec<(String, Cause)> = Vec::new();
        for dir in &upper.opaque {
            doomed.extend(
                descendants(&self.nodes, dir)
                    .into_iter()
                    .map(|k| (k, Cause::Deleted)),
            );
        }
        for (path, node) in &upper.nodes {
            let Some(old) = self.nodes.get(path) else {
                continue;
            };
            let cause = match node {
                None => Cause::Deleted,
                Some(new) if new.kind == EntryKind::Dir && old.kind == EntryKind::Dir => continue,
                Some(_) => Cause::Overwritten,
            };
            if old.kind == EntryKind::Dir {
                doomed.extend(
                    descendants(&self.nodes, path)
                        .into_iter()
                        .map(|k| (k, cause)),
                );
            }
            doomed.push((path.clone(), cause));
        }
        for (path, cause) in doomed {
            if upper.link_targets.contains(&path) {
                continue;
            }
            if let Some(node) = self.nodes.remove(&path) {
                self.drop_node(&node, cause);
            }
        }
    }

    /// Removes the non-directory nodes `classify` names a cause for, then the directories it
    /// names that are left empty (deepest first).
    pub fn filter(&mut self, classify: &dyn Fn(&str) -> Option<Cause>) {
        let doomed: Vec<(String, Cause)> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.kind != EntryKind::Dir)
            .filter_map(|(p, _)| classify(p).map(|c| (p.clone(), c)))
            .collect();
        for (path, cause) in doomed {
            if let Some(node) = self.nodes.remove(&path) {
                self.drop_node(&node, cause);
                self.filtered.insert(path, node);
            }
        }
        let mut dirs: Vec<String> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.kind == EntryKind::Dir)
            .filter(|(p, _)| classify(p).is_some())
            .map(|(p, _)| p.clone())
            .collect();
        dirs.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
        for dir in dirs {
            if !has_descendants(&self.nodes, &dir) {
                if let Some(node) = self.nodes.remove(&dir) {
                    self.dir_headers.remove(&node.id);
                    self.filtered.insert(dir, node);
                }
            }
        }
    }

    /// Bytes dropped per cause: file entries no surviving path uses any more.
    pub fn saved(&self) -> BTreeMap<Cause, u64> {
        let used: HashSet<EntryId> = self.nodes.values().filter_map(|n| n.content).collect();
        let mut saved = BTreeMap::new();
        for (id, (cause, size)) in &self.dropped {
            if !used.contains(id) {
                *saved.entry(*cause).or_insert(0) += size;
            }
        }
        saved
    }

    /// The whiteout and opaque markers the squashed layer must carry: only where a kept lower
    /// layer still has something to hide. Sorted by path.
    pub fn markers(&self, lower: &Merged) -> Vec<(String, Hide)> {
        let mut markers: Vec<(String, Hide)> = Vec::new();
        for (path, hide) in &self.hides {
            let lower_has = lower.nodes.contains_key(path);
            let final_node = self.nodes.get(path);
            match hide {
                Hide::Whiteout => match final_node {
                    None if lower_has => {
                        let covered = ancestors(path).any(|a| {
                            !self.nodes.contains_key(a)
                                && self.hides.get(a) == Some(&Hide::Whiteout)
                                && lower.nodes.contains_key(a)
                        });
                        if !covered {
                            markers.push((path.clone(), Hide::Whiteout));
                        }
                    }
                    Some(node)
                        if node.kind == EntryKind::Dir
                            && lower
                                .nodes
                                .get(path)
                                .is_some_and(|n| n.kind == EntryKind::Dir)
                            && has_descendants(&lower.nodes, path) =>
                    {
                        markers.push((path.clone(), Hide::Opaque));
                    }
                    _ => {}
                },
                Hide::Opaque => {
                    let is_dir = final_node.is_some_and(|n| n.kind == EntryKind::Dir);
                    if is_dir && has_descendants(&lower.nodes, path) {
                        markers.push((path.clone(), Hide::Opaque));
                    }
                }
            }
        }
        markers.dedup();
        markers
    }
}

/// The kept layers above the range, merged as changes: entries, deletions, opaque dirs.
#[derive(Debug, Default)]
pub struct Upper {
    /// `None`: deleted by an upper layer.
    pub nodes: BTreeMap<String, Option<Node>>,
    pub opaque: HashSet<String>,
    /// Targets of upper hardlinks.
    pub link_targets: HashSet<String>,
}

impl Upper {
    pub fn apply(&mut self, entry: &LayerEntry, id: EntryId) {
        match &entry.whiteout {
            Some(Whiteout::File(path)) => {
                for key in descendants(&self.nodes, path) {
                    self.nodes.insert(key, None);
                }
                self.nodes.insert(path.clone(), None);
            }
            Some(Whiteout::Opaque(dir)) => {
                for key in descendants(&self.nodes, dir) {
                    let older = self
                        .nodes
                        .get(&key)
                        .is_some_and(|n| n.as_ref().is_some_and(|n| n.id.0 < id.0));
                    if older {
                        self.nodes.remove(&key);
                    }
                }
                self.opaque.insert(dir.clone());
            }
            None => {
                if entry.kind == EntryKind::Hardlink {
                    if let Some(target) = &entry.link_target {
                        self.link_targets.insert(target.clone());
                    }
                }
                self.nodes
                    .insert(entry.path.clone(), Some(Node::from_entry(entry, id)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind, size: u64) -> LayerEntry {
        let whiteout = if let Some(dir) = path.strip_suffix(".wh..wh..opq") {
            Some(Whiteout::Opaque(dir.trim_end_matches('/').to_owned()))
        } else if let Some((dir, name)) = path.rsplit_once("/.wh.") {
            Some(Whiteout::File(format!("{dir}/{name}")))
        } else {
            path.strip_prefix(".wh.")
                .map(|name| Whiteout::File(name.to_owned()))
        };
        LayerEntry {
            path: path.to_owned(),
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            link_target: None,
            whiteout,
        }
    }

    fn raw() -> RawHeader {
        RawHeader {
            header: tar::Header::new_gnu(),
            pax: Vec::new(),
        }
    }

    #[test]
    fn overwritten_and_deleted_bytes_are_counted_and_markers_kept_only_over_lower_paths() {
        let mut lower = Merged::default();
        lower.apply(&entry("etc", EntryKind::Dir, 0), (0, 0));
        lower.apply(&entry("etc/motd", EntryKind::File, 5), (0, 1));
        lower.apply(&entry("var", EntryKind::Dir, 0), (0, 2));
        lower.apply(&entry("var/old", EntryKind::File, 5), (0, 3));
        let mut squash = Squash::default();
        let layers: [&[(&str, EntryKind, u64)]; 3] = [
            &[
                ("opt", EntryKind::Dir, 0),
                ("opt/a", EntryKind::File, 100),
                ("opt/tmp", EntryKind::File, 40),
            ],
            &[
                ("opt/a", EntryKind::File, 10),
                ("opt/.wh.tmp", EntryKind::File, 0),
                ("etc/.wh.motd", EntryKind::File, 0),
                ("etc/.wh.never", EntryKind::File, 0),
            ],
            &[("var/.wh..wh..opq", EntryKind::File, 0)],
        ];
        for (offset, layer) in layers.iter().enumerate() {
            for (ordinal, (path, kind, size)) in layer.iter().enumerate() {
                squash.apply(
                    &entry(path, *kind, *size),
                    &raw(),
                    (offset + 1, ordinal as u64),
                );
            }
        }
        let saved = squash.saved();
        assert_eq!(saved.get(&Cause::Overwritten), Some(&100));
        assert_eq!(saved.get(&Cause::Deleted), Some(&40));
        // `etc/never` was never below; `var` is not a directory of the squashed layer.
        assert_eq!(
            squash.markers(&lower),
            vec![("etc/motd".to_owned(), Hide::Whiteout)]
        );
        assert_eq!(squash.nodes.keys().collect::<Vec<_>>(), ["opt", "opt/a"]);
    }

    #[test]
    fn filters_keep_directories_that_still_hold_kept_files() {
        let mut squash = Squash::default();
        for (ordinal, (path, kind)) in [
            ("doc", EntryKind::Dir),
            ("doc/pkg", EntryKind::Dir),
            ("doc/pkg/README", EntryKind::File),
            ("doc/pkg/copyright", EntryKind::File),
            ("doc/other", EntryKind::Dir),
            ("doc/other/README", EntryKind::File),
        ]
        .into_iter()
        .enumerate()
        {
            squash.apply(&entry(path, kind, 7), &raw(), (1, ordinal as u64));
        }
        squash.filter(&|p: &str| {
            (p.starts_with("doc/") && !p.ends_with("copyright")).then_some(Cause::Docs)
        });
        assert_eq!(
            squash.nodes.keys().collect::<Vec<_>>(),
            ["doc", "doc/pkg", "doc/pkg/copyright"]
        );
        assert_eq!(squash.saved().get(&Cause::Docs), Some(&14));
    }

    #[test]
    fn upper_layers_drop_what_they_replace_but_not_link_targets() {
        let mut squash = Squash::default();
        for (ordinal, path) in ["a", "b", "c"].into_iter().enumerate() {
            squash.apply(
                &entry(path, EntryKind::File, 3),
                &raw(),
                (1, ordinal as u64),
            );
        }
        let mut upper = Upper::default();
        upper.apply(&entry("a", EntryKind::File, 1), (2, 0));
        upper.apply(&entry(".wh.b", EntryKind::File, 0), (2, 1));
        let mut link = entry("d", EntryKind::Hardlink, 0);
        link.link_target = Some("c".to_owned());
        upper.apply(&link, (2, 2));
        upper.apply(&entry(".wh.c", EntryKind::File, 0), (3, 0));
        squash.apply_upper(&upper);
        assert_eq!(squash.nodes.keys().collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn ancestors_walk_to_the_root() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a/b", "a", ""]);
        assert_eq!(ancestors("a").collect::<Vec<_>>(), [""]);
    }
}
