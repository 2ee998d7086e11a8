use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for stages whose last USER is root.
    ///
    /// ## Why is this bad?
    /// The last USER of a stage is the user its container runs as. A process
    /// running as root turns any bug in it into full control of the container and
    /// makes escaping to the host easier. Switch to an unprivileged user once the
    /// steps that need root are done.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update
    /// USER app
    /// ```
    ///
    /// ## Differences from hadolint
    /// As hadolint does, every stage is checked (not only the final one), and
    /// only the user as written counts: `root`, `0`, `root:…` and `0:…`. A stage
    /// without USER is not flagged, even though it runs as root by default.
    pub(crate) struct LastUserRoot {
        code: "DL3002",
        name: "last-user-root",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn is_root(user: &str) -> bool {
    user == "root" || user == "0" || user.starts_with("root:") || user.starts_with("0:")
}

impl Rule for LastUserRoot {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.stages {
            let last_user = ctx
                .instructions()
                .get(stage.instructions.clone())
                .unwrap_or(&[])
                .iter()
                .filter_map(|i| match &i.kind {
                    InstructionKind::User(user) => Some(user),
                    _ => None,
                })
                .next_back();
            if let Some(user) = last_user.filter(|u| is_root(&u.value)) {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        user.span,
                        format!("the stage ends running as `{}`", user.value),
                    )
                    .with_help("switch to an unprivileged USER at the end of the stage"),
                );
            }
        }
    }
}
