//! Errors of this crate. Every message is one line and names the path involved.

use std::path::PathBuf;

/// An error importing OSV data or reading an index.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no OSV data at `{path}`: expected a careen index directory, a directory of OSV JSON files, or an OSV all.zip")]
    NoSource { path: PathBuf },
    #[error("cannot open zip `{path}`: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("zip `{path}` expands past {limit} bytes; not reading further (zip bomb?)")]
    ZipTooLarge { path: PathBuf, limit: u64 },
    #[error("vulnerability index `{path}` is corrupt ({reason}); re-run the import")]
    CorruptIndex { path: PathBuf, reason: &'static str },
    #[error("vulnerability index `{path}` has format version {found}, this careen reads version {expected}; re-run the import")]
    IndexVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
}

pub type Result<T, E = VulnError> = std::result::Result<T, E>;
