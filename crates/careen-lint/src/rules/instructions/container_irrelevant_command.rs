use super::hadolint_shell::{first_command_per_run, CommandPart, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks RUN for commands that manage a running machine rather than build an image:
    /// `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill` and `mount`.
    ///
    /// ## Why is this bad?
    /// A build step runs once in a throw-away container with no init system, no
    /// terminal and no other processes. Starting services, inspecting processes or
    /// opening an editor there does nothing useful for the image and usually means
    /// the step was copied from a setup guide for a real host.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same command list and matching as hadolint: the name must be written
    /// bare (`/usr/bin/vim` is not matched) and `ifconfig` is not in the list.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct ContainerIrrelevantCommand {
        code: "DL3001",
        name: "container-irrelevant-command",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

impl Rule for ContainerIrrelevantCommand {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let found = first_command_per_run(ctx, Onbuild::Include, CommandPart::Name, |c| {
            COMMANDS.contains(&c.name)
        });
        for (span, name) in found {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    format!("`{name}` has no use inside a container build step"),
                )
                .with_help("remove it; start services from CMD or ENTRYPOINT instead"),
            );
        }
    }
}
