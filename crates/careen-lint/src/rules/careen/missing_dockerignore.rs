use super::copy_sources::{all_sent, dir_is_sent, heavy_dirs};
use super::secrets::{classify_path, PathVerdict};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use std::collections::BTreeSet;

rule! {
    /// ## What it does
    /// Checks for a build context without `.dockerignore` whose `COPY`/`ADD` send dependency trees, virtual environments, caches, `.git` or `.env` files.
    ///
    /// ## Why is this bad?
    /// Without `.dockerignore` every file under a copied directory goes to the
    /// builder and into the image: a host `node_modules` or `.venv` (built for
    /// another OS, and large), `__pycache__`, the whole Git history, and
    /// `.env` files with credentials. Builds get slower, cache keys change on
    /// every unrelated edit, and images grow or leak secrets.
    ///
    /// Counted: `node_modules`, `.git`, `.venv` (and `venv`/`env` holding a
    /// `pyvenv.cfg`), `__pycache__`, `.tox`/`.nox`/`.pytest_cache`/`.mypy_cache`/`.ruff_cache`,
    /// Cargo's `target` next to a `Cargo.toml`, and `.env`/`.env.*` files,
    /// when some `COPY`/`ADD` sends them. `dist`/`build` directories are not
    /// counted: they are often exactly what the Dockerfile copies.
    /// Reported on the first instruction; needs the build context.
    ///
    /// ## Example
    /// ```dockerfile
    /// # context: package.json, src/, node_modules/, .git/ — no .dockerignore
    /// FROM node:22
    /// COPY . /app
    /// ```
    ///
    /// Use instead: create `.dockerignore`
    /// ```text
    /// node_modules
    /// .git
    /// ```
    pub(crate) struct MissingDockerignore {
        code: "CR3003",
        name: "missing-dockerignore",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for MissingDockerignore {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        if context.ignore.is_some() {
            return;
        }
        let Some(first) = ctx.instructions().first() else {
            return;
        };
        let (_, sent) = all_sent(ctx.instructions(), context, ctx.dockerfile.escape);
        if sent.is_empty() {
            return;
        }
        let mut paths: Vec<&str> = heavy_dirs(context)
            .into_iter()
            .map(|(dir, _)| dir)
            .filter(|dir| dir_is_sent(dir, &sent))
            .collect();
        paths.extend(
            sent.iter().copied().filter(|path| {
                matches!(classify_path(path), PathVerdict::Secret("environment file"))
            }),
        );
        let lines = ignore_lines(&paths);
        if lines.is_empty() {
            return;
        }
        let listed: Vec<String> = lines.iter().map(|l| format!("`{l}`")).collect();
        out.push(
            Diagnostic::new(
                &Self::INFO,
                first.keyword_span,
                format!(
                    "the build context has no `.dockerignore`, so the image gets {}",
                    listed.join(", ")
                ),
            )
            .with_help(format!(
                "create a `.dockerignore` next to the Dockerfile with the lines {}",
                listed.join(", ")
            )),
        );
    }
}

/// `.dockerignore` lines for paths: `name` when only at the root, `**/name`
/// when some are nested (it covers the root one too).
pub(super) fn ignore_lines(paths: &[&str]) -> BTreeSet<String> {
    let nested: BTreeSet<&str> = paths
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(_, name)| name))
        .collect();
    paths
        .iter()
        .map(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            if nested.contains(name) {
                format!("**/{name}")
            } else {
                name.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_for_paths() {
        let lines = ignore_lines(&["node_modules", "a/node_modules", ".env", "x/__pycache__"]);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(lines, vec!["**/__pycache__", "**/node_modules", ".env"]);
    }
}
