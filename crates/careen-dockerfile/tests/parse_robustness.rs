//! Inputs that must give a clean error (or parse) without panicking, hanging
//! or using unbounded memory.

use careen_dockerfile::parser::parse_bytes;
use careen_dockerfile::{parse, ParseError};
use std::time::Instant;

#[test]
fn empty_and_comment_only_files_are_rejected() {
    assert_eq!(parse("").unwrap_err(), ParseError::Empty);
    assert_eq!(parse("\n\n  \n").unwrap_err(), ParseError::Empty);
    assert_eq!(parse("# a\n# b\n").unwrap_err(), ParseError::Empty);
    assert_eq!(parse("\u{feff}").unwrap_err(), ParseError::Empty);
}

#[test]
fn binary_and_non_utf8() {
    assert_eq!(
        parse_bytes(b"FROM x\0\n").unwrap_err(),
        ParseError::Binary { offset: 6 }
    );
    assert_eq!(
        parse("FROM \0").unwrap_err(),
        ParseError::Binary { offset: 5 }
    );
    assert_eq!(
        parse_bytes(b"FROM \xff\n").unwrap_err(),
        ParseError::NotUtf8 { offset: 5 }
    );
    assert!(parse_bytes(b"FROM x\n").is_ok());
}

#[test]
fn buildkit_errors() {
    let err = |s: &str| parse(s).unwrap_err().to_string();
    assert_eq!(
        err("FROM x\nENV PATH\n"),
        "line 2: ENV must have two arguments"
    );
    assert!(err("FROM x\nENV a=1 b\n").contains("can't find = in \"b\""));
    assert!(err("CMD [\"a\", 1]\n").contains("arrays must be comprised of strings only"));
    assert!(err("# escape=x\nFROM a\n").contains("invalid escape token"));
    assert!(err("# escape=`\n# escape=\\\nFROM a\n").contains("only one escape parser directive"));
    assert!(err("FROM x\nONBUILD ONBUILD RUN a\n").contains("ONBUILD ONBUILD"));
    // Not JSON because a number overflows: shell form, like Go's decoder.
    assert_eq!(
        parse("CMD [\"a\", 1e999]").unwrap().root.dump(),
        "(cmd \"[\\\"a\\\", 1e999]\")"
    );
}

#[test]
fn unterminated_heredoc() {
    let e = parse("FROM x\nRUN <<EOF\necho hi\n").unwrap_err();
    assert_eq!(
        e,
        ParseError::UnterminatedHeredoc {
            line: 2,
            name: "EOF".into()
        }
    );
    // An unbalanced quote on the line means BuildKit finds no heredoc at all.
    assert!(parse("FROM x\nRUN echo 'a <<EOF\n").is_ok());
    // JSON form does not take heredocs.
    assert!(parse("FROM x\nRUN [\"<<EOF\"]\n").is_ok());
}

#[test]
fn deeply_nested_onbuild_is_rejected_quickly() {
    let src = format!("FROM x\n{}RUN a\n", "ONBUILD \\\n".repeat(100_000));
    let e = parse(&src).unwrap_err();
    assert!(e.to_string().contains("ONBUILD ONBUILD"), "{e}");
}

#[test]
fn continuation_at_eof_and_lone_escape() {
    assert_eq!(
        parse("FROM x\nRUN a \\").unwrap().root.dump(),
        "(from \"x\")\n(run \"a\")"
    );
    assert_eq!(parse("\\").unwrap().root.dump(), "(\"\")");
    assert_eq!(
        parse("FROM x\nRUN a \\\n# c\n").unwrap().root.dump(),
        "(from \"x\")\n(run \"a\")"
    );
}

#[test]
fn line_longer_than_scanner_limit() {
    let src = format!("FROM x\nRUN {}\n", "a".repeat(70_000));
    let e = parse(&src).unwrap_err();
    assert!(e.to_string().contains("max allowed size"), "{e}");
}

#[test]
fn many_heredocs_and_nested_substitutions_terminate() {
    let line = format!("RUN {}\n", "<<A ".repeat(2000));
    let src = format!("FROM x\n{line}{}", "A\n".repeat(2000));
    let df = parse(&src).unwrap();
    assert_eq!(df.instructions[1].heredocs.len(), 2000);
    let src = format!("FROM x\nRUN <<EOF {}\nEOF\n", "${a:-".repeat(10_000));
    assert!(parse(&src).is_ok());
    let deep_json = format!("FROM x\nCMD {}\n", "[".repeat(50_000));
    assert!(parse(&deep_json).is_ok());
}

/// Roughly 100 MB of realistic instructions parse in linear time (release
/// builds only: `cargo test --release`; debug builds run the 10 MB variant).
#[test]
#[cfg_attr(debug_assertions, ignore)]
fn hundred_megabytes_linear() {
    linear(800_000, 2_000_000);
}

#[test]
fn ten_megabytes_linear() {
    linear(80_000, 200_000);
}

fn linear(copies: usize, expose_lines: usize) {
    let unit = "RUN apt-get update \\\n    && apt-get install -y curl # not a comment\n# comment\nENV A=1 B=\"x y\"\nCOPY --chown=1:1 a b /c/\n";
    let small: String = unit.repeat(10_000);
    let t = Instant::now();
    let df = parse(&format!("FROM x\n{small}")).unwrap();
    let small_time = t.elapsed();
    assert_eq!(df.instructions.len(), 1 + 30_000);
    let big_src = format!("FROM x\n{}", unit.repeat(copies));
    assert!(big_src.len() > copies * 100);
    let t = Instant::now();
    let df = parse(&big_src).unwrap();
    let big_time = t.elapsed();
    assert_eq!(df.instructions.len(), 1 + 3 * copies);
    drop(df);
    // N times the input must not take wildly more than N times the time.
    assert!(
        big_time < small_time * (copies as u32 / 10_000) * 5 + std::time::Duration::from_secs(5),
        "small {small_time:?}, big {big_time:?}"
    );
    // One huge instruction made of many continuation lines.
    let huge = format!("FROM x\nEXPOSE {}80\n", "80 \\\n".repeat(expose_lines));
    let df = parse(&huge).unwrap();
    assert_eq!(df.root.children[1].args().len(), expose_lines + 1);
}
