use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_url, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `url` in the label schema hold a URL.
    ///
    /// ## Why is this bad?
    /// Tools that read image metadata link to these values; a relative path, a bare host name or text with spaces is not a usable link.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `url` (e.g. `[lint] label-schema = { "org.opencontainers.image.source" = "url" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="github.com/example/app"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/example/app"
    /// ```
    ///
    /// ## Differences from hadolint
    /// A value must be an absolute URI as RFC 3986 spells it (a scheme, then only URI characters), like hadolint's check. Percent signs are not checked for two hex digits after them.
    pub(crate) struct LabelNotUrl {
        code: "DL3052",
        name: "label-not-url",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotUrl {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Url) {
                continue;
            }
            if is_url(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not a valid URL", label.key),
                )
                .with_help("use an absolute URL such as `https://example.com/project`"),
            );
        }
    }
}
