use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::SimpleCommand;

rule! {
    /// ## What it does
    /// Checks for Go, Cargo and Composer commands in the final image that
    /// leave their download and build caches behind (`~/go/pkg/mod` and
    /// `~/.cache/go-build`, `~/.cargo/registry`, `~/.composer/cache`).
    ///
    /// ## Why is this bad?
    /// These caches only speed up the next build on the same machine; in an
    /// image they are dead weight, often hundreds of megabytes for a Go or
    /// Rust build. Build in an earlier stage and copy only the binary, use a
    /// cache mount (`RUN --mount=type=cache,target=/root/.cache/go-build …`),
    /// or clean up in the same `RUN` (`go clean -cache -modcache`,
    /// `composer clear-cache`, `rm -rf ~/.cargo/registry`).
    ///
    /// Only stages that end up in the final image are checked. npm and pip
    /// caches are reported by CR1202 and DL3042, yarn's by DL3060. pnpm is
    /// not reported: its store is hard-linked into `node_modules`, so it
    /// costs little extra space in the same layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// COPY . .
    /// RUN go build -o /usr/local/bin/app ./cmd/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY . .
    /// RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app ./cmd/app
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ```
    pub(crate) struct BuildCacheLeft {
        code: "CR1205",
        name: "build-cache-left",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Go,
    Cargo,
    Composer,
}

fn fills_cache(command: &SimpleCommand) -> Option<Tool> {
    let view = command.effective();
    let name = practice::basename(view.name()?);
    let sub = view.subcommand().map(|w| w.value.as_str()).unwrap_or("");
    match name {
        "go" if matches!(sub, "build" | "install" | "get" | "test") => Some(Tool::Go),
        "go" if sub == "mod"
            && view
                .positional_args(&[])
                .get(1)
                .is_some_and(|w| w.value == "download") =>
        {
            Some(Tool::Go)
        }
        "cargo" if matches!(sub, "build" | "install" | "fetch") => Some(Tool::Cargo),
        "composer"
            if matches!(sub, "install" | "update" | "require")
                && !view.has_option(&[], &["no-cache"]) =>
        {
            Some(Tool::Composer)
        }
        _ => None,
    }
}

fn cleans(command: &SimpleCommand, tool: Tool) -> bool {
    let view = command.effective();
    let Some(name) = view.name().map(practice::basename) else {
        return false;
    };
    let sub = view.subcommand().map(|w| w.value.as_str()).unwrap_or("");
    let assigns = |needle: &str| {
        command
            .assignments
            .iter()
            .any(|a| a.value.starts_with(needle))
    };
    match (tool, name) {
        (Tool::Go, "go") => sub == "clean",
        (Tool::Cargo, "cargo") => sub == "clean",
        (Tool::Composer, "composer") => matches!(sub, "clear-cache" | "clearcache" | "cc"),
        (_, "rm") => view.args().iter().any(|w| {
            let v = w.value.as_str();
            match tool {
                Tool::Go => {
                    v.contains("go-build")
                        || v.contains("pkg/mod")
                        || v.contains("/.cache")
                        || v.contains("/go")
                }
                Tool::Cargo => v.contains(".cargo") || v.contains("target"),
                Tool::Composer => v.contains("composer") || v.contains("/.cache"),
            }
        }),
        _ => match tool {
            Tool::Go => assigns("GOCACHE=") && assigns("GOMODCACHE="),
            Tool::Composer => assigns("COMPOSER_CACHE_DIR=/dev/null"),
            Tool::Cargo => false,
        },
    }
}

impl Rule for BuildCacheLeft {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (index, _) in practice::final_image_uncached(ctx) {
            let commands: Vec<_> = ctx.commands(index).collect();
            let mut reported: Vec<Tool> = Vec::new();
            for (script, command) in &commands {
                let Some(tool) = fills_cache(command) else {
                    continue;
                };
                if reported.contains(&tool) || commands.iter().any(|(_, c)| cleans(c, tool)) {
                    continue;
                }
                reported.push(tool);
                let view = command.effective();
                let range = practice::name_through(command, view.subcommand());
                let (shown, cache, help) = match tool {
                    Tool::Go => ("go", "module and build caches", "build in an earlier stage, use a cache mount, or run `go clean -cache -modcache`"),
                    Tool::Cargo => ("cargo", "registry cache", "build in an earlier stage, use a cache mount, or remove `~/.cargo/registry`"),
                    Tool::Composer => ("composer", "download cache", "add `--no-cache`, use a cache mount, or run `composer clear-cache`"),
                };
                let mut sub = view
                    .subcommand()
                    .map(|w| w.value.clone())
                    .unwrap_or_default();
                if sub == "mod" {
                    sub.push_str(" download");
                }
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        ctx.script_span(script, range),
                        format!("`{shown} {sub}` leaves {shown}'s {cache} in the image"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}
