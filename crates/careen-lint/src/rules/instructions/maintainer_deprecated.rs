use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Instruction, InstructionKind};

rule! {
    /// ## What it does
    /// Checks for the deprecated `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated for years in favour of labels. A label is
    /// visible to every tool that reads image metadata, can be queried with
    /// `docker inspect` like any other label, and follows the OCI annotation
    /// conventions (`org.opencontainers.image.authors`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix
    /// Replaces the instruction with `LABEL org.opencontainers.image.authors="…"`
    /// holding the same text (safe). Not offered when the text contains quotes,
    /// `$`, the escape character or a line continuation, which would need
    /// re-escaping.
    pub(crate) struct MaintainerDeprecated {
        code: "DL4000",
        name: "maintainer-deprecated",
        severity: Error,
        fix: Sometimes,
        enabled: true,
    }
}

impl Rule for MaintainerDeprecated {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let escape = ctx.dockerfile.escape;
        for instruction in ctx.instructions() {
            let InstructionKind::Maintainer(who) = &instruction.kind else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                instruction.keyword_span,
                "`MAINTAINER` is deprecated",
            )
            .with_help("record the author with `LABEL org.opencontainers.image.authors=\"…\"`");
            if let Some(fix) = label_fix(instruction, &who.value, escape) {
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}

/// The replacing LABEL, when the text can be copied into double quotes as is.
fn label_fix(instruction: &Instruction, text: &str, escape: char) -> Option<Fix> {
    let text = text.trim();
    let plain = !text.is_empty()
        && !text
            .chars()
            .any(|c| matches!(c, '"' | '\'' | '$' | '\n' | '\r') || c == escape || c == '\\');
    if !plain {
        return None;
    }
    let span = instruction.span;
    Some(Fix::safe(
        "Replace with `LABEL org.opencontainers.image.authors`",
        vec![Edit::replace(
            span.start.offset..span.end.offset,
            format!("LABEL org.opencontainers.image.authors=\"{text}\""),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix_of(source: &str) -> Option<String> {
        let dockerfile = careen_dockerfile::parse(source).ok()?;
        let instruction = dockerfile.instructions.get(1)?;
        let InstructionKind::Maintainer(who) = &instruction.kind else {
            return None;
        };
        let fix = label_fix(instruction, &who.value, dockerfile.escape)?;
        Some(fix.edits.first()?.content.clone())
    }

    #[test]
    fn fix_quotes_the_text() {
        assert_eq!(
            fix_of("FROM a\nMAINTAINER Jane <j@x.org>\n").as_deref(),
            Some("LABEL org.opencontainers.image.authors=\"Jane <j@x.org>\"")
        );
        assert_eq!(fix_of("FROM a\nMAINTAINER say \"hi\"\n"), None);
        assert_eq!(fix_of("FROM a\nMAINTAINER $USER\n"), None);
    }
}
