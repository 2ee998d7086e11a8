//! Running an engine: its output streams to our stderr (unless quiet) and
//! the last lines are kept for the error message when it fails.

use crate::{command, BuildError, BuildRequest, EngineKind, HostSettings};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Lines of engine output shown when it fails.
pub const TAIL_LINES: usize = 20;
/// A longer line is cut to this many bytes in the tail.
const MAX_TAIL_LINE: usize = 2000;

/// Shell-like rendering of a command line, for messages.
pub fn display_command(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}

/// Runs `argv` (program first); its stdout and stderr are copied line by
/// line to this process's stderr unless `quiet`. A non-zero exit is
/// [`BuildError::EngineFailed`] with the last [`TAIL_LINES`] lines.
pub fn run_streaming(argv: &[String], quiet: bool) -> Result<(), BuildError> {
    let Some((program, args)) = argv.split_first() else {
        return Ok(());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| BuildError::Spawn {
            program: program.clone(),
            source,
        })?;
    let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
    let mut pumps = Vec::new();
    if let Some(out) = child.stdout.take() {
        pumps.push(pump(out, quiet, Arc::clone(&tail)));
    }
    if let Some(err) = child.stderr.take() {
        pumps.push(pump(err, quiet, Arc::clone(&tail)));
    }
    for pump in pumps {
        let _ = pump.join();
    }
    let status = child.wait().map_err(|source| BuildError::Spawn {
        program: program.clone(),
        source,
    })?;
    if status.success() {
        return Ok(());
    }
    let tail = tail
        .lock()
        .map(|lines| {
            lines
                .iter()
                .map(|l| format!("  | {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    Err(BuildError::EngineFailed {
        command: display_command(argv),
        status: status.to_string(),
        tail,
    })
}

fn pump(
    stream: impl Read + Send + 'static,
    quiet: bool,
    tail: Arc<Mutex<VecDeque<String>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if !quiet {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(&line);
                let _ = stderr.flush();
            }
            let text = String::from_utf8_lossy(&line);
            let mut text = text.trim_end().to_owned();
            if text.len() > MAX_TAIL_LINE {
                let mut cut = MAX_TAIL_LINE;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            if let Ok(mut tail) = tail.lock() {
                if tail.len() == TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(text);
            }
        }
    })
}

/// Runs `argv` silently; true when it exits 0 (cleanup steps).
pub fn run_quietly(argv: &[String]) -> bool {
    let Some((program, args)) = argv.split_first() else {
        return true;
    };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A temporary directory, removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Scratch {
    pub fn new() -> Result<Self, BuildError> {
        let dir = tempfile::tempdir().map_err(|source| BuildError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let path = dir.path().to_owned();
        Ok(Self { _dir: dir, path })
    }
}

/// The result of one build.
#[derive(Debug, Clone)]
pub struct Built {
    /// Image ID (buildah, podman).
    pub image_id: Option<String>,
    pub seconds: f64,
}

/// Builds `request` with `kind` and writes its output: docker while
/// building, buildah and podman by pushing the image (by ID) afterwards. An
/// image built without a tag only to be written out is removed again unless
/// `keep_untagged` (a following warm build wants its cache).
pub fn build(
    kind: EngineKind,
    host: &HostSettings,
    request: &BuildRequest,
    quiet: bool,
    keep_untagged: bool,
) -> Result<Built, BuildError> {
    let start = Instant::now();
    let scratch = Scratch::new()?;
    let mut request = request.clone();
    let iidfile = scratch.path.join("iid");
    if kind != EngineKind::Docker {
        request.iidfile = Some(iidfile.to_string_lossy().into_owned());
    }
    if let Some(output) = &request.output {
        // The engines refuse or append to an existing archive: start afresh.
        let path = Path::new(output.path());
        if path.is_file() {
            std::fs::remove_file(path).map_err(|source| BuildError::Io {
                path: path.to_owned(),
                source,
            })?;
        }
    }
    run_streaming(&command::build_command(kind, &request, host), quiet)?;
    let mut image_id = None;
    if kind != EngineKind::Docker {
        let id = std::fs::read_to_string(&iidfile)
            .map_err(|source| BuildError::Io {
                path: iidfile.clone(),
                source,
            })?
            .trim()
            .to_owned();
        if let Some(output) = &request.output {
            let tag = request.tags.first().map(String::as_str);
            run_streaming(&command::push_command(kind, host, &id, output, tag), quiet)?;
            if request.tags.is_empty() && !keep_untagged {
                // Built only to be written out: do not leave it behind unnamed.
                run_quietly(&command::remove_command(kind, host, &id));
            }
        }
        image_id = Some(id);
    }
    Ok(Built {
        image_id,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn success_and_failure_tail() {
        run_streaming(&sh("echo hi; echo there >&2"), true).unwrap();
        let error = run_streaming(
            &sh("for i in $(seq 1 30); do echo line$i; done; echo boom >&2; exit 3"),
            true,
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("boom"), "{text}");
        assert!(text.contains("exit status: 3"), "{text}");
        assert!(!text.contains("line5\n"), "{text}");
        assert_eq!(text.matches("  | ").count(), TAIL_LINES, "{text}");
    }

    #[test]
    fn missing_program() {
        let error = run_streaming(&["/nonexistent/engine".to_owned()], true).unwrap_err();
        assert!(matches!(error, BuildError::Spawn { .. }));
        assert!(!run_quietly(&["/nonexistent/engine".to_owned()]));
        assert!(run_quietly(&sh("true")));
    }

    #[test]
    fn quoting_for_messages() {
        let argv = vec![
            "buildah".into(),
            "build".into(),
            "--build-arg".into(),
            "A=two words".into(),
        ];
        assert_eq!(
            display_command(&argv),
            "buildah build --build-arg 'A=two words'"
        );
    }
}
