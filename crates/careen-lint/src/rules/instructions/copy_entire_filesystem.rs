use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `COPY --from=… / /`, copying a whole stage's filesystem.
    ///
    /// ## Why is this bad?
    /// Copying `/` brings everything of the other stage along: package
    /// caches, compilers, shells and `/etc` files that overwrite this stage's.
    /// The image grows, and the result depends on the other stage in ways
    /// that are hard to see. Copy only the files the image needs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build / /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /out/app /app
    /// ```
    pub(crate) struct CopyEntireFilesystem {
        code: "DL3067",
        name: "copy-entire-filesystem",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// The path without one pair of surrounding quotes.
fn strip_quotes(path: &str) -> &str {
    path.trim_start_matches(['"', '\''])
        .trim_end_matches(['"', '\''])
}

impl Rule for CopyEntireFilesystem {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Copy(copy) = &instruction.kind else {
                continue;
            };
            if instruction.flag("from").is_none() || strip_quotes(&copy.dest.value) != "/" {
                continue;
            }
            if let Some(root) = copy.sources.iter().find(|s| strip_quotes(&s.value) == "/") {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        root.span,
                        "the whole filesystem of another stage is copied over `/`",
                    )
                    .with_help("copy only the files this image needs"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_quotes() {
        assert_eq!(strip_quotes("\"/\""), "/");
        assert_eq!(strip_quotes("'/'"), "/");
        assert_eq!(strip_quotes("/a"), "/a");
    }
}
