//! Typed errors of the engine.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot access `{}`: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error(transparent)]
    Image(#[from] careen_image::ImageError),

    #[error("layer entry `{entry}` would escape the root filesystem: {reason}")]
    UnsafePath { entry: String, reason: String },

    #[error("`{path}` in the root filesystem: {reason}")]
    BadRootfsPath { path: String, reason: String },

    #[error("no OCI runtime found: install `runc` (or `crun`) and make sure it is on PATH")]
    NoRuntime,

    #[error("`{command}` failed: {message}")]
    Runtime { command: String, message: String },

    #[error("user `{user}` cannot be resolved in the image: {reason}")]
    User { user: String, reason: String },

    #[error(
        "the image's entrypoint `{program}` {reason}: fix ENTRYPOINT/CMD or the image's files"
    )]
    Entrypoint { program: String, reason: String },

    #[error("interrupted")]
    Interrupted,

    #[error("invalid structure test file `{}`: {reason}", path.display())]
    Config { path: PathBuf, reason: String },
}

impl EngineError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
