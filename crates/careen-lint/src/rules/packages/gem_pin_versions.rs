use super::manager::{runs, Arg, Cmd};
use super::report::{report_unpinned, IS_ARE};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `gem install` of gems without a version.
    ///
    /// ## Why is this bad?
    /// Without a version, `gem install` takes the newest release, so the image
    /// depends on the day it was built. Write `rails:7.1.3` or pass `-v`.
    ///
    /// Like hadolint, a word that follows any option is taken as that
    /// option's value, so in `gem install --no-document rails` the gem is not
    /// checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN gem install rails
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN gem install rails:7.1.3
    /// ```
    pub(crate) struct GemPinVersions {
        code: "DL3028",
        name: "gem-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn unpinned<'c>(cmd: &'c Cmd<'_>) -> Vec<&'c Arg> {
    if !cmd.has_any_arg("gem", &["install", "i"])
        || cmd.has_arg("-v")
        || cmd.has_arg("--version")
        || cmd.args.iter().any(|a| a.text.starts_with("--version="))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut skip_next = false;
    for arg in cmd.args.iter().take_while(|a| a.text != "--") {
        if skip_next {
            skip_next = false;
        } else if arg.text.starts_with('-') {
            skip_next = true;
        } else if arg.text != "install" && arg.text != "i" && !arg.text.contains(':') {
            out.push(arg);
        }
    }
    out
}

impl Rule for GemPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx) {
            let unpinned: Vec<_> = run.commands.iter().flat_map(unpinned).collect();
            out.extend(report_unpinned(
                ctx,
                &Self::INFO,
                &unpinned,
                IS_ARE,
                |names, verb| format!("{names} {verb} installed with gem without a pinned version"),
                "name a version, e.g. `rails:7.1.3`",
            ));
        }
    }
}
