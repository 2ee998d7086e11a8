use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Instruction, InstructionKind, Word};

rule! {
    /// ## What it does
    /// Checks for `ARG` and `ENV` names that suggest a secret.
    ///
    /// ## Why is this bad?
    /// Build arguments and environment variables are stored in the image
    /// metadata and history: anyone who can pull the image can read them.
    /// Secrets belong in build secrets (`RUN --mount=type=secret`) or in the
    /// runtime environment.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended. As hadolint does, a name is flagged when it is one of a
    /// list of well-known secret variables (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`,
    /// …) or contains `api_key`, `client_key`, `password`, `private`, `secret`,
    /// `token` or `username` (case-insensitively); `ONBUILD ARG`/`ENV` are checked
    /// too, and only the first name of an `ARG` is looked at.
    pub(crate) struct SensitiveArgEnvName {
        code: "DL3064",
        name: "sensitive-arg-env-name",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// Well-known names of secret-holding variables.
const KNOWN: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

/// Fragments that make a name look secret.
const FRAGMENTS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

pub(crate) fn is_sensitive(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let lower = name.to_ascii_lowercase();
    KNOWN.contains(&upper.as_str()) || FRAGMENTS.iter().any(|f| lower.contains(f))
}

/// The names an ARG or ENV (possibly under ONBUILD) defines, as hadolint sees them.
fn names(instruction: &Instruction) -> Vec<&Word> {
    match &instruction.kind {
        InstructionKind::Arg(args) => args.first().map(|a| vec![&a.name]).unwrap_or_default(),
        InstructionKind::Env(pairs) => pairs.iter().map(|p| &p.key).collect(),
        InstructionKind::Onbuild(inner) => match &inner.kind {
            InstructionKind::Onbuild(_) => Vec::new(),
            _ => names(inner),
        },
        _ => Vec::new(),
    }
}

impl Rule for SensitiveArgEnvName {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            if let Some(name) = names(instruction)
                .into_iter()
                .find(|n| is_sensitive(&n.value))
            {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        name.span,
                        format!(
                            "`{}` looks like a secret and is stored in the image",
                            name.value
                        ),
                    )
                    .with_help("pass secrets with `RUN --mount=type=secret` instead"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        assert!(is_sensitive("GITHUB_TOKEN"));
        assert!(is_sensitive("github_token"));
        assert!(is_sensitive("DB_PASSWORD"));
        assert!(is_sensitive("TOKENS"));
        assert!(is_sensitive("TRAVIS_OS_NAME"));
        assert!(!is_sensitive("VERSION"));
        assert!(!is_sensitive("API_URL"));
    }
}
