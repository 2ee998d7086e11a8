use super::hadolint_shell::{first_command_per_run, CommandPart, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `ln` commands that involve `/bin/sh`, such as relinking it to bash.
    ///
    /// ## Why is this bad?
    /// Replacing `/bin/sh` changes the shell for every program in the image, not
    /// only for the build, and scripts written for the original shell may break.
    /// The SHELL instruction changes the shell the following RUN instructions use
    /// without touching the image's files.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: like hadolint, any `ln` with an argument exactly `/bin/sh`
    /// is flagged, whichever side of the link it is on.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct LnBinSh {
        code: "DL4005",
        name: "ln-bin-sh",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for LnBinSh {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let found = first_command_per_run(ctx, Onbuild::Include, CommandPart::Whole, |c| {
            c.name == "ln" && c.has_arg("/bin/sh")
        });
        for (span, _) in found {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    "`ln` replaces `/bin/sh` to change the shell",
                )
                .with_help("use a SHELL instruction to pick the shell for RUN"),
            );
        }
    }
}
