use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{InstructionKind, KeyValue};

rule! {
    /// ## What it does
    /// Checks for `ENV key value` and `LABEL key value`, the legacy
    /// space-separated form, instead of `key=value`.
    ///
    /// ## Why is this bad?
    /// The legacy form sets exactly one variable and takes the whole rest of
    /// the line as its value, so `ENV A 1 B 2` sets `A` to `1 B 2` rather than
    /// two variables. The Dockerfile reference deprecates it and BuildKit's
    /// build checks warn about it (`LegacyKeyValueFormat`).
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV PYTHONUNBUFFERED 1
    /// ENV JAVA_OPTS -Xms256m -Xmx512m
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ENV PYTHONUNBUFFERED=1
    /// ENV JAVA_OPTS="-Xms256m -Xmx512m"
    /// ```
    ///
    /// ## Fix
    /// Rewrites the pair as `key=value`, quoting a value that contains spaces.
    /// Safe: the variable gets the same value. Not offered when the value has
    /// quotes or escapes of its own, or spans several lines.
    pub(crate) struct LegacyKeyValueFormat {
        code: "CR0005",
        name: "legacy-key-value-format",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

fn fix(ctx: &Context<'_>, pair: &KeyValue) -> Option<Fix> {
    let value = &pair.value.value;
    if value.is_empty() || ctx.source().get(pair.value.span.range()) != Some(value.as_str()) {
        return None;
    }
    let gap = pair.key.span.end.offset..pair.value.span.start.offset;
    let separator = ctx.source().get(gap.clone())?;
    if separator.contains('\n') || !separator.chars().all(char::is_whitespace) {
        return None;
    }
    let has_space = value.chars().any(char::is_whitespace);
    let escape = ctx.dockerfile.escape;
    // A value quoted as a whole (`"hello world"`) keeps its quotes.
    let whole_quoted = ['"', '\''].iter().any(|&q| {
        value.len() >= 2
            && value.starts_with(q)
            && value.ends_with(q)
            && value[1..value.len() - 1]
                .chars()
                .all(|c| c != q && c != escape)
    });
    if whole_quoted {
        return Some(Fix::safe("Use `key=value`", vec![Edit::replace(gap, "=")]));
    }
    if has_space && value.chars().any(|c| c == '"' || c == '\'' || c == escape) {
        return None;
    }
    let mut edits = vec![Edit::replace(gap, "=")];
    if has_space {
        edits.push(Edit::insert(pair.value.span.start.offset, "\""));
        edits.push(Edit::insert(pair.value.span.end.offset, "\""));
    }
    Some(Fix::safe("Use `key=value`", edits))
}

impl Rule for LegacyKeyValueFormat {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let (keyword, pairs) = match &instruction.kind {
                InstructionKind::Env(pairs) => ("ENV", pairs),
                InstructionKind::Label(pairs) => ("LABEL", pairs),
                _ => continue,
            };
            for pair in pairs.iter().filter(|p| p.legacy) {
                let key = &pair.key.value;
                let mut diagnostic = Diagnostic::new(
                    &Self::INFO,
                    pair.key.span,
                    format!("`{keyword} {key}` uses the legacy space-separated form"),
                )
                .with_help(format!("write `{keyword} {key}=…`"));
                if let Some(fix) = fix(ctx, pair) {
                    diagnostic = diagnostic.with_fix(fix);
                }
                out.push(diagnostic);
            }
        }
    }
}
