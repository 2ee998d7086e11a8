use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::pragma::parse_pragma;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for inline ignore pragmas (`# hadolint ignore=…`, `# careen ignore=…`).
    ///
    /// ## Why is this bad?
    /// Inline pragmas silence findings one instruction at a time, scattered
    /// through the file, where they are easy to add and hard to review. Teams
    /// that want every exception in one place (the config file) can turn this
    /// rule on to forbid them.
    ///
    /// This rule is off by default (as in hadolint); select `DL1001` to use it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL3008
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead: list `DL3008` under `ignore` in the config, or fix the
    /// finding.
    ///
    /// ## Differences from hadolint
    /// careen's own `# careen ignore=…` pragma is reported too. As in hadolint,
    /// file-wide `global ignore=` pragmas are not reported.
    pub(crate) struct InlineIgnorePragma {
        code: "DL1001",
        name: "inline-ignore-pragma",
        severity: Info,
        fix: None,
        enabled: false,
    }
}

impl Rule for InlineIgnorePragma {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for comment in &ctx.dockerfile.comments {
            // Comments inside an instruction's continuation lines are not
            // pragmas for hadolint.
            let inside = ctx.instructions().iter().any(|i| {
                i.span.start.offset <= comment.span.start.offset
                    && comment.span.start.offset < i.span.end.offset
            });
            if inside {
                continue;
            }
            let Some((tool, global, _)) = parse_pragma(&comment.text) else {
                continue;
            };
            if global {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    comment.span,
                    format!("inline `{tool} ignore` pragma"),
                )
                .with_help("list the code under `ignore` in the config file instead"),
            );
        }
    }
}
