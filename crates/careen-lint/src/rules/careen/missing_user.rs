use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::util::ImageRef;
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that the final stage sets a `USER`.
    ///
    /// ## Why is this bad?
    /// Without a `USER` instruction the container runs as whatever user the
    /// base image picked, which for almost every public image is `root`. A
    /// process running as root inside the container can read every file of the
    /// image, install software and, through a kernel or runtime bug, has the
    /// shortest way out to the host. Running as an unprivileged user is the
    /// first item of every container-hardening guide.
    ///
    /// Stages the final stage is built `FROM` count: a `USER` there is
    /// inherited. Base images that are known to default to an unprivileged
    /// user (tags or names with `nonroot`/`rootless`, Chainguard images) are
    /// not reported, nor are Windows images and base images (no `CMD` or
    /// `ENTRYPOINT`, or one that only starts a shell or an interpreter's
    /// REPL, such as `CMD ["python3"]`): images built `FROM` them set the
    /// user.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --system --uid 10001 app
    /// COPY . /app
    /// USER app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint's DL3002 reports a `USER root` that is the last `USER`; this
    /// rule reports the case where no `USER` is given at all.
    pub(crate) struct MissingUser {
        code: "CR1001",
        name: "missing-user",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// Base images that run as an unprivileged user by default.
fn defaults_to_non_root(base: &str) -> bool {
    let image = ImageRef::parse(base);
    let lower = base.to_ascii_lowercase();
    lower.contains("nonroot")
        || lower.contains("non-root")
        || lower.contains("rootless")
        || image.registry.as_deref() == Some("cgr.dev")
}

impl Rule for MissingUser {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = ctx.final_stage() else {
            return;
        };
        let sets_user = practice::final_image_instructions(ctx)
            .into_iter()
            .any(|i| {
                matches!(
                    ctx.instructions().get(i).map(|x| &x.kind),
                    Some(InstructionKind::User(_))
                )
            });
        if sets_user {
            return;
        }
        let Some(root) = practice::root_base(ctx) else {
            return;
        };
        if root.base.contains('$')
            || defaults_to_non_root(&root.base)
            || practice::is_windows_image(&root.base)
            || !practice::runs_application(ctx)
        {
            return;
        }
        let Some(InstructionKind::From(from)) = ctx
            .instructions()
            .get(final_stage.from_instruction)
            .map(|i| &i.kind)
        else {
            return;
        };
        out.push(
            Diagnostic::new(
                &Self::INFO,
                from.image.span,
                format!(
                    "the final stage (`{}`) sets no `USER`, so the container runs as root",
                    from.image.value
                ),
            )
            .with_help("create an unprivileged user and switch to it with `USER` before `CMD`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_root_bases() {
        assert!(defaults_to_non_root("gcr.io/distroless/static:nonroot"));
        assert!(defaults_to_non_root("cgr.dev/chainguard/python:latest"));
        assert!(!defaults_to_non_root("python:3.12-slim"));
    }
}

#[cfg(test)]
mod whole_file_tests {
    use crate::rules::careen::practice::fired_lines;

    #[test]
    fn user_anywhere_in_the_final_image_counts() {
        let inherited = "FROM node:22 AS base\nUSER node\nFROM base\nCMD [\"node\", \"s.js\"]\n";
        assert!(fired_lines("CR1001", inherited).is_empty());
        let late = "FROM node:22\nCMD [\"node\", \"s.js\"]\nUSER 1000\n";
        assert!(fired_lines("CR1001", late).is_empty());
        let missing = "FROM node:22\nCMD [\"node\", \"s.js\"]\n";
        assert_eq!(fired_lines("CR1001", missing), [1]);
    }

    #[test]
    fn base_and_special_images_are_skipped() {
        for source in [
            "FROM debian:12\nCMD [\"bash\"]\n",
            "FROM debian:12\nRUN true\n",
            "FROM node:22\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n",
            "FROM gcr.io/distroless/static:nonroot\nCMD [\"/app\"]\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD [\"app.exe\"]\n",
            "ARG BASE=x\nFROM $BASE\nCMD [\"/app\"]\n",
        ] {
            assert!(fired_lines("CR1001", source).is_empty(), "{source}");
        }
    }
}
