//! The content-addressed blob cache for remote images: `<root>/blobs/sha256/<hex>`, an OCI
//! layout's blob directory, so a cached image reads through [`crate::source::Source::Dir`].
//!
//! Root: [`crate::OpenOptions::cache_dir`], else `$CAREEN_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/careen`, else `~/.cache/careen`. A blob is written to a temp file in its
//! final directory, hashed and counted while it is written, and renamed into place only when its
//! digest and size match, so the cache never holds a partial or wrong blob under a digest name.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use crate::error::ImageError;
use crate::transport::blob_path;

/// One event of a download, for progress bars. The library never prints.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A download starts. `id` is the blob digest (or `docker-daemon:NAME` for an export);
    /// `total` is its size when known.
    Started { id: String, total: Option<u64> },
    /// `done` bytes of `id` have arrived so far.
    Advanced { id: String, done: u64 },
    /// `id` is complete and verified.
    Finished { id: String },
    /// `id` was already in the cache: nothing is downloaded.
    Cached { id: String, total: u64 },
}

/// A progress callback; called from download threads.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Reports progress when a callback is set.
#[derive(Clone, Default)]
pub(crate) struct Reporter(pub(crate) Option<ProgressFn>);

impl Reporter {
    pub(crate) fn emit(&self, event: Progress) {
        if let Some(callback) = &self.0 {
            callback(event);
        }
    }
}

/// The cache root for `explicit` or the environment.
pub(crate) fn root(explicit: Option<&Path>) -> Result<PathBuf, ImageError> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env("CAREEN_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = env("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("careen"));
    }
    if let Some(home) = env("HOME") {
        return Ok(PathBuf::from(home).join(".cache/careen"));
    }
    Err(ImageError::io(
        "~/.cache/careen",
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no cache directory: set CAREEN_CACHE_DIR or HOME",
        ),
    ))
}

/// The member name of `digest` under the cache root (`blobs/sha256/<hex>`), sha256 only.
pub(crate) fn member(digest: &str) -> Result<String, ImageError> {
    match digest.split_once(':') {
        Some(("sha256", hex))
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            blob_path(digest).ok_or_else(|| malformed(digest))
        }
        Some(("sha256", _)) => Err(malformed(digest)),
        Some((algorithm, _)) => Err(ImageError::UnsupportedDigest {
            blob: digest.to_owned(),
            algorithm: algorithm.to_owned(),
        }),
        None => Err(ImageError::UnsupportedDigest {
            blob: digest.to_owned(),
            algorithm: String::new(),
        }),
    }
}

fn malformed(digest: &str) -> ImageError {
    ImageError::InvalidReference {
        reference: digest.to_owned(),
        reason: "a sha256 digest needs 64 lowercase hex digits".to_owned(),
    }
}

/// Whether the cache already holds `digest` with the expected size.
pub(crate) fn has(root: &Path, digest: &str, size: u64) -> bool {
    member(digest)
        .ok()
        .and_then(|m| std::fs::metadata(root.join(m)).ok())
        .is_some_and(|m| m.is_file() && m.len() == size)
}

/// Copies `reader` into the cache as `digest`, checking size and digest while writing; renamed
/// into place only when both match. `on_bytes` gets the running count.
pub(crate) fn store(
    root: &Path,
    digest: &str,
    size: u64,
    reader: &mut dyn Read,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(), ImageError> {
    let member = member(digest)?;
    let path = root.join(&member);
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).map_err(|e| ImageError::io(dir, e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(dir)
        .map_err(|e| ImageError::io(dir, e))?;
    let mut hasher = Sha256::new();
    let mut written: u64 = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(ImageError::Truncated {
                    blob: digest.to_owned(),
                    source: e,
                })
            }
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        written += read as u64;
        if written > size {
            return Err(ImageError::SizeMismatch {
                blob: digest.to_owned(),
                expected: size,
                found: written,
            });
        }
        hasher.update(chunk);
        temp.write_all(chunk)
            .map_err(|e| ImageError::io(temp.path(), e))?;
        on_bytes(written);
    }
    if written != size {
        return Err(ImageError::SizeMismatch {
            blob: digest.to_owned(),
            expected: size,
            found: written,
        });
    }
    let found = format!("sha256:{:x}", hasher.finalize());
    if found != digest {
        return Err(ImageError::DigestMismatch {
            blob: digest.to_owned(),
            expected: digest.to_owned(),
            found,
        });
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| ImageError::io(temp.path(), e))?;
    temp.persist(&path)
        .map_err(|e| ImageError::io(&path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(bytes: &[u8]) -> String {
        format!("sha256:{:x}", Sha256::digest(bytes))
    }

    #[test]
    fn verified_blobs_are_stored_and_bad_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let good = digest(b"hello");
        let mut seen = 0;
        store(dir.path(), &good, 5, &mut &b"hello"[..], &mut |n| seen = n).unwrap();
        assert_eq!(seen, 5);
        assert!(has(dir.path(), &good, 5));
        assert!(!has(dir.path(), &good, 6));

        let other = digest(b"world");
        let error = store(dir.path(), &other, 5, &mut &b"wrong"[..], &mut |_| {}).unwrap_err();
        assert!(
            matches!(&error, ImageError::DigestMismatch { blob, found, .. } if *blob == other && *found == digest(b"wrong")),
            "{error}"
        );
        assert!(!has(dir.path(), &other, 5));
        let long = store(dir.path(), &other, 3, &mut &b"world"[..], &mut |_| {}).unwrap_err();
        assert!(matches!(long, ImageError::SizeMismatch { expected: 3, .. }));
        // No partial files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("blobs/sha256"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn only_sha256_digests_name_cache_files() {
        assert!(member(&digest(b"")).is_ok());
        assert!(member("sha512:abcd").is_err());
        assert!(member("sha256:../../x").is_err());
        assert!(member("nonsense").is_err());
    }
}
