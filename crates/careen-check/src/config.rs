//! The `careen.toml` schema that `careen check` reads: what the pipeline runs
//! (`[check]`, `[build]`, `[scan]`, `[test]`) and the budgets (`[budgets]`).
//! `[lint]` belongs to `careen lint` (careen-lint checks it); every other key
//! is refused with its line, column and the keys allowed there.

use crate::units::{PinLevel, Ratio, Size};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a `careen.toml` could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A syntax error, an unknown key or a wrong value, at `line:column` (1-based).
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The whole `careen.toml` as `careen check` sees it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub check: CheckTable,
    #[serde(default)]
    pub build: BuildTable,
    #[serde(default)]
    pub scan: ScanTable,
    #[serde(default)]
    pub test: TestTable,
    /// Absent: [`Budgets::defaults`] apply. Present: exactly what it sets.
    pub budgets: Option<Budgets>,
    /// `careen lint`'s settings; validated by careen-lint.
    #[serde(skip_serializing)]
    pub lint: Option<toml::Value>,
}

/// `[check]`: which steps run and on what. Paths are relative to the
/// directory of `careen.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckTable {
    /// The Dockerfile to lint (and build); default `Dockerfile` in the context.
    pub dockerfile: Option<PathBuf>,
    /// The image to inspect when not building (`--image` overrides).
    pub image: Option<String>,
    /// Lint the Dockerfile (default true; skipped when there is none).
    #[serde(default = "yes")]
    pub lint: bool,
    /// Build the image first (also `--build`).
    #[serde(default)]
    pub build: bool,
    /// Run the image and test it (also `--test`).
    #[serde(default)]
    pub test: bool,
    /// Run the secret detectors over the image's files (default true).
    #[serde(default = "yes")]
    pub secrets: bool,
}

fn yes() -> bool {
    true
}

impl Default for CheckTable {
    fn default() -> Self {
        CheckTable {
            dockerfile: None,
            image: None,
            lint: true,
            build: false,
            test: false,
            secrets: true,
        }
    }
}

/// `[build]`: how `careen check --build` builds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildTable {
    /// `docker`, `podman` or `buildah`; default: the first one installed.
    pub engine: Option<String>,
    /// Where to write the built image as an OCI archive; default: a temporary file.
    pub output: Option<PathBuf>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub target: Option<String>,
    /// `KEY=VALUE` or `KEY`.
    #[serde(default)]
    pub build_args: Vec<String>,
    pub platform: Option<String>,
}

/// `[scan]`: the vulnerability scan (runs only with a database).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanTable {
    /// OSV data (a directory or zip, see `careen scan --db`).
    pub db: Option<PathBuf>,
    /// Ids to ignore, `.trivyignore` syntax.
    pub ignore_file: Option<PathBuf>,
    /// OpenVEX documents.
    #[serde(default)]
    pub vex: Vec<PathBuf>,
}

/// `[test]`: what `careen check --test` runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TestTable {
    /// A container-structure-test file; default: the built-in checks.
    pub config: Option<PathBuf>,
    /// Seconds a command may run (default 30).
    pub timeout: Option<u64>,
}

/// `[budgets]`: limits the image and the Dockerfile must keep. A key left out
/// is not checked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Budgets {
    /// Sum of the uncompressed layers (`"200MB"`, `"1.5 GiB"`, or bytes).
    pub max_image_size: Option<Size>,
    /// dive's efficiency (`"90%"` or `0.9`).
    pub min_efficiency: Option<Ratio>,
    /// careen's reclaimable bytes (caches, duplicates, deleted files…).
    pub max_reclaimable: Option<Size>,
    /// dive's wasted bytes.
    pub max_wasted: Option<Size>,
    /// dive's wasted bytes over the size of the layers above the base.
    pub max_user_wasted: Option<Ratio>,
    /// Most lint findings allowed per severity.
    pub lint: Option<LintLimits>,
    /// Most audit findings allowed per severity.
    pub audit: Option<AuditLimits>,
    /// Most vulnerabilities allowed per severity (needs `[scan] db`).
    pub vulnerabilities: Option<VulnerabilityLimits>,
    #[serde(default)]
    pub require: Require,
}

/// `[budgets.lint]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LintLimits {
    pub error: Option<u64>,
    pub warning: Option<u64>,
    pub info: Option<u64>,
    pub style: Option<u64>,
}

/// `[budgets.audit]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditLimits {
    pub error: Option<u64>,
    pub warning: Option<u64>,
    pub info: Option<u64>,
}

/// `[budgets.vulnerabilities]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityLimits {
    pub critical: Option<u64>,
    pub high: Option<u64>,
    pub medium: Option<u64>,
    pub low: Option<u64>,
    pub unknown: Option<u64>,
}

/// `[budgets.require]`: yes/no requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Require {
    /// The image's user is not root.
    #[serde(default)]
    pub non_root: bool,
    /// The image has a HEALTHCHECK.
    #[serde(default)]
    pub healthcheck: bool,
    /// Every FROM names a tag other than `latest` (`true`), or a digest (`"digest"`).
    #[serde(default)]
    pub pinned_base: PinLevel,
    /// No secret in the image (files, ENV, labels, history).
    #[serde(default)]
    pub no_secrets: bool,
    /// The tests pass (when `--test` runs them).
    #[serde(default)]
    pub tests_pass: bool,
}

impl Budgets {
    /// The budgets without a `[budgets]` table: dive's CI defaults (efficiency
    /// at least 90%, at most 10% of the user layers wasted), no lint errors or
    /// warnings (`careen lint`'s own failing level), no audit errors, no
    /// critical vulnerabilities (when scanned), and non-root, a pinned base,
    /// no secrets and passing tests required.
    pub fn defaults() -> Budgets {
        Budgets {
            max_image_size: None,
            min_efficiency: Some(Ratio(0.9)),
            max_reclaimable: None,
            max_wasted: None,
            max_user_wasted: Some(Ratio(0.1)),
            lint: Some(LintLimits {
                error: Some(0),
                warning: Some(0),
                ..LintLimits::default()
            }),
            audit: Some(AuditLimits {
                error: Some(0),
                ..AuditLimits::default()
            }),
            vulnerabilities: Some(VulnerabilityLimits {
                critical: Some(0),
                ..VulnerabilityLimits::default()
            }),
            require: Require {
                non_root: true,
                healthcheck: false,
                pinned_base: PinLevel::Tag,
                no_secrets: true,
                tests_pass: true,
            },
        }
    }
}

impl Config {
    /// The budgets in force: the file's `[budgets]`, or the defaults.
    pub fn budgets(&self) -> Budgets {
        self.budgets.clone().unwrap_or_else(Budgets::defaults)
    }

    /// Read and check a `careen.toml`. Errors name the file as `display`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let display = path.display().to_string();
        let display = display.strip_prefix("./").unwrap_or(&display);
        Config::parse(&text, display)
    }

    /// Parse `careen.toml` text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let deserializer = toml::Deserializer::new(text);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let (line, column) = inner
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message: explain(&path, inner.message()),
            }
        })
    }
}

/// 1-based line and column (in chars) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// serde's message, said in the terms of the file: the key and its table,
/// and for an unknown key the keys allowed there (and the nearest one).
fn explain(path: &str, message: &str) -> String {
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let message = message.as_str();
    // `a.b.c` → the key `c` in the table `[a.b]`; `.` is the whole document.
    let segments: Vec<&str> = if path == "." {
        Vec::new()
    } else {
        path.split('.').collect()
    };
    let table = match segments.split_last() {
        Some((_, parents)) if !parents.is_empty() => format!("in [{}]", parents.join(".")),
        Some(_) => "at the top level".to_owned(),
        None => String::new(),
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let allowed: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let mut text = format!("unknown key `{key}` {table}");
        if allowed.is_empty() {
            text.push_str("; no keys are allowed there");
        } else {
            // Keys are kebab-case: `max_size` is compared as `max-size`. Jaro-Winkler
            // alone favours a shared prefix (`max-sise` → `max-wasted`); adding the
            // bigram overlap ranks `max-image-size` first, as a reader would.
            let normalized = key.to_ascii_lowercase().replace('_', "-");
            let nearest = allowed
                .iter()
                .map(|candidate| {
                    let score = strsim::jaro_winkler(&normalized, candidate)
                        + strsim::sorensen_dice(&normalized, candidate);
                    (score, *candidate)
                })
                .filter(|(score, _)| *score > 1.2)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, nearest)) = nearest {
                text.push_str(&format!(" (did you mean `{nearest}`?)"));
            }
            text.push_str(&format!("; allowed keys: {}", allowed.join(", ")));
        }
        return text;
    }
    match segments.last() {
        Some(key) => format!("`{key}` {table}: {message}"),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Config::parse(text, "careen.toml").unwrap_err().to_string()
    }

    #[test]
    fn unknown_key_names_key_line_table_and_allowed_keys() {
        let message = error("[budgets]\nmax-image-size = \"200MB\"\n  max_sise = 3\n");
        assert!(
            message.starts_with(
                "careen.toml:3:3: unknown key `max_sise` in [budgets] (did you mean `max-image-size`?); allowed keys: max-image-size, min-efficiency"
            ),
            "{message}"
        );
        let message = error("[budgets.lint]\neror = 1\n");
        assert!(
            message.starts_with("careen.toml:2:1: unknown key `eror` in [budgets.lint] (did you mean `error`?); allowed keys: error, warning, info, style"),
            "{message}"
        );
        let message = error("[budget]\n");
        assert!(
            message.starts_with("careen.toml:1:2: unknown key `budget` at the top level"),
            "{message}"
        );
    }

    #[test]
    fn wrong_values_and_syntax_errors_have_a_position() {
        let message = error("[budgets]\nmin-efficiency = \"ninety\"\n");
        assert!(
            message.starts_with("careen.toml:2:18: `min-efficiency` in [budgets]: "),
            "{message}"
        );
        assert!(message.contains("ninety"), "{message}");
        let message = error("[budgets]\nmin-efficiency = 0.9\nmin-efficiency = 0.8\n");
        assert!(
            message.starts_with("careen.toml:3:1: duplicate key"),
            "{message}"
        );
        let message = error("[budgets\n");
        assert!(message.starts_with("careen.toml:1:"), "{message}");
        assert_eq!(message.lines().count(), 1);
    }

    #[test]
    fn full_file_parses() {
        let config = Config::parse(
            r#"
[check]
dockerfile = "docker/Dockerfile"
image = "oci-archive:app.tar"
build = true
[build]
engine = "buildah"
build-args = ["A=1"]
[scan]
db = "osv"
[test]
timeout = 5
[budgets]
max-image-size = "1.5 GiB"
min-efficiency = "95%"
max-reclaimable = 1000
max-wasted = "10MB"
max-user-wasted = 0.05
[budgets.lint]
error = 0
[budgets.audit]
warning = 3
[budgets.vulnerabilities]
critical = 0
high = 2
[budgets.require]
non-root = true
pinned-base = "digest"
[lint]
ignore = ["DL3008"]
"#,
            "careen.toml",
        )
        .unwrap();
        assert!(config.check.build && config.check.lint);
        let budgets = config.budgets();
        assert_eq!(budgets.max_image_size, Some(Size(1_610_612_736)));
        assert_eq!(budgets.min_efficiency, Some(Ratio(0.95)));
        assert_eq!(budgets.max_reclaimable, Some(Size(1000)));
        assert_eq!(budgets.require.pinned_base, PinLevel::Digest);
        assert!(!budgets.require.no_secrets);
    }

    #[test]
    fn no_budgets_table_means_defaults() {
        let config = Config::parse("[lint]\nignore = []\n", "careen.toml").unwrap();
        assert_eq!(config.budgets(), Budgets::defaults());
        let config = Config::parse("[budgets]\n", "careen.toml").unwrap();
        assert_eq!(config.budgets(), Budgets::default());
    }

    #[test]
    fn line_column_counts_chars() {
        assert_eq!(line_column("ab\néé x", 7), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
