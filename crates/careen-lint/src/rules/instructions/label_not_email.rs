use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_email, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `email` in the label schema hold an email address.
    ///
    /// ## Why is this bad?
    /// Contact labels are used to reach the owners of an image; a name, a URL or a malformed address does not reach anyone.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `email` (e.g. `[lint] label-schema = { "com.example.contact" = "email" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL com.example.contact="Platform team"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL com.example.contact="platform@example.com"
    /// ```
    ///
    /// ## Differences from hadolint
    /// Approximates hadolint's RFC 5322 validator: dot-atom or quoted local part, host-name or `[…]` domain. Comments in addresses (`a(c)@b.c`), which hadolint accepts, are reported by careen.
    pub(crate) struct LabelNotEmail {
        code: "DL3058",
        name: "label-not-email",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotEmail {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Email) {
                continue;
            }
            if is_email(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not an email address", label.key),
                )
                .with_help("write a plain address such as `team@example.com`"),
            );
        }
    }
}
