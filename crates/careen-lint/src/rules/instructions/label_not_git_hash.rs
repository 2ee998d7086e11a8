use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::settings::LabelType;

use super::label_schema::{is_git_hash, labels};

rule! {
    /// ## What it does
    /// Checks that labels declared as `hash` in the label schema hold a git commit hash.
    ///
    /// ## Why is this bad?
    /// A revision label is how one finds the source an image was built from; anything other than a commit hash (a branch name, an upper-case or truncated hash) does not identify it.
    ///
    /// This rule is off until `label-schema` is configured: it checks the labels
    /// the schema declares as `hash` (e.g. `[lint] label-schema = { "org.opencontainers.image.revision" = "hash" }`
    /// in `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.revision="main"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.revision="3f786850e387550fdab836ed7e6dc881de23001b"
    /// ```
    ///
    /// ## Differences from hadolint
    /// None: like hadolint, 40 or 7 lowercase hexadecimal characters are required.
    pub(crate) struct LabelNotGitHash {
        code: "DL3055",
        name: "label-not-git-hash",
        severity: Warning,
        fix: None,
        enabled: false,
    }
}

impl Rule for LabelNotGitHash {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx) {
            if ctx.settings.label_schema.get(&label.key) != Some(&LabelType::Hash) {
                continue;
            }
            if is_git_hash(&label.value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    label.value_span,
                    format!("label `{}` is not a git commit hash", label.key),
                )
                .with_help(
                    "use the full 40-character (or 7-character short) lowercase commit hash",
                ),
            );
        }
    }
}
