use super::hadolint_shell::{drop_quotes, is_archive};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for ADD of local files and folders, which COPY does the same way.
    ///
    /// ## Why is this bad?
    /// ADD also downloads URLs and unpacks local archives. Used for plain files it
    /// hides that nothing special is meant, and renaming a file to `.tar.gz` later
    /// silently changes what the instruction does. COPY only copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD app.py /srv/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY app.py /srv/
    /// ```
    ///
    /// ## Fix
    /// Replaces ADD with COPY. Safe: offered only when no source is a URL, a
    /// git reference or an archive and no ADD-only flag (`--checksum`,
    /// `--keep-git-dir`, `--unpack`) is given, so the files copied are the same.
    ///
    /// ## Differences from hadolint
    /// Same as hadolint: ADD is accepted only when every source is an
    /// `http://`/`https://` URL (lowercase) or ends with an archive suffix of
    /// hadolint's list (`.tar`, `.gz`, `.tgz`, `.xz`, `.bz2`, …; `.zip` is not
    /// one). Git URLs, `ftp://` and `.zip` sources are flagged.
    pub(crate) struct AddInsteadOfCopy {
        code: "DL3020",
        name: "add-instead-of-copy",
        severity: Error,
        fix: Sometimes,
        enabled: true,
    }
}

fn is_url(source: &str) -> bool {
    let source = drop_quotes(source);
    source.starts_with("https://") || source.starts_with("http://")
}

/// A source ADD may fetch rather than copy.
fn is_remote(source: &str) -> bool {
    let lower = drop_quotes(source).to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("git@")
}

impl Rule for AddInsteadOfCopy {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Add(add) = &instruction.kind else {
                continue;
            };
            let Some(local) = add
                .sources
                .iter()
                .find(|s| !is_archive(&s.value) && !is_url(&s.value))
            else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                instruction.keyword_span,
                format!(
                    "ADD source `{}` is neither an http(s) URL nor a local archive",
                    local.value
                ),
            )
            .with_help("use COPY to copy files and folders");
            let add_only_flag = instruction
                .flags
                .iter()
                .any(|f| matches!(f.name.as_str(), "checksum" | "keep-git-dir" | "unpack"));
            let plain = add
                .sources
                .iter()
                .all(|s| !is_remote(&s.value) && !is_archive(&s.value));
            if plain && !add_only_flag {
                let written = ctx
                    .source()
                    .get(instruction.keyword_span.range())
                    .unwrap_or("ADD");
                let keyword = if written.chars().all(|c| c.is_ascii_lowercase()) {
                    "copy"
                } else {
                    "COPY"
                };
                diagnostic = diagnostic.with_fix(Fix::safe(
                    "Replace ADD with COPY",
                    vec![Edit::replace(instruction.keyword_span.range(), keyword)],
                ));
            }
            out.push(diagnostic);
        }
    }
}
