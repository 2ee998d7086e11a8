use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::SimpleCommand;

rule! {
    /// ## What it does
    /// Checks for single-stage images that install build-only tools —
    /// compilers (`gcc`, `g++`, `clang`), `make`, `cmake`, `build-essential`,
    /// `build-base`, header packages (`*-dev`, `*-devel`), and `git` next to
    /// them — and keep them.
    ///
    /// ## Why is this bad?
    /// A toolchain is needed to build native extensions or the program, not to
    /// run it. Left in the image it adds hundreds of megabytes and a large
    /// attack surface (a compiler is exactly what an intruder wants). A
    /// multi-stage build compiles in a builder stage and copies only the
    /// result into a slim final stage.
    ///
    /// Not reported: packages removed again in the same `RUN` (`apk add
    /// --virtual .build-deps … && apk del .build-deps`, `apt-get purge`),
    /// multi-stage Dockerfiles, and images with no `CMD`/`ENTRYPOINT` (base,
    /// CI and development images, where the tools are the point).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip install --no-cache-dir -r requirements.txt
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
    /// RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// COPY --from=build /venv /venv
    /// CMD ["/venv/bin/python", "app.py"]
    /// ```
    pub(crate) struct BuildToolsInSingleStage {
        code: "CR1301",
        name: "build-tools-in-single-stage",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

const BUILD_TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "make",
    "cmake",
    "build-essential",
    "build-base",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "pkgconfig",
    "ninja-build",
    "git",
    "linux-headers",
];

/// Package name without a version pin (`gcc=12.2` → `gcc`).
fn package_name(word: &str) -> &str {
    let end = word.find(['=', '<', '>', '~']).unwrap_or(word.len());
    word[..end].trim_end_matches(['*'])
}

pub(crate) fn is_build_tool(package: &str) -> bool {
    let name = package_name(package);
    BUILD_TOOLS.contains(&name) || name.ends_with("-dev") || name.ends_with("-devel")
}

/// Package names removed by this command (apt-get purge/remove, apk del, yum/dnf remove).
fn removed(command: &SimpleCommand) -> Vec<String> {
    let view = command.effective();
    let Some(tool) = view.name().map(practice::basename) else {
        return Vec::new();
    };
    let positional = view.positional_args(&["-o"]);
    let Some((sub, rest)) = positional.split_first() else {
        return Vec::new();
    };
    let removes = match tool {
        "apt-get" | "apt" => matches!(sub.value.as_str(), "purge" | "remove"),
        "apk" => sub.value == "del",
        "yum" | "dnf" | "microdnf" => matches!(sub.value.as_str(), "remove" | "erase"),
        _ => false,
    };
    if !removes {
        return Vec::new();
    }
    rest.iter()
        .map(|w| package_name(&w.value).to_string())
        .collect()
}

/// The Debian official-image idiom: `apt-mark auto '.*'` then
/// `apt-get purge --auto-remove` (or `autoremove`) removes whatever the
/// `RUN` installed and nothing marked manual kept.
fn auto_removes_everything(commands: &[&SimpleCommand]) -> bool {
    let sub_is = |c: &SimpleCommand, tool: &str, subs: &[&str]| {
        let view = c.effective();
        view.name().map(practice::basename) == Some(tool)
            && view
                .positional_args(&["-o"])
                .first()
                .is_some_and(|s| subs.contains(&s.value.as_str()))
    };
    let marks_auto = commands.iter().any(|c| sub_is(c, "apt-mark", &["auto"]));
    let auto_removes = commands.iter().any(|c| {
        sub_is(c, "apt-get", &["autoremove"])
            || (sub_is(c, "apt-get", &["purge", "remove"])
                && c.effective()
                    .has_option(&[], &["auto-remove", "autoremove"]))
    });
    marks_auto && auto_removes
}

impl Rule for BuildToolsInSingleStage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if ctx.stages.len() != 1 {
            return;
        }
        let Some(stage) = ctx.final_stage() else {
            return;
        };
        if !practice::runs_application(ctx) {
            return;
        }
        for index in stage.instructions.clone() {
            let commands: Vec<_> = ctx.commands(index).collect();
            if auto_removes_everything(&commands.iter().map(|(_, c)| *c).collect::<Vec<_>>()) {
                continue;
            }
            let removed_here: Vec<String> = commands.iter().flat_map(|(_, c)| removed(c)).collect();
            for (script, command) in &commands {
                let Some(packages) = practice::os_package_install(command) else {
                    continue;
                };
                let view = command.effective();
                if let Some(virtual_name) = view.option_value(&["--virtual", "-t"]) {
                    if removed_here.iter().any(|r| r == virtual_name) {
                        continue;
                    }
                }
                let tools: Vec<_> = packages
                    .iter()
                    .filter(|w| !w.has_expansion && is_build_tool(&w.value))
                    .filter(|w| !removed_here.iter().any(|r| r == package_name(&w.value)))
                    .collect();
                // `git` alone is often needed at run time (git servers,
                // editors, CI agents); it is reported only beside a toolchain.
                if tools.iter().all(|w| package_name(&w.value) == "git") {
                    continue;
                }
                let Some(first) = tools.first() else { continue };
                let names: Vec<String> = tools
                    .iter()
                    .take(3)
                    .map(|w| format!("`{}`", package_name(&w.value)))
                    .collect();
                let more = if tools.len() > 3 {
                    format!(" and {} more", tools.len() - 3)
                } else {
                    String::new()
                };
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        ctx.script_span(script, first.range.clone()),
                        format!(
                            "build-only package{} {}{more} {} in the single-stage image",
                            if tools.len() > 1 { "s" } else { "" },
                            names.join(", "),
                            if tools.len() > 1 { "stay" } else { "stays" }
                        ),
                    )
                    .with_help(
                        "build in a separate stage and copy only the result into the final stage",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_tools() {
        assert!(is_build_tool("gcc"));
        assert!(is_build_tool("libpq-dev"));
        assert!(is_build_tool("openssl-devel"));
        assert!(is_build_tool("make=4.3-4.1"));
        assert!(!is_build_tool("libpq5"));
        assert!(!is_build_tool("curl"));
        assert!(!is_build_tool("ca-certificates"));
    }
}
