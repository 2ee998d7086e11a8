use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{shell, Command, Instruction, InstructionKind};

rule! {
    /// ## What it does
    /// Checks for consecutive `RUN` instructions that each run a single command.
    ///
    /// ## Why is this bad?
    /// Every `RUN` makes a layer. Runs of one-command `RUN`s in a row add
    /// layers (and cache entries) for no benefit; joining them with `&&`
    /// gives a smaller, faster-to-pull image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Differences from hadolint
    /// None intended; hadolint's conditions are reproduced. A `RUN` is reported
    /// when the `RUN` before it (comments and blank lines in between are fine,
    /// any other instruction breaks the sequence) has the same flags, and
    /// neither runs more than one command (commands inside `$(…)` count). A
    /// `RUN` that already chains commands was split on purpose and is left
    /// alone. The exec form counts as the command line it spells.
    pub(crate) struct ConsecutiveRun {
        code: "DL3059",
        name: "consecutive-run",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

/// Flags of a RUN in a comparable form (order does not matter).
type FlagKey = Vec<(String, Option<String>)>;

fn flag_key(instruction: &Instruction) -> FlagKey {
    let mut flags: Vec<_> = instruction
        .flags
        .iter()
        .map(|f| (f.name.to_ascii_lowercase(), f.value.clone()))
        .collect();
    flags.sort();
    flags
}

/// Named commands of a script, not counting those inside an `sh -c '…'`
/// string (hadolint does not look inside it).
fn named_commands(script: &shell::Script) -> usize {
    let hidden: Vec<std::ops::Range<usize>> = script
        .commands
        .iter()
        .filter_map(|c| c.shell_c_script().map(|w| w.range.clone()))
        .collect();
    script
        .commands
        .iter()
        .filter(|c| c.name().is_some())
        .filter(|c| {
            !hidden
                .iter()
                .any(|h| h.start <= c.range.start && c.range.end <= h.end)
        })
        .count()
}

/// Number of named commands the RUN executes.
fn command_count(ctx: &Context<'_>, index: usize, command: &Command) -> usize {
    match command {
        Command::Exec { args, .. } => {
            let line: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
            named_commands(&shell::parse(&line.join(" ")))
        }
        Command::Shell { .. } => ctx
            .scripts
            .get(index)
            .and_then(|scripts| scripts.first())
            .map(|parsed| named_commands(&parsed.script))
            .unwrap_or(0),
    }
}

impl Rule for ConsecutiveRun {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // (flags, command count) of the RUN that starts the current sequence.
        let mut previous: Option<(FlagKey, usize)> = None;
        for (index, instruction) in ctx.instructions().iter().enumerate() {
            let InstructionKind::Run(run) = &instruction.kind else {
                previous = None;
                continue;
            };
            let flags = flag_key(instruction);
            let count = command_count(ctx, index, &run.command);
            match &previous {
                Some((before, before_count))
                    if *before == flags && count <= 1 && *before_count <= 1 =>
                {
                    out.push(
                        Diagnostic::new(
                            &Self::INFO,
                            instruction.keyword_span,
                            "this `RUN` follows another single-command `RUN`",
                        )
                        .with_help("join consecutive commands into one `RUN` with `&&`"),
                    );
                }
                _ => previous = Some((flags, count)),
            }
        }
    }
}
