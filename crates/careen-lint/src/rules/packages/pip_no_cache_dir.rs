use super::manager::{runs, RunView};
use super::report::MissingFlag;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;
use std::collections::HashMap;

rule! {
    /// ## What it does
    /// Checks for `pip install` without `--no-cache-dir`.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel and sdist in `~/.cache/pip`. In an
    /// image that cache is dead weight: nothing installs from it later, and it
    /// stays in the layer. `--no-cache-dir` turns it off. The rule is quiet
    /// when the cache is off another way: `PIP_NO_CACHE_DIR` set to a true
    /// value by ENV (in the stage or a stage it builds on) or in the RUN, or a
    /// cache or tmpfs mount at `.cache/pip`. `pipx` and `pipenv` are not
    /// checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install flask==3.0.2
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask==3.0.2
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache-dir` after `install`. Safe.
    pub(crate) struct PipNoCacheDir {
        code: "DL3042",
        name: "pip-no-cache-dir",
        severity: Warning,
        fix: Always,
        enabled: true,
    }
}

const TRUTHY: &[&str] = &[
    "1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES",
];

/// The RUN sets `PIP_NO_CACHE_DIR` to a true value (text after the first
/// `PIP_NO_CACHE_DIR=` starts with one).
fn set_in_run(run: &RunView<'_>) -> bool {
    run.texts.iter().any(|text| {
        text.find("PIP_NO_CACHE_DIR=").is_some_and(|at| {
            let rest = &text[at + "PIP_NO_CACHE_DIR=".len()..];
            TRUTHY.iter().any(|t| rest.starts_with(t))
        })
    })
}

/// Per stage (keyed by alias, else image name): whether ENV turned the cache off.
#[derive(Default)]
struct EnvState {
    started: bool,
    current: Option<String>,
    off: HashMap<Option<String>, bool>,
}

impl EnvState {
    fn from(&mut self, key: String, base: String) {
        if self.started {
            let parent = self.off.get(&Some(base)).copied().unwrap_or(false);
            self.off.insert(Some(key.clone()), parent);
        } else {
            self.started = true;
        }
        self.current = Some(key);
    }

    fn env(&mut self, ctx: &Context<'_>, pairs: &[careen_dockerfile::KeyValue]) {
        let set = pairs
            .iter()
            .find(|p| p.key.value == "PIP_NO_CACHE_DIR")
            .is_some_and(|p| {
                let value =
                    careen_dockerfile::expand::unquote(&p.value.value, ctx.dockerfile.escape);
                TRUTHY.contains(&value.as_str())
            });
        if set {
            if !self.started {
                self.started = true;
                self.current = None;
            }
            self.off.insert(self.current.clone(), true);
        }
    }

    fn is_off(&self) -> bool {
        self.started && self.off.get(&self.current).copied().unwrap_or(false)
    }
}

const FIX: MissingFlag<'static> = MissingFlag::new(&["install"], "--no-cache-dir");

impl Rule for PipNoCacheDir {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let all = runs(ctx);
        // hadolint follows plain instructions and ONBUILD ones separately.
        let mut plain = EnvState::default();
        let mut onbuild = EnvState::default();
        for (index, instruction) in ctx.instructions().iter().enumerate() {
            match &instruction.kind {
                InstructionKind::From(from) => {
                    let image = crate::util::ImageRef::parse(&from.image.value).repository;
                    let key = from
                        .alias
                        .as_ref()
                        .map(|a| a.value.clone())
                        .unwrap_or(image.clone());
                    plain.from(key, image);
                }
                InstructionKind::Env(pairs) => plain.env(ctx, pairs),
                InstructionKind::Onbuild(inner) => {
                    if let InstructionKind::Env(pairs) = &inner.kind {
                        onbuild.env(ctx, pairs);
                    }
                }
                _ => {}
            }
            let Some(run) = all.iter().find(|r| r.index == index) else {
                continue;
            };
            let state = if run.onbuild { &onbuild } else { &plain };
            if state.is_off() || set_in_run(run) || run.has_cache_mount_with(".cache/pip") {
                continue;
            }
            let offending: Vec<_> = run
                .commands
                .iter()
                .filter(|c| c.is_pip_install() && !c.has_arg("--no-cache-dir"))
                .filter(|c| {
                    !(c.name.contains("pipx")
                        || c.name.contains("pipenv")
                        || (c.name.starts_with("python")
                            && (c.has_arg_seq(&["-m", "pipx"])
                                || c.has_arg_seq(&["-m", "pipenv"]))))
                })
                .collect();
            out.extend(FIX.report(ctx, &Self::INFO, &offending, |_, _| {
                "`pip install` keeps its download cache in the layer".to_string()
            }));
        }
    }
}
