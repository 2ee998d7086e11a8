use super::hadolint_shell::{drop_quotes, is_archive, runs, Onbuild};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{InstructionKind, Span};

rule! {
    /// ## What it does
    /// Checks for archives copied with COPY and then unpacked by a later RUN.
    ///
    /// ## Why is this bad?
    /// The archive is stored in the COPY layer and stays in the image even after
    /// the RUN unpacks it, so the image carries the data twice. ADD unpacks a
    /// local tar archive in one step and stores only the files.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD app.tar.gz /opt/
    /// ```
    ///
    /// ## Differences from hadolint
    /// Same as hadolint: only the final stage is reported; an archive is a name
    /// ending in one of hadolint's archive suffixes (`.zip` is not one) and is
    /// matched by file name; extraction is `tar` with an option word containing
    /// `x` (or `--extract`/`--get`), or `unzip`, `gunzip`, `bunzip2`,
    /// `unlzma`, `unxz`, `zgz`, `uncompress`, `zcat`, `gzcat`. `tar xf` (without
    /// a dash) is not seen.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct CopyThenExtract {
        code: "DL3010",
        name: "copy-then-extract",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

const UNPACKERS: &[&str] = &[
    "unzip",
    "gunzip",
    "bunzip2",
    "unlzma",
    "unxz",
    "zgz",
    "uncompress",
    "zcat",
    "gzcat",
];

fn basename(path: &str) -> &str {
    let path = drop_quotes(path);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Rule for CopyThenExtract {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(stage) = ctx.final_stage() else {
            return;
        };
        let runs = runs(ctx, Onbuild::Skip);
        // (span of the COPY source, archive file name, extracted)
        let mut archives: Vec<(Span, String, bool)> = Vec::new();
        for index in stage.instructions.clone() {
            let Some(instruction) = ctx.instructions().get(index) else {
                continue;
            };
            match &instruction.kind {
                InstructionKind::Copy(copy) if instruction.flag("from").is_none() => {
                    if is_archive(&copy.dest.value) {
                        archives.push((copy.dest.span, basename(&copy.dest.value).into(), false));
                    } else {
                        for source in copy.sources.iter().filter(|s| is_archive(&s.value)) {
                            archives.push((source.span, basename(&source.value).into(), false));
                        }
                    }
                }
                InstructionKind::Run(_) => {
                    let Some(run) = runs.iter().find(|r| r.index == index) else {
                        continue;
                    };
                    for source in &run.scripts {
                        for c in source.commands() {
                            let extracts = (c.name == "tar"
                                && c.args.iter().any(|w| {
                                    w.value == "--extract"
                                        || w.value == "--get"
                                        || (w.value.starts_with('-') && w.value.contains('x'))
                                }))
                                || UNPACKERS.contains(&c.name);
                            if !extracts {
                                continue;
                            }
                            let files: Vec<&str> = c
                                .args_no_flags()
                                .iter()
                                .map(|w| basename(&w.value))
                                .collect();
                            for archive in archives.iter_mut() {
                                if files.contains(&archive.1.as_str()) {
                                    archive.2 = true;
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for (span, name, extracted) in archives {
            if extracted {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        span,
                        format!("archive `{name}` is copied, then unpacked in a later RUN"),
                    )
                    .with_help("let ADD unpack it, so the archive itself is not kept in a layer"),
                );
            }
        }
    }
}
