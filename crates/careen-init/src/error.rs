//! Errors of project detection and file generation.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The directory itself cannot be read.
    #[error("cannot read directory `{}`: {source}", path.display())]
    ReadDir {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A project file exists but cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },

    /// `package.json`, `pyproject.toml`, `Pipfile` or `tsconfig.json` is not valid.
    #[error("cannot parse `{}` at line {line}, column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// Nothing that looks like a Python or Node project.
    #[error(
        "no Python or Node project found in `{}` (looked for requirements.txt, pyproject.toml, Pipfile, setup.py, package.json); pass --language",
        dir.display()
    )]
    NoProject { dir: PathBuf },

    /// `--language` was given but the project files it needs are missing.
    #[error("no {language} project found in `{}`: {hint}", dir.display())]
    MissingForLanguage {
        dir: PathBuf,
        language: &'static str,
        hint: &'static str,
    },

    /// No command to run could be found.
    #[error("cannot tell how to start the {language} project in `{}`; pass --entrypoint (e.g. {example})", dir.display())]
    NoEntrypoint {
        dir: PathBuf,
        language: &'static str,
        example: &'static str,
    },
}

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |at| {
        before.get(at + 1..).map_or(0, |s| s.chars().count())
    }) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn positions() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("abc\ndef", 5), (2, 2));
        assert_eq!(line_column("abc\n", 4), (2, 1));
        assert_eq!(line_column("a", 99), (1, 2));
    }
}
