use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_semver, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `semver` in the label schema hold a semantic version.
    ///
    /// ## Why is this bad?
    /// Version labels are compared by tools; `v1.2` or `latest` cannot be ordered.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `semver` (e.g. `[lint] label-schema = { "org.opencontainers.image.version" = "semver" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.version="v1.2"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.version="1.2.0"
    /// ```
    ///
    /// ## Differences from hadolint
    /// Follows hadolint's parser rather than the strict SemVer 2.0 grammar: leading zeros and an empty pre-release or build part (`1.0.0-`) are accepted.
    pub(crate) struct LabelNotSemver {
        code: "DL3056",
        name: "label-not-semver",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotSemver {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Semver) {
                continue;
            }
            if is_semver(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not a semantic version", label.key),
                )
                .with_help("write the version as `MAJOR.MINOR.PATCH`, e.g. `1.4.0`"),
            );
        }
    }
}
