use super::manager::runs;
use super::report::MissingFlag;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `apk add` without `--no-cache`.
    ///
    /// ## Why is this bad?
    /// Without `--no-cache`, `apk` keeps the downloaded index in
    /// `/var/cache/apk`, which then stays in the layer. `--no-cache` fetches
    /// a fresh index and keeps nothing, so there is no need for
    /// `apk update` before or `rm -rf /var/cache/apk/*` after. A RUN that
    /// mounts a cache or tmpfs at `/var/cache/apk` is fine too.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk update && apk add curl=8.5.0-r0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl=8.5.0-r0
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache` after `add`. Safe.
    pub(crate) struct ApkAddNoCache {
        code: "DL3019",
        name: "apk-add-no-cache",
        severity: Info,
        fix: Always,
        enabled: true,
    }
}

const FIX: MissingFlag<'static> = MissingFlag::new(&["add"], "--no-cache");

impl Rule for ApkAddNoCache {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            if run.has_cache_mount_with("/var/cache/apk") {
                continue;
            }
            let offending: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.has_any_arg("apk", &["add"]) && !c.has_flag("no-cache"))
                .collect();
            out.extend(FIX.report(ctx, &Self::INFO, &offending, |_, _| {
                "`apk add` without `--no-cache` leaves its index cache in the layer".to_string()
            }));
        }
    }
}
