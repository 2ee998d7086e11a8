#![no_main]
//! Any bytes: the parser must return Ok or Err, never panic or hang; when it
//! parses, dumping the tree and walking the typed AST must not panic either.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(df) = careen_dockerfile::parser::parse_bytes(data) {
        let dump = df.root.dump();
        assert!(!dump.is_empty() || df.root.children.is_empty());
        assert_eq!(df.instructions.len(), df.root.children.len());
        // Every span must lie inside the source on char boundaries.
        let src = df.source.as_str();
        for ins in &df.instructions {
            for span in [ins.span, ins.keyword_span] {
                assert!(span.start.offset <= span.end.offset, "{span:?}");
                assert!(src.get(span.range()).is_some(), "{span:?}");
            }
            for f in &ins.flags {
                assert!(src.get(f.span.range()).is_some());
            }
            for h in &ins.heredocs {
                for &(d, s, len) in &h.map.segments {
                    assert_eq!(h.content.get(d..d + len), src.get(s..s + len));
                }
            }
            let cmd = match &ins.kind {
                careen_dockerfile::InstructionKind::Run(r) => Some(&r.command),
                careen_dockerfile::InstructionKind::Cmd(c)
                | careen_dockerfile::InstructionKind::Entrypoint(c) => Some(c),
                _ => None,
            };
            if let Some(careen_dockerfile::Command::Shell { script, map, .. }) = cmd {
                for &(d, s, len) in &map.segments {
                    assert_eq!(script.get(d..d + len), src.get(s..s + len));
                }
            }
        }
        for c in &df.comments {
            assert!(src.get(c.span.range()).is_some());
        }
    }
});
