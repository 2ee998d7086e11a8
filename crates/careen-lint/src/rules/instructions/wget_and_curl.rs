use super::hadolint_shell::{runs, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for stages that download with both `wget` and `curl`.
    ///
    /// ## Why is this bad?
    /// Each tool is another package in the image with its own options, defaults
    /// and vulnerabilities. One downloader is enough for a stage; pick one and use
    /// it everywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLO https://example.com/a.tar.gz
    /// RUN wget -q https://example.com/b.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLO https://example.com/a.tar.gz
    /// RUN curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same scope as hadolint: from the RUN where both tools have been seen in
    /// the stage, every RUN that uses either is flagged. `ONBUILD RUN`
    /// instructions are tracked separately and, as in hadolint, across all
    /// stages of the file.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct WgetAndCurl {
        code: "DL4001",
        name: "wget-and-curl",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

#[derive(Default)]
struct Seen {
    curl: bool,
    wget: bool,
}

impl Rule for WgetAndCurl {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let runs = runs(ctx, Onbuild::Include);
        let mut runs = runs.iter().peekable();
        let mut stage = Seen::default();
        let mut onbuild = Seen::default();
        for (index, instruction) in ctx.instructions().iter().enumerate() {
            if matches!(instruction.kind, InstructionKind::From(_)) {
                stage = Seen::default();
            }
            let Some(run) = runs.next_if(|r| r.index == index) else {
                continue;
            };
            let seen = if run.onbuild {
                &mut onbuild
            } else {
                &mut stage
            };
            let mut first = None;
            for source in &run.scripts {
                for c in source.commands() {
                    let is_curl = c.name == "curl";
                    if is_curl || c.name == "wget" {
                        if is_curl {
                            seen.curl = true;
                        } else {
                            seen.wget = true;
                        }
                        if first.is_none() {
                            first = Some(source.span(ctx, c.name_word.range.clone()));
                        }
                    }
                }
            }
            if let Some(span) = first {
                if seen.curl && seen.wget {
                    out.push(
                        Diagnostic::new(
                            &Self::INFO,
                            span,
                            "this stage uses both `wget` and `curl`",
                        )
                        .with_help("download with one of them only"),
                    );
                }
            }
        }
    }
}
