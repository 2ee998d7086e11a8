//! The build context: the files beside a Dockerfile that `docker build` would
//! send, with `.dockerignore` applied.

use careen_dockerfile::dockerignore::DockerIgnore;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// At most this many entries are listed; beyond that the scan stops and
/// `truncated` is set (a context that large is itself worth a finding).
pub const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Error)]
pub enum ContextError {
    #[error("cannot read build context `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read `{path}`: {source}")]
    ReadIgnore {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid `{path}`: {message}")]
    InvalidIgnore { path: PathBuf, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextFile {
    /// Path relative to the context root, `/`-separated.
    pub path: String,
    pub size: u64,
    pub is_dir: bool,
    pub is_symlink: bool,
    /// Excluded by `.dockerignore` (not sent to the builder).
    pub ignored: bool,
}

#[derive(Debug, Clone)]
pub struct IgnoreFile {
    pub path: PathBuf,
    pub text: String,
    pub rules: DockerIgnore,
}

#[derive(Debug, Clone)]
pub struct BuildContext {
    pub root: PathBuf,
    /// The ignore file in effect: `<Dockerfile>.dockerignore` beside the
    /// Dockerfile wins over `<root>/.dockerignore`, as in BuildKit.
    pub ignore: Option<IgnoreFile>,
    /// Every entry under `root` (sorted by path), up to [`MAX_ENTRIES`].
    pub files: Vec<ContextFile>,
    pub truncated: bool,
}

impl BuildContext {
    /// Scan `root` for the Dockerfile at `dockerfile`.
    pub fn scan(root: &Path, dockerfile: &Path) -> Result<BuildContext, ContextError> {
        let ignore = Self::find_ignore(root, dockerfile)?;
        let mut files = Vec::new();
        let mut truncated = false;
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .min_depth(1)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    // An unreadable subdirectory: skip it, as a build would fail
                    // there anyway and another rule cannot see inside.
                    if error.depth() == 0 {
                        return Err(ContextError::Read {
                            path: root.to_path_buf(),
                            source: error.into(),
                        });
                    }
                    continue;
                }
            };
            if files.len() >= MAX_ENTRIES {
                truncated = true;
                break;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                continue;
            };
            let path = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let file_type = entry.file_type();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let ignored = ignore
                .as_ref()
                .is_some_and(|ignore| ignore.rules.is_ignored(&path));
            files.push(ContextFile {
                path,
                size,
                is_dir: file_type.is_dir(),
                is_symlink: file_type.is_symlink(),
                ignored,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(BuildContext {
            root: root.to_path_buf(),
            ignore,
            files,
            truncated,
        })
    }

    /// The ignore file BuildKit uses for `dockerfile` with context `root`:
    /// `<Dockerfile>.dockerignore` beside it, else `<root>/.dockerignore`.
    /// Two Dockerfiles with the same root and ignore file see the same context.
    pub fn ignore_path_for(root: &Path, dockerfile: &Path) -> Option<PathBuf> {
        let mut candidates = Vec::new();
        if let Some(name) = dockerfile.file_name() {
            let mut specific = name.to_os_string();
            specific.push(".dockerignore");
            candidates.push(dockerfile.with_file_name(specific));
        }
        candidates.push(root.join(".dockerignore"));
        candidates.into_iter().find(|path| path.is_file())
    }

    fn find_ignore(root: &Path, dockerfile: &Path) -> Result<Option<IgnoreFile>, ContextError> {
        if let Some(path) = Self::ignore_path_for(root, dockerfile) {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ContextError::ReadIgnore {
                    path: path.clone(),
                    source,
                })?;
            let rules =
                DockerIgnore::parse(&text).map_err(|error| ContextError::InvalidIgnore {
                    path: path.clone(),
                    message: error.to_string(),
                })?;
            return Ok(Some(IgnoreFile { path, text, rules }));
        }
        Ok(None)
    }

    /// The entry at `path` (relative, `/`-separated), if it exists.
    pub fn get(&self, path: &str) -> Option<&ContextFile> {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// True when `path` exists and is sent to the builder.
    pub fn is_sent(&self, path: &str) -> bool {
        self.get(path).is_some_and(|f| !f.ignored)
    }

    /// Files (not directories) that are sent to the builder.
    pub fn sent_files(&self) -> impl Iterator<Item = &ContextFile> {
        self.files.iter().filter(|f| !f.ignored && !f.is_dir)
    }

    /// Read a sent file of at most `max_bytes` as text (None if missing, too
    /// big, not UTF-8 or unreadable).
    pub fn read_text(&self, path: &str, max_bytes: u64) -> Option<String> {
        let file = self.get(path)?;
        if file.is_dir || file.size > max_bytes {
            return None;
        }
        std::fs::read_to_string(self.root.join(&file.path)).ok()
    }
}
