use super::hadolint_shell::{drop_quotes, flag_value_as_written};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::HashSet;

rule! {
    /// ## What it does
    /// Checks for `COPY --from` naming no earlier stage.
    ///
    /// ## Why is this bad?
    /// A `--from` value that is not a stage name is pulled as an image. A typo in a
    /// stage name, or a reference to a stage defined later, thus silently
    /// downloads an image from a registry instead of failing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// FROM debian:12
    /// COPY --from=biuld /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// FROM debian:12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same as hadolint: values with a `:` (image references such as
    /// `nginx:1.27`) and stage numbers below the number of FROMs so far are
    /// accepted; names compare case-sensitively and as written, so an image name
    /// without a tag (`--from=nginx`) or a variable is flagged.
    pub(crate) struct CopyFromUnknownStage {
        code: "DL3022",
        name: "copy-from-unknown-stage",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// The leading decimal number of `text`, as Haskell's `decimal` reads it.
fn leading_number(text: &str) -> Option<u128> {
    let digits: String = text
        .chars()
        .take_while(char::is_ascii_digit)
        .take(30)
        .collect();
    digits.parse().ok()
}

impl Rule for CopyFromUnknownStage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut names: HashSet<&str> = HashSet::new();
        let mut count: u128 = 0;
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::From(from) => {
                    count += 1;
                    if let Some(alias) = &from.alias {
                        names.insert(alias.value.as_str());
                    }
                }
                InstructionKind::Copy(_) => {
                    let Some(flag) = instruction.flag("from") else {
                        continue;
                    };
                    let value = flag_value_as_written(ctx, flag);
                    let known = drop_quotes(value).contains(':')
                        || names.contains(value)
                        || leading_number(value).is_some_and(|n| n < count);
                    if !known {
                        out.push(
                            Diagnostic::new(
                                &Self::INFO,
                                flag.span,
                                format!("`COPY --from={value}` names no earlier stage"),
                            )
                            .with_help("use the name of a stage defined above, or a tagged image"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
