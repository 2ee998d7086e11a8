//! Errors that stop a Dockerfile from parsing at all.

use thiserror::Error;

/// A Dockerfile BuildKit would refuse. `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("line {line}: {message}")]
    Syntax { line: u32, message: String },
    #[error("file is empty or has no instructions")]
    Empty,
    #[error("line {line}: unterminated heredoc `{name}`")]
    UnterminatedHeredoc { line: u32, name: String },
    #[error("file is not valid UTF-8 text (byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("file looks binary (NUL byte at {offset})")]
    Binary { offset: usize },
}
