//! Robustness of the whole linter (every rule, default settings, no build
//! context) on damaged and hostile Dockerfiles: truncations of the corpus,
//! seeded random edits, other line endings, a BOM, very long lines, deep
//! nesting and huge files. Nothing may panic and every input must finish in
//! reasonable time. Fixing the corpus must give files that parse, and fixing
//! a fixed file must change nothing.
//!
//! Failures are collected per test and reported together, naming each file.
//! The deterministic inputs come from a tiny xorshift generator, so a run is
//! reproducible without a `rand` dependency.

use careen_lint::{apply_fixes, lint_source, Diagnostic, Settings};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Generous per-input limit for debug builds on a busy 2-core machine; the
/// inputs here take milliseconds each when nothing is quadratic.
const SLOW: Duration = Duration::from_secs(20);

fn corpus() -> Vec<(String, String)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = here.join("../../../shared/corpus/dockerfiles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 300, "corpus missing at {}", dir.display());
    files
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).ok()?;
            Some((name, text))
        })
        .collect()
}

/// xorshift64: enough randomness for mutations, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Lint `src`, catching panics, checking every span and fix edit lies in the
/// source on char boundaries. Returns a description of what went wrong.
fn lint_checked(name: &str, src: &str) -> Result<Option<Vec<Diagnostic>>, String> {
    let settings = Settings::default();
    let start = Instant::now();
    let result = std::panic::catch_unwind(|| {
        lint_source(Path::new("Dockerfile"), src, &settings, None).ok()
    });
    let elapsed = start.elapsed();
    if std::env::var_os("CAREEN_ROBUSTNESS_TIMES").is_some() {
        eprintln!("{elapsed:>12.3?} {name}");
    }
    let diagnostics = result.map_err(|e| format!("{name}: panic: {}", panic_message(&e)))?;
    if elapsed > SLOW {
        return Err(format!("{name}: took {elapsed:?} ({} bytes)", src.len()));
    }
    if let Some(diagnostics) = &diagnostics {
        for d in diagnostics {
            if d.span.start.offset > d.span.end.offset || src.get(d.span.range()).is_none() {
                return Err(format!(
                    "{name}: {} span {:?} outside the source",
                    d.code, d.span
                ));
            }
            for e in d.fix.iter().flat_map(|f| &f.edits) {
                if e.start > e.end || src.get(e.start..e.end).is_none() {
                    return Err(format!(
                        "{name}: {} fix edit {e:?} outside the source",
                        d.code
                    ));
                }
            }
        }
    }
    Ok(diagnostics)
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic)".into())
}

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn quiet_panics() {
    // Keep the output readable: panics are caught and reported by file.
    std::panic::set_hook(Box::new(|_| {}));
}

#[test]
fn corpus_files_and_their_line_truncations() {
    quiet_panics();
    let files = corpus();
    let mut problems = Vec::new();
    let mut lints = 0;
    for (index, (name, text)) in files.iter().enumerate() {
        if let Err(p) = lint_checked(name, text) {
            problems.push(p);
        }
        lints += 1;
        // Every line boundary of every 8th file, and a few of the others,
        // keeps the debug run to a few seconds.
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        let stride = if index % 8 == 0 {
            1
        } else {
            ends.len() / 3 + 1
        };
        for &end in ends.iter().step_by(stride) {
            // Also cut just before the newline: a file ending mid-line,
            // e.g. in a `\` continuation or an open heredoc.
            for cut in [end, end - 1] {
                if let Err(p) = lint_checked(&format!("{name}[..{cut}]"), &text[..cut]) {
                    problems.push(p);
                }
                lints += 1;
            }
        }
    }
    assert!(lints > files.len() * 2);
    assert_no_problems("truncations", problems);
}

/// Characters that matter to Dockerfile, shell and expansion syntax.
const INTERESTING: &[&str] = &[
    "\\",
    "\n",
    "\\\n",
    " ",
    "\t",
    "\"",
    "'",
    "`",
    "$",
    "${",
    "}",
    "$(",
    ")",
    "[",
    "]",
    "{",
    "<<EOF\n",
    "EOF\n",
    "<<-",
    "#",
    "# escape=`\n",
    "=",
    "--",
    "&&",
    "|",
    ";",
    ":",
    "/",
    "é",
    "✓",
    "\r",
    "\u{feff}",
    "RUN ",
    "FROM ",
    "ONBUILD ",
    "COPY --from=",
    "AS ",
    ",",
    "*",
    "@",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        let insert = INTERESTING[rng.below(INTERESTING.len())];
        match rng.below(3) {
            0 => s.insert_str(at, insert),
            1 => {
                // Replace one char.
                let len = s[at..].chars().next().map_or(0, char::len_utf8);
                s.replace_range(at..at + len, insert);
            }
            _ => {
                // Delete up to 16 bytes.
                let mut end = (at + 1 + rng.below(16)).min(s.len());
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                s.replace_range(at..end, "");
            }
        }
    }
    s
}

#[test]
fn seeded_random_edits_of_the_corpus() {
    quiet_panics();
    let files = corpus();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut problems = Vec::new();
    for (index, (name, text)) in files.iter().enumerate() {
        // Shorter files get more mutants; all files get some.
        let mutants = if text.len() < 2000 { 4 } else { 2 };
        for m in 0..mutants {
            let seed_state = rng.0;
            let mutant = mutate(&mut rng, text);
            if let Err(p) = lint_checked(
                &format!("{name} mutant {m} (rng state {seed_state:#x})"),
                &mutant,
            ) {
                problems.push(p);
            }
        }
        // Raw byte flips: whatever still decodes as text must lint.
        if index % 4 == 0 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..8 {
                let at = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            if let Ok(flipped) = String::from_utf8(bytes) {
                if let Err(p) = lint_checked(&format!("{name} byte flips"), &flipped) {
                    problems.push(p);
                }
            }
        }
    }
    assert_no_problems("random edits", problems);
}

#[test]
fn crlf_bom_and_tabs() {
    quiet_panics();
    let files = corpus();
    let mut problems = Vec::new();
    for (name, text) in files.iter().step_by(3) {
        let crlf = text.replace('\n', "\r\n");
        let cr_only = text.replace('\n', "\r");
        let bom = format!("\u{feff}{text}");
        let bom_crlf = format!("\u{feff}{crlf}");
        let tabs = text.replace("    ", "\t").replace(' ', "\t");
        for (what, variant) in [
            ("CRLF", crlf.as_str()),
            ("CR", cr_only.as_str()),
            ("BOM", bom.as_str()),
            ("BOM+CRLF", bom_crlf.as_str()),
            ("tabs", tabs.as_str()),
        ] {
            if let Err(p) = lint_checked(&format!("{name} ({what})"), variant) {
                problems.push(p);
            }
        }
        // CRLF and a BOM must not change what is found where: same codes on
        // the same lines as the plain file.
        let plain = codes_and_lines(text);
        for (what, variant) in [("CRLF", &crlf), ("BOM", &bom)] {
            let other = codes_and_lines(variant);
            if plain != other {
                problems.push(format!(
                    "{name} ({what}): findings differ from the LF file\n  LF:   {plain:?}\n  {what}: {other:?}"
                ));
            }
        }
    }
    assert_no_problems("line endings", problems);
}

fn codes_and_lines(src: &str) -> Option<Vec<(u32, &'static str)>> {
    let settings = Settings::default();
    let d = lint_source(Path::new("Dockerfile"), src, &settings, None).ok()?;
    let mut v: Vec<_> = d.iter().map(|d| (d.span.start.line, d.code)).collect();
    v.sort();
    v.dedup();
    Some(v)
}

/// Hostile shapes, each linted once with a time limit.
/// Debug builds use 1/16 of the sizes, to keep `cargo test` to seconds;
/// `cargo test --release` runs the full 1 MB inputs.
const DOWNSCALE: usize = if cfg!(debug_assertions) { 16 } else { 1 };

fn hostile_inputs() -> Vec<(&'static str, String)> {
    let mb = (1 << 20) / DOWNSCALE;
    vec![
        (
            "1 MB line",
            format!("FROM alpine\nRUN {}\n", "a ".repeat(mb / 2)),
        ),
        (
            "1 MB comment",
            format!("FROM alpine\n# {}\nRUN true\n", "x".repeat(mb)),
        ),
        (
            "1 MB continued RUN",
            format!(
                "FROM alpine\nRUN {}true\n",
                "apt-get install -y curl \\\n".repeat(mb / 26)
            ),
        ),
        (
            "1 MB label",
            format!("FROM alpine\nLABEL a=\"{}\"\n", "é".repeat(mb / 2)),
        ),
        (
            "1 MB heredoc",
            format!(
                "FROM alpine\nRUN <<EOF\n{}EOF\n",
                "echo hi && apt-get install x\n".repeat(mb / 29)
            ),
        ),
        (
            "1 MB no newline",
            "FROM alpine\nRUN ".to_string() + &"x".repeat(mb),
        ),
        (
            "ONBUILD x1000",
            format!(
                "FROM alpine\n{}",
                "ONBUILD RUN apt-get install x\n".repeat(1000 / DOWNSCALE)
            ),
        ),
        (
            "ONBUILD ONBUILD",
            "FROM alpine\nONBUILD ONBUILD RUN x\n".to_string(),
        ),
        (
            "$( ) x5000",
            format!(
                "FROM alpine\nRUN {}echo{}\n",
                "$(".repeat(5000 / DOWNSCALE),
                ")".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "` ` x2000",
            format!("FROM alpine\nRUN {}\n", "echo `".repeat(2000 / DOWNSCALE)),
        ),
        (
            "$( unclosed x5000",
            format!("FROM alpine\nRUN {}\n", "$(echo ".repeat(5000 / DOWNSCALE)),
        ),
        (
            "( ) x5000",
            format!(
                "FROM alpine\nRUN {}true{}\n",
                "(".repeat(5000 / DOWNSCALE),
                ")".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "{ } x5000",
            format!(
                "FROM alpine\nRUN {}true;{}\n",
                "{ ".repeat(5000 / DOWNSCALE),
                " }".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "quotes x5000",
            format!("FROM alpine\nRUN echo {}\n", "\"'".repeat(5000 / DOWNSCALE)),
        ),
        (
            "nested quotes in $( ) x3000",
            format!(
                "FROM alpine\nRUN {}x{}\n",
                "\"$(".repeat(3000 / DOWNSCALE),
                ")\"".repeat(3000 / DOWNSCALE)
            ),
        ),
        (
            "${a:- x5000 in ENV",
            format!(
                "FROM alpine\nENV A={}x{}\n",
                "${a:-".repeat(5000 / DOWNSCALE),
                "}".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "${a:- x5000 in ARG",
            format!(
                "ARG A={}x{}\nFROM alpine:$A\n",
                "${a:-".repeat(5000 / DOWNSCALE),
                "}".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "${ unclosed x5000 in FROM",
            format!("FROM {}\n", "${".repeat(5000 / DOWNSCALE)),
        ),
        (
            "JSON [ x20000",
            format!("FROM alpine\nCMD {}\n", "[".repeat(20_000 / DOWNSCALE)),
        ),
        (
            "JSON strings x5000",
            format!(
                "FROM alpine\nCMD [{}\"x\"]\n",
                "\"a\", ".repeat(5000 / DOWNSCALE)
            ),
        ),
        (
            "if x3000",
            format!(
                "FROM alpine\nRUN {}true{}\n",
                "if true; then ".repeat(3000 / DOWNSCALE),
                "; fi".repeat(3000 / DOWNSCALE)
            ),
        ),
        (
            "pipes x10000",
            format!(
                "FROM alpine\nRUN {}cat\n",
                "cat | ".repeat(10_000 / DOWNSCALE)
            ),
        ),
        (
            "&& x10000",
            format!(
                "FROM alpine\nRUN {}true\n",
                "apt-get install -y x && ".repeat(10_000 / DOWNSCALE)
            ),
        ),
        (
            "heredocs x2000",
            format!(
                "FROM alpine\nRUN {}\n{}",
                "<<A ".repeat(2000 / DOWNSCALE),
                "A\n".repeat(2000 / DOWNSCALE)
            ),
        ),
        (
            "escape=` and \\",
            format!(
                "# escape=`\nFROM alpine\nRUN {}\n",
                "a \\ ` \n".repeat(5000 / DOWNSCALE)
            ),
        ),
        ("only continuations", "\\\n".repeat(10_000 / DOWNSCALE)),
        ("only comments", "# x\n".repeat(10_000 / DOWNSCALE)),
        ("lone stage name", "FROM alpine AS\n".to_string()),
        (
            "control chars",
            format!(
                "FROM alpine\nRUN {}\n",
                "\u{1}\u{7f}\u{1b}[0m\u{b}\u{c}".repeat(1000 / DOWNSCALE)
            ),
        ),
    ]
}

#[test]
fn hostile_shapes() {
    quiet_panics();
    let mut problems = Vec::new();
    for (name, src) in hostile_inputs() {
        if let Err(p) = lint_checked(name, &src) {
            problems.push(p);
        }
    }
    assert_no_problems("hostile shapes", problems);
}

/// Ten thousand instructions of each kind: rules that compare instructions
/// or stages pairwise would be quadratic here.
fn many_instructions(n: usize, with_variables: bool) -> Vec<(&'static str, String)> {
    let mut cases: Vec<(&str, String)> = vec![
        (
            "RUN",
            format!(
                "FROM alpine\n{}",
                "RUN apt-get update && apt-get install -y curl\n".repeat(n)
            ),
        ),
        (
            "FROM stages",
            (0..n)
                .map(|i| format!("FROM alpine:3.{i} AS s{i}\nRUN true\n"))
                .collect(),
        ),
        (
            "COPY --from chains",
            (0..n)
                .map(|i| {
                    format!(
                        "FROM alpine AS s{i}\nCOPY --from=s{} /a /a\n",
                        i.saturating_sub(1)
                    )
                })
                .collect(),
        ),
    ];
    let variables = vec![
        (
            "ARG",
            format!(
                "FROM alpine\n{}",
                (0..n)
                    .map(|i| format!("ARG A{i}=${{A{}}}\n", i.saturating_sub(1)))
                    .collect::<String>()
            ),
        ),
        (
            "ENV",
            format!(
                "FROM alpine\n{}",
                (0..n)
                    .map(|i| format!("ENV E{i}=\"$E{}:x\"\n", i.saturating_sub(1)))
                    .collect::<String>()
            ),
        ),
    ];
    if with_variables {
        cases.extend(variables);
    }
    cases.extend(vec![
        (
            "LABEL",
            format!(
                "FROM alpine\n{}",
                (0..n)
                    .map(|i| format!("LABEL l{i}=v\n"))
                    .collect::<String>()
            ),
        ),
        (
            "WORKDIR",
            format!("FROM alpine\n{}", "WORKDIR a\n".repeat(n)),
        ),
        (
            "EXPOSE",
            format!(
                "FROM alpine\n{}",
                (0..n).map(|i| format!("EXPOSE {i}\n")).collect::<String>()
            ),
        ),
        (
            "CMD",
            format!(
                "FROM alpine\n{}",
                "CMD [\"a\"]\nENTRYPOINT b\nHEALTHCHECK CMD c\n".repeat(n / 3)
            ),
        ),
        (
            "USER",
            format!("FROM alpine\n{}", "USER root\nUSER 1000\n".repeat(n / 2)),
        ),
        (
            "pragmas",
            format!(
                "FROM alpine\n{}",
                "# hadolint ignore=DL3008\n# careen: ignore=CR0001\nRUN apt-get install x\n"
                    .repeat(n / 3)
            ),
        ),
        ("mixed", {
            let mut s = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine\n");
            for i in 0..n / 10 {
                s.push_str(&format!(
                    "FROM $BASE AS b{i}\nARG V=1\nENV P=/opt/$V\nWORKDIR $P\nCOPY --chown=1:1 . .\nRUN --mount=type=cache,target=/c pip install x==1 && cd /tmp\nUSER u\nEXPOSE 80/tcp\nHEALTHCHECK NONE\nCMD [\"run\"]\n"
                ));
            }
            s
        }),
    ]);
    cases
}

fn lint_all(what: &str, cases: Vec<(&str, String)>) {
    quiet_panics();
    let mut problems = Vec::new();
    for (name, src) in cases {
        if let Err(p) = lint_checked(&format!("{what} {name}"), &src) {
            problems.push(p);
        }
    }
    assert_no_problems(what, problems);
}

#[test]
fn a_thousand_instructions() {
    lint_all("1k", many_instructions(1_000, true));
}

/// Release builds only (`cargo test --release`): 10k in a debug build takes
/// minutes.
#[test]
#[cfg_attr(debug_assertions, ignore)]
fn ten_thousand_instructions() {
    lint_all("10k", many_instructions(10_000, false));
}

/// DL3033 and DL3041 used to build the list of visible variables for every
/// instruction (`packages::manager::defined_variables`): 10k ARG or ENV lines
/// took over 10 s each in release. Release builds only, like the test above.
#[test]
#[cfg_attr(debug_assertions, ignore)]
fn regression_ten_thousand_args_quadratic() {
    let variables: Vec<_> = many_instructions(10_000, true)
        .into_iter()
        .filter(|(name, _)| *name == "ARG" || *name == "ENV")
        .collect();
    lint_all("10k", variables);
}

#[test]
fn fixes_parse_and_are_idempotent() {
    quiet_panics();
    let files = corpus();
    let settings = Settings::default();
    let path = Path::new("Dockerfile");
    let mut problems = Vec::new();
    let mut fixed_files = 0;
    for (name, text) in &files {
        if careen_dockerfile::parse(text).is_err() {
            continue;
        }
        let first = std::panic::catch_unwind(|| apply_fixes(path, text, &settings, None, true));
        let first = match first {
            Err(e) => {
                problems.push(format!(
                    "{name}: apply_fixes panicked: {}",
                    panic_message(&e)
                ));
                continue;
            }
            Ok(Err(e)) => {
                problems.push(format!(
                    "{name}: apply_fixes refused a file that parses: {e}"
                ));
                continue;
            }
            Ok(Ok(o)) => o,
        };
        if !first.broken.is_empty() {
            problems.push(format!(
                "{name}: fixes that break the file: {:?}",
                first.broken
            ));
        }
        if first.did_not_converge {
            problems.push(format!(
                "{name}: fixes did not converge ({:?})",
                first.applied_codes
            ));
        }
        if let Err(e) = careen_dockerfile::parse(&first.source) {
            problems.push(format!("{name}: fixed text does not parse: {e}"));
            continue;
        }
        if first.applied > 0 {
            fixed_files += 1;
        }
        match apply_fixes(path, &first.source, &settings, None, true) {
            Ok(second) if second.applied == 0 && second.source == first.source => {}
            Ok(second) => problems.push(format!(
                "{name}: fixing again applied {:?} after {:?}",
                second.applied_codes, first.applied_codes
            )),
            Err(e) => problems.push(format!("{name}: fixed text refused: {e}")),
        }
    }
    // The corpus has plenty to fix; if nothing applied, the test is vacuous.
    assert!(
        fixed_files > 10,
        "only {fixed_files} files had fixes applied"
    );
    assert_no_problems("fixes", problems);
}

#[test]
fn rng_and_mutate_are_deterministic() {
    let mut a = Rng(1);
    let mut b = Rng(1);
    assert_eq!(
        mutate(&mut a, "FROM x\nRUN y\n"),
        mutate(&mut b, "FROM x\nRUN y\n")
    );
    assert_ne!(Rng(1).next(), Rng(2).next());
    let mut r = Rng(7);
    for _ in 0..1000 {
        let m = mutate(&mut r, "FROM é\nRUN ✓\n");
        assert!(std::str::from_utf8(m.as_bytes()).is_ok());
    }
}
