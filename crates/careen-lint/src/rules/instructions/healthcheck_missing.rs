use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::util::ImageRef;
use careen_dockerfile::InstructionKind;
use std::collections::BTreeSet;

rule! {
    /// ## What it does
    /// Checks for stages without a `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Without a health check the container runtime only knows whether the
    /// main process is alive, not whether it works: a hung server stays
    /// "running" and receives traffic.
    ///
    /// This rule is off by default (as in hadolint): many images are run by
    /// orchestrators with their own probes. Select `DL3057` to use it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended; hadolint's stage bookkeeping is reproduced. The finding
    /// is on the stage's `FROM`. `HEALTHCHECK NONE` counts as a health check.
    /// A stage counts as checked when its base is an earlier stage (or an
    /// earlier unnamed stage with the same image name) that had one; and a
    /// health check in a stage also marks the stages it is built on.
    pub(crate) struct HealthcheckMissing {
        code: "DL3057",
        name: "healthcheck-missing",
        severity: Info,
        fix: None,
        enabled: false,
    }
}

struct StageInfo {
    instruction: usize,
    /// Image name of the base (tag and digest dropped).
    source: String,
    /// The alias, or the image name for stages without one.
    name: String,
}

/// FROM instruction indices of stages hadolint reports.
fn unchecked(ctx: &Context<'_>) -> Vec<usize> {
    let mut stages: Vec<StageInfo> = Vec::new();
    let mut good: BTreeSet<usize> = BTreeSet::new();
    let mut bad: BTreeSet<usize> = BTreeSet::new();
    for (index, instruction) in ctx.instructions().iter().enumerate() {
        match &instruction.kind {
            InstructionKind::From(from) => {
                let source = ImageRef::parse(&from.image.value).repository;
                let name = from
                    .alias
                    .as_ref()
                    .map(|a| a.value.clone())
                    .unwrap_or_else(|| source.clone());
                let inherits = good
                    .iter()
                    .any(|&g| stages.get(g).is_some_and(|s| s.name == source));
                let id = stages.len();
                stages.push(StageInfo {
                    instruction: index,
                    source,
                    name,
                });
                if inherits {
                    good.insert(id);
                } else {
                    bad.insert(id);
                }
            }
            InstructionKind::Healthcheck(_) => {
                let Some(current) = stages.len().checked_sub(1) else {
                    continue;
                };
                // The current stage and, transitively, the stages it is
                // built on become good (a worklist, not recursion).
                let mut frontier = vec![current];
                while let Some(stage) = frontier.pop() {
                    let Some(source) = stages.get(stage).map(|s| s.source.clone()) else {
                        continue;
                    };
                    let parents: Vec<usize> = bad
                        .iter()
                        .copied()
                        .filter(|&b| stages.get(b).is_some_and(|s| s.name == source))
                        .collect();
                    for parent in parents {
                        bad.remove(&parent);
                        good.insert(parent);
                        frontier.push(parent);
                    }
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

impl Rule for HealthcheckMissing {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for index in unchecked(ctx) {
            let Some(instruction) = ctx.instructions().get(index) else {
                continue;
            };
            let span = match &instruction.kind {
                InstructionKind::From(from) => from.image.span,
                _ => instruction.keyword_span,
            };
            out.push(
                Diagnostic::new(&Self::INFO, span, "the stage has no `HEALTHCHECK`")
                    .with_help("add a `HEALTHCHECK CMD …` that probes the service"),
            );
        }
    }
}
