//! `careen init`: find the Python or Node project in a directory and write a
//! production Dockerfile (builder, development and runtime targets), a
//! `.dockerignore` and a `compose.yaml` for it.
//!
//! ```no_run
//! let project = careen_init::detect(std::path::Path::new("."), &Default::default())?;
//! for file in careen_init::generate(&project) {
//!     println!("{}: {} bytes", file.name, file.contents.len());
//! }
//! # Ok::<(), careen_init::InitError>(())
//! ```

mod detect;
mod error;
mod generate;
mod node;
mod python;

pub use detect::{
    detect, parse_command, Kind, Language, NodeManager, NodeProject, Overrides, Project,
    PythonManager, PythonProject, DEFAULT_NODE_VERSION, DEFAULT_PYTHON_VERSION,
};
pub use error::InitError;
pub use generate::{generate, GeneratedFile, APP_UID};
