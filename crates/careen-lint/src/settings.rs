//! Lint settings from `careen.toml` and `.hadolint.yaml`, merged with CLI flags
//! in one place.

use crate::diagnostic::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The type a label must have under `label-schema` (hadolint's DL3049–DL3058).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    Text,
    Url,
    Email,
    Hash,
    Rfc3339,
    Semver,
    Spdx,
}

/// Resolved settings for one lint run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Codes or code prefixes to run (`DL`, `DL30`, `CR0101`); empty = every
    /// rule enabled by default.
    pub select: Vec<String>,
    /// Codes or prefixes never to report.
    pub ignore: Vec<String>,
    /// Per-code severity overrides.
    pub severity: BTreeMap<String, Severity>,
    /// Registries FROM may use (DL3026); empty = any.
    pub trusted_registries: Vec<String>,
    /// Required labels and their types (DL3049…DL3058).
    pub label_schema: BTreeMap<String, LabelType>,
    /// Report labels not in the schema (DL3050).
    pub strict_labels: bool,
    /// Findings at or above this level make the exit code 1.
    pub fail_level: Severity,
    /// Where settings came from, for `--verbose` and error messages.
    pub sources: Vec<PathBuf>,
    /// CR3005: a build context sending more than this many MB is reported.
    pub context_max_mb: u64,
    /// CR3005: a build context sending more than this many files is reported.
    pub context_max_files: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            trusted_registries: Vec::new(),
            label_schema: BTreeMap::new(),
            strict_labels: false,
            fail_level: Severity::Warning,
            sources: Vec::new(),
            context_max_mb: 100,
            context_max_files: 10_000,
        }
    }
}

fn code_matches(code: &str, pattern: &str) -> bool {
    let pattern = pattern.trim();
    pattern.eq_ignore_ascii_case("all")
        || (!pattern.is_empty()
            && code.len() >= pattern.len()
            && code[..pattern.len()].eq_ignore_ascii_case(pattern))
}

impl Settings {
    /// Whether a rule runs at all.
    pub fn is_enabled(&self, info: &crate::RuleInfo) -> bool {
        if self.ignore.iter().any(|p| code_matches(info.code, p)) {
            return false;
        }
        if self.select.is_empty() {
            return info.enabled || self.opt_in_configured(info.code);
        }
        // An explicit code selects an opt-in rule; a prefix only selects
        // rules enabled by default.
        self.select.iter().any(|p| {
            p.trim().eq_ignore_ascii_case(info.code)
                || (code_matches(info.code, p)
                    && (info.enabled || self.opt_in_configured(info.code)))
        })
    }

    /// Opt-in rules that turn on when their configuration is given.
    fn opt_in_configured(&self, code: &str) -> bool {
        match code {
            "DL3026" => !self.trusted_registries.is_empty(),
            "DL3049" | "DL3051" | "DL3052" | "DL3053" | "DL3054" | "DL3055" | "DL3056"
            | "DL3058" => !self.label_schema.is_empty(),
            "DL3050" => self.strict_labels && !self.label_schema.is_empty(),
            _ => false,
        }
    }

    /// The severity a finding of `code` is reported with.
    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }

    /// Find and load config for a Dockerfile: `careen.toml` (or `.careen.toml`)
    /// and `.hadolint.yaml`/`.hadolint.yml` in the Dockerfile's directory and
    /// its parents, nearest first; the first `careen.toml` and the first
    /// hadolint file found are merged (careen.toml wins on conflicts).
    pub fn discover(start: &Path) -> Result<Settings, ConfigError> {
        let mut settings = Settings::default();
        let mut careen = None;
        let mut hadolint = None;
        let start = if start.is_file() {
            start.parent().unwrap_or(Path::new("."))
        } else {
            start
        };
        let absolute = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        for dir in absolute.ancestors() {
            if careen.is_none() {
                careen = ["careen.toml", ".careen.toml"]
                    .iter()
                    .map(|n| dir.join(n))
                    .find(|p| p.is_file());
            }
            if hadolint.is_none() {
                hadolint = [".hadolint.yaml", ".hadolint.yml"]
                    .iter()
                    .map(|n| dir.join(n))
                    .find(|p| p.is_file());
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        if let Some(path) = hadolint {
            settings.merge_hadolint_file(&path)?;
        }
        if let Some(path) = careen {
            settings.merge_careen_file(&path)?;
        }
        Ok(settings)
    }

    pub fn merge_careen_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = read(path)?;
        self.merge_careen_toml(&text)
            .map_err(|message| ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
        self.sources.push(path.to_path_buf());
        Ok(())
    }

    pub fn merge_hadolint_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = read(path)?;
        self.merge_hadolint_yaml(&text)
            .map_err(|message| ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
        self.sources.push(path.to_path_buf());
        Ok(())
    }

    /// Merge a `careen.toml`; only its `[lint]` table concerns linting.
    pub fn merge_careen_toml(&mut self, text: &str) -> Result<(), String> {
        let file: CareenToml = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
        let Some(lint) = file.lint else {
            return Ok(());
        };
        if let Some(select) = lint.select {
            self.select = select;
        }
        self.ignore.extend(lint.ignore.unwrap_or_default());
        for (code, level) in lint.severity.unwrap_or_default() {
            let severity = Severity::parse(&level).ok_or_else(|| {
                format!(
                    "[lint.severity] {code} = {level:?}: expected error, warning, info or style"
                )
            })?;
            self.severity.insert(code.to_ascii_uppercase(), severity);
        }
        self.merge_labels_and_registries(
            lint.trusted_registries,
            lint.label_schema,
            lint.strict_labels,
        );
        if let Some(mb) = lint.context_max_mb {
            self.context_max_mb = mb;
        }
        if let Some(files) = lint.context_max_files {
            self.context_max_files = files;
        }
        if let Some(level) = lint.fail_level {
            self.fail_level = Severity::parse(&level).ok_or_else(|| {
                format!("[lint] fail-level = {level:?}: expected error, warning, info or style")
            })?;
        }
        Ok(())
    }

    /// The settings both config formats share; a given value replaces the old.
    fn merge_labels_and_registries(
        &mut self,
        registries: Option<Vec<String>>,
        schema: Option<BTreeMap<String, LabelType>>,
        strict: Option<bool>,
    ) {
        if let Some(registries) = registries {
            self.trusted_registries = registries;
        }
        if let Some(schema) = schema {
            self.label_schema = schema;
        }
        if let Some(strict) = strict {
            self.strict_labels = strict;
        }
    }

    /// Merge a hadolint config file (`ignored`, `override`, `trustedRegistries`,
    /// `label-schema`, `strict-labels`, `failure-threshold`).
    pub fn merge_hadolint_yaml(&mut self, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let file: HadolintYaml =
            serde_yaml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
        self.ignore.extend(file.ignored.unwrap_or_default());
        if let Some(overrides) = file.override_ {
            for (level, codes) in [
                (Severity::Error, overrides.error),
                (Severity::Warning, overrides.warning),
                (Severity::Info, overrides.info),
                (Severity::Style, overrides.style),
            ] {
                for code in codes.unwrap_or_default() {
                    self.severity.insert(code.to_ascii_uppercase(), level);
                }
            }
        }
        self.merge_labels_and_registries(
            file.trusted_registries,
            file.label_schema,
            file.strict_labels,
        );
        if let Some(level) = file.failure_threshold {
            if level.eq_ignore_ascii_case("none") {
                self.fail_level = Severity::Error;
            } else {
                self.fail_level = Severity::parse(&level).ok_or_else(|| {
                    format!("failure-threshold: {level:?}: expected error, warning, info or style")
                })?;
            }
        }
        Ok(())
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Deserialize)]
struct CareenToml {
    lint: Option<LintToml>,
    // Other commands' tables (`[check]`, `[budgets]`…) are read by them.
    #[serde(flatten)]
    _rest: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintToml {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, String>>,
    trusted_registries: Option<Vec<String>>,
    label_schema: Option<BTreeMap<String, LabelType>>,
    strict_labels: Option<bool>,
    fail_level: Option<String>,
    context_max_mb: Option<u64>,
    context_max_files: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct HadolintYaml {
    ignored: Option<Vec<String>>,
    #[serde(rename = "override")]
    override_: Option<HadolintOverride>,
    #[serde(rename = "trustedRegistries", alias = "trusted-registries")]
    trusted_registries: Option<Vec<String>>,
    label_schema: Option<BTreeMap<String, LabelType>>,
    strict_labels: Option<bool>,
    failure_threshold: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HadolintOverride {
    error: Option<Vec<String>>,
    warning: Option<Vec<String>>,
    info: Option<Vec<String>>,
    style: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn careen_toml_lint_table() {
        let mut s = Settings::default();
        s.merge_careen_toml(
            "[lint]\nignore = [\"DL3008\"]\nfail-level = \"error\"\ntrusted-registries = [\"ghcr.io\"]\n[lint.severity]\nDL3059 = \"info\"\n",
        )
        .unwrap();
        assert_eq!(s.ignore, vec!["DL3008"]);
        assert_eq!(s.fail_level, Severity::Error);
        assert_eq!(s.severity["DL3059"], Severity::Info);
        assert_eq!(s.trusted_registries, vec!["ghcr.io"]);
    }

    #[test]
    fn careen_toml_errors_name_the_key() {
        let mut s = Settings::default();
        let err = s
            .merge_careen_toml("[lint]\nfail-level = \"loud\"\n")
            .unwrap_err();
        assert!(err.contains("fail-level"), "{err}");
        let err = s.merge_careen_toml("[lint]\nignor = []\n").unwrap_err();
        assert!(err.contains("ignor"), "{err}");
    }

    #[test]
    fn hadolint_yaml() {
        let mut s = Settings::default();
        s.merge_hadolint_yaml(
            "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3015\ntrustedRegistries:\n  - docker.io\nfailure-threshold: style\n",
        )
        .unwrap();
        assert_eq!(s.ignore, vec!["DL3008"]);
        assert_eq!(s.severity["DL3015"], Severity::Error);
        assert_eq!(s.trusted_registries, vec!["docker.io"]);
        assert_eq!(s.fail_level, Severity::Style);
    }

    #[test]
    fn select_and_ignore_prefixes() {
        let info = crate::RuleInfo {
            code: "DL3008",
            name: "x",
            severity: Severity::Warning,
            fix: crate::FixAvailability::None,
            enabled: true,
            doc: "",
        };
        let mut s = Settings::default();
        assert!(s.is_enabled(&info));
        s.ignore = vec!["DL30".into()];
        assert!(!s.is_enabled(&info));
        s.ignore.clear();
        s.select = vec!["CR".into()];
        assert!(!s.is_enabled(&info));
        s.select = vec!["dl".into()];
        assert!(s.is_enabled(&info));
    }
}
