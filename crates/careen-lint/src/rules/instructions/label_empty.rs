use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

use super::label_schema::labels;

rule! {
    /// ## What it does
    /// Checks that labels declared in the label schema are not empty.
    ///
    /// ## Why is this bad?
    /// An empty required label satisfies the letter of the schema but carries
    /// no information; it usually comes from a build argument that was not
    /// passed.
    ///
    /// This rule is off until `label-schema` is configured (in `careen.toml`'s
    /// `[lint]` or hadolint's `label-schema:` in `.hadolint.yaml`); it checks
    /// every label the schema declares, whatever its type.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors=""
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors="platform@example.com"
    /// ```
    ///
    /// ## Differences from hadolint
    /// None: as in hadolint, only a value that is empty after removing quotes
    /// is reported (a value of blanks is not).
    pub(crate) struct LabelEmpty {
        code: "DL3051",
        name: "label-empty",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelEmpty {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if label.value.is_empty() && ctx.settings.label_schema.contains_key(&label.key) {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        label.value_span,
                        format!("label `{}` is empty", label.key),
                    )
                    .with_help("give the label a value"),
                );
            }
        }
    }
}
