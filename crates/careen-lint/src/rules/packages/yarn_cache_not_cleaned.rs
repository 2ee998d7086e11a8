use super::manager::{append_to_list, runs, stage_filter, Cmd, RunView};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for a RUN with `yarn install` that does not run
    /// `yarn cache clean` after it.
    ///
    /// ## Why is this bad?
    /// Yarn keeps a copy of every downloaded package in its global cache; in
    /// an image that cache only adds size. Clean it in the same RUN, after the
    /// install, or mount a cache at `.cache/yarn` instead.
    ///
    /// Like hadolint, only RUNs of the last stage or of stages another FROM
    /// builds on are reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    ///
    /// ## Fix
    /// Appends ` && yarn cache clean` to the `&&` chain with the last
    /// `yarn install`. Safe.
    pub(crate) struct YarnCacheNotCleaned {
        code: "DL3060",
        name: "yarn-cache-not-cleaned",
        severity: Info,
        fix: Sometimes,
        enabled: true,
    }
}

fn install(c: &Cmd<'_>) -> bool {
    c.has_any_arg("yarn", &["install"])
}

fn clean(c: &Cmd<'_>) -> bool {
    c.has_any_arg("yarn", &["cache", "clean"])
}

fn offending(run: &RunView<'_>) -> bool {
    if !run.any(install) {
        return false;
    }
    match (run.position(clean), run.position(install)) {
        (None, _) => !run.has_cache_mount_with(".cache/yarn"),
        (Some(c), Some(i)) => c < i,
        (Some(_), None) => false,
    }
}

impl Rule for YarnCacheNotCleaned {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let all = runs(ctx);
        let remembered: Vec<(usize, bool)> = all
            .iter()
            .filter(|r| offending(r))
            .map(|r| (r.index, r.onbuild))
            .collect();
        for index in stage_filter(ctx, &remembered) {
            let Some(run) = all.iter().find(|r| r.index == index) else {
                continue;
            };
            let Some(first) = run.commands.iter().find(|c| install(c)) else {
                continue;
            };
            let span = first
                .find_arg(&["install"])
                .map(|a| ctx.span(first.name_source.start..a.source.end))
                .unwrap_or_else(|| run.keyword_span());
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                span,
                "`yarn install` leaves its package cache in the layer",
            )
            .with_help("run `yarn cache clean` after the install, in the same RUN");
            let has_clean = run.any(clean);
            let last = run.commands.iter().rev().find(|c| install(c));
            if let Some((parsed, command)) = last.and_then(|c| c.shell) {
                if !has_clean {
                    if let Some(edit) = append_to_list(ctx, parsed, command, "yarn cache clean") {
                        diagnostic =
                            diagnostic.with_fix(Fix::safe("Add `yarn cache clean`", vec![edit]));
                    }
                }
            }
            out.push(diagnostic);
        }
    }
}
