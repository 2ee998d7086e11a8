//! Finding Dockerfiles under a directory.

use std::path::{Path, PathBuf};

/// Directories never searched: dependencies, VCS data, build outputs.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    ".tox",
    ".mypy_cache",
    "vendor",
];

/// How deep below a directory argument to look.
const MAX_DEPTH: usize = 12;

/// Whether a file name is a Dockerfile: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `Dockerfile.*` (but not `*.dockerignore`).
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// Dockerfiles under `dir`, sorted.
pub fn find_dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .max_depth(MAX_DEPTH)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| is_dockerfile_name(&e.file_name().to_string_lossy()))
        .map(|e| {
            // `careen lint .` names files `Dockerfile`, not `./Dockerfile`.
            let path = e.into_path();
            match path.strip_prefix(".") {
                Ok(relative) if dir == Path::new(".") => relative.to_path_buf(),
                _ => path,
            }
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "README.md",
            "dockerfile-lint.sh",
            ".dockerignore",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn finds_files_and_skips_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("svc/node_modules/x")).unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM a\n").unwrap();
        std::fs::write(dir.path().join("svc/app.Dockerfile"), "FROM a\n").unwrap();
        std::fs::write(dir.path().join("svc/node_modules/x/Dockerfile"), "FROM a\n").unwrap();
        let found = find_dockerfiles(dir.path());
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
