use super::secrets::{find_token, is_secret_name, redact};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::rules::instructions::sensitive_arg_env_name::{is_sensitive, SensitiveArgEnvName};
use careen_dockerfile::{InstructionKind, Word};

rule! {
    /// ## What it does
    /// Checks for `ARG` and `ENV` that carry a secret: a name such as `API_KEY`, `DB_PASSWORD` or `GITHUB_TOKEN`, or a value in a well-known token format.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image configuration and `ARG` values in
    /// the image history: anyone who can pull the image can read them with
    /// `docker history` or `docker inspect`. A token written into the
    /// Dockerfile is also in version control.
    ///
    /// Names are matched like BuildKit's `SecretsUsedInArgOrEnv` check: the
    /// name is split on `_` and fires when a part is `apikey`, `auth`,
    /// `credential(s)`, `key`, `password`, `pword`, `passwd`, `secret` or
    /// `token` (any case), unless a part is `public`, `file` or `version`
    /// (`PUBLIC_KEY`, `PASSWORD_FILE` and `AUTH_PLUGIN_VERSION` are fine).
    /// As in BuildKit, names of global `ARG`s (before the first `FROM`) are not
    /// checked. Independently of the name, a literal value that looks like a
    /// GitHub, GitLab, AWS, Slack, Stripe, npm, PyPI, Google or OpenAI token,
    /// or a private key, fires everywhere. Messages never show more than the
    /// first 4 characters of a value.
    ///
    /// ## Differences from BuildKit
    /// A GPG/PGP key name whose value is a hexadecimal fingerprint
    /// (`ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D`, common in
    /// official images) identifies a public key and is not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    pub(crate) struct SecretsInArgOrEnv {
        code: "CR3001",
        name: "secrets-in-arg-or-env",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const HELP: &str = "pass secrets at build time with `RUN --mount=type=secret,id=…` (and `docker build --secret`) instead of ARG or ENV";

impl Rule for SecretsInArgOrEnv {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let escape = ctx.dockerfile.escape;
        for (index, instruction) in ctx.instructions().iter().enumerate() {
            let (keyword, pairs): (&str, Vec<(&Word, Option<&Word>)>) = match &instruction.kind {
                InstructionKind::Env(pairs) => (
                    "ENV",
                    pairs.iter().map(|kv| (&kv.key, Some(&kv.value))).collect(),
                ),
                InstructionKind::Arg(decls) => (
                    "ARG",
                    decls
                        .iter()
                        .map(|d| (&d.name, d.default.as_ref()))
                        .collect(),
                ),
                _ => continue,
            };
            let check_names = keyword == "ENV" || ctx.stage_of(index).is_some();
            // hadolint's DL3064 already reports secret-looking names; when it
            // runs and flags this name, report only what it cannot see (a
            // token-shaped value), so one problem is not reported twice.
            let dl3064 = ctx.settings.is_enabled(&SensitiveArgEnvName::INFO);
            for (name, value) in pairs {
                let covered = dl3064 && is_sensitive(&name.value);
                let literal = value
                    .map(|v| careen_dockerfile::expand::unquote(&v.value, escape))
                    .unwrap_or_default();
                let token = find_token(&literal);
                if check_names
                    && !covered
                    && is_secret_name(&name.value)
                    && !is_key_fingerprint(&name.value, &literal)
                {
                    let mut message =
                        format!("`{keyword} {}` looks like it holds a secret", name.value);
                    if let Some(token) = &token {
                        message.push_str(&format!(
                            " (its value looks like {} `{}`)",
                            token.kind,
                            redact(literal.get(token.range.clone()).unwrap_or_default())
                        ));
                    }
                    out.push(Diagnostic::new(&Self::INFO, name.span, message).with_help(HELP));
                } else if let (Some(token), Some(value)) = (token, value) {
                    let message = format!(
                        "the value of `{keyword} {}` looks like {} (`{}`)",
                        name.value,
                        token.kind,
                        redact(literal.get(token.range.clone()).unwrap_or_default())
                    );
                    out.push(Diagnostic::new(&Self::INFO, value.span, message).with_help(HELP));
                }
            }
        }
    }
}

/// `GPG_KEY=<hex fingerprint>`: names a public key, not a secret.
fn is_key_fingerprint(name: &str, value: &str) -> bool {
    let gpg = name
        .split('_')
        .any(|t| t.eq_ignore_ascii_case("gpg") || t.eq_ignore_ascii_case("pgp"));
    let hex: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let hex = hex.strip_prefix("0x").unwrap_or(&hex);
    gpg && hex.len() >= 16 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints() {
        assert!(is_key_fingerprint(
            "GPG_KEY",
            "A035C8C19219BA821ECEA86B64E628F8D684696D"
        ));
        assert!(is_key_fingerprint("PGP_KEY", "0x64E628F8D684696D"));
        assert!(!is_key_fingerprint("GPG_KEY", "hunter2"));
        assert!(!is_key_fingerprint(
            "API_KEY",
            "A035C8C19219BA821ECEA86B64E628F8D684696D"
        ));
    }
}
