use super::manager::{runs, stage_filter, Cmd, RunView};
use super::report::{command_span, with_append_fix};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
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
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                command_span(ctx, run, first, &["install"]),
                "`yarn install` leaves its package cache in the layer",
            )
            .with_help("run `yarn cache clean` after the install, in the same RUN");
            if !run.any(clean) {
                let last = run.commands.iter().rev().find(|c| install(c));
                diagnostic = with_append_fix(diagnostic, ctx, last, "yarn cache clean");
            }
            out.push(diagnostic);
        }
    }
}
