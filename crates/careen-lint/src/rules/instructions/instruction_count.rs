//! Shared by the "more than one X per stage" rules (DL4003, DL4004, DL3012).

use careen_dockerfile::{Instruction, InstructionKind};

/// The instructions for which `is_kind` holds that come after another such
/// instruction of the same stage. Stages are counted from one FROM to the
/// next, like hadolint (instructions before the first FROM count as a stage
/// of their own). ONBUILD triggers are not counted.
pub(crate) fn repeated_in_stage(
    instructions: &[Instruction],
    is_kind: impl Fn(&InstructionKind) -> bool,
) -> Vec<&Instruction> {
    let mut seen = false;
    let mut out = Vec::new();
    for instruction in instructions {
        if matches!(instruction.kind, InstructionKind::From(_)) {
            seen = false;
        } else if is_kind(&instruction.kind) {
            if seen {
                out.push(instruction);
            }
            seen = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_stage() {
        let source = "CMD a\nFROM x\nCMD b\nONBUILD CMD c\nCMD d\nCMD e\nFROM y\nCMD f\n";
        let dockerfile = careen_dockerfile::parse(source).unwrap_or_else(|e| panic!("{e:?}"));
        let repeated = repeated_in_stage(&dockerfile.instructions, |k| {
            matches!(k, InstructionKind::Cmd(_))
        });
        let lines: Vec<u32> = repeated.iter().map(|i| i.keyword_span.start.line).collect();
        assert_eq!(lines, [5, 6]);
    }
}
