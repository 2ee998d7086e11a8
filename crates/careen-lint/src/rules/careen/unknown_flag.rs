use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Instruction, InstructionKind, Keyword};

rule! {
    /// ## What it does
    /// Checks for flags an instruction does not take, such as `COPY --chmown`
    /// or `RUN --mount` on `COPY`, and for `--mount` options of an unknown type.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses the whole Dockerfile with `unknown flag` when an
    /// instruction carries a flag it does not know, so a typo in a flag fails
    /// the build. Other builders may ignore the flag silently instead, which
    /// is worse: `--chmown=app` then leaves the files owned by root.
    ///
    /// Known flags: `FROM --platform`; `RUN --mount --network --security`;
    /// `COPY --from --chown --chmod --link --parents --exclude`;
    /// `ADD --chown --chmod --link --keep-git-dir --checksum --unpack --exclude`;
    /// `HEALTHCHECK --interval --timeout --start-period --start-interval --retries`.
    /// Other instructions take no flags.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chmown=app:app src/ /app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY --chown=app:app src/ /app/
    /// ```
    ///
    /// ## Fix
    /// When the flag is one letter away from exactly one known flag of the
    /// instruction, the fix renames it (unsafe: check that it is what you meant).
    pub(crate) struct UnknownFlag {
        code: "CR0008",
        name: "unknown-flag",
        severity: Error,
        fix: Sometimes,
        enabled: true,
    }
}

fn known_flags(keyword: &Keyword) -> &'static [&'static str] {
    match keyword {
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security", "device"],
        Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Keyword::Add => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "unpack",
            "exclude",
        ],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

/// The single known flag one edit away from `name`, if exactly one is.
fn near_miss(name: &str, known: &'static [&'static str]) -> Option<&'static str> {
    let mut close = known
        .iter()
        .filter(|k| strsim::levenshtein(name, k) == 1)
        .copied();
    let first = close.next()?;
    close.next().is_none().then_some(first)
}

fn check_instruction(instruction: &Instruction, out: &mut Vec<Diagnostic>) {
    if let InstructionKind::Onbuild(inner) = &instruction.kind {
        check_instruction(inner, out);
        return;
    }
    if matches!(instruction.keyword, Keyword::Unknown(_)) {
        return;
    }
    let known = known_flags(&instruction.keyword);
    let keyword = instruction.keyword.as_str().to_ascii_uppercase();
    for flag in &instruction.flags {
        let name = flag.name.to_ascii_lowercase();
        if !known.contains(&name.as_str()) {
            let message = if known.is_empty() {
                format!("`{keyword}` takes no flags, but has `--{}`", flag.name)
            } else {
                format!("`{keyword}` has no flag `--{}`", flag.name)
            };
            let mut diagnostic = Diagnostic::new(&UnknownFlag::INFO, flag.span, message);
            if let Some(suggested) = near_miss(&name, known) {
                diagnostic = diagnostic
                    .with_help(format!("did you mean `--{suggested}`?"))
                    .with_fix(Fix::unsafe_(
                        format!("Rename to `--{suggested}`"),
                        vec![Edit::replace(
                            flag.span.start.offset + 2
                                ..flag.span.start.offset + 2 + flag.name.len(),
                            suggested,
                        )],
                    ));
            } else if !known.is_empty() {
                diagnostic = diagnostic.with_help(format!(
                    "`{keyword}` takes {}",
                    known
                        .iter()
                        .map(|k| format!("`--{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            out.push(diagnostic);
            continue;
        }
        if name == "mount" {
            let value = flag.value.as_deref().unwrap_or("");
            let kind = value
                .split(',')
                .find_map(|part| part.trim().strip_prefix("type="))
                .unwrap_or("bind");
            if !kind.contains('$') && !MOUNT_TYPES.contains(&kind) {
                out.push(
                    Diagnostic::new(
                        &UnknownFlag::INFO,
                        flag.span,
                        format!("`--mount` has unknown type `{kind}`"),
                    )
                    .with_help("mount types are `bind`, `cache`, `tmpfs`, `secret` and `ssh`"),
                );
            }
        }
    }
}

impl Rule for UnknownFlag {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            check_instruction(instruction, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        assert_eq!(
            near_miss("chmown", known_flags(&Keyword::Copy)),
            Some("chown")
        );
        assert_eq!(near_miss("frm", known_flags(&Keyword::Copy)), Some("from"));
        assert_eq!(near_miss("banana", known_flags(&Keyword::Copy)), None);
    }
}
