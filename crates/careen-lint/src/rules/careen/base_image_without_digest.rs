use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::util::ImageRef;
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `FROM` images pinned by tag but not by digest.
    ///
    /// ## Why is this bad?
    /// A tag is a movable name: `python:3.12-slim` points at a new image every
    /// time the maintainers rebuild it, and a registry or mirror can serve
    /// anything under it. Two builds of the same commit can therefore differ,
    /// and a compromised tag reaches your image unnoticed. A digest
    /// (`python:3.12-slim@sha256:…`) names exactly one image; keep the tag
    /// beside it for readers and let a bot (Renovate, Dependabot) update both.
    ///
    /// Not reported: `scratch`, references to earlier stages, images given by
    /// a variable, and untagged or `latest` images (DL3006 and DL3007 report
    /// those).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:2f3c6b5e8a1d4f7a9c0b3e6d8f1a4c7e9b2d5f8a1c4e7b0d3f6a9c2e5b8d1f4a
    /// ```
    pub(crate) struct BaseImageWithoutDigest {
        code: "CR1101",
        name: "base-image-without-digest",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

impl Rule for BaseImageWithoutDigest {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut stage_names: Vec<String> = Vec::new();
        for instruction in ctx.instructions() {
            let InstructionKind::From(from) = &instruction.kind else {
                continue;
            };
            let written = &from.image.value;
            let is_stage = stage_names.contains(&written.to_ascii_lowercase());
            if let Some(alias) = &from.alias {
                stage_names.push(alias.value.to_ascii_lowercase());
            }
            if is_stage || written.contains('$') {
                continue;
            }
            let image = ImageRef::parse(written);
            if image.is_scratch() || image.digest.is_some() {
                continue;
            }
            let Some(tag) = &image.tag else { continue };
            if tag == "latest" {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    from.image.span,
                    format!("`{written}` is pinned by tag only; the tag can move to another image"),
                )
                .with_help(format!("pin the digest too: `{written}@sha256:<digest>`")),
            );
        }
    }
}
