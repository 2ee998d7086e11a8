use super::practice;
use crate::context::{Context, ParsedScript};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::{Connector, SimpleCommand};

rule! {
    /// ## What it does
    /// Checks for `npm install`/`npm ci` in the final image that leave npm's
    /// download cache (`~/.npm`) behind.
    ///
    /// ## Why is this bad?
    /// npm keeps a compressed copy of every package it downloaded in
    /// `~/.npm/_cacache`. In an image that cache is never used again, yet it
    /// often doubles the size of the dependency layer. Clean it in the same
    /// `RUN` (`npm cache clean --force`), or keep it out of the image with a
    /// cache mount (`RUN --mount=type=cache,target=/root/.npm npm ci`), which
    /// also speeds up rebuilds.
    ///
    /// Only stages that end up in the final image are checked: a builder
    /// stage's cache is thrown away with the stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN npm ci --omit=dev && npm cache clean --force
    /// ```
    ///
    /// ## Fix
    /// Appends `&& npm cache clean --force` after the install. Unsafe: a later
    /// command of the same `RUN` might install offline from the cache.
    pub(crate) struct NpmCacheLeft {
        code: "CR1202",
        name: "npm-cache-left",
        severity: Info,
        fix: Sometimes,
        enabled: true,
    }
}

pub(crate) fn is_npm_install(command: &SimpleCommand) -> bool {
    let view = command.effective();
    view.name().map(practice::basename) == Some("npm")
        && view.subcommand().is_some_and(|s| {
            matches!(
                s.value.as_str(),
                "install" | "i" | "ci" | "in" | "add" | "isntall"
            )
        })
}

fn cleans_cache(command: &SimpleCommand) -> bool {
    let view = command.effective();
    match view.name().map(practice::basename) {
        Some("npm") => {
            let positional = view.positional_args(&[]);
            positional.first().is_some_and(|w| w.value == "cache")
                && positional
                    .get(1)
                    .is_some_and(|w| w.value == "clean" || w.value == "rm")
        }
        Some("rm") => view.args().iter().any(|w| {
            w.value.contains(".npm") || w.value.contains("npm-cache") || w.value.contains("/.cache")
        }),
        _ => false,
    }
}

fn append_fix(ctx: &Context<'_>, script: &ParsedScript, command: &SimpleCommand) -> Option<Fix> {
    if command.depth != 0 || command.in_substitution {
        return None;
    }
    if !matches!(
        command.connector,
        None | Some(Connector::And) | Some(Connector::Seq)
    ) {
        return None;
    }
    let end = command
        .redirects
        .last()
        .map(|r| r.range.end)
        .into_iter()
        .chain(command.words.last().map(|w| w.range.end))
        .max()?;
    let at = ctx.source_offset(script, end);
    Some(Fix::unsafe_(
        "Append `&& npm cache clean --force`",
        vec![Edit::insert(at, " && npm cache clean --force")],
    ))
}

impl Rule for NpmCacheLeft {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (index, _) in practice::final_image_uncached(ctx) {
            let commands: Vec<_> = ctx.commands(index).collect();
            if commands.iter().any(|(_, c)| cleans_cache(c)) {
                continue;
            }
            let installs: Vec<_> = commands.iter().filter(|(_, c)| is_npm_install(c)).collect();
            let (Some((first_script, first)), Some((last_script, last))) =
                (installs.first(), installs.last())
            else {
                continue;
            };
            let view = first.effective();
            let start = view
                .name_word()
                .map(|w| w.range.start)
                .unwrap_or(first.range.start);
            let end = view
                .subcommand()
                .map(|w| w.range.end)
                .unwrap_or(first.range.end);
            let shown = format!(
                "npm {}",
                view.subcommand()
                    .map(|w| w.value.as_str())
                    .unwrap_or("install")
            );
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                ctx.script_span(first_script, start..end),
                format!("`{shown}` leaves npm's download cache in the image"),
            )
            .with_help(
                "add `&& npm cache clean --force`, or use `--mount=type=cache,target=/root/.npm`",
            );
            if let Some(fix) = append_fix(ctx, last_script, last) {
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}
