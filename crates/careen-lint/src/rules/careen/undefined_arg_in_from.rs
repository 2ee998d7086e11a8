use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::BTreeSet;

rule! {
    /// ## What it does
    /// Checks that every variable used in a `FROM` line is declared by an
    /// `ARG` before the first `FROM`.
    ///
    /// ## Why is this bad?
    /// Only global `ARG`s (and the automatic platform arguments such as
    /// `TARGETPLATFORM` and `BUILDARCH`) are visible to `FROM`. An `ARG`
    /// declared inside a stage, or not at all, expands to an empty string, so
    /// `FROM python:${PY_VERSION}` turns into `FROM python:` and the build
    /// fails or pulls something unexpected. BuildKit's build checks warn about
    /// it (`UndefinedArgInFrom`). A reference with a default
    /// (`${PY_VERSION:-3.12}`) is not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:${PY_VERSION}-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG PY_VERSION=3.12
    /// FROM python:${PY_VERSION}-slim
    /// ```
    pub(crate) struct UndefinedArgInFrom {
        code: "CR0006",
        name: "undefined-arg-in-from",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// Arguments BuildKit defines for every build.
const AUTOMATIC: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Variable references in `text` without a default: `$NAME`, `${NAME}`,
/// `${NAME%…}`; `${NAME:-x}`/`${NAME-x}`/`${NAME:+x}` have one. Hand-written:
/// the expand module evaluates words but does not list their references.
pub(crate) fn references(text: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == escape {
            i += 2;
            continue;
        }
        if c != '$' {
            i += 1;
            continue;
        }
        i += 1;
        let braced = chars.get(i) == Some(&'{');
        if braced {
            i += 1;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        if name.is_empty() {
            continue;
        }
        let has_default = braced
            && matches!(
                (chars.get(i), chars.get(i + 1)),
                (Some(':'), Some('-' | '+')) | (Some('-' | '+'), _)
            );
        if !has_default {
            out.push(name);
        }
    }
    out
}

impl Rule for UndefinedArgInFrom {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut global: BTreeSet<String> = BTreeSet::new();
        let mut seen_from = false;
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::Arg(args) if !seen_from => {
                    global.extend(args.iter().map(|a| a.name.value.clone()));
                }
                InstructionKind::From(from) => {
                    seen_from = true;
                    let mut texts = vec![(from.image.value.clone(), from.image.span)];
                    if let Some(platform) = instruction.flag("platform") {
                        if let Some(value) = &platform.value {
                            texts.push((value.clone(), platform.span));
                        }
                    }
                    for (text, span) in texts {
                        for name in references(&text, ctx.dockerfile.escape) {
                            if global.contains(&name) || AUTOMATIC.contains(&name.as_str()) {
                                continue;
                            }
                            out.push(
                                Diagnostic::new(
                                    &Self::INFO,
                                    span,
                                    format!("`{name}` is not declared by an `ARG` before the first `FROM`"),
                                )
                                .with_help(format!(
                                    "add `ARG {name}=<default>` at the top of the file"
                                )),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_without_defaults() {
        assert_eq!(references("python:${PY}-slim", '\\'), ["PY"]);
        assert_eq!(references("$REG/app:$TAG", '\\'), ["REG", "TAG"]);
        assert!(references("python:${PY:-3.12}", '\\').is_empty());
        assert!(references("python:${PY-3.12}", '\\').is_empty());
        assert!(references("python:3.12", '\\').is_empty());
        assert!(references("a\\$B", '\\').is_empty());
        assert_eq!(references("${A%%-*}", '\\'), ["A"]);
    }
}
