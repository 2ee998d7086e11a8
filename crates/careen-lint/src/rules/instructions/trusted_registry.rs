use super::hadolint_image::HlImage;
use super::hadolint_shell::flag_value_as_written;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{InstructionKind, Span};
use std::collections::HashSet;

rule! {
    /// ## What it does
    /// Checks that images come only from the registries listed in `trusted-registries`.
    ///
    /// ## Why is this bad?
    /// Teams often must build only from registries they control or have vetted.
    /// An image from anywhere else may be unmaintained, tampered with or
    /// unavailable when the registry goes down.
    ///
    /// Off unless `trusted-registries` is set (in `careen.toml` under `[lint]`,
    /// or `trustedRegistries` in `.hadolint.yaml`). Entries may start or end
    /// with `*` (`*.example.com`, `registry.*`); `*` alone allows everything.
    ///
    /// ## Example
    /// With `trusted-registries = ["ghcr.io"]`:
    /// ```dockerfile
    /// FROM quay.io/org/tool:1.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ghcr.io/org/tool:1.0
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same as hadolint: FROM images, `COPY --from` images and
    /// `RUN --mount=type=bind|cache,from=…` images are checked; names of
    /// earlier stages are accepted; an image without a registry counts as
    /// Docker Hub (`docker.io` or `hub.docker.com`), except `scratch`.
    pub(crate) struct TrustedRegistry {
        code: "DL3026",
        name: "trusted-registry",
        severity: Error,
        fix: None,
        enabled: false,
    }
}

fn registry_matches(pattern: &str, registry: &str) -> bool {
    if pattern == "*" {
        true
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        registry.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        registry.starts_with(prefix)
    } else {
        registry == pattern
    }
}

/// A `COPY --from` / mount `from=` value split the way hadolint does: a
/// registry only when the first `/`-separated part contains a `.`.
fn split_loose(reference: &str) -> (Option<&str>, &str) {
    match reference.split_once('/') {
        Some((first, rest)) if first.contains('.') => (Some(first), rest),
        _ => (None, reference),
    }
}

impl Rule for TrustedRegistry {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let allowed = &ctx.settings.trusted_registries;
        if allowed.is_empty() {
            return;
        }
        let trusted = |registry: Option<&str>, name: &str| match registry {
            Some(registry) => allowed.iter().any(|p| registry_matches(p, registry)),
            None => {
                name == "scratch"
                    || allowed.iter().any(|p| {
                        registry_matches(p, "docker.io") || registry_matches(p, "hub.docker.com")
                    })
            }
        };
        let mut stages: HashSet<String> = HashSet::new();
        let report = |span: Span, image: &str, out: &mut Vec<Diagnostic>| {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    format!("image `{image}` is not from a trusted registry"),
                )
                .with_help("use an image from a registry listed in `trusted-registries`"),
            );
        };
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::From(from) => {
                    let image = HlImage::parse(&from.image.value);
                    let ok = stages.contains(&image.name)
                        || trusted(image.registry.as_deref(), &image.name);
                    if let Some(alias) = &from.alias {
                        stages.insert(alias.value.clone());
                    }
                    if !ok {
                        report(from.image.span, &from.image.value, out);
                    }
                }
                InstructionKind::Copy(_) => {
                    let Some(flag) = instruction.flag("from") else {
                        continue;
                    };
                    let value = flag_value_as_written(ctx, flag);
                    let (registry, name) = split_loose(value);
                    if !stages.contains(name) && !trusted(registry, name) {
                        report(flag.span, value, out);
                    }
                }
                InstructionKind::Run(_) => {
                    for flag in instruction.flags.iter().filter(|f| f.name == "mount") {
                        let value = flag.value.as_deref().unwrap_or("");
                        let mut kind = "bind";
                        let mut from = None;
                        for part in value.split(',') {
                            match part.split_once('=') {
                                Some(("type", t)) => kind = t,
                                Some(("from", f)) => from = Some(f),
                                _ => {}
                            }
                        }
                        let Some(from) = from.filter(|_| kind == "bind" || kind == "cache") else {
                            continue;
                        };
                        let (registry, name) = split_loose(from);
                        if !stages.contains(name) && !trusted(registry, name) {
                            report(flag.span, from, out);
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(registry_matches("*", "x"));
        assert!(registry_matches("*.example.com", "r.example.com"));
        assert!(registry_matches("registry.*", "registry.io"));
        assert!(!registry_matches("ghcr.io", "quay.io"));
        assert_eq!(split_loose("gcr.io/a/b"), (Some("gcr.io"), "a/b"));
        assert_eq!(split_loose("builder"), (None, "builder"));
    }
}
