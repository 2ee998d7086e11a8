//! The self-contained HTML report (`careen inspect --html`, `careen check --html`).
//!
//! [`Report`] is plain data: the CLI fills it from an inspection (and `careen check` adds
//! budgets and lint rows); [`render`] turns it into ONE HTML file with inline CSS and a small
//! inline script — no external resource is ever loaded, so the file works offline and
//! can be attached to a CI run as-is. Every string that comes from the image is escaped.

mod render;

pub use render::render;

use serde::Serialize;

/// Everything the HTML report shows about one image.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub image: ImageInfo,
    pub scorecard: Scorecard,
    /// Bottom layer first.
    pub layers: Vec<Layer>,
    /// Reclaimable bytes by cause, biggest first.
    pub reclaimable: Vec<Reclaimable>,
    pub findings: Vec<Finding>,
    pub packages: Vec<Package>,
    /// Empty when no vulnerability database was given (see [`Scorecard::scanned`]).
    pub vulnerabilities: Vec<Vulnerability>,
    /// `careen check` budgets; empty for `careen inspect`.
    pub budgets: Vec<BudgetRow>,
    /// `careen check` Dockerfile lint results; empty for `careen inspect`.
    pub lint: Vec<LintRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImageInfo {
    /// The reference the user gave (or the archive path).
    pub name: String,
    /// `sha256:…` of the manifest or config, when known.
    pub digest: Option<String>,
    /// The config's `created` timestamp, as written.
    pub created: Option<String>,
}

/// The headline numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scorecard {
    pub size_bytes: u64,
    /// dive's efficiency, 0.0 ..= 1.0.
    pub efficiency: f64,
    pub wasted_bytes: u64,
    pub reclaimable_bytes: u64,
    /// Audit findings per severity, in display order (worst first), e.g. `error`, `warning`, `info`.
    pub findings: Vec<SeverityCount>,
    /// Vulnerabilities per severity, in display order (worst first), e.g. `critical` … `unknown`.
    pub vulnerabilities: Vec<SeverityCount>,
    /// Whether a vulnerability scan ran (false: the vulnerability counts mean "not scanned").
    pub scanned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    /// Lowercase severity name: `error`/`warning`/`info` or `critical`/`high`/`medium`/`low`/`none`/`unknown`.
    pub severity: String,
    pub count: u64,
}

/// A place in a Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// The text of that line (or instruction), when known.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Layer {
    /// 0-based, bottom first.
    pub index: usize,
    pub size_bytes: u64,
    /// The `created_by` history entry.
    pub instruction: Option<String>,
    pub source: Option<SourceRef>,
}

/// One cause of reclaimable bytes (package-manager caches, files deleted later, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reclaimable {
    /// Short cause name, e.g. `apt-cache`, `deleted-later`.
    pub cause: String,
    pub bytes: u64,
    /// The biggest paths of this cause (the renderer shows a few).
    pub paths: Vec<String>,
    /// The instruction that produced most of it, when one does.
    pub instruction: Option<String>,
    /// The layer of that instruction.
    pub layer: Option<usize>,
    pub source: Option<SourceRef>,
    /// How to avoid it.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Finding {
    /// Check code, e.g. `CA001`.
    pub id: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub title: String,
    pub detail: String,
    pub layer: Option<usize>,
    pub path: Option<String>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Ecosystem, e.g. `deb`, `npm`, `python`.
    pub kind: String,
    pub purl: String,
    pub layer: usize,
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Vulnerability {
    pub id: String,
    pub package: String,
    pub version: String,
    pub fixed: Option<String>,
    /// `critical`, `high`, `medium`, `low`, `none` or `unknown`.
    pub severity: String,
    /// CVSS base score, when known.
    pub score: Option<f64>,
}

/// One `careen check` budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BudgetRow {
    pub name: String,
    /// Human-readable limit, e.g. `≤ 200 MB`.
    pub limit: String,
    /// Human-readable measured value.
    pub actual: String,
    pub pass: bool,
}

/// One Dockerfile lint result shown by `careen check`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LintRow {
    pub code: String,
    pub severity: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}
