use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `FROM --platform=$TARGETPLATFORM`.
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform unless told otherwise, so the
    /// flag changes nothing and only adds noise (unlike `$BUILDPLATFORM`,
    /// which does change what runs).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix
    /// Removes the flag (safe).
    pub(crate) struct RedundantTargetPlatform {
        code: "DL3065",
        name: "redundant-target-platform",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

impl Rule for RedundantTargetPlatform {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let source = ctx.source();
        for instruction in ctx.instructions() {
            if !matches!(instruction.kind, InstructionKind::From(_)) {
                continue;
            }
            let Some(flag) = instruction.flag("platform") else {
                continue;
            };
            let value = flag.value.as_deref().unwrap_or("");
            if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
                continue;
            }
            // Remove the flag and the blanks after it.
            let start = flag.span.start.offset;
            let mut end = flag.span.end.offset;
            while source
                .get(end..end + 1)
                .is_some_and(|c| c == " " || c == "\t")
            {
                end += 1;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    flag.span,
                    format!("`--platform={value}` is the default and can be dropped"),
                )
                .with_help("remove the `--platform` flag")
                .with_fix(Fix::safe(
                    "Remove `--platform`",
                    vec![Edit::delete(start..end)],
                )),
            );
        }
    }
}
