//! An image's final filesystem, as a container would see it: every layer's
//! entries stacked in order, whiteouts (`.wh.NAME`) and opaque directories
//! (`.wh..wh..opq`) applied, later layers overriding earlier ones — and the
//! file-level difference between two such filesystems.
//!
//! Each layer is read once by a [`LayerFsBuilder`] (layers may be built in
//! parallel); regular files are hashed (sha256) while their bytes stream by
//! and only a small record per path is kept, never file contents. The
//! per-layer results ([`LayerFs`]) are then stacked in order with
//! [`Filesystem::apply`].
//!
//! Rules (OCI image spec, "Representing Changes"):
//! - a whiteout or opaque marker hides only what lower layers hold; entries of
//!   its own layer stay, whatever their order in the tar;
//! - a whiteout removes the path and everything below it;
//! - an opaque marker removes everything below its directory, not the
//!   directory itself;
//! - an entry replaces a lower entry of the same path; a non-directory
//!   replacing a directory hides the directory's lower contents;
//! - a later entry for the same path in the same layer wins;
//! - a hardlink is the file it links to (content, size, mode), looked up in
//!   its own layer first, then in the lower layers. Its bytes are counted once
//!   (see [`Filesystem::owned_size`]): busybox's hundreds of links are one file.

use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};

/// What a path is in the final filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    File,
    Dir,
    Symlink,
    /// In a layer only: resolved to the linked file when layers are stacked.
    Hardlink,
    /// Device, FIFO or other special file.
    Other,
}

impl NodeKind {
    /// A short lowercase name (`file`, `dir`, `symlink`, `hardlink`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::File => "file",
            NodeKind::Dir => "dir",
            NodeKind::Symlink => "symlink",
            NodeKind::Hardlink => "hardlink",
            NodeKind::Other => "other",
        }
    }
}

/// The small record kept per path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Bytes of a regular file (0 otherwise).
    pub size: u64,
    /// Permission bits and the setuid/setgid/sticky bits.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// sha256 of a regular file's bytes.
    pub digest: Option<[u8; 32]>,
    /// Symlink target as written; hardlink target (a path) until resolved.
    pub link_target: Option<String>,
    /// For a resolved hardlink: the path it links to.
    pub hardlink_to: Option<String>,
}

impl Node {
    /// The content digest as `sha256:HEX`, for regular files.
    pub fn digest_hex(&self) -> Option<String> {
        self.digest.map(|d| {
            let mut text = String::with_capacity(71);
            text.push_str("sha256:");
            for byte in d {
                text.push_str(&format!("{byte:02x}"));
            }
            text
        })
    }
}

/// One entry of a layer, as [`LayerFsBuilder::entry`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryMeta<'a> {
    pub kind: NodeKind,
    /// The tar header size (data is read for regular files only).
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink target, or the (normalized) path a hardlink points at.
    pub link_target: Option<&'a str>,
}

/// What one layer changes, ready to be stacked onto the layers below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerFs {
    entries: BTreeMap<String, Node>,
    whiteouts: BTreeSet<String>,
    opaque: BTreeSet<String>,
}

impl LayerFs {
    /// Paths the layer adds or replaces.
    pub fn entries(&self) -> &BTreeMap<String, Node> {
        &self.entries
    }
}

/// Reads one layer's entries in tar order.
#[derive(Debug, Default)]
pub struct LayerFsBuilder {
    layer: LayerFs,
}

/// Normalizes a path the way layer entries are: no leading `/` or `./`, no
/// trailing `/`, no empty or `.` components.
fn clean(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

impl LayerFsBuilder {
    /// A whiteout: `path` (and all below it) is removed from lower layers.
    pub fn whiteout(&mut self, path: &str) {
        self.layer.whiteouts.insert(clean(path));
    }

    /// An opaque marker: everything below `dir` is removed from lower layers
    /// (`""` is the root).
    pub fn opaque(&mut self, dir: &str) {
        self.layer.opaque.insert(clean(dir));
    }

    /// An entry at `path`; for a regular file, its bytes are read from `data`
    /// (at most `meta.size`) and hashed. A read error is returned as is.
    pub fn entry(
        &mut self,
        path: &str,
        meta: EntryMeta<'_>,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        let path = clean(path);
        if path.is_empty() {
            return Ok(());
        }
        let (size, digest) = if meta.kind == NodeKind::File {
            let mut hasher = Sha256::new();
            let read = io::copy(&mut data.take(meta.size), &mut HashWriter(&mut hasher))?;
            (read, Some(hasher.finalize().into()))
        } else {
            (0, None)
        };
        let link_target = match meta.kind {
            NodeKind::Hardlink => meta.link_target.map(clean),
            NodeKind::Symlink => meta.link_target.map(str::to_owned),
            _ => None,
        };
        let node = Node {
            kind: meta.kind,
            size,
            mode: meta.mode & 0o7777,
            uid: meta.uid,
            gid: meta.gid,
            digest,
            link_target,
            hardlink_to: None,
        };
        // A directory entry repeated later in the same layer updates its
        // metadata; any later entry replaces an earlier one.
        self.layer.entries.insert(path, node);
        Ok(())
    }

    pub fn finish(self) -> LayerFs {
        self.layer
    }
}

/// Feeds `io::copy` into a hasher.
struct HashWriter<'a>(&'a mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The merged filesystem of stacked layers: path → record, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filesystem {
    nodes: BTreeMap<String, Node>,
}

/// Removes `path`'s descendants (not `path` itself) from `nodes`; `""` means
/// everything.
fn remove_below(nodes: &mut BTreeMap<String, Node>, path: &str) {
    if path.is_empty() {
        nodes.clear();
        return;
    }
    let prefix = format!("{path}/");
    let doomed: Vec<String> = nodes
        .range(prefix.clone()..)
        .take_while(|(key, _)| key.starts_with(&prefix))
        .map(|(key, _)| key.clone())
        .collect();
    for key in doomed {
        nodes.remove(&key);
    }
}

impl Filesystem {
    /// Stacks `layers` in order (base first).
    pub fn from_layers(layers: impl IntoIterator<Item = LayerFs>) -> Self {
        let mut fs = Filesystem::default();
        for layer in layers {
            fs.apply(layer);
        }
        fs
    }

    /// Stacks one more layer on top.
    pub fn apply(&mut self, layer: LayerFs) {
        let LayerFs {
            mut entries,
            whiteouts,
            opaque,
        } = layer;
        // Hardlinks resolve against the layer itself, then the lower layers
        // as they were before this layer (a link may not point at itself or
        // at another link: one step, so no cycles).
        let links: Vec<(String, String)> = entries
            .iter()
            .filter(|(_, n)| n.kind == NodeKind::Hardlink)
            .filter_map(|(p, n)| n.link_target.clone().map(|t| (p.clone(), t)))
            .collect();
        for (path, target) in links {
            let resolved = entries
                .get(&target)
                .filter(|n| n.kind != NodeKind::Hardlink)
                .or_else(|| {
                    self.nodes
                        .get(&target)
                        .filter(|_| !whiteouts.contains(&target))
                })
                .cloned();
            // A dangling link stays what it says it is.
            if let (Some(node), Some(mut resolved)) = (entries.get_mut(&path), resolved) {
                resolved.hardlink_to = Some(target);
                *node = resolved;
            }
        }
        for dir in &opaque {
            remove_below(&mut self.nodes, dir);
        }
        for path in &whiteouts {
            self.nodes.remove(path);
            remove_below(&mut self.nodes, path);
        }
        for (path, node) in &entries {
            if node.kind != NodeKind::Dir {
                remove_below(&mut self.nodes, path);
            }
            // A path below a lower non-directory makes that path a directory
            // (the layer did not list it): the lower file or link is gone.
            let mut ancestor = path.as_str();
            while let Some((parent, _)) = ancestor.rsplit_once('/') {
                ancestor = parent;
                if entries.contains_key(ancestor) {
                    break;
                }
                match self.nodes.get(ancestor) {
                    Some(lower) if lower.kind != NodeKind::Dir => {
                        self.nodes.remove(ancestor);
                    }
                    _ => {}
                }
            }
        }
        self.nodes.extend(entries);
    }

    /// Every path, sorted.
    pub fn nodes(&self) -> &BTreeMap<String, Node> {
        &self.nodes
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Bytes of all regular files, each hardlinked file counted once.
    pub fn size_bytes(&self) -> u64 {
        self.nodes.values().map(|n| self.owned_size(n)).sum()
    }

    /// The bytes `node` adds to this filesystem: its size, or 0 for a
    /// hardlink whose linked file is still here with the same content (the
    /// bytes are that file's).
    pub fn owned_size(&self, node: &Node) -> u64 {
        match &node.hardlink_to {
            Some(target)
                if self
                    .nodes
                    .get(target)
                    .is_some_and(|t| t.digest == node.digest && t.hardlink_to.is_none()) =>
            {
                0
            }
            _ => node.size,
        }
    }
}

/// A path present in only one of the two filesystems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlyIn {
    pub path: String,
    pub kind: NodeKind,
    pub size: u64,
    /// `size`, or 0 for a hardlink to a file that is still there.
    pub owned_size: u64,
}

/// What differs about a path present in both filesystems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Difference {
    /// File ↔ directory ↔ symlink ….
    Type,
    /// The bytes of a regular file (by content digest).
    Content,
    Mode,
    /// uid or gid.
    Owner,
    LinkTarget,
}

impl Difference {
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Type => "type",
            Difference::Content => "content",
            Difference::Mode => "mode",
            Difference::Owner => "owner",
            Difference::LinkTarget => "link_target",
        }
    }
}

/// A path present in both filesystems, with something different.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub path: String,
    pub a_kind: NodeKind,
    pub b_kind: NodeKind,
    pub a_size: u64,
    pub b_size: u64,
    /// Sizes with hardlinked bytes counted once (see [`Filesystem::owned_size`]).
    pub a_owned_size: u64,
    pub b_owned_size: u64,
    pub what: Vec<Difference>,
}

impl Changed {
    /// `b_size - a_size`.
    pub fn delta(&self) -> i128 {
        i128::from(self.b_size) - i128::from(self.a_size)
    }

    /// `b_owned_size - a_owned_size`: what the change adds to the image.
    pub fn owned_delta(&self) -> i128 {
        i128::from(self.b_owned_size) - i128::from(self.a_owned_size)
    }
}

/// The file-level difference from filesystem A to filesystem B. Each list is
/// sorted biggest first (by size, or by absolute size change), then by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsDiff {
    pub added: Vec<OnlyIn>,
    pub removed: Vec<OnlyIn>,
    pub changed: Vec<Changed>,
}

impl FsDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn compare(a: &Node, b: &Node) -> Vec<Difference> {
    let mut what = Vec::new();
    if a.kind != b.kind {
        what.push(Difference::Type);
    }
    if a.kind == b.kind && a.kind == NodeKind::File && (a.digest != b.digest || a.size != b.size) {
        what.push(Difference::Content);
    }
    if a.mode != b.mode {
        what.push(Difference::Mode);
    }
    if a.uid != b.uid || a.gid != b.gid {
        what.push(Difference::Owner);
    }
    if a.link_target != b.link_target {
        what.push(Difference::LinkTarget);
    }
    what
}

/// What changed from `a` to `b`, in one merge walk over the two sorted maps.
pub fn diff(a: &Filesystem, b: &Filesystem) -> FsDiff {
    let mut out = FsDiff::default();
    let only = |fs: &Filesystem, path: &String, node: &Node| OnlyIn {
        path: path.clone(),
        kind: node.kind,
        size: node.size,
        owned_size: fs.owned_size(node),
    };
    let mut left = a.nodes.iter().peekable();
    let mut right = b.nodes.iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some((pa, na)), None) => {
                out.removed.push(only(a, pa, na));
                left.next();
            }
            (None, Some((pb, nb))) => {
                out.added.push(only(b, pb, nb));
                right.next();
            }
            (Some((pa, na)), Some((pb, nb))) => match pa.cmp(pb) {
                std::cmp::Ordering::Less => {
                    out.removed.push(only(a, pa, na));
                    left.next();
                }
                std::cmp::Ordering::Greater => {
                    out.added.push(only(b, pb, nb));
                    right.next();
                }
                std::cmp::Ordering::Equal => {
                    let what = compare(na, nb);
                    if !what.is_empty() {
                        out.changed.push(Changed {
                            path: (*pa).clone(),
                            a_kind: na.kind,
                            b_kind: nb.kind,
                            a_size: na.size,
                            b_size: nb.size,
                            a_owned_size: a.owned_size(na),
                            b_owned_size: b.owned_size(nb),
                            what,
                        });
                    }
                    left.next();
                    right.next();
                }
            },
        }
    }
    // Bytes the image owns first (a hardlink's bytes are its file's), then
    // size, then path.
    let by_size = |x: &OnlyIn, y: &OnlyIn| {
        (y.owned_size, y.size)
            .cmp(&(x.owned_size, x.size))
            .then_with(|| x.path.cmp(&y.path))
    };
    out.added.sort_by(by_size);
    out.removed.sort_by(by_size);
    out.changed.sort_by(|x, y| {
        (y.owned_delta().abs(), y.delta().abs())
            .cmp(&(x.owned_delta().abs(), x.delta().abs()))
            .then_with(|| x.path.cmp(&y.path))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    enum E<'a> {
        F(&'a str, &'a [u8]),
        D(&'a str),
        L(&'a str, &'a str),
        H(&'a str, &'a str),
        W(&'a str),
        O(&'a str),
    }

    fn layer(entries: &[E<'_>]) -> LayerFs {
        let mut b = LayerFsBuilder::default();
        for e in entries {
            let meta = |kind, size, link| EntryMeta {
                kind,
                size,
                mode: if kind == NodeKind::Dir { 0o755 } else { 0o644 },
                uid: 0,
                gid: 0,
                link_target: link,
            };
            match e {
                E::F(p, data) => b
                    .entry(
                        p,
                        meta(NodeKind::File, data.len() as u64, None),
                        &mut &data[..],
                    )
                    .unwrap(),
                E::D(p) => b
                    .entry(p, meta(NodeKind::Dir, 0, None), &mut io::empty())
                    .unwrap(),
                E::L(p, t) => b
                    .entry(p, meta(NodeKind::Symlink, 0, Some(t)), &mut io::empty())
                    .unwrap(),
                E::H(p, t) => b
                    .entry(p, meta(NodeKind::Hardlink, 0, Some(t)), &mut io::empty())
                    .unwrap(),
                E::W(p) => b.whiteout(p),
                E::O(p) => b.opaque(p),
            }
        }
        b.finish()
    }

    fn paths(fs: &Filesystem) -> Vec<&str> {
        fs.nodes().keys().map(String::as_str).collect()
    }

    #[test]
    fn later_layers_override_and_files_are_hashed() {
        let fs = Filesystem::from_layers([
            layer(&[E::D("etc"), E::F("etc/a", b"one"), E::F("etc/b", b"bee")]),
            layer(&[E::F("etc/a", b"three")]),
        ]);
        assert_eq!(paths(&fs), ["etc", "etc/a", "etc/b"]);
        let a = fs.get("etc/a").unwrap();
        assert_eq!(a.size, 5);
        // sha256("three")
        assert_eq!(
            a.digest_hex().unwrap(),
            "sha256:8b5b9db0c13db24256c829aa364aa90c6d2eba318b9232a4ab9313b954d3555f"
        );
        assert_eq!(fs.size_bytes(), 8);
    }

    #[test]
    fn whiteouts_remove_paths_and_their_children() {
        let fs = Filesystem::from_layers([
            layer(&[
                E::D("a"),
                E::F("a/x", b"1"),
                E::D("a/d"),
                E::F("a/d/y", b"2"),
                E::F("ab", b"3"),
            ]),
            layer(&[E::W("a/d"), E::W("a/x")]),
        ]);
        assert_eq!(paths(&fs), ["a", "ab"]);
    }

    #[test]
    fn opaque_dirs_hide_lower_contents_but_keep_their_own() {
        let fs = Filesystem::from_layers([
            layer(&[
                E::D("a"),
                E::F("a/x", b"1"),
                E::F("a/y", b"2"),
                E::F("b", b""),
            ]),
            // The marker comes after the layer's own entry: it still stays.
            layer(&[E::D("a"), E::F("a/z", b"3"), E::O("a")]),
        ]);
        assert_eq!(paths(&fs), ["a", "a/z", "b"]);
        let fs = Filesystem::from_layers([layer(&[E::F("x", b"1")]), layer(&[E::O("")])]);
        assert!(fs.is_empty());
    }

    #[test]
    fn whiteout_in_same_layer_does_not_hide_that_layers_entry() {
        let fs = Filesystem::from_layers([
            layer(&[E::F("f", b"old")]),
            layer(&[E::F("f", b"new"), E::W("f")]),
        ]);
        assert_eq!(fs.get("f").unwrap().size, 3);
        assert_eq!(
            fs.get("f").unwrap().digest,
            layer(&[E::F("f", b"new")]).entries()["f"].digest
        );
    }

    #[test]
    fn file_replacing_a_directory_hides_its_contents() {
        let fs = Filesystem::from_layers([
            layer(&[E::D("d"), E::F("d/x", b"1")]),
            layer(&[E::L("d", "/elsewhere")]),
        ]);
        assert_eq!(paths(&fs), ["d"]);
        assert_eq!(fs.get("d").unwrap().kind, NodeKind::Symlink);
    }

    #[test]
    fn a_path_below_a_lower_file_turns_it_into_a_directory() {
        let fs = Filesystem::from_layers([
            layer(&[E::F("a", b"file"), E::L("l", "/x")]),
            layer(&[E::F("a/b/c", b"1"), E::F("l/d", b"2")]),
        ]);
        assert_eq!(paths(&fs), ["a/b/c", "l/d"]);
        // A lower directory stays.
        let fs = Filesystem::from_layers([layer(&[E::D("a")]), layer(&[E::F("a/b", b"1")])]);
        assert_eq!(paths(&fs), ["a", "a/b"]);
    }

    #[test]
    fn hardlinks_take_the_linked_files_content_also_across_layers() {
        let fs = Filesystem::from_layers([
            layer(&[E::F("bin/a", b"binary")]),
            layer(&[
                E::H("bin/b", "bin/a"),
                E::F("c", b"cc"),
                E::H("d", "/c"),
                E::H("e", "nope"),
            ]),
        ]);
        let a = fs.get("bin/a").unwrap();
        let b = fs.get("bin/b").unwrap();
        assert_eq!((b.kind, b.size, b.digest), (NodeKind::File, 6, a.digest));
        assert_eq!(fs.get("d").unwrap().size, 2);
        assert_eq!(fs.get("e").unwrap().kind, NodeKind::Hardlink);
        // Linked bytes count once: bin/a (6) + c (2); the links add nothing.
        assert_eq!(b.hardlink_to.as_deref(), Some("bin/a"));
        assert_eq!(fs.owned_size(b), 0);
        assert_eq!(fs.size_bytes(), 8);
        // With the linked file gone, the link owns the bytes.
        let fs = Filesystem::from_layers([
            layer(&[E::F("bin/a", b"binary"), E::H("bin/b", "bin/a")]),
            layer(&[E::W("bin/a")]),
        ]);
        assert_eq!(fs.size_bytes(), 6);
    }

    #[test]
    fn a_grown_hardlinked_file_counts_once() {
        let a = Filesystem::from_layers([layer(&[E::F("x", b"1"), E::H("y", "x")])]);
        let b = Filesystem::from_layers([layer(&[E::F("x", b"123"), E::H("y", "x")])]);
        let d = diff(&a, &b);
        let deltas: Vec<(&str, i128, i128)> = d
            .changed
            .iter()
            .map(|c| (c.path.as_str(), c.delta(), c.owned_delta()))
            .collect();
        assert_eq!(deltas, [("x", 2, 2), ("y", 2, 0)]);
    }

    #[test]
    fn diff_lists_added_removed_and_changed() {
        let a = Filesystem::from_layers([layer(&[
            E::F("same", b"s"),
            E::F("gone", b"12345"),
            E::F("grows", b"1"),
            E::F("shrinks", b"1234567890"),
            E::L("link", "/a"),
            E::D("kind"),
        ])]);
        let b = Filesystem::from_layers([layer(&[
            E::F("same", b"s"),
            E::F("new", b"123"),
            E::F("grows", b"12345"),
            E::F("shrinks", b"1"),
            E::L("link", "/b"),
            E::F("kind", b"k"),
        ])]);
        let d = diff(&a, &b);
        assert_eq!(
            d.added,
            [OnlyIn {
                path: "new".into(),
                kind: NodeKind::File,
                size: 3,
                owned_size: 3,
            }]
        );
        assert_eq!(
            d.removed,
            [OnlyIn {
                path: "gone".into(),
                kind: NodeKind::File,
                size: 5,
                owned_size: 5,
            }]
        );
        let changed: Vec<(&str, i128, &[Difference])> = d
            .changed
            .iter()
            .map(|c| (c.path.as_str(), c.delta(), c.what.as_slice()))
            .collect();
        assert_eq!(
            changed,
            [
                ("shrinks", -9, &[Difference::Content][..]),
                ("grows", 4, &[Difference::Content][..]),
                ("kind", 1, &[Difference::Type, Difference::Mode][..]),
                ("link", 0, &[Difference::LinkTarget][..]),
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn same_size_different_bytes_is_a_content_change() {
        let a = Filesystem::from_layers([layer(&[E::F("f", b"aaaa")])]);
        let b = Filesystem::from_layers([layer(&[E::F("f", b"bbbb")])]);
        let d = diff(&a, &b);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].what, [Difference::Content]);
        assert_eq!(d.changed[0].delta(), 0);
    }
}
