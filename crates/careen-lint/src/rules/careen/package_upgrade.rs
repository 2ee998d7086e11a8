use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for whole-system upgrades in `RUN`: `apt-get upgrade`,
    /// `apt-get dist-upgrade`, `apk upgrade`, `yum update`, `dnf upgrade`,
    /// `zypper update` and the like.
    ///
    /// ## Why is this bad?
    /// An upgrade makes the image depend on the day it was built: two builds
    /// of the same Dockerfile get different package versions, and the cached
    /// layer keeps the old ones until something busts the cache. It also adds
    /// a layer holding a second copy of every upgraded file. The base image's
    /// maintainers publish rebuilt images with the security updates; use a
    /// current tag (or digest) of it and rebuild regularly instead.
    /// Upgrading named packages (`yum update openssl`) is not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get upgrade -y && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.8-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.x has no rule for this (its old DL3005 was removed).
    pub(crate) struct PackageUpgrade {
        code: "CR1007",
        name: "package-upgrade",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

/// Whole-system upgrade subcommands per tool, and whether package
/// arguments make it a targeted (fine) upgrade.
fn upgrade_words(tool: &str) -> &'static [&'static str] {
    match tool {
        "apt-get" | "apt" | "aptitude" => {
            &["upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"]
        }
        "apk" => &["upgrade"],
        "yum" | "dnf" | "microdnf" | "tdnf" => &["update", "upgrade", "distro-sync"],
        "zypper" => &["update", "up", "dist-upgrade", "dup", "patch"],
        _ => &[],
    }
}

impl Rule for PackageUpgrade {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (_, script, command) in ctx.all_commands() {
            let view = command.effective();
            let Some(tool) = view.name().map(practice::basename) else {
                continue;
            };
            let words = upgrade_words(tool);
            if words.is_empty() {
                continue;
            }
            let positional = view.positional_args(&[
                "-o",
                "-t",
                "-c",
                "-X",
                "--repository",
                "--enablerepo",
                "--disablerepo",
                "--setopt",
                "-R",
                "--root",
            ]);
            let Some((sub, packages)) = positional.split_first() else {
                continue;
            };
            if !words.contains(&sub.value.as_str()) {
                continue;
            }
            // apk/yum/dnf/zypper with package names upgrade just those.
            if !packages.is_empty() && !matches!(tool, "apt-get" | "apt" | "aptitude") {
                continue;
            }
            if matches!(tool, "apt-get" | "apt" | "aptitude")
                && sub.value == "upgrade"
                && !packages.is_empty()
            {
                continue;
            }
            let start = view
                .name_word()
                .map(|w| w.range.start)
                .unwrap_or(sub.range.start);
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.script_span(script, start..sub.range.end),
                    format!(
                        "`{tool} {}` upgrades every package at build time",
                        sub.value
                    ),
                )
                .with_help(
                    "use a current base image tag and rebuild it instead of upgrading in place",
                ),
            );
        }
    }
}
