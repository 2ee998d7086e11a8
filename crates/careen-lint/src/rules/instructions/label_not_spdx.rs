use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_spdx, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `spdx` in the label schema hold an SPDX license identifier.
    ///
    /// ## Why is this bad?
    /// License scanners match the identifier exactly; a misspelt, lowercase or deprecated identifier is not recognised.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `spdx` (e.g. `[lint] label-schema = { "org.opencontainers.image.licenses" = "spdx" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.licenses="apache 2"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## Differences from hadolint
    /// As in hadolint, a single current (not deprecated) identifier is required: expressions (`MIT OR Apache-2.0`), `+`, `LicenseRef-…`, `NOASSERTION` and `NONE` are reported. careen uses the license list of the `spdx` crate, which can be newer than hadolint's: identifiers added to SPDX recently (e.g. `MIT-Khronos-old`) are accepted by careen and reported by hadolint.
    pub(crate) struct LabelNotSpdx {
        code: "DL3054",
        name: "label-not-spdx",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotSpdx {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Spdx) {
                continue;
            }
            if is_spdx(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not an SPDX license identifier", label.key),
                )
                .with_help("use an identifier from the SPDX license list, such as `Apache-2.0`"),
            );
        }
    }
}
