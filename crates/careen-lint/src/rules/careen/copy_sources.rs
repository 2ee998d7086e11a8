//! Which build-context files a COPY/ADD sends to the builder.
//!
//! Sources are resolved against the scanned context (where `.dockerignore`
//! is already applied): `.`/`./`/`/` mean the whole context, a directory
//! means everything under it, and glob sources (`*.json`, `src/*`) match
//! entries with `*` not crossing `/`, a matched directory bringing its
//! contents. `COPY --from=…`, heredoc sources, URLs and sources with
//! unresolved `$VARS` are not from the context and yield nothing.

use crate::build_context::{BuildContext, ContextFile};
use careen_dockerfile::{Copy, Instruction, InstructionKind, Word};
use globset::GlobBuilder;
use std::collections::HashSet;

/// The files one source word of a COPY/ADD sends.
#[derive(Debug)]
pub(crate) struct SourceFiles<'a> {
    pub word: &'a Word,
    /// The source is the whole context (`.`, `./`, `/`, `*`).
    pub whole_context: bool,
    /// Files (not directories) sent, in path order.
    pub files: Vec<&'a ContextFile>,
}

/// The COPY/ADD of `instruction` when it reads from the build context (no
/// `--from`).
pub(crate) fn context_copy(instruction: &Instruction) -> Option<&Copy> {
    match &instruction.kind {
        InstructionKind::Copy(copy) if instruction.flag("from").is_none() => Some(copy),
        InstructionKind::Add(copy) => Some(copy),
        _ => None,
    }
}

/// A source as a context-relative path: quotes removed, leading `/` and `./`
/// dropped, `.` segments removed and `..` clamped at the root (as BuildKit
/// confines sources to the context). None for non-context sources.
pub(crate) fn normalize_source(raw: &str, json: bool, escape: char) -> Option<String> {
    let value = if json {
        raw.to_string()
    } else {
        careen_dockerfile::expand::unquote(raw, escape)
    };
    if value.is_empty()
        || value.contains('$')
        || value.starts_with("<<")
        || value.contains("://")
        || value.starts_with("git@")
    {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in value.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn is_glob(source: &str) -> bool {
    source.contains(['*', '?', '['])
}

/// Every source word of a context COPY/ADD and the files it sends.
pub(crate) fn files_sent<'a>(
    instruction: &'a Instruction,
    context: &'a BuildContext,
    escape: char,
) -> Vec<SourceFiles<'a>> {
    let Some(copy) = context_copy(instruction) else {
        return Vec::new();
    };
    copy.sources
        .iter()
        .filter_map(|word| {
            let source = normalize_source(&word.value, copy.json, escape)?;
            let whole_context = source.is_empty() || source == "*" || source == "**";
            Some(SourceFiles {
                word,
                whole_context,
                files: resolve(context, &source),
            })
        })
        .collect()
}

/// Sent files matched by a normalized source.
pub(crate) fn resolve<'a>(context: &'a BuildContext, source: &str) -> Vec<&'a ContextFile> {
    let sent = || context.files.iter().filter(|f| !f.ignored);
    if source.is_empty() {
        return sent().filter(|f| !f.is_dir).collect();
    }
    let roots: HashSet<&str> = if is_glob(source) {
        let Ok(glob) = GlobBuilder::new(source).literal_separator(true).build() else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        sent()
            .filter(|f| matcher.is_match(&f.path))
            .map(|f| f.path.as_str())
            .collect()
    } else {
        match context.get(source) {
            Some(entry) if !entry.ignored => std::iter::once(entry.path.as_str()).collect(),
            _ => HashSet::new(),
        }
    };
    if roots.is_empty() {
        return Vec::new();
    }
    sent()
        .filter(|f| !f.is_dir && has_root(&f.path, &roots))
        .collect()
}

/// `path` is one of `roots` or under one of them.
fn has_root(path: &str, roots: &HashSet<&str>) -> bool {
    if roots.contains(path) {
        return true;
    }
    path.match_indices('/')
        .any(|(index, _)| roots.contains(&path[..index]))
}

/// The union of files every context COPY/ADD of the file sends, and whether
/// any COPY/ADD reads from the context at all.
pub(crate) fn all_sent<'a>(
    instructions: &'a [Instruction],
    context: &'a BuildContext,
    escape: char,
) -> (bool, HashSet<&'a str>) {
    let mut any = false;
    let mut sent = HashSet::new();
    for instruction in instructions {
        if context_copy(instruction).is_some() {
            any = true;
        }
        for source in files_sent(instruction, context, escape) {
            sent.extend(source.files.iter().map(|f| f.path.as_str()));
        }
    }
    (any, sent)
}

/// Directories that never belong in a build context: dependency trees,
/// virtual environments, caches and VCS data. Returns (path, reason) of the
/// outermost ones.
pub(crate) fn heavy_dirs(context: &BuildContext) -> Vec<(&str, &'static str)> {
    let mut out: Vec<(&str, &'static str)> = Vec::new();
    for entry in context.files.iter().filter(|f| f.is_dir) {
        if out.iter().any(|(dir, _)| {
            entry.path.starts_with(dir) && entry.path.as_bytes().get(dir.len()) == Some(&b'/')
        }) {
            continue;
        }
        let (parent, name) = match entry.path.rsplit_once('/') {
            Some((parent, name)) => (format!("{parent}/"), name),
            None => (String::new(), entry.path.as_str()),
        };
        let reason = match name {
            "node_modules" => Some("npm dependencies"),
            ".git" => Some("Git data"),
            ".venv" => Some("Python virtual environment"),
            "venv" | "env" if context.get(&format!("{}/pyvenv.cfg", entry.path)).is_some() => {
                Some("Python virtual environment")
            }
            "__pycache__" => Some("Python bytecode cache"),
            ".tox" | ".nox" | ".pytest_cache" | ".mypy_cache" | ".ruff_cache" => Some("tool cache"),
            "target" if context.get(&format!("{parent}Cargo.toml")).is_some() => {
                Some("Cargo build output")
            }
            _ => None,
        };
        if let Some(reason) = reason {
            out.push((entry.path.as_str(), reason));
        }
    }
    out
}

/// Some file under `dir` is in `sent`.
pub(crate) fn dir_is_sent(dir: &str, sent: &HashSet<&str>) -> bool {
    sent.iter()
        .any(|path| path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, is_dir: bool, ignored: bool) -> ContextFile {
        ContextFile {
            path: path.to_string(),
            size: 1,
            is_dir,
            is_symlink: false,
            ignored,
        }
    }

    fn context() -> BuildContext {
        let mut files = vec![
            file(".env", false, false),
            file("Dockerfile", false, false),
            file("package.json", false, false),
            file("tsconfig.json", false, false),
            file("src", true, false),
            file("src/a.js", false, false),
            file("src/lib", true, false),
            file("src/lib/b.js", false, false),
            file("secret.txt", false, true),
        ];
        files.sort_by(|a, b| a.path.cmp(&b.path));
        BuildContext {
            root: "/nonexistent".into(),
            ignore: None,
            files,
            truncated: false,
        }
    }

    fn paths(files: Vec<&ContextFile>) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn finds_heavy_dirs() {
        let mut ctx = context();
        ctx.files.push(file("node_modules", true, false));
        ctx.files.push(file("node_modules/x", true, false));
        ctx.files
            .push(file("node_modules/x/node_modules", true, false));
        ctx.files.push(file("node_modules/x/a.js", false, false));
        ctx.files.push(file("env", true, false));
        ctx.files.sort_by(|a, b| a.path.cmp(&b.path));
        let dirs: Vec<&str> = heavy_dirs(&ctx).into_iter().map(|(p, _)| p).collect();
        assert_eq!(dirs, vec!["node_modules"]);
        let sent: HashSet<&str> = ["node_modules/x/a.js"].into_iter().collect();
        assert!(dir_is_sent("node_modules", &sent));
        assert!(!dir_is_sent("node_module", &sent));
    }

    #[test]
    fn normalizes_sources() {
        assert_eq!(normalize_source(".", false, '\\').as_deref(), Some(""));
        assert_eq!(normalize_source("./", false, '\\').as_deref(), Some(""));
        assert_eq!(
            normalize_source("/app/../src/", false, '\\').as_deref(),
            Some("src")
        );
        assert_eq!(
            normalize_source("\"./a b\"", false, '\\').as_deref(),
            Some("a b")
        );
        assert_eq!(normalize_source("$SRC", false, '\\'), None);
        assert_eq!(normalize_source("https://x/y", false, '\\'), None);
        assert_eq!(normalize_source("<<EOF", false, '\\'), None);
    }

    #[test]
    fn resolves_sources() {
        let ctx = context();
        assert_eq!(
            paths(resolve(&ctx, "")),
            vec![
                ".env",
                "Dockerfile",
                "package.json",
                "src/a.js",
                "src/lib/b.js",
                "tsconfig.json"
            ]
        );
        assert_eq!(
            paths(resolve(&ctx, "*.json")),
            vec!["package.json", "tsconfig.json"]
        );
        assert_eq!(
            paths(resolve(&ctx, "src")),
            vec!["src/a.js", "src/lib/b.js"]
        );
        assert_eq!(
            paths(resolve(&ctx, "src/*")),
            vec!["src/a.js", "src/lib/b.js"]
        );
        assert_eq!(paths(resolve(&ctx, "*.js")), Vec::<&str>::new());
        assert_eq!(paths(resolve(&ctx, "secret.txt")), Vec::<&str>::new());
        assert_eq!(paths(resolve(&ctx, "missing")), Vec::<&str>::new());
        assert_eq!(paths(resolve(&ctx, ".env")), vec![".env"]);
    }
}
