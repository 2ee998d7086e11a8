//! Where an image's files live: a directory (OCI layout) or a tar archive (docker-archive,
//! oci-archive). A tar archive is indexed once (member name → data offset) and members are then
//! read by seeking into the outer file, so nothing is ever extracted to disk.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::ImageError;

/// Outer archives with more members than this are refused (bounded memory for the index).
const MAX_OUTER_MEMBERS: usize = 1_000_000;
/// Symlinks between outer members are followed at most this many times.
const MAX_LINK_HOPS: usize = 8;
/// JSON documents (manifests, configs, indexes) larger than this are refused.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) enum Member {
    File { offset: u64, size: u64 },
    Symlink(String),
    Hardlink(String),
    Dir,
}

/// The files of an image.
#[derive(Debug)]
pub(crate) enum Source {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        members: HashMap<String, Member>,
    },
}

impl Source {
    /// Indexes the outer tar archive at `path`.
    pub(crate) fn index_tar(path: &Path) -> Result<Self, ImageError> {
        let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let mut magic = [0u8; 4];
        let read = (&file)
            .read(&mut magic)
            .map_err(|e| ImageError::io(path, e))?;
        if read >= 2 && magic[..2] == [0x1f, 0x8b] {
            return Err(ImageError::not_an_image(
                path,
                "it is gzip-compressed; decompress it first (`gunzip`)",
            ));
        }
        if read == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            return Err(ImageError::not_an_image(
                path,
                "it is zstd-compressed; decompress it first (`unzstd`)",
            ));
        }
        (&file)
            .seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(path, e))?;
        let not_tar =
            |e: io::Error| ImageError::not_an_image(path, format!("not a tar archive: {e}"));
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        for entry in archive.entries_with_seek().map_err(not_tar)? {
            let entry = entry.map_err(not_tar)?;
            if members.len() >= MAX_OUTER_MEMBERS {
                return Err(ImageError::not_an_image(
                    path,
                    format!("more than {MAX_OUTER_MEMBERS} members"),
                ));
            }
            let name = match entry.path() {
                Ok(name) => normalize_member(&name.to_string_lossy()),
                Err(e) => return Err(not_tar(e)),
            };
            let link = || -> Result<String, ImageError> {
                match entry.link_name() {
                    Ok(Some(link)) => Ok(link.to_string_lossy().into_owned()),
                    Ok(None) => Err(ImageError::not_an_image(
                        path,
                        format!("link member `{name}` has no target"),
                    )),
                    Err(e) => Err(not_tar(e)),
                }
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Member::File {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                },
                tar::EntryType::Symlink => {
                    let target = link()?;
                    let base = match name.rsplit_once('/') {
                        Some((dir, _)) => format!("{dir}/{target}"),
                        None => target,
                    };
                    Member::Symlink(normalize_member(&base))
                }
                tar::EntryType::Link => Member::Hardlink(normalize_member(&link()?)),
                tar::EntryType::Directory => Member::Dir,
                _ => continue,
            };
            members.insert(name, member);
        }
        Ok(Self::Tar {
            path: path.to_owned(),
            members,
        })
    }

    /// The path of the image on disk (the directory or the archive).
    pub(crate) fn path(&self) -> &Path {
        match self {
            Self::Dir(path) | Self::Tar { path, .. } => path,
        }
    }

    /// Whether a regular file `name` exists in the image.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            Self::Dir(root) => safe_relative(name) && root.join(name).is_file(),
            Self::Tar { .. } => self.resolve(name).is_some(),
        }
    }

    /// The names of all regular files at the top level of a tar archive (empty for a directory).
    pub(crate) fn top_level_files(&self) -> Vec<String> {
        match self {
            Self::Dir(_) => Vec::new(),
            Self::Tar { members, .. } => {
                let mut names: Vec<String> = members
                    .iter()
                    .filter(|(name, member)| !name.contains('/') && !matches!(member, Member::Dir))
                    .map(|(name, _)| name.clone())
                    .collect();
                names.sort();
                names
            }
        }
    }

    /// Follows symlinks and hardlinks to the regular file `name` names: (offset, size).
    fn resolve(&self, name: &str) -> Option<(u64, u64)> {
        let Self::Tar { members, .. } = self else {
            return None;
        };
        let mut current = normalize_member(name);
        for _ in 0..=MAX_LINK_HOPS {
            match members.get(&current)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Symlink(target) | Member::Hardlink(target) => current = target.clone(),
                Member::Dir => return None,
            }
        }
        None
    }

    /// The size in bytes of file `name`, if it exists.
    pub(crate) fn size(&self, name: &str) -> Option<u64> {
        match self {
            Self::Dir(root) => {
                if !safe_relative(name) {
                    return None;
                }
                std::fs::metadata(root.join(name))
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
            }
            Self::Tar { .. } => self.resolve(name).map(|(_, size)| size),
        }
    }

    /// Opens file `name` for streaming. Errors name the image path.
    pub(crate) fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        let missing = || ImageError::MissingBlob {
            path: self.path().to_owned(),
            blob: name.to_owned(),
        };
        match self {
            Self::Dir(root) => {
                if !safe_relative(name) {
                    return Err(missing());
                }
                let path = root.join(name);
                match File::open(&path) {
                    Ok(file) => Ok(Box::new(file)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Err(missing()),
                    Err(e) => Err(ImageError::io(path, e)),
                }
            }
            Self::Tar { path, .. } => {
                let (offset, size) = self.resolve(name).ok_or_else(missing)?;
                let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| ImageError::io(path, e))?;
                Ok(Box::new(file.take(size)))
            }
        }
    }

    /// Reads a small document (JSON) whole, refusing anything larger than `MAX_DOCUMENT_BYTES`.
    pub(crate) fn read_document(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let reader = self.open(name)?;
        let mut bytes = Vec::new();
        reader
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::io(self.path().join(name), e))?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(ImageError::InvalidDocument {
                path: self.path().to_owned(),
                document: name.to_owned(),
                reason: format!("larger than {MAX_DOCUMENT_BYTES} bytes"),
            });
        }
        Ok(bytes)
    }
}

/// Normalizes a member name of the outer archive: no leading `./` or `/`, `.` and empty
/// components dropped, `..` resolved lexically (it cannot climb above the root; the outer
/// archive is only ever looked up by name, never extracted).
pub(crate) fn normalize_member(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// A relative path without `..`, safe to join under a directory.
fn safe_relative(name: &str) -> bool {
    !name.starts_with('/') && !name.split('/').any(|part| part == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_are_normalized() {
        assert_eq!(normalize_member("./manifest.json"), "manifest.json");
        assert_eq!(normalize_member("/a//b/"), "a/b");
        assert_eq!(
            normalize_member("b1/../6e/layer.tar"),
            "6e/layer.tar",
            "symlinked layer targets resolve lexically"
        );
        assert_eq!(normalize_member("../../etc/passwd"), "etc/passwd");
    }

    #[test]
    fn directory_lookups_refuse_traversal() {
        assert!(!safe_relative("../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(safe_relative("blobs/sha256/abc"));
    }
}
