use super::hadolint_shell::{runs, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `cd` in RUN.
    ///
    /// ## Why is this bad?
    /// A `cd` only lasts until the end of its RUN, so the following instructions
    /// silently run somewhere else, and the directory a step depends on is hidden
    /// inside a shell line. WORKDIR sets the directory for every later
    /// instruction and creates it when missing.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && make
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN make
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: like hadolint, `ONBUILD RUN` is not checked and a `cd`
    /// inside an `sh -c '…'` string is not seen.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct CdInsteadOfWorkdir {
        code: "DL3003",
        name: "cd-instead-of-workdir",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for CdInsteadOfWorkdir {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx, Onbuild::Skip) {
            let found = run.scripts.iter().find_map(|source| {
                source
                    .commands()
                    .iter()
                    .find(|c| c.name == "cd")
                    .map(|c| source.span(ctx, c.command.range.clone()))
            });
            if let Some(span) = found {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        span,
                        "`cd` changes directory for this RUN only",
                    )
                    .with_help("use WORKDIR to set the directory for the following instructions"),
                );
            }
        }
    }
}
