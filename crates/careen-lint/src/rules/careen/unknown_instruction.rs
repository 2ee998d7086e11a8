use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Instruction, InstructionKind, Keyword};

rule! {
    /// ## What it does
    /// Checks for instructions that are not Dockerfile instructions.
    ///
    /// ## Why is this bad?
    /// The parser accepts any word at the start of a line, but BuildKit stops
    /// the build when it reaches an instruction it does not know. A typo such
    /// as `COPPY` or a line left over from a broken continuation therefore
    /// fails the build, often after minutes of earlier steps.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPPY app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app /app
    /// ```
    pub(crate) struct UnknownInstruction {
        code: "CR0001",
        name: "unknown-instruction",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

fn suggestion(word: &str) -> Option<&'static str> {
    let upper = word.to_ascii_uppercase();
    if upper.len() > 20 {
        return None;
    }
    KNOWN
        .iter()
        .map(|known| (strsim::levenshtein(&upper, known), *known))
        .filter(|(d, known)| *d <= 2 && *d < known.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

fn check_instruction(
    instruction: &Instruction,
    ctx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    depth: u32,
) {
    if depth > 4 {
        return;
    }
    match &instruction.kind {
        InstructionKind::Onbuild(inner) => check_instruction(inner, ctx, out, depth + 1),
        _ => {
            if let Keyword::Unknown(_) = instruction.keyword {
                let span = instruction.keyword_span;
                let written = ctx.source().get(span.range()).unwrap_or("").to_string();
                let help = match suggestion(&written) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => {
                        "use one of the Dockerfile instructions (FROM, RUN, COPY, …)".to_string()
                    }
                };
                out.push(
                    Diagnostic::new(
                        &UnknownInstruction::INFO,
                        span,
                        format!(
                            "`{written}` is not a Dockerfile instruction; the build stops here"
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

impl Rule for UnknownInstruction {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            check_instruction(instruction, ctx, out, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keywords() {
        assert_eq!(suggestion("COPPY"), Some("COPY"));
        assert_eq!(suggestion("entrypiont"), Some("ENTRYPOINT"));
        assert_eq!(suggestion("XYZZYQ"), None);
    }
}
