use super::hadolint_image::HlImage;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for FROM images tagged `latest`.
    ///
    /// ## Why is this bad?
    /// `latest` is whatever the publisher pushed last. Builds stop being
    /// repeatable, caches go stale without notice and a new major release can
    /// break the image with no change to the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22.11-bookworm-slim
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: a digest next to `latest` (`node:latest@sha256:…`) pins the
    /// image and is not flagged.
    pub(crate) struct LatestTag {
        code: "DL3007",
        name: "latest-tag",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for LatestTag {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let image = HlImage::parse(&from.image.value);
            if image.tag.as_deref() == Some("latest") && image.digest.is_none() {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        from.image.span,
                        format!("image `{}` uses the moving `latest` tag", from.image.value),
                    )
                    .with_help("pin a release tag (or a digest)"),
                );
            }
        }
    }
}
