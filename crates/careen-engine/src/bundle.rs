//! careen's own layer unpacker: applies an image's layers in order onto a directory, the way an
//! overlay filesystem would present them, without ever writing outside that directory.
//!
//! Hand-written rather than `tar::Archive::unpack` because the entries come from careen-image's
//! verified single-pass stream (already decompressed, digest-checked, whiteouts decoded), and
//! because unpacking *several* layers onto one tree needs whiteout handling and a symlink-safe
//! path walk that the `tar` crate does not offer: a symlink planted by an earlier layer
//! (`a -> /etc`) must never redirect a later entry (`a/passwd`) onto the host.
//!
//! Every parent component of an entry's path is resolved with `lstat`; a symlink there is
//! followed *inside* the root (absolute targets restart at the root, `..` stops at the root),
//! like a `chroot` would. The last component is never followed: whatever is there is replaced.

use std::collections::{HashSet, VecDeque};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{lchown, symlink, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use careen_image::{EntryKind, Image, ImageError, LayerEntry, Whiteout};

use crate::error::EngineError;

/// Symlinks followed while resolving one path before giving up (Linux's `MAXSYMLINKS`).
const MAX_SYMLINKS: usize = 40;

/// What an unpack did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpackStats {
    pub layers: usize,
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub hardlinks: u64,
    /// Devices, FIFOs and other special files: not created.
    pub skipped: u64,
    pub whiteouts: u64,
}

/// Unpacks every layer of `image` in order onto `rootfs` (created if missing).
///
/// Ownership is applied as recorded (this needs root; without it `chown` failures are ignored
/// so an unprivileged unpack still yields a usable tree), then the mode (so set-id bits survive
/// the `chown`). Device nodes and FIFOs are skipped.
pub fn unpack(image: &Image, rootfs: &Path) -> Result<UnpackStats, EngineError> {
    fs::create_dir_all(rootfs).map_err(|e| EngineError::io(rootfs, e))?;
    let root = fs::canonicalize(rootfs).map_err(|e| EngineError::io(rootfs, e))?;
    let mut stats = UnpackStats::default();
    for index in 0..image.layers.len() {
        let mut layer = LayerState::default();
        let mut failure: Option<EngineError> = None;
        let result = image.for_each_entry(index, &mut |entry, data| {
            match apply(&root, entry, data, &mut layer, &mut stats) {
                Ok(()) => Ok(()),
                Err(error) => {
                    let path = PathBuf::from(&entry.path);
                    failure = Some(error);
                    // Stops the stream; the real error is kept in `failure`.
                    Err(ImageError::Io {
                        path,
                        source: io::Error::other("unpack failed"),
                    })
                }
            }
        });
        if let Some(error) = failure {
            return Err(error);
        }
        result?;
        stats.layers += 1;
    }
    Ok(stats)
}

/// Paths created by the layer being applied: an opaque whiteout hides lower layers only.
#[derive(Default)]
struct LayerState {
    created: HashSet<String>,
}

impl LayerState {
    fn record(&mut self, path: &str) {
        // Every ancestor too, so an opaque marker on `a` keeps `a/b` when `a/b/c` is new.
        let mut end = path.len();
        loop {
            if !self.created.insert(path[..end].to_owned()) {
                // Ancestors of a recorded path are recorded already.
                if end != path.len() {
                    break;
                }
            }
            match path[..end].rfind('/') {
                Some(slash) => end = slash,
                None => break,
            }
        }
    }
}

fn apply(
    root: &Path,
    entry: &LayerEntry,
    data: &mut dyn Read,
    layer: &mut LayerState,
    stats: &mut UnpackStats,
) -> Result<(), EngineError> {
    if crate::runtime::interrupted() {
        return Err(EngineError::Interrupted);
    }
    let components = split(&entry.path)?;
    match &entry.whiteout {
        Some(Whiteout::File(path)) => {
            stats.whiteouts += 1;
            let parts = split(path)?;
            let Some((leaf, parents)) = parts.split_last() else {
                return Ok(());
            };
            if let Some(parent) = resolve_parents(root, parents, false)? {
                remove_any(&parent.join(leaf))?;
            }
            return Ok(());
        }
        Some(Whiteout::Opaque(path)) => {
            stats.whiteouts += 1;
            let parts = split(path)?;
            if let Some(dir) = resolve_parents(root, &parts, false)? {
                empty_dir(&dir, path, layer)?;
            }
            return Ok(());
        }
        None => {}
    }
    let Some((leaf, parents)) = components.split_last() else {
        // The root itself: only its metadata.
        if entry.kind == EntryKind::Dir {
            set_owner_and_mode(root, entry)?;
        }
        return Ok(());
    };
    let Some(parent) = resolve_parents(root, parents, true)? else {
        return Err(EngineError::UnsafePath {
            entry: entry.path.clone(),
            reason: "a parent directory cannot be created".into(),
        });
    };
    let target = parent.join(leaf);
    let existing = fs::symlink_metadata(&target).ok();
    match entry.kind {
        EntryKind::Dir => {
            match existing {
                Some(meta) if meta.is_dir() => {}
                Some(_) => {
                    remove_any(&target)?;
                    create_dir(&target)?;
                }
                None => create_dir(&target)?,
            }
            set_owner_and_mode(&target, entry)?;
            stats.dirs += 1;
        }
        EntryKind::File => {
            if existing.is_some() {
                remove_any(&target)?;
            }
            // `create_new` is O_CREAT|O_EXCL: it never follows a symlink at the leaf.
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&target)
                .map_err(|e| EngineError::io(&target, e))?;
            io::copy(data, &mut file).map_err(|e| EngineError::io(&target, e))?;
            drop(file);
            set_owner_and_mode(&target, entry)?;
            stats.files += 1;
        }
        EntryKind::Symlink => {
            let link = entry.link_target.as_deref().unwrap_or_default();
            if existing.is_some() {
                remove_any(&target)?;
            }
            // The target is stored as written: it is only ever followed inside the root.
            symlink(link, &target).map_err(|e| EngineError::io(&target, e))?;
            chown_entry(&target, entry)?;
            stats.symlinks += 1;
        }
        EntryKind::Hardlink => {
            let link = entry.link_target.as_deref().unwrap_or_default();
            let link_parts = split(link)?;
            let Some((link_leaf, link_parents)) = link_parts.split_last() else {
                return Err(EngineError::UnsafePath {
                    entry: entry.path.clone(),
                    reason: "hard link to the root".into(),
                });
            };
            let source = match resolve_parents(root, link_parents, false)? {
                Some(dir) => dir.join(link_leaf),
                None => {
                    return Err(EngineError::BadRootfsPath {
                        path: link.to_owned(),
                        reason: format!("hard link target of `{}` does not exist", entry.path),
                    })
                }
            };
            if source == target {
                return Ok(());
            }
            if existing.is_some() {
                remove_any(&target)?;
            }
            // linkat(2) without AT_SYMLINK_FOLLOW: a symlink source is linked, not followed.
            fs::hard_link(&source, &target).map_err(|e| EngineError::io(&target, e))?;
            stats.hardlinks += 1;
        }
        EntryKind::Other => {
            stats.skipped += 1;
            return Ok(());
        }
    }
    layer.record(&entry.path);
    Ok(())
}

/// Splits a normalized layer path into components, refusing anything that could climb out.
fn split(path: &str) -> Result<Vec<&OsStr>, EngineError> {
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => {
                return Err(EngineError::UnsafePath {
                    entry: path.to_owned(),
                    reason: "`..` component".into(),
                })
            }
        }
    }
    Ok(parts)
}

/// What a walk inside the root accepts on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Every component must be a directory; missing ones are created.
    CreateDirs,
    /// Every component must be an existing directory.
    Dirs,
    /// Every component but the last must be a directory; the last may be anything.
    Leaf,
}

/// Resolves `parts` (all directories) inside `root`, following symlinks within the root, and
/// returns the real path on disk. Missing directories are created when `create` is set,
/// otherwise `None` is returned. A non-directory in the way is an error when creating and
/// `None` otherwise.
pub(crate) fn resolve_parents(
    root: &Path,
    parts: &[&OsStr],
    create: bool,
) -> Result<Option<PathBuf>, EngineError> {
    walk(
        root,
        parts,
        if create { Walk::CreateDirs } else { Walk::Dirs },
    )
}

/// Walks `parts` inside `root`, following every symlink within the root (an absolute target
/// restarts at the root, `..` stops there), so no path outside `root` is ever named.
fn walk(root: &Path, parts: &[&OsStr], mode: Walk) -> Result<Option<PathBuf>, EngineError> {
    let mut pending: VecDeque<OsString> = parts.iter().map(|p| p.to_os_string()).collect();
    let mut current: Vec<OsString> = Vec::new();
    let mut followed = 0usize;
    while let Some(part) = pending.pop_front() {
        if part == "." || part.is_empty() {
            continue;
        }
        if part == ".." {
            current.pop();
            continue;
        }
        let mut candidate = root.to_path_buf();
        candidate.extend(&current);
        candidate.push(&part);
        match fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                followed += 1;
                if followed > MAX_SYMLINKS {
                    return Err(EngineError::BadRootfsPath {
                        path: display(parts),
                        reason: "too many levels of symbolic links".into(),
                    });
                }
                let target =
                    fs::read_link(&candidate).map_err(|e| EngineError::io(&candidate, e))?;
                if target.is_absolute() {
                    current.clear();
                }
                for component in target.components().rev() {
                    match component {
                        Component::Normal(p) => pending.push_front(p.to_os_string()),
                        Component::ParentDir => pending.push_front(OsString::from("..")),
                        _ => {}
                    }
                }
            }
            Ok(meta) if meta.is_dir() => current.push(part),
            Ok(_) if mode == Walk::Leaf && pending.is_empty() => current.push(part),
            Ok(_) if mode == Walk::CreateDirs => {
                return Err(EngineError::BadRootfsPath {
                    path: display(parts),
                    reason: format!("`{}` is not a directory", candidate.display()),
                });
            }
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound && mode == Walk::CreateDirs => {
                create_dir(&candidate)?;
                current.push(part);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EngineError::io(&candidate, e)),
        }
    }
    let mut path = root.to_path_buf();
    path.extend(&current);
    Ok(Some(path))
}

/// Resolves an absolute or relative path as seen from inside the root filesystem (every
/// symlink, the last one included, followed within the root). `None` when it does not exist.
pub fn resolve_in_root(root: &Path, path: &str) -> Result<Option<PathBuf>, EngineError> {
    let parts: Vec<&OsStr> = Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            Component::ParentDir => Some(OsStr::new("..")),
            _ => None,
        })
        .collect();
    walk(root, &parts, Walk::Leaf)
}

/// Finds `path` inside the root without following a symlink at its last component (parents
/// are resolved within the root). `None` when it does not exist.
pub fn lookup_in_root(root: &Path, path: &str) -> Result<Option<PathBuf>, EngineError> {
    let parts: Vec<&OsStr> = Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            Component::ParentDir => Some(OsStr::new("..")),
            _ => None,
        })
        .collect();
    match parts.split_last() {
        None => Ok(Some(root.to_path_buf())),
        Some((leaf, _)) if *leaf == ".." => resolve_parents(root, &parts, false),
        Some((leaf, parents)) => {
            let Some(parent) = resolve_parents(root, parents, false)? else {
                return Ok(None);
            };
            let candidate = parent.join(leaf);
            Ok(fs::symlink_metadata(&candidate)
                .is_ok()
                .then_some(candidate))
        }
    }
}

fn display(parts: &[&OsStr]) -> String {
    parts
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn create_dir(path: &Path) -> Result<(), EngineError> {
    match fs::create_dir(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(EngineError::io(path, e)),
    }
}

/// Removes whatever is at `path` (never following a symlink there).
fn remove_any(path: &Path) -> Result<(), EngineError> {
    match fs::symlink_metadata(path) {
        // remove_dir_all does not follow symlinks inside the tree.
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
    .map_err(|e| EngineError::io(path, e))
}

/// Empties `dir` of everything lower layers put there (entries this layer created stay).
fn empty_dir(dir: &Path, layer_path: &str, layer: &LayerState) -> Result<(), EngineError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Ok(()),
        Err(e) => return Err(EngineError::io(dir, e)),
    };
    for child in entries {
        let child = child.map_err(|e| EngineError::io(dir, e))?;
        let name = child.file_name();
        let key = if layer_path.is_empty() {
            name.to_string_lossy().into_owned()
        } else {
            format!("{layer_path}/{}", name.to_string_lossy())
        };
        if !layer.created.contains(&key) {
            remove_any(&child.path())?;
        }
    }
    Ok(())
}

fn chown_entry(path: &Path, entry: &LayerEntry) -> Result<(), EngineError> {
    let (Ok(uid), Ok(gid)) = (u32::try_from(entry.uid), u32::try_from(entry.gid)) else {
        return Ok(());
    };
    match lchown(path, Some(uid), Some(gid)) {
        Ok(()) => Ok(()),
        // Not root: keep the files as ours.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        Err(e) => Err(EngineError::io(path, e)),
    }
}

fn set_owner_and_mode(path: &Path, entry: &LayerEntry) -> Result<(), EngineError> {
    chown_entry(path, entry)?;
    fs::set_permissions(path, fs::Permissions::from_mode(entry.mode & 0o7777))
        .map_err(|e| EngineError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_refuses_parent_components() {
        assert!(split("a/../b").is_err());
        assert_eq!(
            split("a/b").unwrap(),
            vec![OsStr::new("a"), OsStr::new("b")]
        );
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("etc")).unwrap();
        fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        symlink("/etc", root.join("abs")).unwrap();
        symlink("../../../../etc", root.join("rel")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        for link in ["abs", "rel"] {
            let parts = [OsStr::new(link)];
            assert_eq!(
                resolve_parents(root, &parts, false).unwrap(),
                Some(root.join("etc"))
            );
            assert_eq!(
                resolve_in_root(root, &format!("/{link}/passwd")).unwrap(),
                Some(root.join("etc/passwd"))
            );
        }
        assert!(resolve_parents(root, &[OsStr::new("loop")], false).is_err());
        assert_eq!(resolve_in_root(root, "/missing/x").unwrap(), None);
        symlink("/etc/passwd", root.join("pw")).unwrap();
        assert_eq!(
            resolve_in_root(root, "pw").unwrap(),
            Some(root.join("etc/passwd"))
        );
    }

    #[test]
    fn layer_state_records_ancestors() {
        let mut state = LayerState::default();
        state.record("a/b/c");
        assert!(state.created.contains("a"));
        assert!(state.created.contains("a/b"));
        assert!(!state.created.contains("b"));
    }
}
