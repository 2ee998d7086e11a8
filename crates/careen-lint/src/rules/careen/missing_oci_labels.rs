use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that the final image carries the OCI labels that say where it
    /// comes from: `org.opencontainers.image.source`, `.revision`, `.version`
    /// and `.created`.
    ///
    /// ## Why is this bad?
    /// Without them nobody can tell from an image which repository, commit
    /// and release it was built from, or when. Registries (GHCR links an image
    /// to its repository through `source`), vulnerability scanners and
    /// dependency bots read these labels. The values usually come from the
    /// build (`ARG GIT_SHA` then `LABEL org.opencontainers.image.revision=$GIT_SHA`);
    /// a label fed by an `ARG` counts. Labels set in a stage the final stage
    /// is built `FROM` count too. Labels added on the command line
    /// (`docker build --label`, docker/metadata-action) are invisible here:
    /// ignore the rule if you set them that way.
    ///
    /// Opt-in (select `CR1102`): most Dockerfiles get these labels from CI.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ARG VERSION GIT_SHA BUILD_DATE
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app" \
    ///       org.opencontainers.image.version=$VERSION \
    ///       org.opencontainers.image.revision=$GIT_SHA \
    ///       org.opencontainers.image.created=$BUILD_DATE
    /// COPY . /app
    /// ```
    pub(crate) struct MissingOciLabels {
        code: "CR1102",
        name: "missing-oci-labels",
        severity: Info,
        fix: None,
        enabled: false,
    }
}

const WANTED: &[&str] = &[
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.version",
    "org.opencontainers.image.created",
];

impl Rule for MissingOciLabels {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = ctx.final_stage() else {
            return;
        };
        let mut present: Vec<String> = Vec::new();
        for index in practice::final_image_instructions(ctx) {
            if let Some(InstructionKind::Label(pairs)) =
                ctx.instructions().get(index).map(|i| &i.kind)
            {
                present.extend(pairs.iter().map(|p| practice::literal(ctx, &p.key.value)));
            }
        }
        let missing: Vec<&str> = WANTED
            .iter()
            .copied()
            .filter(|w| !present.iter().any(|p| p == w))
            .collect();
        if missing.is_empty() {
            return;
        }
        let Some(InstructionKind::From(from)) = ctx
            .instructions()
            .get(final_stage.from_instruction)
            .map(|i| &i.kind)
        else {
            return;
        };
        let short: Vec<String> = missing
            .iter()
            .map(|m| format!("`{}`", m.trim_start_matches("org.opencontainers.image.")))
            .collect();
        out.push(
            Diagnostic::new(
                &Self::INFO,
                from.image.span,
                format!(
                    "the final image has no `org.opencontainers.image.*` label for {}",
                    short.join(", ")
                ),
            )
            .with_help("add `LABEL org.opencontainers.image.<key>=…`, fed by `ARG`s for values known at build time"),
        );
    }
}

#[cfg(test)]
mod whole_file_tests {
    use crate::rules::careen::practice::fired_lines;

    #[test]
    fn labels_in_parent_stage_count() {
        let source = "FROM alpine AS base\nARG V\nLABEL org.opencontainers.image.source=x \\\n  org.opencontainers.image.revision=$V org.opencontainers.image.version=$V\nFROM base\nLABEL \"org.opencontainers.image.created\"=$V\n";
        assert!(fired_lines("CR1102", source).is_empty());
        assert_eq!(fired_lines("CR1102", "FROM alpine\n"), [1]);
    }
}
