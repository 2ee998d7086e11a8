use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.
    ///
    /// ## Why is this bad?
    /// The builder refuses these triggers: chaining `ONBUILD` is not allowed, and
    /// `FROM` and `MAINTAINER` cannot run as a trigger. The image builds, but
    /// every image built from it fails at its `FROM`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ONBUILD FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// ONBUILD COPY . /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// `ONBUILD ONBUILD` is rejected by the Dockerfile parser (as BuildKit's
    /// parser rejects it), so careen reports it as a parse error rather than
    /// with this rule.
    pub(crate) struct OnbuildForbiddenTrigger {
        code: "DL3043",
        name: "onbuild-forbidden-trigger",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for OnbuildForbiddenTrigger {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Onbuild(inner) = &instruction.kind else {
                continue;
            };
            let name = match inner.kind {
                InstructionKind::Onbuild(_) => "ONBUILD",
                InstructionKind::From(_) => "FROM",
                InstructionKind::Maintainer(_) => "MAINTAINER",
                _ => continue,
            };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    inner.keyword_span,
                    format!("`{name}` cannot be used as an `ONBUILD` trigger"),
                )
                .with_help("move it out of `ONBUILD` or remove it"),
            );
        }
    }
}
