use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_rfc3339, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `rfc3339` in the label schema hold an RFC 3339 timestamp.
    ///
    /// ## Why is this bad?
    /// Timestamps such as the image creation date are compared and sorted by tools; a date in another format cannot be read reliably.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `rfc3339` (e.g. `[lint] label-schema = { "org.opencontainers.image.created" = "rfc3339" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.created="2024-05-01"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"
    /// ```
    ///
    /// ## Differences from hadolint
    /// Accepts what hadolint accepts: surrounding blanks, lowercase `t`/`z`, offsets without `:` (`+0100`) and an empty fraction.
    pub(crate) struct LabelNotRfc3339 {
        code: "DL3053",
        name: "label-not-rfc3339",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotRfc3339 {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Rfc3339) {
                continue;
            }
            if is_rfc3339(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not an RFC 3339 timestamp", label.key),
                )
                .with_help("write it like `2024-05-01T12:00:00Z`"),
            );
        }
    }
}
