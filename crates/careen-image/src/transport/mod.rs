//! Transports: each turns an image on disk into one [`Resolved`] description (manifest digest,
//! config bytes, layer blobs), from which `crate::open` builds the [`crate::Image`].

pub(crate) mod daemon;
pub(crate) mod docker_archive;
pub(crate) mod oci_layout;
pub(crate) mod registry;

use sha2::{Digest as _, Sha256};

use crate::error::ImageError;
use crate::source::Source;

/// An image located inside a [`Source`], before its config is interpreted.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) manifest_digest: Option<String>,
    pub(crate) config: Vec<u8>,
    /// Name of the config file inside the source (for errors).
    pub(crate) config_name: String,
    pub(crate) layers: Vec<ResolvedLayer>,
    pub(crate) tags: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct ResolvedLayer {
    /// Path of the blob inside the source.
    pub(crate) member: String,
    /// Digest of the blob as stored, when the image states it.
    pub(crate) digest: Option<String>,
    /// Size of the blob: from the descriptor when the image states it, else the file's size.
    pub(crate) size: u64,
    /// Whether `size` comes from a descriptor and must be checked.
    pub(crate) size_declared: bool,
    pub(crate) media_type: String,
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// The blob path of an OCI layout for `digest` (`blobs/<algorithm>/<hex>`); refuses digests that
/// are not `algorithm:hex` so nothing outside `blobs/` can be named.
pub(crate) fn blob_path(digest: &str) -> Option<String> {
    let (algorithm, hex) = digest.split_once(':')?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b));
    let hex_ok = !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    (algorithm_ok && hex_ok).then(|| format!("blobs/{algorithm}/{hex}"))
}

/// Reads a JSON document blob and checks it against its digest (and size, when given).
pub(crate) fn read_verified(
    source: &Source,
    member: &str,
    digest: &str,
    size: Option<u64>,
) -> Result<Vec<u8>, ImageError> {
    let bytes = source.read_document(member)?;
    if let Some(expected) = size {
        if expected != bytes.len() as u64 {
            return Err(ImageError::SizeMismatch {
                blob: member.to_owned(),
                expected,
                found: bytes.len() as u64,
            });
        }
    }
    check_digest(member, digest, &bytes)?;
    Ok(bytes)
}

/// Checks `bytes` against `digest` (sha256 only).
pub(crate) fn check_digest(member: &str, digest: &str, bytes: &[u8]) -> Result<(), ImageError> {
    match digest.split_once(':') {
        Some(("sha256", _)) => {
            let found = sha256_digest(bytes);
            if found != digest {
                return Err(ImageError::DigestMismatch {
                    blob: member.to_owned(),
                    expected: digest.to_owned(),
                    found,
                });
            }
            Ok(())
        }
        Some((algorithm, _)) => Err(ImageError::UnsupportedDigest {
            blob: member.to_owned(),
            algorithm: algorithm.to_owned(),
        }),
        None => Err(ImageError::UnsupportedDigest {
            blob: member.to_owned(),
            algorithm: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_refuse_traversal() {
        assert_eq!(
            blob_path("sha256:abc1").as_deref(),
            Some("blobs/sha256/abc1")
        );
        assert_eq!(blob_path("sha256:../../etc"), None);
        assert_eq!(blob_path("../x:abc"), None);
        assert_eq!(blob_path("abc"), None);
    }

    #[test]
    fn digest_check_reports_both_values() {
        let error = check_digest("config.json", "sha256:00", b"{}").unwrap_err();
        assert!(
            matches!(error, ImageError::DigestMismatch { ref expected, .. } if expected == "sha256:00")
        );
        assert!(matches!(
            check_digest("x", "sha512:00", b""),
            Err(ImageError::UnsupportedDigest { .. })
        ));
    }
}
