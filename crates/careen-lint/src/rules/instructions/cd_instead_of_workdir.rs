use super::hadolint_shell::{first_command_per_run, CommandPart, Onbuild};
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
        let found =
            first_command_per_run(ctx, Onbuild::Skip, CommandPart::Whole, |c| c.name == "cd");
        for (span, _) in found {
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
