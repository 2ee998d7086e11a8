//! The one error type of this crate. Every variant carries the values a user needs to act on it:
//! the path or blob that failed and, for checks, what was expected and what was found.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while opening an image or streaming one of its layers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A file of the image could not be opened or read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    /// The reference string itself is malformed.
    #[error("invalid image reference `{reference}`: {reason}")]
    InvalidReference { reference: String, reason: String },

    /// The transport is known but not implemented yet.
    #[error("the `{transport}` transport is not supported yet (reference `{reference}`)")]
    UnsupportedTransport {
        reference: String,
        transport: String,
    },

    /// The path exists but is not an image this crate can read.
    #[error("`{}` is not a container image: {reason}", path.display())]
    NotAnImage { path: PathBuf, reason: String },

    /// A JSON document of the image (manifest, index, config) does not parse.
    #[error("`{document}` in `{}` is not valid: {reason}", path.display())]
    InvalidDocument {
        path: PathBuf,
        document: String,
        reason: String,
    },

    /// A blob the manifest names is not in the image.
    #[error("blob `{blob}` named by the manifest is missing from `{}`", path.display())]
    MissingBlob { path: PathBuf, blob: String },

    /// A blob's sha256 differs from the digest that names it.
    #[error("digest mismatch for blob `{blob}`: expected {expected}, found {found}")]
    DigestMismatch {
        blob: String,
        expected: String,
        found: String,
    },

    /// A blob's length differs from the size its descriptor gives.
    #[error("size mismatch for blob `{blob}`: expected {expected} bytes, found {found}")]
    SizeMismatch {
        blob: String,
        expected: u64,
        found: u64,
    },

    /// A blob's digest uses an algorithm this crate cannot verify.
    #[error("blob `{blob}` uses digest algorithm `{algorithm}`; only sha256 is supported")]
    UnsupportedDigest { blob: String, algorithm: String },

    /// An OCI index has no manifest for the requested platform.
    #[error("no image for platform `{requested}` (available: {})", if available.is_empty() { "none".to_owned() } else { available.join(", ") })]
    NoMatchingPlatform {
        requested: String,
        available: Vec<String>,
    },

    /// The `--platform` value does not parse.
    #[error("invalid platform `{platform}`: expected `os/arch[/variant]`, e.g. `linux/amd64`")]
    InvalidPlatform { platform: String },

    /// The image holds no image with the requested tag.
    #[error("no image tagged `{tag}` in `{}` (available: {})", path.display(), if available.is_empty() { "none".to_owned() } else { available.join(", ") })]
    TagNotFound {
        path: PathBuf,
        tag: String,
        available: Vec<String>,
    },

    /// A layer entry's path is absolute or climbs out of the root with `..`.
    #[error(
        "layer blob `{blob}` has an unsafe entry path `{entry}` (absolute or containing `..`)"
    )]
    UnsafePath { blob: String, entry: String },

    /// A layer (or the outer archive) ends before its data does.
    #[error("layer blob `{blob}` is truncated: {source}")]
    Truncated { blob: String, source: io::Error },

    /// The compressed stream of a layer is corrupt.
    #[error("layer blob `{blob}` cannot be decompressed: {source}")]
    Decompress { blob: String, source: io::Error },

    /// The tar stream of a layer is malformed.
    #[error("layer blob `{blob}` is not a valid tar stream: {source}")]
    CorruptLayer { blob: String, source: io::Error },

    /// A layer decompresses to more bytes than the configured limit (a decompression bomb).
    #[error("layer blob `{blob}` decompresses to more than {limit} bytes; refusing (raise the limit if this is expected)")]
    LayerTooLarge { blob: String, limit: u64 },

    /// A layer has more entries than the configured limit.
    #[error("layer blob `{blob}` has more than {limit} entries; refusing")]
    TooManyEntries { blob: String, limit: u64 },

    /// The registry refused our credentials, or wants some and we have none.
    #[error("access to `{reference}` was denied ({status}): log in with `docker login {registry}` or set credentials in ~/.docker/config.json")]
    RegistryUnauthorized {
        reference: String,
        registry: String,
        status: u16,
    },

    /// The registry has no manifest for the tag or digest.
    #[error("`{reference}` not found in the registry (manifest unknown): check the repository name and tag")]
    ManifestUnknown { reference: String },

    /// The registry (or token server, or blob storage) cannot be reached.
    #[error("cannot connect to {url}: {reason} (is the registry running? plain-HTTP registries other than localhost go in CAREEN_INSECURE_REGISTRIES)")]
    RegistryUnreachable { url: String, reason: String },

    /// The registry answered with an unexpected status or a malformed response.
    #[error("registry request {url} failed: {reason}")]
    Registry { url: String, reason: String },

    /// A manifest format this crate does not read (Docker schema 1, or unknown).
    #[error(
        "`{reference}` has a manifest of type `{media_type}`, which careen cannot read: {hint}"
    )]
    UnsupportedManifest {
        reference: String,
        media_type: String,
        hint: String,
    },

    /// A `docker-credential-*` helper failed.
    #[error("credential helper `{helper}`: {reason}")]
    CredentialHelper { helper: String, reason: String },

    /// No Docker-compatible engine socket to talk to.
    #[error("no Docker daemon: {reason} (start Docker or `podman system service`, or set DOCKER_HOST=unix:///path/to/socket)")]
    DaemonUnavailable { reason: String },

    /// The Docker engine refused to export the image.
    #[error("the Docker daemon at {socket} cannot export `{name}`: {message}")]
    Daemon {
        socket: String,
        name: String,
        message: String,
    },

    /// `for_each_entry` was called with an index past the last layer.
    #[error("layer index {index} is out of range: the image has {count} layers")]
    NoSuchLayer { index: usize, count: usize },
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn not_an_image(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::NotAnImage {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_mismatch_names_blob_and_values() {
        let error = ImageError::DigestMismatch {
            blob: "blobs/sha256/abc".to_owned(),
            expected: "sha256:abc".to_owned(),
            found: "sha256:def".to_owned(),
        };
        let text = error.to_string();
        assert!(text.contains("blobs/sha256/abc"));
        assert!(text.contains("expected sha256:abc"));
        assert!(text.contains("found sha256:def"));
    }

    #[test]
    fn platform_error_lists_available() {
        let error = ImageError::NoMatchingPlatform {
            requested: "linux/s390x".to_owned(),
            available: vec!["linux/amd64".to_owned(), "linux/arm64".to_owned()],
        };
        assert!(error.to_string().contains("linux/amd64, linux/arm64"));
    }
}
