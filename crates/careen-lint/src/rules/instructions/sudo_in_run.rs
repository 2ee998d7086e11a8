use super::hadolint_shell::{first_command_per_run, CommandPart, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `sudo` in RUN.
    ///
    /// ## Why is this bad?
    /// Build steps already run as the current USER, usually root. `sudo` adds a
    /// package, a TTY and PAM behaviour that differ between base images, and it
    /// hides which user a step really needs. Switch users with USER, or use a
    /// small tool such as `gosu` or `su-exec` at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get update
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// USER root
    /// RUN apt-get update
    /// USER app
    /// ```
    ///
    /// ## Differences from hadolint
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct SudoInRun {
        code: "DL3004",
        name: "sudo-in-run",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

impl Rule for SudoInRun {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let found = first_command_per_run(ctx, Onbuild::Include, CommandPart::Name, |c| {
            c.name == "sudo"
        });
        for (span, _) in found {
            out.push(
                Diagnostic::new(&Self::INFO, span, "`sudo` is used in a build step")
                    .with_help("switch user with USER, or use `gosu`/`su-exec` at run time"),
            );
        }
    }
}
