use super::copy_sources::files_sent;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use std::collections::{BTreeMap, HashSet};

rule! {
    /// ## What it does
    /// Checks for `COPY`/`ADD` instructions that together send a very large build context: more than 100 MB or more than 10,000 files.
    ///
    /// ## Why is this bad?
    /// Every file a `COPY` reads is transferred to the builder, hashed for the
    /// cache and, usually, stored in a layer. A context this large slows
    /// every build and usually means data sets, build outputs, dependency
    /// trees or VCS data are copied by accident.
    ///
    /// The count is of files the Dockerfile's `COPY`/`ADD` actually send
    /// (after `.dockerignore`), as BuildKit only transfers those. The finding
    /// is on the instruction sending the most bytes and names the biggest
    /// directories. The limits are set in `careen.toml`:
    /// `[lint] context-max-mb = 100` and `context-max-files = 10000`.
    /// A context too large to scan fully is always reported. Needs the build context.
    ///
    /// ## Example
    /// ```dockerfile
    /// # the context holds data/ (2 GB of training data)
    /// FROM python:3.12-slim
    /// COPY . /app
    /// ```
    ///
    /// Use instead: exclude `data` in `.dockerignore`, or copy only what the image needs
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY src/ /app/src/
    /// ```
    pub(crate) struct LargeBuildContext {
        code: "CR3005",
        name: "large-build-context",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const MB: u64 = 1024 * 1024;

impl Rule for LargeBuildContext {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        let mut seen: HashSet<&str> = HashSet::new();
        let mut total_bytes = 0u64;
        let mut by_dir: BTreeMap<&str, u64> = BTreeMap::new();
        // (bytes sent by this instruction, its span)
        let mut biggest: Option<(u64, careen_dockerfile::Span)> = None;
        for instruction in ctx.instructions() {
            let mut bytes = 0u64;
            let mut any = false;
            for source in files_sent(instruction, context, ctx.dockerfile.escape) {
                for file in source.files {
                    any = true;
                    bytes = bytes.saturating_add(file.size);
                    if seen.insert(file.path.as_str()) {
                        total_bytes = total_bytes.saturating_add(file.size);
                        let top = file.path.split('/').next().unwrap_or(&file.path);
                        let top = if top == file.path {
                            "top-level files"
                        } else {
                            top
                        };
                        *by_dir.entry(top).or_default() += file.size;
                    }
                }
            }
            if any && biggest.is_none_or(|(b, _)| bytes > b) {
                biggest = Some((bytes, instruction.keyword_span));
            }
        }
        let Some((_, span)) = biggest else {
            return;
        };
        let max_bytes = ctx.settings.context_max_mb.saturating_mul(MB);
        let too_big = total_bytes > max_bytes;
        let too_many = seen.len() > ctx.settings.context_max_files;
        if !(too_big || too_many || context.truncated) {
            return;
        }
        let mut dirs: Vec<(&str, u64)> = by_dir.into_iter().collect();
        dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let named: Vec<String> = dirs
            .iter()
            .take(3)
            .map(|(dir, size)| match *dir {
                "top-level files" => format!("top-level files ({})", human(*size)),
                dir => format!("`{dir}/` ({})", human(*size)),
            })
            .collect();
        let count = if context.truncated {
            format!("more than {} files", seen.len())
        } else {
            format!("{} files", seen.len())
        };
        out.push(
            Diagnostic::new(
                &Self::INFO,
                span,
                format!(
                    "the build sends {count} ({}) from the context; largest: {}",
                    human(total_bytes),
                    named.join(", ")
                ),
            )
            .with_help(
                "exclude what the image does not need in `.dockerignore`, or copy specific paths instead of whole directories",
            ),
        );
    }
}

/// `12.3 MB`, `512 KB`, `10 B`.
fn human(bytes: u64) -> String {
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human(10), "10 B");
        assert_eq!(human(2048), "2 KB");
        assert_eq!(human(3 * MB / 2), "1.5 MB");
    }
}
