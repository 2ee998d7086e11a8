use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

use super::label_schema::labels;

rule! {
    /// ## What it does
    /// Checks for labels that the label schema does not declare, when strict labels are on.
    ///
    /// ## Why is this bad?
    /// With a strict schema, the set of labels is part of the team's contract;
    /// an undeclared label is usually a typo of a declared one or metadata
    /// nobody maintains.
    ///
    /// This rule is off unless both `label-schema` and `strict-labels = true`
    /// are configured (in `careen.toml`'s `[lint]`, or hadolint's
    /// `label-schema:` and `strict-labels:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/example/app" team=infra
    /// ```
    ///
    /// Use instead (with only `org.opencontainers.image.source` in the schema):
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/example/app"
    /// ```
    ///
    /// ## Differences from hadolint
    /// None: like hadolint, one finding per `LABEL` with undeclared keys.
    pub(crate) struct LabelSuperfluous {
        code: "DL3050",
        name: "label-superfluous",
        severity: Info,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelSuperfluous {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !ctx.settings.strict_labels {
            return;
        }
        let mut reported = None;
        for label in labels(ctx) {
            if ctx.settings.label_schema.contains_key(&label.key)
                || reported == Some(label.instruction)
            {
                continue;
            }
            reported = Some(label.instruction);
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.key_span,
                    format!("label `{}` is not declared in the label schema", label.key),
                )
                .with_help("remove the label or declare it in `label-schema`"),
            );
        }
    }
}
