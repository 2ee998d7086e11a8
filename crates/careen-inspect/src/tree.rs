//! A layer's file tree as dive 0.13.1 builds it, so that every figure derived
//! from it (efficiency, wasted bytes, file counts) is dive's to the byte.
//!
//! dive's rules, reproduced here on purpose (they are what its users' CI
//! budgets were tuned against):
//! - a node is added for every path component; components the tar does not
//!   list carry an empty payload (size 0, *not* a directory);
//! - a whiteout `.wh.NAME` is an ordinary node in its layer's tree; its path
//!   is reported without the prefix;
//! - an opaque marker (`.wh..wh..opq`, any `.wh..wh..` name) is never added,
//!   but its header size still counts towards the layer size;
//! - a later entry for the same path replaces the payload and keeps the
//!   children;
//! - children are visited in byte order of their names, children before
//!   their parent.
//!
//! Nodes live in an arena (`Vec`) and traversals are iterative, so deep or
//! hostile paths cannot overflow the stack.

use crate::{FileRecord, LayerVisitor, RecordKind};
use std::collections::BTreeMap;

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_PREFIX: &str = ".wh..wh..";
const ROOT: usize = 0;

/// What a node carries: dive's `FileInfo`, reduced to what the figures use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NodeInfo {
    pub(crate) size: u64,
    pub(crate) is_dir: bool,
}

#[derive(Debug, Clone)]
struct Node {
    name: Box<str>,
    parent: Option<usize>,
    info: NodeInfo,
    children: BTreeMap<Box<str>, usize>,
}

/// The file tree of one layer (or of several stacked layers).
#[derive(Debug, Clone)]
pub struct LayerTree {
    /// Arena; index 0 is the root. Removed nodes stay here, unlinked.
    nodes: Vec<Node>,
    /// Sum of the header sizes of the layer's entries (dive's layer size).
    size_bytes: u64,
}

impl Default for LayerTree {
    fn default() -> Self {
        LayerTree {
            nodes: vec![Node {
                name: "".into(),
                parent: None,
                info: NodeInfo::default(),
                children: BTreeMap::new(),
            }],
            size_bytes: 0,
        }
    }
}

/// The components of a path after cleaning (`path.Clean` without the
/// leading `/`): empty and `.` components dropped, `..` folded where it can be.
fn components(path: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !path.starts_with('/') {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    parts
}

impl LayerTree {
    /// Builds a layer's tree from its entries in tar order.
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a FileRecord>) -> Self {
        let mut builder = LayerTreeBuilder::default();
        for record in records {
            builder.visit(record);
        }
        builder.finish()
    }

    /// dive's layer size: the sum of the header sizes of the layer's entries.
    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    /// dive's file count of a layer: the nodes of its tree (the root excluded).
    pub fn file_count(&self) -> usize {
        self.post_order(ROOT).len().saturating_sub(1)
    }

    /// Adds (or replaces the payload of) `path`; dive's `AddPath`.
    pub(crate) fn add_path(&mut self, path: &str, info: NodeInfo) {
        let names = components(path);
        let mut node = ROOT;
        let last = names.len().saturating_sub(1);
        for (index, name) in names.iter().enumerate() {
            if let Some(&child) = self.nodes[node].children.get(*name) {
                node = child;
            } else {
                // dive never records opaque markers (nor anything below one).
                if name.starts_with(OPAQUE_PREFIX) {
                    return;
                }
                let child = self.nodes.len();
                self.nodes.push(Node {
                    name: (*name).into(),
                    parent: Some(node),
                    info: NodeInfo::default(),
                    children: BTreeMap::new(),
                });
                self.nodes[node].children.insert((*name).into(), child);
                node = child;
            }
            if index == last {
                self.nodes[node].info = info;
            }
        }
    }

    /// The node at `path`, if any; the root for an empty path.
    pub(crate) fn get_node(&self, path: &str) -> Option<usize> {
        let mut node = ROOT;
        for name in path.split('/').filter(|name| !name.is_empty()) {
            node = *self.nodes[node].children.get(name)?;
        }
        Some(node)
    }

    /// Unlinks the node at `path` (and so its subtree). False when there is
    /// no such node or it is the root.
    pub(crate) fn remove_path(&mut self, path: &str) -> bool {
        let Some(node) = self.get_node(path) else {
            return false;
        };
        let Some(parent) = self.nodes[node].parent else {
            return false;
        };
        let name = self.nodes[node].name.clone();
        self.nodes[parent].children.remove(&name);
        true
    }

    /// Nodes below and including `start`, children first, siblings in byte
    /// order of their names (dive's `VisitDepthChildFirst`).
    pub(crate) fn post_order(&self, start: usize) -> Vec<usize> {
        let mut out = Vec::new();
        // (node, children already pushed)
        let mut stack = vec![(start, false)];
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                out.push(node);
                continue;
            }
            stack.push((node, true));
            for &child in self.nodes[node].children.values().rev() {
                stack.push((child, false));
            }
        }
        out
    }

    /// Every node except the root, in visiting order.
    pub(crate) fn nodes_child_first(&self) -> Vec<usize> {
        let mut order = self.post_order(ROOT);
        order.pop(); // the root comes last
        order
    }

    pub(crate) fn is_leaf(&self, node: usize) -> bool {
        self.nodes[node].children.is_empty()
    }

    pub(crate) fn is_whiteout(&self, node: usize) -> bool {
        self.nodes[node].name.starts_with(WHITEOUT_PREFIX)
    }

    pub(crate) fn info(&self, node: usize) -> NodeInfo {
        self.nodes[node].info
    }

    /// `/a/b/c` for a node; a whiteout's own prefix is dropped (dive's `Path`).
    pub(crate) fn node_path(&self, node: usize) -> String {
        let mut names: Vec<&str> = Vec::new();
        let mut current = node;
        while let Some(parent) = self.nodes[current].parent {
            let name: &str = &self.nodes[current].name;
            if current == node {
                names.push(name.strip_prefix(WHITEOUT_PREFIX).unwrap_or(name));
            } else {
                names.push(name);
            }
            current = parent;
        }
        names.reverse();
        format!("/{}", names.join("/")).replace("//", "/")
    }

    /// Sum of the payload sizes of `node` and everything below it.
    pub(crate) fn subtree_size(&self, node: usize) -> u64 {
        self.post_order(node)
            .into_iter()
            .fold(0u64, |sum, n| sum.saturating_add(self.nodes[n].info.size))
    }

    /// Puts `upper` on top of this tree: whiteouts remove, everything else
    /// is added or replaces the payload (dive's `Stack`).
    pub(crate) fn stack(&mut self, upper: &LayerTree) {
        for node in upper.nodes_child_first() {
            let path = upper.node_path(node);
            if upper.is_whiteout(node) {
                // A whiteout of a path the lower layers never had is ignored.
                self.remove_path(&path);
            } else {
                self.add_path(&path, upper.info(node));
            }
        }
    }
}

/// Builds a [`LayerTree`] from a layer's entries as they stream by.
#[derive(Debug, Default)]
pub struct LayerTreeBuilder {
    tree: LayerTree,
}

impl LayerVisitor for LayerTreeBuilder {
    type Output = LayerTree;

    fn visit(&mut self, record: &FileRecord) {
        // dive skips the layer's root entry (`./`) altogether.
        if components(&record.path).is_empty() {
            return;
        }
        self.tree.size_bytes = self.tree.size_bytes.saturating_add(record.size);
        let info = NodeInfo {
            size: record.size,
            is_dir: record.kind == RecordKind::Dir,
        };
        self.tree.add_path(&record.path, info);
    }

    fn finish(self) -> LayerTree {
        self.tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(tree: &LayerTree) -> Vec<String> {
        tree.nodes_child_first()
            .into_iter()
            .map(|n| tree.node_path(n))
            .collect()
    }

    #[test]
    fn children_first_in_byte_order() {
        let tree = LayerTree::from_records(&[
            FileRecord::dir("b"),
            FileRecord::file("b/z", 1),
            FileRecord::file("b/a", 2),
            FileRecord::file("B", 3),
        ]);
        assert_eq!(paths(&tree), ["/B", "/b/a", "/b/z", "/b"]);
        assert_eq!(tree.size_bytes(), 6);
        assert_eq!(tree.file_count(), 4);
    }

    #[test]
    fn implicit_parents_are_nodes_without_payload() {
        let tree = LayerTree::from_records(&[FileRecord::file("a/b/c", 5)]);
        assert_eq!(tree.file_count(), 3);
        let a = tree.get_node("/a").unwrap();
        assert_eq!(tree.info(a), NodeInfo::default());
        assert!(!tree.info(a).is_dir);
    }

    #[test]
    fn opaque_markers_count_in_size_but_are_not_nodes() {
        let mut marker = FileRecord::opaque("d");
        marker.size = 7;
        let tree = LayerTree::from_records(&[FileRecord::dir("d"), marker]);
        assert_eq!(tree.file_count(), 1);
        assert_eq!(tree.size_bytes(), 7);
    }

    #[test]
    fn root_entry_is_skipped() {
        let tree = LayerTree::from_records(&[FileRecord::new("./", RecordKind::Dir, 9)]);
        assert_eq!(tree.file_count(), 0);
        assert_eq!(tree.size_bytes(), 0);
    }

    #[test]
    fn whiteout_path_drops_prefix_and_stack_removes() {
        let lower = LayerTree::from_records(&[FileRecord::dir("d"), FileRecord::file("d/f", 4)]);
        let upper = LayerTree::from_records(&[FileRecord::whiteout("d")]);
        let node = upper.nodes_child_first()[0];
        assert!(upper.is_whiteout(node));
        assert_eq!(upper.node_path(node), "/d");
        let mut stacked = lower.clone();
        stacked.stack(&upper);
        assert!(stacked.get_node("/d").is_none());
        assert_eq!(lower.subtree_size(lower.get_node("/d").unwrap()), 4);
    }

    #[test]
    fn later_entry_replaces_payload_keeps_children() {
        let tree = LayerTree::from_records(&[
            FileRecord::file("d/f", 4),
            FileRecord::dir("d"),
            FileRecord::file("d/f", 6),
        ]);
        assert_eq!(tree.file_count(), 2);
        let d = tree.get_node("d").unwrap();
        assert!(tree.info(d).is_dir);
        assert_eq!(tree.subtree_size(d), 6);
        assert_eq!(tree.size_bytes(), 10);
    }

    #[test]
    fn dot_dot_is_folded() {
        assert_eq!(components("a/../b/./c//"), ["b", "c"]);
        assert_eq!(components("../x"), ["..", "x"]);
    }
}
