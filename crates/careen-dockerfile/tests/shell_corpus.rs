//! The shell parser over every RUN script of the real-Dockerfile corpus:
//! no panics, every range valid, and known scripts read right.

use careen_dockerfile::shell::{self, Connector, Script};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles")
}

/// Shell-form RUN scripts of a Dockerfile, with line continuations kept
/// (the shell parser must join them) and comment lines inside dropped.
/// Deliberately tiny: the real Dockerfile parser lives elsewhere.
fn run_scripts(dockerfile: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    let mut lines = dockerfile.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(keyword) = trimmed.get(..4) else {
            continue;
        };
        if !keyword.eq_ignore_ascii_case("RUN ") && !keyword.eq_ignore_ascii_case("RUN\t") {
            continue;
        }
        let mut script = trimmed[4..].to_string();
        let mut continued = line.trim_end().ends_with('\\');
        while continued {
            let Some(next) = lines.next() else { break };
            let next_trimmed = next.trim_start();
            if next_trimmed.starts_with('#') {
                continue;
            }
            script.push('\n');
            script.push_str(next);
            continued = next.trim_end().ends_with('\\');
        }
        // Drop RUN flags such as `--mount=…`.
        let mut rest = script.trim_start();
        while rest.starts_with("--") {
            rest = rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r)
                .trim_start_matches([' ', '\t', '\\', '\n']);
        }
        if rest.starts_with('[') {
            continue; // exec form
        }
        scripts.push(rest.to_string());
    }
    scripts
}

fn corpus() -> Vec<(String, Vec<String>)> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            if text.lines().take(5).any(|l| l.contains("escape=")) {
                return None; // a different escape character
            }
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, run_scripts(&text)))
        })
        .collect()
}

fn check_ranges(script: &str, parsed: &Script) {
    for c in &parsed.commands {
        assert!(
            script.get(c.range.clone()).is_some(),
            "command range {:?} in {script:?}",
            c.range
        );
        for w in c.assignments.iter().chain(&c.words).chain(&c.redirects) {
            assert_eq!(
                script.get(w.range.clone()),
                Some(w.raw.as_str()),
                "{w:?} in {script:?}"
            );
        }
    }
    for p in &parsed.pipes {
        assert!(script.get(p.clone()).is_some_and(|t| t.starts_with('|')));
    }
}

#[test]
fn every_corpus_run_script_parses_with_valid_ranges() {
    let corpus = corpus();
    assert!(corpus.len() > 300, "corpus has {} files", corpus.len());
    let mut scripts = 0;
    let mut commands = 0;
    for (_, runs) in &corpus {
        for script in runs {
            let parsed = shell::parse(script);
            check_ranges(script, &parsed);
            scripts += 1;
            commands += parsed.commands.len();
        }
    }
    assert!(scripts > 1000, "{scripts} scripts");
    assert!(commands > scripts * 2, "{commands} commands");
}

#[test]
fn corpus_parse_time_is_small() {
    let corpus = corpus();
    let all: Vec<&String> = corpus.iter().flat_map(|(_, runs)| runs).collect();
    let start = std::time::Instant::now();
    let commands: usize = all.iter().map(|s| shell::parse(s).commands.len()).sum();
    let elapsed = start.elapsed();
    eprintln!("{} scripts, {commands} commands in {elapsed:?}", all.len());
    // A few ms in release; generous for debug builds on a shared machine.
    assert!(elapsed.as_secs() < 10);
}

fn runs_of(file: &str) -> Vec<String> {
    let path = corpus_dir().join(file);
    run_scripts(&std::fs::read_to_string(path).expect("corpus file"))
}

#[test]
fn buildpack_deps_curl_installs_its_packages() {
    let runs = runs_of("docker-library_buildpack-deps_debian_bookworm_curl_Dockerfile");
    let script = shell::parse(&runs[0]);
    let names: Vec<_> = script.commands.iter().filter_map(|c| c.name()).collect();
    assert_eq!(names, ["set", "apt-get", "apt-get", "rm"]);
    let install = script
        .commands_named("apt-get")
        .nth(1)
        .expect("apt-get install");
    assert!(install.has_option(&['y'], &[]));
    assert!(install.has_option(&[], &["no-install-recommends"]));
    let packages: Vec<_> = install
        .positional_args(&[])
        .into_iter()
        .skip(1)
        .map(|w| w.value.as_str())
        .collect();
    assert_eq!(
        packages,
        ["ca-certificates", "curl", "gnupg", "netbase", "sq", "wget"]
    );
    assert!(script
        .commands
        .iter()
        .all(|c| c.connector == Some(Connector::Seq) || c.name() == Some("rm")));
}
