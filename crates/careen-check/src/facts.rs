//! What the pipeline learned, as plain values: the numbers and findings the
//! budgets are checked against. The `careen` binary fills them from lint,
//! inspect, scan and test; this crate never opens an image itself.

use serde::Serialize;

/// One finding, vulnerability, failed test or file, for the details of a
/// broken budget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Item {
    /// `error`, `warning`… for findings; `critical`, `high`… for
    /// vulnerabilities; `fail` for tests; empty when it has none.
    pub severity: String,
    /// `DL3008`, `CI1001`, `CVE-2024-1234`, a test name, or empty.
    pub code: String,
    pub message: String,
    /// `Dockerfile:12`, `/app/.env (layer 4)`, `openssl 3.0.11`…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Item {
    pub fn new(severity: &str, code: &str, message: impl Into<String>) -> Item {
        Item {
            severity: severity.to_owned(),
            code: code.to_owned(),
            message: message.into(),
            location: None,
        }
    }

    pub fn at(mut self, location: impl Into<String>) -> Item {
        self.location = Some(location.into());
        self
    }
}

/// The image's figures (see `careen inspect`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImageFacts {
    pub reference: String,
    pub size_bytes: u64,
    /// dive's efficiency, 0..1.
    pub efficiency: f64,
    pub wasted_bytes: u64,
    /// dive's wasted bytes over the user layers' size (NaN when there are none).
    pub user_wasted_percent: f64,
    pub reclaimable_bytes: u64,
    /// The config's `User` (empty: root).
    pub user: String,
    /// The audit's verdict (CI1001): the process starts as UID 0.
    pub runs_as_root: bool,
    /// A HEALTHCHECK survives in the image config.
    pub healthcheck: bool,
    /// Secrets found (files, ENV, labels, history).
    pub secrets: Vec<Item>,
    /// The biggest layers, biggest first (with the instruction that made them).
    pub layers: Vec<Item>,
    /// The biggest reclaimable causes, biggest first.
    pub reclaimable: Vec<Item>,
    /// dive's inefficient files, biggest first.
    pub wasted: Vec<Item>,
}

/// A FROM of the Dockerfile: the base image with build args filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// As it resolves (`python:3.12-slim`), or as written when an ARG has no default.
    pub reference: String,
    /// 1-based line of the FROM.
    pub line: usize,
}

/// Everything known about one run; `None` is a step that did not run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts {
    pub image: Option<ImageFacts>,
    /// The Dockerfile's lint findings.
    pub lint: Option<Vec<Item>>,
    /// The image's audit findings.
    pub audit: Option<Vec<Item>>,
    /// Vulnerabilities matched (needs a database).
    pub vulnerabilities: Option<Vec<Item>>,
    /// Failed tests, and how many ran.
    pub tests: Option<TestFacts>,
    /// The stages' base images (external images only: no `scratch`, no stage names).
    pub bases: Option<Vec<BaseImage>>,
}

/// The outcome of `careen test` on the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TestFacts {
    pub total: usize,
    pub failures: Vec<Item>,
}

/// How many of `items` have `severity`.
pub fn count(items: &[Item], severity: &str) -> u64 {
    items.iter().filter(|i| i.severity == severity).count() as u64
}
