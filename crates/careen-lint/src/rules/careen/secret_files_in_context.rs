use super::copy_sources::files_sent;
use super::secrets::{ignore_line_for, secret_file_kind, MAX_SECRET_FILE_BYTES};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use std::collections::{BTreeMap, BTreeSet};

rule! {
    /// ## What it does
    /// Checks for `COPY`/`ADD` that send secret files of the build context into the image: `.env` files, private keys, registry credentials or the `.git` directory.
    ///
    /// ## Why is this bad?
    /// Whatever a `COPY` takes from the context ends up in a layer, and
    /// layers are readable by anyone who can pull the image, even when a later
    /// step deletes the file. A whole-context `COPY . .` picks up everything
    /// `.dockerignore` does not exclude, so a missing line there is enough to
    /// publish a credential.
    ///
    /// The rule looks at the files each `COPY`/`ADD` actually sends (after
    /// `.dockerignore`) and reports:
    /// - `.env` and `.env.*` (not `.env.example`, `.env.sample`, `.env.template`, `.env.dist`);
    /// - SSH private keys (`id_rsa`, `id_ed25519`, …), `*.p12`/`*.pfx` key stores,
    ///   and `*.pem`/`*.key` files holding a `PRIVATE KEY` block;
    /// - `.npmrc` with `_authToken`/`_auth`/`_password`, `.pypirc` and `.netrc`
    ///   with a password, `.git-credentials` with a password in a URL,
    ///   `.docker/config.json` with registry auth, `.aws/credentials` with a
    ///   secret access key (values that are `${VARIABLE}` references are fine);
    /// - the `.git` directory (history, remotes and sometimes tokens).
    ///
    /// It needs the build context and does nothing with `--no-context`.
    /// `COPY --from=…` copies from a stage, not the context, and is not checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// # the context has .env and no .dockerignore
    /// FROM node:22
    /// COPY . /app
    /// ```
    ///
    /// Use instead: add the files to `.dockerignore`
    /// ```text
    /// .env
    /// .git
    /// ```
    pub(crate) struct SecretFilesInContext {
        code: "CR3002",
        name: "secret-files-in-context",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

/// Files named in one message; the rest are counted.
const MAX_NAMED: usize = 4;

impl Rule for SecretFilesInContext {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        let escape = ctx.dockerfile.escape;
        // Classification per path, shared by every COPY.
        let mut verdicts: BTreeMap<&str, Option<&'static str>> = BTreeMap::new();
        for instruction in ctx.instructions() {
            let sources = files_sent(instruction, context, escape);
            let mut found: BTreeMap<String, &'static str> = BTreeMap::new();
            let mut span = None;
            for source in &sources {
                for file in &source.files {
                    let verdict = *verdicts.entry(file.path.as_str()).or_insert_with(|| {
                        secret_file_kind(&file.path, || {
                            context.read_text(&file.path, MAX_SECRET_FILE_BYTES)
                        })
                    });
                    if let Some(kind) = verdict {
                        // `.git/**` is one finding, not one per object file.
                        let shown = match ignore_line_for(&file.path) {
                            line if line.ends_with(".git") => line,
                            _ => file.path.clone(),
                        };
                        found.entry(shown).or_insert(kind);
                        span.get_or_insert(source.word.span);
                    }
                }
            }
            let Some(span) = span else {
                continue;
            };
            let mut named: Vec<String> = found
                .iter()
                .take(MAX_NAMED)
                .map(|(path, kind)| format!("`{path}` ({kind})"))
                .collect();
            if found.len() > MAX_NAMED {
                named.push(format!("{} more", found.len() - MAX_NAMED));
            }
            let lines: BTreeSet<String> = found.keys().map(|path| ignore_line_for(path)).collect();
            let keyword = instruction.keyword.as_str().to_ascii_uppercase();
            let message = format!(
                "`{keyword}` sends secret files into the image: {}",
                named.join(", ")
            );
            let ignore = match &context.ignore {
                Some(file) => format!(
                    "`{}`",
                    file.path.file_name().unwrap_or_default().to_string_lossy()
                ),
                None => "a new `.dockerignore`".to_string(),
            };
            let help = format!(
                "add {} to {ignore}, and pass secrets with `RUN --mount=type=secret` instead",
                lines
                    .iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push(Diagnostic::new(&Self::INFO, span, message).with_help(help));
        }
    }
}
