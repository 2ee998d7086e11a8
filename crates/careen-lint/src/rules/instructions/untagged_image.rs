use super::hadolint_image::HlImage;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::HashSet;

rule! {
    /// ## What it does
    /// Checks for FROM images without a tag or digest.
    ///
    /// ## Why is this bad?
    /// An image without a tag means `latest`, which moves whenever the publisher
    /// pushes: the same Dockerfile builds a different image from one day to the
    /// next, and a new major version can break the build without any change on
    /// your side.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.5
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same as hadolint: `scratch`, images with a digest, references starting
    /// with `$` and names of earlier stages (compared case-sensitively) are not
    /// flagged; `localhost:5000/app` counts as tagged because hadolint reads
    /// `5000/app` as its tag.
    pub(crate) struct UntaggedImage {
        code: "DL3006",
        name: "untagged-image",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for UntaggedImage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut aliases: HashSet<&str> = HashSet::new();
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let image = HlImage::parse(&from.image.value);
            let untagged = image.name != "scratch"
                && image.digest.is_none()
                && image.tag.is_none()
                && !image.name.starts_with('$')
                && !aliases.contains(image.name.as_str());
            if untagged {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        from.image.span,
                        format!("image `{}` has no tag", from.image.value),
                    )
                    .with_help("pin a version tag (or a digest)"),
                );
            }
            if let Some(alias) = &from.alias {
                aliases.insert(alias.value.as_str());
            }
        }
    }
}
