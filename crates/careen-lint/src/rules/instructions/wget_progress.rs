use super::hadolint_shell::{runs, Onbuild};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `wget` without an option that keeps its progress output short.
    ///
    /// ## Why is this bad?
    /// Without a terminal, `wget` prints a progress line for every few kilobytes,
    /// so one large download can add thousands of lines to the build log and bury
    /// the messages that matter. `--progress=dot:giga` prints one dot per megabyte;
    /// `-q` or `-nv` print almost nothing; `-o FILE` sends the log elsewhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget https://example.com/tool.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN wget --progress=dot:giga https://example.com/tool.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Adds `--progress=dot:giga` after `wget`. Safe, except in stages whose base
    /// image mentions `alpine` or `busybox`: BusyBox `wget` does not know the
    /// option, so there the fix is unsafe. No fix for exec-form RUN.
    ///
    /// ## Differences from hadolint
    /// None known. As in hadolint, `-O` (capital) is not enough: only `-o`/
    /// `--output-file`, `-a`/`--append-output`, `-q`/`--quiet`, `-nv`/
    /// `--no-verbose` and `--progress` count.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct WgetProgress {
        code: "DL3047",
        name: "wget-progress",
        severity: Info,
        fix: Sometimes,
        enabled: true,
    }
}

const QUIET_FLAGS: &[&str] = &[
    "progress",
    "q",
    "quiet",
    "o",
    "output-file",
    "a",
    "append-output",
    "no-verbose",
];

impl Rule for WgetProgress {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx, Onbuild::Include) {
            let busybox_base = ctx.stage_of(run.index).is_some_and(|stage| {
                let base = stage.base.to_ascii_lowercase();
                base.contains("alpine") || base.contains("busybox")
            });
            let mut found = None;
            for source in &run.scripts {
                let commands = source.commands();
                if let Some(c) = commands
                    .iter()
                    .find(|c| c.name == "wget" && !c.has_any_flag(QUIET_FLAGS) && !c.has_arg("-nv"))
                {
                    let span = source.span(ctx, c.name_word.range.clone());
                    let edit = source
                        .source_offset(ctx, c.name_word.range.end)
                        .filter(|_| c.command.words.first() == Some(c.name_word))
                        .map(|at| Edit::insert(at, " --progress=dot:giga"));
                    found = Some((span, edit));
                    break;
                }
            }
            let Some((span, edit)) = found else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                &Self::INFO,
                span,
                "`wget` prints a long progress bar into the build log",
            )
            .with_help("add `--progress=dot:giga`, or `-q`/`-nv`");
            if let Some(edit) = edit {
                let title = "Add `--progress=dot:giga`";
                diagnostic = diagnostic.with_fix(if busybox_base {
                    Fix::unsafe_(title, vec![edit])
                } else {
                    Fix::safe(title, vec![edit])
                });
            }
            out.push(diagnostic);
        }
    }
}
