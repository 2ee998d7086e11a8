//! What a rule sees: the parsed file, its stages, the parsed shell of every
//! RUN, the build context and the settings.

use crate::build_context::BuildContext;
use crate::settings::Settings;
use careen_dockerfile::shell::{self, SimpleCommand};
use careen_dockerfile::{
    Command, Dockerfile, Healthcheck, Instruction, InstructionKind, SourceMap, Span, Stage,
};
use std::path::Path;

/// A shell script of a RUN (its shell-form text, or a heredoc body the shell
/// runs) with its parse and the map back to source offsets.
#[derive(Debug, Clone)]
pub struct ParsedScript {
    pub text: String,
    pub map: SourceMap,
    pub script: shell::Script,
}

/// The input of every rule for one Dockerfile.
pub struct Context<'a> {
    pub path: &'a Path,
    pub dockerfile: &'a Dockerfile,
    pub stages: Vec<Stage>,
    /// Parsed shell scripts per instruction index (empty for non-RUN instructions;
    /// for `ONBUILD RUN` the inner RUN's scripts); made by [`parse_scripts`].
    pub scripts: &'a [Vec<ParsedScript>],
    /// The build context beside the Dockerfile, unless `--no-context`.
    pub build_context: Option<&'a BuildContext>,
    pub settings: &'a Settings,
    /// RUN commands as hadolint's package-manager rules read them, computed
    /// once per file on first use (two dozen rules share it).
    pub(crate) package_runs: std::cell::OnceCell<Vec<crate::rules::packages::manager::RunView<'a>>>,
}

impl<'a> Context<'a> {
    /// `scripts` is `parse_scripts(dockerfile)`.
    pub fn new(
        path: &'a Path,
        dockerfile: &'a Dockerfile,
        scripts: &'a [Vec<ParsedScript>],
        build_context: Option<&'a BuildContext>,
        settings: &'a Settings,
    ) -> Context<'a> {
        Context {
            path,
            dockerfile,
            stages: dockerfile.stages(),
            scripts,
            build_context,
            settings,
            package_runs: std::cell::OnceCell::new(),
        }
    }

    pub fn source(&self) -> &'a str {
        &self.dockerfile.source
    }

    pub fn instructions(&self) -> &'a [Instruction] {
        &self.dockerfile.instructions
    }

    /// The stage instruction `index` belongs to (None for global ARGs).
    pub fn stage_of(&self, index: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|stage| stage.instructions.contains(&index))
    }

    /// The last stage (what `docker build` produces without `--target`).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Every simple command of the RUN at `index` (all its scripts), with the script it is in.
    pub fn commands(&self, index: usize) -> impl Iterator<Item = (&ParsedScript, &SimpleCommand)> {
        self.scripts
            .get(index)
            .into_iter()
            .flatten()
            .flat_map(|parsed| parsed.script.commands.iter().map(move |c| (parsed, c)))
    }

    /// Every (instruction index, script, command) of the file.
    pub fn all_commands(
        &self,
    ) -> impl Iterator<Item = (usize, &ParsedScript, &SimpleCommand)> + use<'_, 'a> {
        (0..self.scripts.len()).flat_map(move |i| self.commands(i).map(move |(p, c)| (i, p, c)))
    }

    /// Source byte offset of a byte offset within `script`.
    pub fn source_offset(&self, script: &ParsedScript, offset: usize) -> usize {
        script
            .map
            .to_source(offset)
            .unwrap_or_else(|| script.map.segments.first().map(|s| s.1).unwrap_or_default())
    }

    /// Source span of a byte range within `script`.
    pub fn script_span(&self, script: &ParsedScript, range: std::ops::Range<usize>) -> Span {
        let start = self.source_offset(script, range.start);
        let end = self.source_offset(script, range.end).max(start);
        self.dockerfile.span_of(start..end)
    }

    /// Span for a source byte range.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        self.dockerfile.span_of(range)
    }
}

/// The parsed shell scripts of every instruction (see [`Context::scripts`]).
pub fn parse_scripts(dockerfile: &Dockerfile) -> Vec<Vec<ParsedScript>> {
    dockerfile.instructions.iter().map(scripts_of).collect()
}

/// The shell scripts a RUN (or ONBUILD RUN) executes.
fn scripts_of(instruction: &Instruction) -> Vec<ParsedScript> {
    match &instruction.kind {
        InstructionKind::Run(run) => command_scripts(&run.command, instruction),
        InstructionKind::Onbuild(inner) => scripts_of(inner),
        _ => Vec::new(),
    }
}

/// Scripts of a shell-form command, plus heredoc bodies that the shell runs
/// (`RUN <<EOF` / `RUN bash <<EOF`: a heredoc whose marker is the whole command
/// or follows a shell name).
pub(crate) fn command_scripts(command: &Command, instruction: &Instruction) -> Vec<ParsedScript> {
    let Command::Shell { script, map, .. } = command else {
        return Vec::new();
    };
    let mut out = vec![ParsedScript {
        text: script.clone(),
        map: map.clone(),
        script: shell::parse(script),
    }];
    for heredoc in &instruction.heredocs {
        let runs_as_script = script
            .split_whitespace()
            .next()
            .is_some_and(|first| first.starts_with("<<"))
            || script.split_whitespace().next().is_some_and(|first| {
                matches!(
                    first.rsplit('/').next(),
                    Some("sh" | "bash" | "ash" | "dash" | "zsh")
                )
            });
        if runs_as_script {
            out.push(ParsedScript {
                text: heredoc.content.clone(),
                map: heredoc.map.clone(),
                script: shell::parse(&heredoc.content),
            });
        }
    }
    out
}

/// The command of a HEALTHCHECK, if it has one.
pub fn healthcheck_command(instruction: &Instruction) -> Option<&Command> {
    match &instruction.kind {
        InstructionKind::Healthcheck(Healthcheck::Cmd(command)) => Some(command),
        _ => None,
    }
}
