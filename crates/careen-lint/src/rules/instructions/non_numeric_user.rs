use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `USER` given by name rather than numeric id.
    ///
    /// ## Why is this bad?
    /// A user name is resolved inside the image through `/etc/passwd`; tools
    /// outside it (Kubernetes' `runAsNonRoot`, volume permissions on the host)
    /// only see numbers and cannot tell whether `app` is root. A numeric
    /// `UID[:GID]` is unambiguous.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER 10001
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended. As hadolint does: only the part before `:` is looked at;
    /// the value is taken as written (so `USER "1000"` is reported); a user
    /// that mentions a build argument declared by an earlier `ARG` (only the
    /// first name of each `ARG` counts) is accepted, other variables are not.
    pub(crate) struct NonNumericUser {
        code: "DL3066",
        name: "non-numeric-user",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

fn mentions(user: &str, arg: &str) -> bool {
    user.contains(&format!("${{{arg}}}")) || user.contains(&format!("${arg}"))
}

impl Rule for NonNumericUser {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut args: Vec<&str> = Vec::new();
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::Arg(decls) => {
                    if let Some(first) = decls.first() {
                        args.push(first.name.value.as_str());
                    }
                }
                InstructionKind::User(user) => {
                    let value = user.value.as_str();
                    let uid = value.split(':').next().unwrap_or("");
                    if uid.chars().all(|c| c.is_ascii_digit())
                        || args.iter().any(|a| mentions(value, a))
                    {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &Self::INFO,
                            user.span,
                            format!("user `{uid}` is not a numeric id"),
                        )
                        .with_help("use the numeric `UID[:GID]`"),
                    );
                }
                _ => {}
            }
        }
    }
}
