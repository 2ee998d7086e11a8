use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::BTreeSet;

rule! {
    /// ## What it does
    /// Checks for an `ENV` that uses a variable it defines itself.
    ///
    /// ## Why is this bad?
    /// All values of one `ENV` are expanded before any of its variables is
    /// set, so `ENV A=1 B=$A` sets `B` to the *old* value of `A` (often empty),
    /// not to `1`. Split the instruction so the definition comes first.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/app APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended. As hadolint does: a variable already defined by an
    /// earlier `ENV` or `ARG` (anywhere above, only the first name of an `ARG`
    /// counts) is not reported; `$X` and `${X}` count but `${X:-…}` does not;
    /// a value referring to its own name (`PATH=$PATH:/x`) is fine; the order
    /// of the pairs does not matter.
    pub(crate) struct EnvSelfReference {
        code: "DL3044",
        name: "env-self-reference",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

/// True for characters that can continue a shell variable name.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `text` refers to `name` as `${name}` or as `$name` not followed
/// by a name character.
pub(crate) fn refers_to(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    if text.contains(&format!("${{{name}}}")) {
        return true;
    }
    let bare = format!("${name}");
    let mut rest = text;
    while let Some(at) = rest.find(&bare) {
        let after = &rest[at + bare.len()..];
        if !after.chars().next().is_some_and(is_name_char) {
            return true;
        }
        rest = after;
    }
    false
}

impl Rule for EnvSelfReference {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut defined: BTreeSet<&str> = BTreeSet::new();
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::Env(pairs) => {
                    let culprit = pairs.iter().enumerate().find(|(index, pair)| {
                        !defined.contains(pair.key.value.as_str())
                            && pairs.iter().enumerate().any(|(other, value)| {
                                other != *index && refers_to(&value.value.value, &pair.key.value)
                            })
                    });
                    if let Some((_, pair)) = culprit {
                        out.push(
                            Diagnostic::new(
                                &Self::INFO,
                                pair.key.span,
                                format!(
                                    "`{}` is defined and used in the same `ENV`",
                                    pair.key.value
                                ),
                            )
                            .with_help("define the variable in an earlier `ENV`"),
                        );
                    }
                    defined.extend(pairs.iter().map(|p| p.key.value.as_str()));
                }
                InstructionKind::Arg(args) => {
                    if let Some(first) = args.first() {
                        defined.insert(first.name.value.as_str());
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
    fn references() {
        assert!(refers_to("$A", "A"));
        assert!(refers_to("x${A}y", "A"));
        assert!(refers_to("$A/bin", "A"));
        assert!(!refers_to("$AB", "A"));
        assert!(refers_to("$AB $A", "A"));
        assert!(!refers_to("${A:-1}", "A"));
        assert!(!refers_to("A", "A"));
    }
}
