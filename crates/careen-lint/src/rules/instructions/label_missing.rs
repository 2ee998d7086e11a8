use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::util::ImageRef;
use careen_dockerfile::expand::unquote;
use careen_dockerfile::InstructionKind;
use std::collections::BTreeSet;

rule! {
    /// ## What it does
    /// Checks that every stage sets the labels required by the label schema.
    ///
    /// ## Why is this bad?
    /// Teams use labels (owner, source, version, license) to find out what an
    /// image is and who runs it. An image built without a required label
    /// cannot be traced by the tools that rely on it.
    ///
    /// This rule is off until `label-schema` is configured (e.g.
    /// `[lint] label-schema = { "org.opencontainers.image.source" = "url" }` in
    /// `careen.toml`, or hadolint's `label-schema:` in `.hadolint.yaml`); every
    /// label of the schema is required.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN echo hello
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/example/app"
    /// RUN echo hello
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended; hadolint's stage bookkeeping is reproduced. The finding
    /// is on the stage's `FROM`. A stage counts as labelled when it sets the
    /// label or when its base is an earlier named stage that did. Stages that
    /// lack the label are not reported when another stage copies from them
    /// (`COPY --from=name`) or when a later stage with the same name sets it,
    /// as they are then taken to be build helpers.
    pub(crate) struct LabelMissing {
        code: "DL3049",
        name: "label-missing",
        severity: Info,
        fix: None,
        enabled: false,
    }
}

struct StageInfo {
    instruction: usize,
    alias: Option<String>,
    image: String,
}

impl StageInfo {
    /// The name later instructions use for the stage.
    fn name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.image)
    }
}

/// Indices (into `stages`) of the stages lacking `label` that hadolint reports.
fn missing(ctx: &Context<'_>, label: &str) -> Vec<usize> {
    let escape = ctx.dockerfile.escape;
    let mut stages: Vec<StageInfo> = Vec::new();
    let mut good: BTreeSet<usize> = BTreeSet::new();
    let mut bad: BTreeSet<usize> = BTreeSet::new();
    for (index, instruction) in ctx.instructions().iter().enumerate() {
        match &instruction.kind {
            InstructionKind::From(from) => {
                let stage = StageInfo {
                    instruction: index,
                    alias: from.alias.as_ref().map(|a| a.value.clone()),
                    image: ImageRef::parse(&from.image.value).repository,
                };
                let inherits = good
                    .iter()
                    .any(|&g| stages.get(g).and_then(|s| s.alias.as_deref()) == Some(&stage.image));
                let id = stages.len();
                stages.push(stage);
                if inherits {
                    good.insert(id);
                } else {
                    bad.insert(id);
                }
            }
            InstructionKind::Copy(_) => {
                if let Some(source) = instruction.flag("from").and_then(|f| f.value.as_deref()) {
                    bad.retain(|&b| stages.get(b).and_then(|s| s.alias.as_deref()) != Some(source));
                }
            }
            InstructionKind::Label(pairs) => {
                if !pairs.iter().any(|p| unquote(&p.key.value, escape) == label) {
                    continue;
                }
                let Some(current) = stages.len().checked_sub(1) else {
                    continue;
                };
                let name = stages.get(current).map(|s| s.name().to_string());
                if let Some(name) = name {
                    bad.retain(|&b| stages.get(b).and_then(|s| s.alias.as_deref()) != Some(&name));
                }
                bad.remove(&current);
                good.insert(current);
            }
            _ => {}
        }
    }
    bad.into_iter()
        .filter_map(|b| stages.get(b).map(|s| s.instruction))
        .collect()
}

impl Rule for LabelMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in ctx.settings.label_schema.keys() {
            for index in missing(ctx, label) {
                let Some(instruction) = ctx.instructions().get(index) else {
                    continue;
                };
                let span = match &instruction.kind {
                    InstructionKind::From(from) => from.image.span,
                    _ => instruction.keyword_span,
                };
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        span,
                        format!("the stage does not set the required label `{label}`"),
                    )
                    .with_help(format!("add `LABEL {label}=…` to the stage")),
                );
            }
        }
    }
}
