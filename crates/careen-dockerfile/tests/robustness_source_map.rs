//! `SourceMap::to_source` on the maps the parser builds: it must agree with a
//! plain linear scan everywhere, the maps must be sorted and non-overlapping
//! (the lookup's binary search relies on it), and lookups must stay fast on
//! RUN instructions with tens of thousands of continuation or heredoc lines.

use careen_dockerfile::{parse, Command, Instruction, InstructionKind, SourceMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// The obvious definition, for comparison.
fn to_source_linear(map: &SourceMap, derived: usize) -> Option<usize> {
    let mut best = None;
    for &(d, s, len) in &map.segments {
        if derived >= d && derived < d + len {
            return Some(s + (derived - d));
        }
        if derived == d + len {
            best = Some(s + len);
        }
    }
    best
}

fn maps_of(ins: &Instruction) -> Vec<(&str, &SourceMap)> {
    let mut out: Vec<(&str, &SourceMap)> = ins
        .heredocs
        .iter()
        .map(|h| (h.content.as_str(), &h.map))
        .collect();
    let command = match &ins.kind {
        InstructionKind::Run(r) => Some(&r.command),
        InstructionKind::Cmd(c) | InstructionKind::Entrypoint(c) => Some(c),
        InstructionKind::Onbuild(inner) => {
            out.extend(maps_of(inner));
            None
        }
        _ => None,
    };
    if let Some(Command::Shell { script, map, .. }) = command {
        out.push((script.as_str(), map));
    }
    out
}

fn check_maps(name: &str, src: &str, problems: &mut Vec<String>) {
    let Ok(df) = parse(src) else {
        return;
    };
    for ins in &df.instructions {
        for (text, map) in maps_of(ins) {
            let sorted = map
                .segments
                .windows(2)
                .all(|w| w[0].0 + w[0].2 <= w[1].0 && w[0].1 + w[0].2 <= w[1].1);
            if !sorted {
                problems.push(format!("{name}: unsorted map {:?}", map.segments));
            }
            for derived in 0..=text.len() + 1 {
                let fast = map.to_source(derived);
                let slow = to_source_linear(map, derived);
                if fast != slow {
                    problems.push(format!(
                        "{name}: to_source({derived}) = {fast:?}, linear {slow:?}"
                    ));
                }
            }
        }
    }
}

#[test]
fn to_source_agrees_with_a_linear_scan_on_the_corpus() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../../shared");
    let mut files = Vec::new();
    for dir in ["corpus/dockerfiles"] {
        for entry in std::fs::read_dir(shared.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    for entry in
        std::fs::read_dir(shared.join("conformance/buildkit-dockerfile/testfiles")).unwrap()
    {
        files.push(entry.unwrap().path().join("Dockerfile"));
    }
    assert!(files.len() > 300);
    let mut problems = Vec::new();
    for path in &files {
        if let Ok(src) = std::fs::read_to_string(path) {
            check_maps(&path.display().to_string(), &src, &mut problems);
        }
    }
    let handmade = [
        "FROM x\nRUN a \\\n  b \\\n\n  # c\n  d\n",
        "FROM x\nRUN <<-EOF cat\n\t\ta\n\n\tb\nEOF\n",
        "FROM x\nRUN <<A <<B\nx\nA\ny\nB\n",
        "# escape=`\nFROM x\nRUN a `\n b `\n c\n",
        "FROM x\nONBUILD RUN a \\\n b\n",
    ];
    for (i, src) in handmade.iter().enumerate() {
        check_maps(&format!("handmade {i}"), src, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn to_source_handles_gaps_and_empty_maps() {
    let map = SourceMap {
        segments: vec![(0, 10, 5), (5, 20, 5), (12, 40, 3)],
    };
    for derived in 0..20 {
        assert_eq!(
            map.to_source(derived),
            to_source_linear(&map, derived),
            "{derived}"
        );
    }
    assert_eq!(map.to_source(5), Some(20));
    assert_eq!(map.to_source(10), Some(25));
    assert_eq!(map.to_source(11), None);
    assert_eq!(SourceMap::default().to_source(0), None);
}

/// Regression: `to_source` scanned every segment, so looking up every word
/// of a RUN with n continuation lines (one segment per line) cost O(n²) and
/// linting a 1 MB RUN took minutes.
#[test]
fn regression_to_source_quadratic_on_long_runs() {
    let lines = 40_000;
    let continued = format!(
        "FROM x\nRUN {}true\n",
        "apt-get install -y curl \\\n".repeat(lines)
    );
    let heredoc = format!(
        "FROM x\nRUN <<EOF\n{}EOF\n",
        "echo hi && apt-get install x\n".repeat(lines)
    );
    for src in [continued, heredoc] {
        let df = parse(&src).unwrap();
        let (text, map) = maps_of(&df.instructions[1])
            .into_iter()
            .max_by_key(|(_, m)| m.segments.len())
            .unwrap();
        assert!(map.segments.len() >= lines, "{}", map.segments.len());
        let start = Instant::now();
        let mut sum = 0usize;
        // One lookup per word-ish position.
        for derived in (0..text.len()).step_by(8) {
            sum = sum.wrapping_add(map.to_source(derived).unwrap_or(0));
        }
        assert!(sum > 0);
        // Linear lookups take tens of seconds here, binary search milliseconds.
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }
}
