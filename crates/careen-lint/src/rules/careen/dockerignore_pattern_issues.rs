use super::secrets::{secret_file_kind, MAX_SECRET_FILE_BYTES};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::dockerignore::{DockerIgnore, IgnorePattern};
use careen_dockerfile::{Pos, Span};
use std::collections::BTreeMap;

rule! {
    /// ## What it does
    /// Checks `.dockerignore` for lines that do not do what they seem to: comments that are patterns, root-only patterns with nested matches, and `!` exceptions that re-include secrets or are undone by a later line.
    ///
    /// ## Why is this bad?
    /// `.dockerignore` looks like `.gitignore` but is read differently, and a
    /// line that silently does nothing lets files into the image:
    /// - only a `#` at the very start of a line begins a comment: an indented
    ///   `# note` is a pattern, and `node_modules # deps` looks for a file
    ///   literally named `node_modules # deps`;
    /// - a pattern without `/` matches at the context root only: `__pycache__`
    ///   does not exclude `src/__pycache__` (write `**/__pycache__`); this is
    ///   reported when the context has such nested, sent entries;
    /// - an exception (`!pattern`) that brings back a secret file (an `.env`,
    ///   a private key, credentials) undoes the protection;
    /// - the last matching line wins, so an exception followed by a broader
    ///   exclusion (`!README.md` then `*.md`) has no effect.
    ///
    /// Findings are reported in the `.dockerignore` file. The root-only,
    /// secret and undone-exception checks need the build context.
    ///
    /// ## Example
    /// ```text
    /// node_modules   # dependencies
    /// __pycache__
    /// !README.md
    /// *.md
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// # dependencies
    /// **/node_modules
    /// **/__pycache__
    /// *.md
    /// !README.md
    /// ```
    pub(crate) struct DockerignorePatternIssues {
        code: "CR4001",
        name: "dockerignore-pattern-issues",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for DockerignorePatternIssues {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        let Some(ignore) = &context.ignore else {
            return;
        };
        let text = ignore.text.strip_prefix('\u{feff}').unwrap_or(&ignore.text);
        let Ok(rules) = DockerIgnore::parse(text) else {
            return;
        };
        // (line → message, help)
        let mut findings: BTreeMap<u32, (String, String)> = BTreeMap::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let raw = raw.trim_end_matches('\r');
            let trimmed = raw.trim();
            if !raw.starts_with('#') && trimmed.starts_with('#') {
                findings.insert(
                    line,
                    (
                        format!("`{trimmed}` is a pattern, not a comment: only a `#` at the start of a line begins a comment"),
                        "remove the indentation before `#`".to_string(),
                    ),
                );
            } else if !raw.starts_with('#') {
                if let Some(at) = trimmed.find(" #").or_else(|| trimmed.find("\t#")) {
                    let pattern = trimmed.get(..at).unwrap_or(trimmed).trim_end();
                    findings.insert(
                        line,
                        (
                            format!("the comment in `{trimmed}` is part of the pattern, so it matches nothing"),
                            format!("put the comment on its own line and keep `{pattern}`"),
                        ),
                    );
                }
            }
        }
        for pattern in &rules.patterns {
            if findings.contains_key(&pattern.line) {
                continue;
            }
            if let Some(finding) = root_only(pattern, &rules, context) {
                findings.insert(pattern.line, finding);
            } else if pattern.exclusion {
                if let Some(finding) = reincluded_secret(pattern, context) {
                    findings.insert(pattern.line, finding);
                } else if let Some(finding) = undone_exception(pattern, &rules, context) {
                    findings.insert(pattern.line, finding);
                }
            }
        }
        for (line, (message, help)) in findings {
            out.push(
                Diagnostic::new(&Self::INFO, line_span(text, line), message)
                    .with_help(help)
                    .in_file(&ignore.path),
            );
        }
    }
}

type Finding = (String, String);

/// A root-only exclusion (no `/`, not `**`-prefixed) whose name also occurs
/// deeper in the context, where it is sent and no line decides about it
/// (an entry re-included on purpose by an exception is fine).
fn root_only(
    pattern: &IgnorePattern,
    rules: &DockerIgnore,
    context: &crate::BuildContext,
) -> Option<Finding> {
    if pattern.exclusion || pattern.text.contains('/') || pattern.text.starts_with("**") {
        return None;
    }
    let nested = context.files.iter().find(|f| {
        !f.ignored
            && rules.matching_pattern(&f.path).is_none()
            && f.path
                .rsplit_once('/')
                .is_some_and(|(_, name)| pattern.matches(name))
    })?;
    Some((
        format!(
            "`{}` only matches at the root of the context, so `{}` is still sent",
            pattern.text, nested.path
        ),
        format!("write `**/{}` to match it in every directory", pattern.text),
    ))
}

/// The pattern matches `path` or one of its parent directories.
fn covers(pattern: &IgnorePattern, path: &str) -> bool {
    pattern.matches(path)
        || path
            .match_indices('/')
            .any(|(i, _)| path.get(..i).is_some_and(|p| pattern.matches(p)))
}

/// An exception that brings a secret file back into the context.
fn reincluded_secret(pattern: &IgnorePattern, context: &crate::BuildContext) -> Option<Finding> {
    let (file, kind) = context
        .files
        .iter()
        .filter(|f| !f.ignored && !f.is_dir && covers(pattern, &f.path))
        .find_map(|f| {
            secret_file_kind(&f.path, || {
                context.read_text(&f.path, MAX_SECRET_FILE_BYTES)
            })
            .map(|kind| (f, kind))
        })?;
    Some((
        format!(
            "`!{}` re-includes `{}` ({kind}) in the build context",
            pattern.text, file.path
        ),
        "narrow the exception so that it does not match secret files".to_string(),
    ))
}

/// An exception whose every match is excluded again by a later line.
fn undone_exception(
    pattern: &IgnorePattern,
    rules: &DockerIgnore,
    context: &crate::BuildContext,
) -> Option<Finding> {
    let mut matched = context
        .files
        .iter()
        .filter(|f| covers(pattern, &f.path))
        .peekable();
    matched.peek()?;
    let mut later: Option<&IgnorePattern> = None;
    for file in matched {
        let decided = rules.matching_pattern(&file.path)?;
        if decided.exclusion || decided.line <= pattern.line {
            return None;
        }
        later.get_or_insert(decided);
    }
    let later = later?;
    Some((
        format!(
            "`!{}` has no effect: `{}` on line {} excludes the same files again",
            pattern.text, later.text, later.line
        ),
        "move the exception below the exclusion it should override".to_string(),
    ))
}

/// Span of 1-based `line` of `text`.
fn line_span(text: &str, line: u32) -> Span {
    let mut offset = 0;
    for (index, raw) in text.split('\n').enumerate() {
        if index + 1 == line as usize {
            let end = offset + raw.trim_end_matches('\r').len();
            let chars =
                u32::try_from(raw.trim_end_matches('\r').chars().count()).unwrap_or(u32::MAX);
            return Span::new(
                Pos {
                    line,
                    column: 1,
                    offset,
                },
                Pos {
                    line,
                    column: chars.saturating_add(1),
                    offset: end,
                },
            );
        }
        offset += raw.len() + 1;
    }
    let pos = Pos {
        line,
        column: 1,
        offset: text.len(),
    };
    Span::new(pos, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_spans() {
        let text = "a\nbcd\r\ne";
        let span = line_span(text, 2);
        assert_eq!((span.start.offset, span.end.offset), (2, 5));
        assert_eq!(span.end.column, 4);
        assert_eq!(line_span(text, 3).start.offset, 7);
    }

    #[test]
    fn covers_parents() {
        let rules = DockerIgnore::parse("keys").unwrap();
        let pattern = &rules.patterns[0];
        assert!(covers(pattern, "keys/id_rsa"));
        assert!(!covers(pattern, "src/keys"));
    }
}
