use super::secrets::{find_token, is_secret_name, redact};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::ShellWord;
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `RUN` commands that use a credential: a literal token, or a build argument passed where a password or token goes.
    ///
    /// ## Why is this bad?
    /// The command line of every `RUN` is stored in the image history, with
    /// the values of the build arguments it uses: `docker history --no-trunc`
    /// shows them to anyone who can pull the image. A literal token is also
    /// in version control.
    ///
    /// Fires on:
    /// - a literal token in a well-known format (GitHub, GitLab, AWS, Slack,
    ///   Stripe, npm, PyPI, Google, OpenAI) anywhere in a `RUN` command;
    /// - a build argument (`ARG` of the stage) used as a credential: after
    ///   `--password`/`--token`/`--api-key`/`--secret` (or `-p` of a `login`
    ///   command), in an `Authorization:`/`PRIVATE-TOKEN:`/`X-API-Key:` header,
    ///   in `_authToken=`/`_auth=`/`password=`/`token=` settings, as the
    ///   password of a URL (`https://user:$ARG@host`), or assigned to a
    ///   secret-looking variable (`GITHUB_TOKEN=$ARG make`).
    ///
    /// Build arguments whose own name looks like a secret are reported by
    /// `CR3001` on the `ARG` line and not again here.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG GH
    /// RUN git clone https://x-access-token:${GH}@github.com/org/repo.git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=gh,env=GH \
    ///     git clone https://x-access-token:${GH}@github.com/org/repo.git
    /// ```
    pub(crate) struct SecretInRun {
        code: "CR3007",
        name: "secret-in-run",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const HELP: &str = "mount the credential with `RUN --mount=type=secret,id=…` (optionally `,env=NAME`) and pass it with `docker build --secret`";

/// Options whose value is a credential.
const CREDENTIAL_OPTIONS: &[&str] = &[
    "--password",
    "--token",
    "--api-key",
    "--apikey",
    "--auth-token",
    "--access-token",
    "--secret",
];

/// Text around a value that makes it a credential (lowercase).
const CREDENTIAL_MARKERS: &[&str] = &[
    "authorization:",
    "private-token:",
    "x-api-key:",
    "_authtoken=",
    "_auth=",
    "_password=",
    "password=",
    "token=",
];

impl Rule for SecretInRun {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (index, script, command) in ctx.all_commands() {
            // Build arguments of the stage declared before this RUN, whose
            // names CR3001 does not already report.
            let args: Vec<&str> = ctx
                .stage_of(index)
                .map(|stage| stage.instructions.start..index)
                .unwrap_or(0..0)
                .filter_map(|i| ctx.instructions().get(i))
                .filter_map(|i| match &i.kind {
                    InstructionKind::Arg(decls) => Some(decls),
                    _ => None,
                })
                .flatten()
                .map(|d| d.name.value.as_str())
                .filter(|name| !is_secret_name(name))
                .collect();
            let is_login = command
                .effective()
                .args()
                .iter()
                .any(|w| w.value == "login");
            let words: Vec<&ShellWord> = command
                .assignments
                .iter()
                .chain(command.words.iter())
                .collect();
            for (position, word) in words.iter().enumerate() {
                let previous = position
                    .checked_sub(1)
                    .and_then(|p| words.get(p))
                    .map(|w| w.value.as_str())
                    .unwrap_or("");
                let message = if let Some(token) = find_token(&word.value) {
                    Some(format!(
                        "`RUN` contains {} (`{}`), which is stored in the image history",
                        token.kind,
                        redact(word.value.get(token.range.clone()).unwrap_or_default())
                    ))
                } else {
                    args.iter()
                        .find(|arg| {
                            references(&word.raw, arg)
                                && credential_use(word, arg, previous, is_login)
                        })
                        .map(|arg| {
                            format!(
                                "`RUN` passes build argument `{arg}` as a credential; its value is stored in the image history"
                            )
                        })
                };
                if let Some(message) = message {
                    let span = ctx.script_span(script, word.range.clone());
                    out.push(Diagnostic::new(&Self::INFO, span, message).with_help(HELP));
                }
            }
        }
    }
}

/// Byte offsets where `text` references variable `name` (`$name`, `${name…}`).
fn reference_offsets(text: &str, name: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices('$') {
        let rest = text.get(i + 1..).unwrap_or("");
        let (braced, rest) = match rest.strip_prefix('{') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if let Some(after) = rest.strip_prefix(name) {
            let next = after.chars().next();
            let ends = if braced {
                matches!(next, Some('}' | ':' | '-' | '+' | '?' | '#' | '%' | '/'))
            } else {
                !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            if ends {
                out.push(i);
            }
        }
    }
    out
}

fn references(text: &str, name: &str) -> bool {
    !reference_offsets(text, name).is_empty()
}

/// Is the reference to `arg` in `word` in a credential position?
fn credential_use(word: &ShellWord, arg: &str, previous: &str, is_login: bool) -> bool {
    let raw = word.raw.as_str();
    let lower = raw.to_ascii_lowercase();
    if CREDENTIAL_OPTIONS.contains(&previous) || (is_login && previous == "-p") {
        return true;
    }
    if let Some((name, _)) = raw.split_once('=') {
        let name = name.trim_start_matches('-');
        if CREDENTIAL_OPTIONS.contains(&format!("--{name}").as_str())
            || (!name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && is_secret_name(name))
        {
            return true;
        }
    }
    if CREDENTIAL_MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    // URL userinfo: `scheme://user:$ARG@host` (the `@` is before the path).
    if let Some(scheme) = raw.find("://") {
        let host_start = scheme + 3;
        let rest = raw.get(host_start..).unwrap_or("");
        let authority = rest.split('/').next().unwrap_or(rest);
        if let Some(at) = authority.rfind('@') {
            return reference_offsets(raw, arg)
                .iter()
                .any(|&offset| offset >= host_start && offset < host_start + at);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(raw: &str) -> ShellWord {
        ShellWord {
            raw: raw.to_string(),
            value: raw.to_string(),
            range: 0..raw.len(),
            quoted: false,
            has_expansion: true,
        }
    }

    #[test]
    fn finds_references() {
        assert!(references("$GH", "GH"));
        assert!(references("x${GH}y", "GH"));
        assert!(references("${GH:-x}", "GH"));
        assert!(!references("$GHX", "GH"));
        assert!(!references("GH", "GH"));
    }

    #[test]
    fn credential_positions() {
        assert!(credential_use(
            &word("https://u:${GH}@github.com/x"),
            "GH",
            "",
            false
        ));
        assert!(!credential_use(
            &word("https://github.com/${GH}/x@y"),
            "GH",
            "",
            false
        ));
        assert!(credential_use(&word("$PW"), "PW", "--password", false));
        assert!(credential_use(&word("$PW"), "PW", "-p", true));
        assert!(!credential_use(&word("$PORT"), "PORT", "-p", false));
        assert!(credential_use(
            &word("Authorization: Bearer $T"),
            "T",
            "-H",
            false
        ));
        assert!(credential_use(&word("GITHUB_TOKEN=$GH"), "GH", "", false));
        assert!(!credential_use(&word("VERSION=$V"), "V", "", false));
        assert!(!credential_use(&word("$V"), "V", "install", false));
    }
}
