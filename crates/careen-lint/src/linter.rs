//! The lint driver: read, parse, run rules, apply pragmas and settings.

use crate::build_context::{BuildContext, ContextError};
use crate::buildkit_checks::CheckDirective;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::pragma::Pragmas;
use crate::registry::all_rules;
use crate::settings::Settings;
use careen_dockerfile::{Dockerfile, ParseError};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Dockerfiles larger than this are refused: no real Dockerfile comes close,
/// and the cap keeps memory bounded on hostile input.
pub const MAX_DOCKERFILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum LintError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is {size} bytes; careen lints Dockerfiles up to {max} bytes", max = MAX_DOCKERFILE_BYTES)]
    TooLarge { path: PathBuf, size: u64 },
    #[error("`{path}` is not a Dockerfile: {error}")]
    NotText { path: PathBuf, error: ParseError },
    #[error("`{path}`: {error}")]
    Parse { path: PathBuf, error: ParseError },
    #[error(transparent)]
    Context(#[from] ContextError),
}

#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Scan the build context beside the Dockerfile (off with `--no-context`).
    pub use_context: bool,
    /// Context root; defaults to the Dockerfile's directory.
    pub context_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct LintResult {
    pub path: PathBuf,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Read a Dockerfile and check that it is text.
pub fn read_dockerfile(path: &Path) -> Result<String, LintError> {
    let metadata = std::fs::metadata(path).map_err(|source| LintError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if metadata.len() > MAX_DOCKERFILE_BYTES {
        return Err(LintError::TooLarge {
            path: path.to_path_buf(),
            size: metadata.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| LintError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode(&bytes).map_err(|error| LintError::NotText {
        path: path.to_path_buf(),
        error,
    })
}

/// Bytes to text: NUL bytes mean binary; invalid UTF-8 is refused.
pub fn decode(bytes: &[u8]) -> Result<String, ParseError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ParseError::Binary { offset });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => Err(ParseError::NotUtf8 {
            offset: error.valid_up_to(),
        }),
    }
}

/// Lint one Dockerfile on disk.
pub fn lint_file(
    path: &Path,
    settings: &Settings,
    options: &LintOptions,
) -> Result<LintResult, LintError> {
    let source = read_dockerfile(path)?;
    let context = if options.use_context {
        let root = options
            .context_dir
            .clone()
            .or_else(|| path.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        Some(BuildContext::scan(&root, path)?)
    } else {
        None
    };
    let diagnostics = lint_source(path, &source, settings, context.as_ref()).map_err(|error| {
        LintError::Parse {
            path: path.to_path_buf(),
            error,
        }
    })?;
    Ok(LintResult {
        path: path.to_path_buf(),
        source,
        diagnostics,
    })
}

/// Lint Dockerfile text. `path` names the file in diagnostics.
pub fn lint_source(
    path: &Path,
    source: &str,
    settings: &Settings,
    context: Option<&BuildContext>,
) -> Result<Vec<Diagnostic>, ParseError> {
    let dockerfile = careen_dockerfile::parse(source)?;
    Ok(lint_parsed(path, &dockerfile, settings, context))
}

/// Lint an already-parsed Dockerfile.
pub fn lint_parsed(
    path: &Path,
    dockerfile: &Dockerfile,
    settings: &Settings,
    context: Option<&BuildContext>,
) -> Vec<Diagnostic> {
    let scripts = crate::context::parse_scripts(dockerfile);
    let ctx = Context::new(path, dockerfile, &scripts, context, settings);
    let pragmas = Pragmas::collect(dockerfile);
    let checks = CheckDirective::from_dockerfile(dockerfile);
    let mut diagnostics = Vec::new();
    for rule in all_rules() {
        let info = rule.info();
        if !settings.is_enabled(info) || checks.skips(info.code) {
            continue;
        }
        let mut found = Vec::new();
        rule.check(&ctx, &mut found);
        for mut diagnostic in found {
            let in_dockerfile = diagnostic.file.as_os_str().is_empty();
            if in_dockerfile {
                diagnostic.file = path.to_path_buf();
                if pragmas.suppresses(dockerfile, diagnostic.code, diagnostic.span.start.line) {
                    continue;
                }
            } else if pragmas.global.contains(diagnostic.code) {
                continue;
            }
            diagnostic.severity = settings.severity_of(diagnostic.code, diagnostic.severity);
            if checks.error && CheckDirective::is_buildkit_check(diagnostic.code) {
                diagnostic.severity = crate::Severity::Error;
            }
            diagnostics.push(diagnostic);
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    diagnostics
}
