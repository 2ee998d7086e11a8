//! Findings and their fixes.

use careen_dockerfile::Span;
use serde::Serialize;
use std::path::PathBuf;

/// How bad a finding is. Ordered: `Style < Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parse `error|warning|info|style` (case-insensitive; `warn` accepted).
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            "style" => Some(Severity::Style),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fix may be applied without the user asking for unsafe fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the build's meaning; applied by `--fix`.
    Safe,
    /// May change what the image contains or how it behaves; needs `--unsafe-fixes`.
    Unsafe,
}

/// What kind of fix a rule can offer, for documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Replace the bytes `start..end` of the source with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub content: String,
}

impl Edit {
    pub fn replace(range: std::ops::Range<usize>, content: impl Into<String>) -> Edit {
        Edit {
            start: range.start,
            end: range.end,
            content: content.into(),
        }
    }
    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(at..at, content)
    }
    pub fn delete(range: std::ops::Range<usize>) -> Edit {
        Edit::replace(range, "")
    }
}

/// A fix: byte-range edits applied together, and whether it is safe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    /// Imperative, e.g. "Add `--no-install-recommends`".
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// File the finding is in (the Dockerfile, `.dockerignore` or a context file).
    pub file: PathBuf,
    pub span: Span,
    /// A short hint on what to do, shown under the code frame.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A finding of `rule` at `span`, with the rule's default severity.
    /// `file` is filled in by the linter.
    pub fn new(rule: &crate::RuleInfo, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            severity: rule.severity,
            message: message.into(),
            file: PathBuf::new(),
            span,
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }

    /// Point at another file (e.g. `.dockerignore` or a context file).
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Diagnostic {
        self.file = file.into();
        self
    }

    /// Sort key: file, line, column, code.
    pub fn sort_key(&self) -> (PathBuf, u32, u32, &'static str) {
        (
            self.file.clone(),
            self.span.start.line,
            self.span.start.column,
            self.code,
        )
    }
}
