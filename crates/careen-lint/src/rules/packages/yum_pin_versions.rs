use super::manager::{defined_variables, describe, rpm_version_fixed, runs, Arg, Cmd};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `yum` `install` of packages without a version.
    ///
    /// ## Why is this bad?
    /// Without a version each build installs whatever the repository has
    /// that day, so builds are not repeatable. Name the version as rpm does,
    /// `name-version` (`httpd-2.4.6`), or install an `.rpm` file; for
    /// `yum module install`, give a stream (`nodejs:18`). A version held in
    /// a variable (`httpd-${HTTPD_VERSION}`) counts when the variable is
    /// declared by ARG or by ENV in the stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    pub(crate) struct YumPinVersions {
        code: "DL3033",
        name: "yum-pin-versions",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

const COMMANDS: &[&str] = &["yum"];

fn is(c: &Cmd<'_>, args: &[&str]) -> bool {
    COMMANDS.iter().any(|n| c.has_any_arg(n, args))
}

/// Package words of an install (`install` and `module` skipped).
fn install_words<'c>(c: &'c Cmd<'_>) -> Vec<&'c Arg> {
    if !is(c, &["install"]) {
        return Vec::new();
    }
    c.args_no_flags(&[])
        .into_iter()
        .filter(|a| a.text != "install" && a.text != "module")
        .collect()
}

impl Rule for YumPinVersions {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let defined = defined_variables(ctx);
        for run in runs(ctx) {
            let vars = defined.get(run.index).map(Vec::as_slice).unwrap_or(&[]);
            let unpinned: Vec<&Arg> = run
                .commands
                .iter()
                .flat_map(|c| {
                    let module = is(c, &["module"]);
                    let skip = is(c, &["module"]);
                    install_words(c).into_iter().filter(move |a| {
                        if module {
                            !a.text.contains(':')
                        } else {
                            !skip && !rpm_version_fixed(&a.text, vars)
                        }
                    })
                })
                .collect();
            let Some(first) = unpinned.first() else {
                continue;
            };
            let names: Vec<&str> = unpinned.iter().map(|a| a.text.as_str()).collect();
            let verb = if names.len() == 1 { "is" } else { "are" };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.span(first.source.clone()),
                    format!("{} {verb} installed without a version", describe(&names)),
                )
                .with_help("name the version, e.g. `httpd-2.4.6`"),
            );
        }
    }
}
