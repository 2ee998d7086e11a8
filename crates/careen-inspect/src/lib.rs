//! careen's single-pass layer visitors.
//!
//! Each layer of an image is streamed once; every visitor sees its entries
//! as they go by ([`LayerVisitor`]) and keeps only what it needs. The
//! visitors' per-layer results are then merged in layer order.
//!
//! The first visitor is [`waste`]: the per-layer file trees and the
//! efficiency / wasted-bytes figures exactly as dive 0.13.1 computes them.

pub mod audit;
pub mod dive_ci;
pub mod filesystem;
pub mod provenance;
pub mod reclaim;
pub mod sbom;
pub mod secrets;
pub mod tree;
pub mod waste;

/// One tar entry of a layer, as the visitors see it.
///
/// `path` is the entry's cleaned path without a leading `/` (`usr/bin/env`),
/// with whiteout names kept as they are in the tar (`etc/.wh.motd`,
/// `var/cache/.wh..wh..opq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub path: String,
    pub kind: RecordKind,
    /// The size in the tar header (0 for directories, links and whiteouts
    /// in well-formed layers).
    pub size: u64,
}

/// What kind of tar entry a [`FileRecord`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

impl FileRecord {
    /// A record for `path` (a leading `/` is dropped).
    pub fn new(path: impl Into<String>, kind: RecordKind, size: u64) -> Self {
        let path: String = path.into();
        let path = path.trim_start_matches('/').to_owned();
        FileRecord { path, kind, size }
    }

    /// A regular file of `size` bytes.
    pub fn file(path: impl Into<String>, size: u64) -> Self {
        FileRecord::new(path, RecordKind::File, size)
    }

    /// A directory.
    pub fn dir(path: impl Into<String>) -> Self {
        FileRecord::new(path, RecordKind::Dir, 0)
    }

    /// The whiteout entry that deletes `path` (`a/b` → `a/.wh.b`).
    pub fn whiteout(path: &str) -> Self {
        let path = path.trim_matches('/');
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(parent), name),
            None => (None, path),
        };
        let raw = match parent {
            Some(parent) => format!("{parent}/.wh.{name}"),
            None => format!(".wh.{name}"),
        };
        FileRecord::new(raw, RecordKind::File, 0)
    }

    /// The opaque-whiteout marker of directory `dir`.
    pub fn opaque(dir: &str) -> Self {
        let dir = dir.trim_matches('/');
        let raw = if dir.is_empty() {
            ".wh..wh..opq".to_owned()
        } else {
            format!("{dir}/.wh..wh..opq")
        };
        FileRecord::new(raw, RecordKind::File, 0)
    }
}

/// A visitor fed one layer's entries in tar order, then finished.
pub trait LayerVisitor {
    /// What the visitor produces for one layer.
    type Output;
    /// Called once per tar entry, in the order of the layer tar.
    fn visit(&mut self, record: &FileRecord);
    /// Called after the last entry of the layer.
    fn finish(self) -> Self::Output;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteout_names() {
        assert_eq!(FileRecord::whiteout("/a/b").path, "a/.wh.b");
        assert_eq!(FileRecord::whiteout("b").path, ".wh.b");
        assert_eq!(FileRecord::opaque("a/").path, "a/.wh..wh..opq");
        assert_eq!(FileRecord::opaque("").path, ".wh..wh..opq");
        assert_eq!(FileRecord::file("/x", 3).path, "x");
    }
}
