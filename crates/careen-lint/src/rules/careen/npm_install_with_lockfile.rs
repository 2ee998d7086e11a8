use super::practice;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `npm install` where `npm ci` fits: the project has a
    /// lockfile (`package-lock.json` or `npm-shrinkwrap.json`).
    ///
    /// ## Why is this bad?
    /// `npm install` treats the lockfile as a hint: it may resolve newer
    /// versions within the ranges of `package.json` and rewrite the lockfile,
    /// so the image can contain dependency versions nobody tested. `npm ci`
    /// installs exactly what the lockfile says, fails when it is out of date,
    /// and is faster.
    ///
    /// With a build context, the rule looks for a lockfile among the files
    /// sent to the builder; without one (`--no-context`), for a `COPY` of a
    /// lockfile (or `package*.json`) earlier in the stage. Installs of named
    /// packages (`npm install express`) and global installs are not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm install
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix
    /// Replaces `install` with `ci`. Unsafe: `npm ci` fails when the lockfile
    /// does not match `package.json`, and it deletes an existing
    /// `node_modules` first.
    pub(crate) struct NpmInstallWithLockfile {
        code: "CR1203",
        name: "npm-install-with-lockfile",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

fn is_lockfile(path: &str) -> bool {
    matches!(
        practice::basename(path.trim_end_matches('/')),
        "package-lock.json" | "npm-shrinkwrap.json"
    )
}

/// A COPY/ADD source that brings a lockfile in (by name or `package*.json`).
fn copies_lockfile(source: &str) -> bool {
    let base = practice::basename(source);
    is_lockfile(source)
        || base.starts_with("package") && base.contains('*') && base.ends_with(".json")
        || base == "*.json"
}

fn lockfile_known(ctx: &Context<'_>, run_index: usize) -> bool {
    if let Some(context) = ctx.build_context {
        return context
            .sent_files()
            .any(|f| is_lockfile(&f.path) && !f.path.contains("node_modules/"));
    }
    let Some(stage) = ctx.stage_of(run_index) else {
        return false;
    };
    (stage.instructions.start..run_index).any(|i| match ctx.instructions().get(i) {
        Some(instruction) if instruction.flag("from").is_none() => match &instruction.kind {
            InstructionKind::Copy(copy) | InstructionKind::Add(copy) => copy
                .sources
                .iter()
                .any(|s| copies_lockfile(&practice::literal(ctx, &s.value))),
            _ => false,
        },
        _ => false,
    })
}

impl Rule for NpmInstallWithLockfile {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (index, script, command) in ctx.all_commands() {
            let view = command.effective();
            if view.name().map(practice::basename) != Some("npm") {
                continue;
            }
            let positional = view.positional_args(&[
                "--prefix",
                "-C",
                "--cache",
                "--registry",
                "--workspace",
                "-w",
            ]);
            let Some((sub, packages)) = positional.split_first() else {
                continue;
            };
            if !matches!(sub.value.as_str(), "install" | "i" | "in") || !packages.is_empty() {
                continue;
            }
            if view.has_option(&['g'], &["global", "no-package-lock", "package-lock-only"]) {
                continue;
            }
            if !lockfile_known(ctx, index) {
                continue;
            }
            let range = sub.range.clone();
            let start = ctx.source_offset(script, range.start);
            let end = ctx.source_offset(script, range.end);
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                ctx.script_span(script, range),
                format!(
                    "`npm {}` may install versions other than the lockfile's",
                    sub.value
                ),
            )
            .with_help("use `npm ci` to install exactly what the lockfile pins");
            if ctx.source().get(start..end) == Some(sub.value.as_str()) {
                diagnostic = diagnostic.with_fix(Fix::unsafe_(
                    "Use `npm ci`",
                    vec![Edit::replace(start..end, "ci")],
                ));
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_sources() {
        assert!(copies_lockfile("package*.json"));
        assert!(copies_lockfile("./app/package-lock.json"));
        assert!(copies_lockfile("npm-shrinkwrap.json"));
        assert!(!copies_lockfile("package.json"));
        assert!(!copies_lockfile("."));
    }
}
