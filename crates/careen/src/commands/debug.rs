//! `careen debug dockerfile-ast`: BuildKit's test dump of a parse.

use crate::args::debug::{DebugCommand, DebugFormat, DockerfileAstArgs};
use crate::ExitStatus;
use anyhow::Context as _;
use serde_json::json;
use std::io::{Read, Write};

pub fn run(command: DebugCommand) -> anyhow::Result<ExitStatus> {
    match command {
        DebugCommand::DockerfileAst(args) => dockerfile_ast(args),
    }
}

fn dockerfile_ast(args: DockerfileAstArgs) -> anyhow::Result<ExitStatus> {
    let source = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(careen_lint::linter::MAX_DOCKERFILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        careen_lint::linter::decode(&bytes).context("stdin")?
    } else {
        careen_lint::linter::read_dockerfile(&args.file)?
    };
    let dockerfile = careen_dockerfile::parse(&source)
        .with_context(|| format!("`{}` does not parse", args.file.display()))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        DebugFormat::Text => {
            for child in &dockerfile.root.children {
                writeln!(out, "({})", child.dump())?;
            }
        }
        DebugFormat::Json => {
            let instructions: Vec<_> = dockerfile
                .instructions
                .iter()
                .zip(&dockerfile.root.children)
                .map(|(instruction, node)| {
                    json!({
                        "instruction": instruction.keyword.as_str(),
                        "start_line": instruction.span.start.line,
                        "start_column": instruction.span.start.column,
                        "end_line": instruction.span.end.line,
                        "end_column": instruction.span.end.column,
                        "flags": instruction.flags.iter().map(|f| json!({
                            "name": f.name, "value": f.value,
                            "line": f.span.start.line, "column": f.span.start.column,
                        })).collect::<Vec<_>>(),
                        "dump": node.dump(),
                    })
                })
                .collect();
            let value = json!({
                "schema": "careen.debug.dockerfile-ast/v1",
                "escape": dockerfile.escape.to_string(),
                "directives": dockerfile.directives.iter().map(|d| json!({"name": d.name, "value": d.value, "line": d.span.start.line})).collect::<Vec<_>>(),
                "instructions": instructions,
                "warnings": dockerfile.warnings.iter().map(|w| json!({"message": w.message, "line": w.span.start.line})).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
    }
    Ok(ExitStatus::Success)
}
