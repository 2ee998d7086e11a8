use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Reports what the Dockerfile parser accepted but warns about, such as
    /// empty lines inside a line continuation.
    ///
    /// ## Why is this bad?
    /// BuildKit builds these files today but prints a deprecation warning for
    /// them, and a future Dockerfile frontend may refuse them. An empty line
    /// inside a continued `RUN` is also easy to misread: it looks like the end
    /// of the instruction, but the following lines still belong to it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && \
    ///
    ///     apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && \
    ///     apt-get install -y --no-install-recommends curl
    /// ```
    pub(crate) struct ParserWarning {
        code: "CR0002",
        name: "parser-warning",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for ParserWarning {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for warning in &ctx.dockerfile.warnings {
            let help = if warning.message.to_ascii_lowercase().contains("empty") {
                "remove the empty line, or end the instruction before it"
            } else {
                "rewrite the line the way the Dockerfile reference describes"
            };
            out.push(
                Diagnostic::new(&Self::INFO, warning.span, warning.message.clone()).with_help(help),
            );
        }
    }
}
