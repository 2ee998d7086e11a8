use super::manager::{runs, stage_filter, RunView};
use super::report::{append_after, command_span};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for a RUN that runs `apt-get update` but does not delete
    /// `/var/lib/apt/lists` afterwards.
    ///
    /// ## Why is this bad?
    /// `apt-get update` downloads the package indexes into
    /// `/var/lib/apt/lists`: tens of megabytes that stay in the layer, and so
    /// in the image, even though nothing needs them at run time. Deleting them
    /// in the same RUN (`rm -rf /var/lib/apt/lists/*`) keeps them out of the
    /// image; deleting them in a later RUN does not.
    ///
    /// Like hadolint, the rule does not fire when the RUN mounts a cache or
    /// tmpfs at `/var/lib/apt/lists` (or at both `/var/lib/apt` and
    /// `/var/cache/apt`), and it only reports RUNs of the last stage or of
    /// stages that another FROM builds on; a builder stage's leftovers do not
    /// reach the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Appends ` && rm -rf /var/lib/apt/lists/*` to the `&&` chain with the
    /// last apt command (safe). No fix is offered when a later RUN uses apt
    /// without running `apt-get update` itself: deleting the lists here would
    /// leave that RUN without package lists and break the build; merge the
    /// RUNs instead.
    ///
    /// ## Differences from hadolint
    /// None known. As in hadolint, any `rm -rf …` (or any `rm` of
    /// `/var/lib/apt/lists/*`) in the RUN counts as the cleanup.
    pub(crate) struct AptListsNotDeleted {
        code: "DL3009",
        name: "apt-lists-not-deleted",
        severity: Info,
        fix: Sometimes,
        enabled: true,
    }
}

const CLEANUP: &str = "rm -rf /var/lib/apt/lists/*";

fn is_apt(name: &str) -> bool {
    matches!(name, "apt" | "apt-get" | "aptitude")
}

fn forgot_cleanup(run: &RunView<'_>) -> bool {
    let update = run.any(|c| is_apt(&c.name) && c.has_arg("update"));
    let cleanup = run.any(|c| c.has_any_arg("rm", &["-rf", "/var/lib/apt/lists/*"]));
    let cached = run.has_cache_mount_with("/var/lib/apt/lists")
        || (run.has_cache_mount_with("/var/lib/apt") && run.has_cache_mount_with("/var/cache/apt"));
    update && !cleanup && !cached
}

impl Rule for AptListsNotDeleted {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let all = runs(ctx);
        let remembered: Vec<(usize, bool)> = all
            .iter()
            .filter(|r| forgot_cleanup(r))
            .map(|r| (r.index, r.onbuild))
            .collect();
        for index in stage_filter(ctx, &remembered) {
            let Some(run) = all.iter().find(|r| r.index == index) else {
                continue;
            };
            let Some(update) = run
                .commands
                .iter()
                .find(|c| is_apt(&c.name) && c.has_arg("update"))
            else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                command_span(ctx, run, update, &["update"]),
                "the package lists downloaded by `apt-get update` are left in the layer",
            )
            .with_help("end the RUN with `rm -rf /var/lib/apt/lists/*`");
            // The last apt command of the RUN decides where the cleanup goes.
            let last_apt = run.commands.iter().rev().find(|c| is_apt(&c.name));
            if let Some(edit) = append_after(ctx, last_apt, CLEANUP) {
                // A later RUN that uses apt without its own `apt-get update`
                // relies on these lists.
                let later_apt = all.iter().filter(|r| r.index > run.index).any(|r| {
                    r.any(|c| is_apt(&c.name) && !c.has_arg("update"))
                        && !r.any(|c| is_apt(&c.name) && c.has_arg("update"))
                });
                if later_apt {
                    diagnostic = diagnostic.with_help(
                        "a later RUN uses apt too: install in the same RUN as `apt-get update` and end that RUN with `rm -rf /var/lib/apt/lists/*`",
                    );
                } else {
                    diagnostic = diagnostic.with_fix(Fix::safe(
                        "Delete `/var/lib/apt/lists/*` at the end of the RUN",
                        vec![edit],
                    ));
                }
            }
            out.push(diagnostic);
        }
    }
}
