use super::copy_sources::{files_sent, heavy_dirs};
use super::missing_dockerignore::ignore_lines;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Pos, Span};
use std::collections::HashSet;

rule! {
    /// ## What it does
    /// Checks for a `.dockerignore` that lets `node_modules`, `.git` or a Python virtual environment through to a `COPY`/`ADD` of a whole directory.
    ///
    /// ## Why is this bad?
    /// These directories are large, specific to the host and rebuilt inside
    /// the image anyway: sending them makes every build slower, busts the
    /// layer cache on unrelated changes, and can overwrite the dependencies
    /// the image installs with ones built for another platform. `.git` also
    /// carries the project's history and remotes.
    ///
    /// The rule fires when the `.dockerignore` in effect exists, one of
    /// `node_modules`, `.git`, `.venv` (or a `venv`/`env` with `pyvenv.cfg`)
    /// exists in the context, and a `COPY`/`ADD` of the whole context or of a
    /// directory sends files from it. It is reported in the `.dockerignore`
    /// file, once, listing the lines to add. Needs the build context.
    ///
    /// Note that, unlike `.gitignore`, a `.dockerignore` line such as
    /// `node_modules` only matches at the context root: use
    /// `**/node_modules` for nested ones.
    ///
    /// ## Example
    /// ```dockerfile
    /// # .dockerignore: "*.log"; the context has node_modules/
    /// FROM node:22
    /// COPY . /app
    /// ```
    ///
    /// Use instead: add `node_modules` to `.dockerignore`.
    pub(crate) struct DockerignoreMissesHeavyDirs {
        code: "CR3004",
        name: "dockerignore-misses-heavy-dirs",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for DockerignoreMissesHeavyDirs {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        let Some(ignore) = &context.ignore else {
            return;
        };
        // Files sent by COPY/ADD sources that are directories (or the whole context).
        let mut sent: HashSet<&str> = HashSet::new();
        for instruction in ctx.instructions() {
            for source in files_sent(instruction, context, ctx.dockerfile.escape) {
                let single_file = source.files.len() == 1
                    && !source.whole_context
                    && !source.word.value.contains(['*', '?', '[']);
                if !single_file {
                    sent.extend(source.files.iter().map(|f| f.path.as_str()));
                }
            }
        }
        let mut paths: Vec<&str> = Vec::new();
        for (dir, reason) in heavy_dirs(context) {
            let name = dir.rsplit('/').next().unwrap_or(dir);
            let wanted =
                matches!(name, "node_modules" | ".git") || reason == "Python virtual environment";
            let prefix = format!("{dir}/");
            if wanted && sent.iter().any(|path| path.starts_with(&prefix)) {
                paths.push(dir);
            }
        }
        let lines = ignore_lines(&paths);
        if lines.is_empty() {
            return;
        }
        let listed: Vec<String> = lines.iter().map(|l| format!("`{l}`")).collect();
        out.push(
            Diagnostic::new(
                &Self::INFO,
                end_of(&ignore.text),
                format!(
                    "`.dockerignore` does not exclude {}, which `COPY` sends into the image",
                    listed.join(", ")
                ),
            )
            .with_help(format!(
                "add the lines {} to `.dockerignore`",
                listed.join(", ")
            ))
            .in_file(&ignore.path),
        );
    }
}

/// An empty span at the start of the last line of `text` (where lines would be added).
fn end_of(text: &str) -> Span {
    let trimmed = text.trim_end_matches('\n');
    let offset = trimmed.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = trimmed.matches('\n').count() as u32 + 1;
    let pos = Pos {
        line,
        column: 1,
        offset,
    };
    Span::new(pos, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_position() {
        assert_eq!(end_of("").start.line, 1);
        assert_eq!(end_of("a\nb\n").start.line, 2);
        assert_eq!(end_of("a\nb\n").start.offset, 2);
        assert_eq!(end_of("a\nb").start.line, 2);
    }
}
