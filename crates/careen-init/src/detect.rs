//! The project model: what `careen init` found in a directory, and the
//! overrides a user can give. `detect` reads the directory once; the
//! generators only look at the resulting [`Project`].

use crate::error::InitError;
use crate::{node, python};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_PYTHON_VERSION: &str = "3.12";
pub const DEFAULT_NODE_VERSION: &str = "22";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Node,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Node => "node",
        }
    }
}

/// What the container does once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// Serves HTTP on a port (a web app, or an MCP server over SSE / streamable HTTP).
    #[serde(rename = "http")]
    Http,
    /// An MCP server that talks JSON-RPC over stdin/stdout.
    #[serde(rename = "mcp-stdio")]
    McpStdio,
    /// Runs without serving anything (a job, a queue consumer).
    #[serde(rename = "worker")]
    Worker,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::McpStdio => "mcp-stdio",
            Kind::Worker => "worker",
        }
    }
}

/// How Python dependencies are declared and installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "tool")]
pub enum PythonManager {
    /// `requirements.txt` (plus an optional dev requirements file).
    Pip {
        requirements: String,
        dev_requirements: Option<String>,
    },
    Poetry,
    Uv,
    Pdm,
    Pipenv,
    /// A plain PEP 621 `pyproject.toml` installed with pip.
    Pep621,
}

impl PythonManager {
    pub fn name(&self) -> &'static str {
        match self {
            PythonManager::Pip { .. } => "pip",
            PythonManager::Poetry => "poetry",
            PythonManager::Uv => "uv",
            PythonManager::Pdm => "pdm",
            PythonManager::Pipenv => "pipenv",
            PythonManager::Pep621 => "pip (pyproject.toml)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PythonProject {
    pub manager: PythonManager,
    /// Dependency files copied before the source, in order (lockfiles included).
    pub dependency_files: Vec<String>,
    /// Whether the project itself is installed into the venv (it has a build
    /// system, or its entry point is a `[project.scripts]` script).
    pub install_project: bool,
    /// A pinned server package the dependencies lack (gunicorn for Flask/Django).
    pub extra_packages: Vec<String>,
    /// `poetry`/`uv`/`pdm`/`pipenv` version to install in the builder.
    pub tool_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeManager {
    Npm,
    Yarn,
    Pnpm,
}

impl NodeManager {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::Yarn => "yarn",
            NodeManager::Pnpm => "pnpm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeProject {
    pub manager: NodeManager,
    /// From `packageManager` (`pnpm@9.12.0` → `9.12.0`).
    pub manager_version: Option<String>,
    /// The lockfile found, if any.
    pub lockfile: Option<String>,
    /// `scripts.build` is run in the builder.
    pub build: bool,
    /// The build's output directory (`dist`), copied to the runtime.
    pub out_dir: Option<String>,
    /// `scripts.dev` exists.
    pub dev_script: bool,
}

/// What was found (or forced by flags). Everything the generators need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// The directory, as given.
    #[serde(skip)]
    pub dir: PathBuf,
    /// A lower-case name usable as a compose service and image name.
    pub name: String,
    pub language: Language,
    pub kind: Kind,
    /// `fastapi`, `flask`, `django`, `fastmcp`, `express`, `mcp-sdk`, … or `none`.
    pub framework: String,
    /// The runtime command (exec form, after the init).
    pub command: Vec<String>,
    /// The development target's command.
    pub dev_command: Vec<String>,
    pub port: Option<u16>,
    /// Path probed by the health check (HTTP services only).
    pub health_path: String,
    pub language_version: String,
    /// `--base-image`; otherwise the official slim image of the version.
    pub base_image: Option<String>,
    /// `org.opencontainers.image.source` default (from the project metadata).
    pub source_url: Option<String>,
    pub description: Option<String>,
    pub python: Option<PythonProject>,
    pub node: Option<NodeProject>,
    /// Top-level entries of the directory (for `.dockerignore`).
    #[serde(skip)]
    pub entries: Vec<String>,
    /// Decisions worth telling the user about.
    pub notes: Vec<String>,
}

/// What the user forced on the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub language: Option<Language>,
    /// Replaces the detected command (split on whitespace, or a JSON array).
    pub entrypoint: Option<String>,
    pub port: Option<u16>,
    pub kind: Option<Kind>,
    pub python_version: Option<String>,
    pub node_version: Option<String>,
    pub base_image: Option<String>,
}

/// A source file read for detection: path relative to the project, contents.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub path: String,
    pub text: String,
}

const MAX_SOURCE_FILES: usize = 400;
const MAX_SOURCE_BYTES: u64 = 256 * 1024;
const MAX_DEPTH: usize = 5;
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    "dist",
    "build",
    ".tox",
    ".nox",
    "site-packages",
    ".mypy_cache",
    ".pytest_cache",
    "coverage",
    ".next",
];

/// Source files with one of `extensions` below `dir` (bounded in depth,
/// count and size; dependency and build directories skipped), sorted by path.
pub(crate) fn source_files(dir: &Path, extensions: &[&str]) -> Vec<SourceFile> {
    let walker = walkdir::WalkDir::new(dir)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n) || n.ends_with(".egg-info")))
        });
    let mut files = Vec::new();
    for entry in walker.flatten() {
        if files.len() >= MAX_SOURCE_FILES {
            break;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !extensions.contains(&ext) {
            continue;
        }
        if entry
            .metadata()
            .map_or(true, |m| m.len() > MAX_SOURCE_BYTES)
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(relative) = path.strip_prefix(dir) else {
            continue;
        };
        let relative = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push(SourceFile {
            path: relative,
            text,
        });
    }
    files
}

/// Reads `dir/name` if it exists.
pub(crate) fn read_optional(dir: &Path, name: &str) -> Result<Option<String>, InitError> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if path.is_dir() => {
            let _ = e;
            Ok(None)
        }
        Err(source) => Err(InitError::ReadFile { path, source }),
    }
}

/// A name fit for a compose service and an image: lower case, `[a-z0-9._-]`,
/// starting with a letter or digit.
pub(crate) fn sanitize_name(raw: &str) -> String {
    let raw = raw.rsplit('/').next().unwrap_or(raw);
    let mut name: String = raw
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while name.starts_with(['-', '_', '.']) {
        name.remove(0);
    }
    while name.ends_with(['-', '_', '.']) {
        name.pop();
    }
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}

/// Splits an `--entrypoint` value: a JSON array, or words on whitespace.
pub fn parse_command(value: &str) -> Vec<String> {
    let trimmed = value.trim();
    if trimmed.starts_with('[') {
        if let Ok(words) = serde_json::from_str::<Vec<String>>(trimmed) {
            return words;
        }
    }
    trimmed.split_whitespace().map(str::to_string).collect()
}

/// Finds the project in `dir` and applies `overrides`.
pub fn detect(dir: &Path, overrides: &Overrides) -> Result<Project, InitError> {
    let listing = std::fs::read_dir(dir).map_err(|source| InitError::ReadDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut entries: Vec<String> = listing
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    entries.sort();
    let has = |name: &str| entries.iter().any(|e| e == name);
    let python_files = [
        "requirements.txt",
        "pyproject.toml",
        "Pipfile",
        "setup.py",
        "manage.py",
    ];
    let is_python = python_files.iter().any(|f| has(f));
    let is_node = has("package.json");
    let language = match overrides.language {
        Some(language) => language,
        None if is_node && is_python => {
            // Both: the one whose manifest names a server wins; Python otherwise
            // (a Node toolchain for assets beside a Python app is common).
            Language::Python
        }
        None if is_python => Language::Python,
        None if is_node => Language::Node,
        None => {
            return Err(InitError::NoProject {
                dir: dir.to_path_buf(),
            })
        }
    };
    let mut project = match language {
        Language::Python => python::detect(dir, &entries, overrides)?,
        Language::Node => node::detect(dir, &entries, overrides)?,
    };
    project.entries = entries;
    apply_overrides(&mut project, overrides);
    Ok(project)
}

fn apply_overrides(project: &mut Project, overrides: &Overrides) {
    if let Some(kind) = overrides.kind {
        project.kind = kind;
    }
    if let Some(port) = overrides.port {
        project.port = Some(port);
    }
    if let Some(entrypoint) = &overrides.entrypoint {
        let command = parse_command(entrypoint);
        if !command.is_empty() {
            project.command = command.clone();
            project.dev_command = command;
        }
    }
    if let Some(base) = &overrides.base_image {
        project.base_image = Some(base.clone());
    }
    match project.kind {
        Kind::Http => {
            if project.port.is_none() {
                project.port = Some(match project.language {
                    Language::Python => 8000,
                    Language::Node => 3000,
                });
            }
        }
        Kind::McpStdio | Kind::Worker => project.port = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(sanitize_name("@acme/My Server"), "my-server");
        assert_eq!(sanitize_name("___"), "app");
        assert_eq!(sanitize_name("demo_app"), "demo_app");
    }

    #[test]
    fn commands() {
        assert_eq!(parse_command("node dist/x.js"), ["node", "dist/x.js"]);
        assert_eq!(parse_command(r#"["a b", "c"]"#), ["a b", "c"]);
        assert!(parse_command("  ").is_empty());
    }

    #[test]
    fn empty_dir_is_no_project() {
        let tmp = tempfile::tempdir().unwrap();
        let err = detect(tmp.path(), &Overrides::default()).unwrap_err();
        assert!(
            err.to_string().contains("no Python or Node project"),
            "{err}"
        );
    }

    #[test]
    fn source_walk_skips_dependencies() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("node_modules/x")).unwrap();
        std::fs::write(tmp.path().join("node_modules/x/i.js"), "x").unwrap();
        std::fs::write(tmp.path().join("a.js"), "y").unwrap();
        let files = source_files(tmp.path(), &["js"]);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "a.js");
    }
}
