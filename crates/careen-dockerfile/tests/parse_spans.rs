//! Spans and source maps of the typed AST.

use careen_dockerfile::{parse, Command, InstructionKind, Span};

fn text(src: &str, span: Span) -> &str {
    &src[span.range()]
}

#[test]
fn keyword_flag_and_word_spans() {
    let src = "FROM golang:1.22 AS build\n  copy --from=build --chown=1:1 /a /b/\n";
    let df = parse(src).unwrap();
    let from = &df.instructions[0];
    assert_eq!(text(src, from.keyword_span), "FROM");
    assert_eq!(
        (from.keyword_span.start.line, from.keyword_span.start.column),
        (1, 1)
    );
    let InstructionKind::From(f) = &from.kind else {
        panic!("not FROM")
    };
    assert_eq!(text(src, f.image.span), "golang:1.22");
    assert_eq!(text(src, f.alias.as_ref().unwrap().span), "build");

    let copy = &df.instructions[1];
    assert_eq!(text(src, copy.keyword_span), "copy");
    assert_eq!(copy.keyword_span.start.line, 2);
    assert_eq!(copy.keyword_span.start.column, 3);
    assert_eq!(copy.flags.len(), 2);
    assert_eq!(copy.flags[0].name, "from");
    assert_eq!(copy.flags[0].value.as_deref(), Some("build"));
    assert_eq!(text(src, copy.flags[0].span), "--from=build");
    assert_eq!(text(src, copy.flags[1].span), "--chown=1:1");
    assert_eq!(copy.flag("CHOWN").unwrap().value.as_deref(), Some("1:1"));
    let InstructionKind::Copy(c) = &copy.kind else {
        panic!("not COPY")
    };
    assert_eq!(c.sources.len(), 1);
    assert_eq!(text(src, c.sources[0].span), "/a");
    assert_eq!(text(src, c.dest.span), "/b/");
    assert_eq!(text(src, copy.span), "copy --from=build --chown=1:1 /a /b/");
}

#[test]
fn shell_script_map_through_continuations_and_comments() {
    let src = "FROM x\nRUN apt-get update \\\n  # a comment inside\n    && apt-get install -y curl \\\n\t&& rm -rf /var/lib/apt/lists/*\nCMD [\"a\"]\n";
    let df = parse(src).unwrap();
    let run = &df.instructions[1];
    let InstructionKind::Run(r) = &run.kind else {
        panic!("not RUN")
    };
    let Command::Shell { script, map, span } = &r.command else {
        panic!("not shell")
    };
    assert_eq!(
        script,
        "apt-get update     && apt-get install -y curl \t&& rm -rf /var/lib/apt/lists/*"
    );
    // Every script byte maps to the same byte in the source.
    for (i, b) in script.bytes().enumerate() {
        let s = map.to_source(i).expect("mapped");
        assert_eq!(src.as_bytes()[s], b, "script offset {i} -> source {s}");
    }
    // A word found in the script lands on the same text in the source.
    let at = script.find("install").unwrap();
    let s = map.to_source(at).unwrap();
    assert_eq!(&src[s..s + 7], "install");
    assert_eq!(df.line_index.pos(src, s).line, 4);
    assert_eq!(span.start.line, 2);
    assert_eq!(span.end.line, 5);
    assert_eq!(run.span.end.line, 5);
    // The comment inside the continuation is recorded.
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "a comment inside");
    assert_eq!(text(src, df.comments[0].span), "# a comment inside");
    // JSON form.
    let InstructionKind::Cmd(Command::Exec { args, .. }) = &df.instructions[2].kind else {
        panic!("not exec")
    };
    assert_eq!(args[0].value, "a");
    assert_eq!(text(src, args[0].span), "\"a\"");
}

#[test]
fn env_label_arg_spans() {
    let src = "FROM x\nENV A=1 B=\"two words\"\nENV LEGACY some value\nARG V=3 W\nLABEL k=v\n";
    let df = parse(src).unwrap();
    let InstructionKind::Env(kv) = &df.instructions[1].kind else {
        panic!()
    };
    assert_eq!(kv.len(), 2);
    assert_eq!(text(src, kv[1].key.span), "B");
    assert_eq!(kv[1].value.value, "\"two words\"");
    assert_eq!(text(src, kv[1].value.span), "\"two words\"");
    assert_eq!(text(src, kv[1].span), "B=\"two words\"");
    let InstructionKind::Env(kv) = &df.instructions[2].kind else {
        panic!()
    };
    assert!(kv[0].legacy);
    assert_eq!(kv[0].value.value, "some value");
    assert_eq!(text(src, kv[0].value.span), "some value");
    let InstructionKind::Arg(a) = &df.instructions[3].kind else {
        panic!()
    };
    assert_eq!(a[0].name.value, "V");
    assert_eq!(text(src, a[0].default.as_ref().unwrap().span), "3");
    assert_eq!(a[1].default, None);
    let InstructionKind::Label(l) = &df.instructions[4].kind else {
        panic!()
    };
    assert_eq!(text(src, l[0].value.span), "v");
}

#[test]
fn heredoc_content_span_and_map() {
    let src = "FROM x\nRUN <<EOF cat <<-'END'\necho hi\nEOF\n\tquoted $X\n\tEND\nCOPY <<\"A\" /dst\nbody\nA\n";
    let df = parse(src).unwrap();
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 2);
    let h0 = &run.heredocs[0];
    assert_eq!(
        (h0.name.as_str(), h0.content.as_str(), h0.expand, h0.chomp),
        ("EOF", "echo hi\n", true, false)
    );
    assert_eq!(text(src, h0.span), "echo hi\nEOF");
    let h1 = &run.heredocs[1];
    assert_eq!(
        (h1.name.as_str(), h1.content.as_str(), h1.expand, h1.chomp),
        ("END", "quoted $X\n", false, true)
    );
    let s = h1.map.to_source(0).unwrap();
    assert_eq!(&src[s..s + 6], "quoted");
    assert_eq!(run.span.end.line, 6);
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs[0].name, "A");
    assert!(!copy.heredocs[0].expand);
    assert_eq!(copy.heredocs[0].content, "body\n");
    let InstructionKind::Copy(c) = &copy.kind else {
        panic!()
    };
    assert_eq!(c.sources[0].value, "<<\"A\"");
    assert_eq!(df.root.children[2].start_line, 7);
    assert_eq!(df.root.children[2].end_line, 9);
}

#[test]
fn directives_bom_and_escape() {
    let src = "\u{feff}# syntax=docker/dockerfile:1\n# ESCAPE=`\nFROM x\nRUN a `\n  b\n";
    let df = parse(src).unwrap();
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.directives[0].name, "syntax");
    assert_eq!(df.directives[0].value, "docker/dockerfile:1");
    assert_eq!(df.directives[1].name, "escape");
    assert_eq!(df.comments.len(), 2);
    assert_eq!(df.root.dump(), "(from \"x\")\n(run \"a   b\")");
    let from = &df.instructions[0];
    assert_eq!(text(src, from.keyword_span), "FROM");
    assert_eq!(df.source, src);
}

#[test]
fn onbuild_nested_and_unknown() {
    let src = "FROM x\nONBUILD RUN echo hi\nFOO bar baz\n";
    let df = parse(src).unwrap();
    let InstructionKind::Onbuild(inner) = &df.instructions[1].kind else {
        panic!()
    };
    assert_eq!(text(src, inner.keyword_span), "RUN");
    let InstructionKind::Run(r) = &inner.kind else {
        panic!()
    };
    let Command::Shell { script, .. } = &r.command else {
        panic!()
    };
    assert_eq!(script, "echo hi");
    let InstructionKind::Unknown(w) = &df.instructions[2].kind else {
        panic!()
    };
    assert_eq!(w.value, "bar baz");
    assert_eq!(
        df.root.dump(),
        "(from \"x\")\n(onbuild (run \"echo hi\"))\n(foo \"\")"
    );
}

#[test]
fn empty_continuation_line_warns() {
    let src = "FROM x\nRUN a \\\n\n  b\n";
    let df = parse(src).unwrap();
    assert_eq!(df.warnings.len(), 1);
    assert_eq!(df.warnings[0].span.start.line, 3);
    assert_eq!(df.root.dump(), "(from \"x\")\n(run \"a   b\")");
}
