use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use crate::util::ImageRef;
use careen_dockerfile::InstructionKind;
use std::collections::HashMap;

rule! {
    /// ## What it does
    /// Checks for `COPY` to a relative destination in a stage without `WORKDIR`.
    ///
    /// ## Why is this bad?
    /// A relative destination is resolved against the working directory,
    /// which, without a `WORKDIR` in the stage, is whatever the base image set
    /// (often `/`). The files land somewhere that can change with the base
    /// image. Set `WORKDIR` or use an absolute destination.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json .
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended; hadolint's bookkeeping is reproduced. A stage counts as
    /// having a `WORKDIR` when one came earlier in it, or when its base is an
    /// earlier stage (or an earlier unnamed stage with the same image name,
    /// tag ignored) that had one by the time this stage started. Destinations
    /// starting with `/`, `$` or a Windows drive (`C:`) are fine; names are
    /// compared case-sensitively. `ADD` and `ONBUILD COPY` are not checked.
    pub(crate) struct CopyRelativeDestWithoutWorkdir {
        code: "DL3045",
        name: "copy-relative-dest-without-workdir",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn strip_quotes(path: &str) -> &str {
    path.trim_matches(['"', '\''])
}

/// `/x`, `$X`, or a Windows drive `C:…`.
fn is_absolute_like(dest: &str) -> bool {
    let mut chars = dest.chars();
    dest.starts_with('/')
        || dest.starts_with('$')
        || (chars.next().is_some_and(char::is_alphabetic) && chars.next() == Some(':'))
}

impl Rule for CopyRelativeDestWithoutWorkdir {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // Whether a WORKDIR was set, per stage key (the alias, or the image
        // name for stages without one; None before the first FROM).
        let mut workdir_set: HashMap<Option<String>, bool> = HashMap::new();
        let mut current: Option<String> = None;
        for instruction in ctx.instructions() {
            match &instruction.kind {
                InstructionKind::From(from) => {
                    let image = ImageRef::parse(&from.image.value).repository;
                    let key = from
                        .alias
                        .as_ref()
                        .map(|a| a.value.clone())
                        .unwrap_or_else(|| image.clone());
                    let inherited = workdir_set.get(&Some(image)).copied().unwrap_or(false);
                    workdir_set.insert(Some(key.clone()), inherited);
                    current = Some(key);
                }
                InstructionKind::Workdir(_) => {
                    workdir_set.insert(current.clone(), true);
                }
                InstructionKind::Copy(copy) => {
                    if workdir_set.get(&current).copied().unwrap_or(false) {
                        continue;
                    }
                    if is_absolute_like(strip_quotes(&copy.dest.value)) {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &Self::INFO,
                            copy.dest.span,
                            format!(
                                "`COPY` to relative `{}` without a `WORKDIR` in the stage",
                                copy.dest.value
                            ),
                        )
                        .with_help("set `WORKDIR` first or use an absolute destination"),
                    );
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
    fn absolute_like() {
        assert!(is_absolute_like("/app"));
        assert!(is_absolute_like("$HOME/x"));
        assert!(is_absolute_like("C:/x"));
        assert!(is_absolute_like("c:\\x"));
        assert!(!is_absolute_like("app"));
        assert!(!is_absolute_like("."));
        assert!(!is_absolute_like("~/x"));
        assert!(!is_absolute_like(""));
    }
}
