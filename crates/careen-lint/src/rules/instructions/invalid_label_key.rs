use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::expand::unquote;
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that label keys follow Docker's key format.
    ///
    /// ## Why is this bad?
    /// Docker recommends label keys of lowercase letters, digits, `.`, `-`,
    /// `_` and `/`, starting with a letter and ending with a letter or digit,
    /// without repeated separators, and reserves the `com.docker.*`,
    /// `io.docker.*` and `org.dockerproject.*` namespaces. Keys outside this
    /// format are hard to query and may clash with tooling.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL Version=1.0 com.docker.owner=me
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.version=1.0 com.example.owner=me
    /// ```
    pub(crate) struct InvalidLabelKey {
        code: "DL3048",
        name: "invalid-label-key",
        severity: Style,
        fix: None,
        enabled: true,
    }
}

/// Why `key` is not a valid label key, if it is not.
fn problem(key: &str) -> Option<&'static str> {
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a lowercase letter");
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("must end with a lowercase letter or digit");
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/'))
    {
        return Some("may only contain lowercase letters, digits, `.`, `-`, `_` and `/`");
    }
    if ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|p| key.starts_with(p))
    {
        return Some("uses a namespace reserved by Docker");
    }
    if key.contains("..") || key.contains("--") {
        return Some("has repeated separators");
    }
    None
}

impl Rule for InvalidLabelKey {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let escape = ctx.dockerfile.escape;
        for instruction in ctx.instructions() {
            let InstructionKind::Label(pairs) = &instruction.kind else {
                continue;
            };
            for pair in pairs {
                let key = unquote(&pair.key.value, escape);
                if let Some(problem) = problem(&key) {
                    out.push(
                        Diagnostic::new(
                            &Self::INFO,
                            pair.key.span,
                            format!("label key `{key}` {problem}"),
                        )
                        .with_help("use a lowercase reverse-DNS key such as `com.example.name`"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(problem("a.b-c_d/e"), None);
        assert_eq!(problem("maintainer"), None);
        assert!(problem("A").is_some());
        assert!(problem("1a").is_some());
        assert!(problem("a.").is_some());
        assert!(problem("a_").is_some());
        assert!(problem("a..b").is_some());
        assert!(problem("a--b").is_some());
        assert!(problem("a b").is_some());
        assert!(problem("com.docker.x").is_some());
        assert!(problem("").is_some());
        assert_eq!(problem("a__b"), None);
    }
}
