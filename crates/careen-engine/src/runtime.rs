//! OCI runtime bundles run under runc (crun as a fallback): the `config.json` is generated from
//! the image config with a locked-down default (own network namespace with no interfaces up,
//! all capabilities dropped, `noNewPrivileges`, masked `/proc` paths), the container's output
//! is captured with a timeout, and the container and its bundle directory are always removed —
//! on success, on error, on timeout and on Ctrl-C ([`install_interrupt_handler`]).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bundle::resolve_in_root;
use crate::error::EngineError;

/// `PATH` used when the image sets none (Docker's default).
pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Captured output is cut at this many bytes per stream, so a chatty container cannot exhaust
/// memory.
const MAX_CAPTURE: usize = 16 << 20;

/// Longest stdout line handed to a line reader ([`Container::next_line`]); the rest of a longer
/// line is dropped, so a container cannot make careen buffer without bound.
const MAX_LINE: usize = 4 << 20;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs a SIGINT (Ctrl-C) handler that sets a flag every wait loop checks: the running
/// container is then killed and removed and [`EngineError::Interrupted`] returned. Calling it
/// more than once is harmless.
pub fn install_interrupt_handler() {
    // Fails only when a handler is installed already, which is what we want anyway.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Whether Ctrl-C was pressed since the handler was installed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A scratch directory for a rootfs and bundles, removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// Creates `careen-test-…` under the system temporary directory (`TMPDIR`).
    pub fn new() -> Result<Self, EngineError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "careen-test-{}-{}-{nanos:x}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&path).map_err(|e| EngineError::io(&path, e))?;
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(|e| EngineError::io(&path, e))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The numeric identity a process runs as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    /// Home directory from `/etc/passwd`, when the user is listed there.
    pub home: Option<String>,
}

/// Resolves an image `User` (`name`, `uid`, `name:group`, `uid:gid`, empty = root) against the
/// root filesystem's `/etc/passwd` and `/etc/group`, the way Docker does: a numeric uid need
/// not be listed; a name must be.
pub fn resolve_user(rootfs: &Path, spec: &str) -> Result<User, EngineError> {
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = read_rootfs_file(rootfs, "/etc/passwd").unwrap_or_default();
    let group = read_rootfs_file(rootfs, "/etc/group").unwrap_or_default();
    let users: Vec<Vec<&str>> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| f.len() >= 4)
        .collect();
    let groups: Vec<Vec<&str>> = group
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| f.len() >= 3)
        .collect();
    let error = |reason: &str| EngineError::User {
        user: spec.to_owned(),
        reason: reason.to_owned(),
    };
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let entry = match user_part.parse::<u32>() {
        Ok(uid) => users
            .iter()
            .find(|f| f.get(2).and_then(|v| v.parse::<u32>().ok()) == Some(uid)),
        Err(_) => Some(
            users
                .iter()
                .find(|f| f.first() == Some(&user_part))
                .ok_or_else(|| error("no such user in /etc/passwd"))?,
        ),
    };
    let uid = match user_part.parse::<u32>() {
        Ok(uid) => uid,
        Err(_) => entry
            .and_then(|f| f.get(2))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| error("invalid uid in /etc/passwd"))?,
    };
    let mut gid = entry
        .and_then(|f| f.get(3))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if let Some(g) = group_part.filter(|g| !g.is_empty()) {
        gid = match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => groups
                .iter()
                .find(|f| f.first() == Some(&g))
                .and_then(|f| f.get(2))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| error("no such group in /etc/group"))?,
        };
    }
    let name = entry.and_then(|f| f.first()).copied();
    let mut additional_gids: Vec<u32> = match (name, group_part) {
        (Some(name), None) => groups
            .iter()
            .filter(|f| f.get(3).is_some_and(|m| m.split(',').any(|m| m == name)))
            .filter_map(|f| f.get(2).and_then(|v| v.parse().ok()))
            .filter(|g| *g != gid)
            .collect(),
        _ => Vec::new(),
    };
    additional_gids.sort_unstable();
    additional_gids.dedup();
    Ok(User {
        uid,
        gid,
        additional_gids,
        home: entry.and_then(|f| f.get(5)).map(|h| (*h).to_owned()),
    })
}

/// Reads a small file of the root filesystem, following symlinks only inside it.
pub fn read_rootfs_file(rootfs: &Path, path: &str) -> Option<String> {
    let real = resolve_in_root(rootfs, path).ok()??;
    let file = std::fs::File::open(real).ok()?;
    let mut text = String::new();
    file.take(8 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// The process a container runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpec {
    pub args: Vec<String>,
    /// `KEY=value` pairs.
    pub env: Vec<String>,
    pub cwd: String,
    pub user: User,
}

impl ProcessSpec {
    /// The image's own process: entrypoint + cmd (or `command` instead of both, the way
    /// container-structure-test runs a command), env with a default `PATH` and `HOME`, working
    /// directory and user.
    pub fn from_image(
        config: &oci_spec::image::ImageConfiguration,
        rootfs: &Path,
        command: Option<Vec<String>>,
    ) -> Result<Self, EngineError> {
        let image = config.config().as_ref();
        let args = match command {
            Some(command) => command,
            None => {
                let mut args: Vec<String> = image
                    .and_then(|c| c.entrypoint().clone())
                    .unwrap_or_default();
                args.extend(image.and_then(|c| c.cmd().clone()).unwrap_or_default());
                args
            }
        };
        if args.is_empty() {
            return Err(EngineError::Runtime {
                command: "run".into(),
                message: "the image has no ENTRYPOINT or CMD and no command was given".into(),
            });
        }
        let user_spec = image.and_then(|c| c.user().clone()).unwrap_or_default();
        let user = resolve_user(rootfs, &user_spec)?;
        let mut env: Vec<String> = image.and_then(|c| c.env().clone()).unwrap_or_default();
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.push(DEFAULT_PATH.to_owned());
        }
        if !env.iter().any(|e| e.starts_with("HOME=")) {
            env.push(format!(
                "HOME={}",
                user.home
                    .as_deref()
                    .filter(|h| !h.is_empty())
                    .unwrap_or("/")
            ));
        }
        let cwd = image
            .and_then(|c| c.working_dir().clone())
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".to_owned());
        Ok(Self {
            args,
            env,
            cwd,
            user,
        })
    }

    /// Sets `KEY=value`, replacing an earlier value of `KEY`.
    pub fn set_env(&mut self, key: &str, value: &str) {
        let prefix = format!("{key}=");
        self.env.retain(|e| !e.starts_with(&prefix));
        self.env.push(format!("{key}={value}"));
    }
}

/// Knobs of the generated `config.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleOptions {
    /// Mount the root filesystem read-only.
    pub readonly_rootfs: bool,
}

/// The OCI runtime `config.json` for `process` on `rootfs` (an absolute path).
pub fn config_json(rootfs: &Path, process: &ProcessSpec, options: &BundleOptions) -> Value {
    let no_caps: Vec<&str> = Vec::new();
    json!({
        "ociVersion": "1.0.2",
        "process": {
            "terminal": false,
            "user": {
                "uid": process.user.uid,
                "gid": process.user.gid,
                "additionalGids": process.user.additional_gids,
            },
            "args": process.args,
            "env": process.env,
            "cwd": process.cwd,
            "capabilities": {
                "bounding": no_caps, "effective": no_caps, "inheritable": no_caps,
                "permitted": no_caps, "ambient": no_caps,
            },
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": true,
        },
        "root": {"path": rootfs, "readonly": options.readonly_rootfs},
        "hostname": "careen",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": false, "access": "rwm"}]},
            "namespaces": [
                {"type": "pid"}, {"type": "network"}, {"type": "ipc"},
                {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"},
            ],
            "maskedPaths": [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/proc/scsi",
            ],
            "readonlyPaths": [
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
            ],
        },
    })
}

/// Output of a finished process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    /// Exit code; `None` when the process was killed at the timeout.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub duration: Duration,
}

/// An OCI runtime binary (runc, else crun).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    pub binary: PathBuf,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl Runtime {
    /// Finds `runc` on PATH, else `crun`.
    pub fn detect() -> Result<Self, EngineError> {
        ["runc", "crun"]
            .iter()
            .find_map(|name| which(name))
            .map(|binary| Self { binary })
            .ok_or(EngineError::NoRuntime)
    }

    /// Writes a bundle under `workdir` for `process` on `rootfs` and starts the container in
    /// the foreground (its stdout and stderr captured). The returned [`Container`] kills and
    /// deletes the container and removes the bundle when dropped.
    pub fn start(
        &self,
        rootfs: &Path,
        process: &ProcessSpec,
        options: &BundleOptions,
        workdir: &Path,
    ) -> Result<Container, EngineError> {
        self.start_with(rootfs, process, options, workdir, false)
    }

    /// Like [`Runtime::start`], with the container's stdin a pipe careen writes to
    /// ([`Container::send_line`]) and its stdout also readable line by line
    /// ([`Container::next_line`]): how a stdio server (an MCP server) is talked to.
    pub fn start_interactive(
        &self,
        rootfs: &Path,
        process: &ProcessSpec,
        options: &BundleOptions,
        workdir: &Path,
    ) -> Result<Container, EngineError> {
        self.start_with(rootfs, process, options, workdir, true)
    }

    fn start_with(
        &self,
        rootfs: &Path,
        process: &ProcessSpec,
        options: &BundleOptions,
        workdir: &Path,
        interactive: bool,
    ) -> Result<Container, EngineError> {
        let serial = NEXT_ID.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let id = format!("careen-{}-{serial}-{nanos:x}", std::process::id());
        let bundle = workdir.join(&id);
        std::fs::create_dir_all(&bundle).map_err(|e| EngineError::io(&bundle, e))?;
        let mut container = Container {
            runtime: self.clone(),
            id,
            bundle: bundle.clone(),
            running: None,
        };
        let config = config_json(rootfs, process, options);
        let config_path = bundle.join("config.json");
        let text = serde_json::to_vec_pretty(&config).map_err(|e| EngineError::Runtime {
            command: "config.json".into(),
            message: e.to_string(),
        })?;
        std::fs::write(&config_path, text).map_err(|e| EngineError::io(&config_path, e))?;
        let mut command = Command::new(&self.binary);
        command
            .arg("run")
            .arg("--bundle")
            .arg(&bundle)
            .arg(&container.id);
        container.running = Some(Captured::spawn(command, &self.binary, interactive)?);
        Ok(container)
    }

    /// Runs `process` to completion (or `timeout`) and removes the container.
    pub fn run(
        &self,
        rootfs: &Path,
        process: &ProcessSpec,
        options: &BundleOptions,
        workdir: &Path,
        timeout: Duration,
    ) -> Result<RunOutput, EngineError> {
        let mut container = self.start(rootfs, process, options, workdir)?;
        container.finish(timeout)
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A child process whose stdout and stderr are read by two threads.
struct Captured {
    child: Child,
    started: Instant,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    /// Interactive containers: their stdin, and their stdout split into lines.
    stdin: Option<ChildStdin>,
    lines: Option<Receiver<String>>,
}

fn reader(
    mut stream: impl Read + Send + 'static,
    lines: Option<Sender<String>>,
) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut line = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = MAX_CAPTURE.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    let Some(sender) = &lines else { continue };
                    for &byte in &buf[..n] {
                        if byte == b'\n' {
                            let text = String::from_utf8_lossy(&line).into_owned();
                            line.clear();
                            // The receiver may be gone (the caller stopped listening).
                            let _ = sender.send(text);
                        } else if line.len() < MAX_LINE {
                            line.push(byte);
                        }
                    }
                }
            }
        }
        if let Some(sender) = &lines {
            if !line.is_empty() {
                let _ = sender.send(String::from_utf8_lossy(&line).into_owned());
            }
        }
        kept
    })
}

/// What [`Container::next_line`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineRead {
    Line(String),
    /// Nothing within the timeout.
    TimedOut,
    /// The container closed its stdout (it exited, most likely).
    Closed,
}

impl Captured {
    fn spawn(mut command: Command, binary: &Path, interactive: bool) -> Result<Self, EngineError> {
        let mut child = command
            .stdin(if interactive {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| EngineError::io(binary, e))?;
        let (sender, lines) = if interactive {
            let (sender, receiver) = mpsc::channel();
            (Some(sender), Some(receiver))
        } else {
            (None, None)
        };
        let stdout = child.stdout.take().map(|s| reader(s, sender));
        let stderr = child.stderr.take().map(|s| reader(s, None));
        Ok(Self {
            stdin: child.stdin.take(),
            child,
            started: Instant::now(),
            stdout,
            stderr,
            lines,
        })
    }

    /// Waits up to `timeout`; `Ok(None)` while still running.
    fn wait_for(&mut self, timeout: Duration) -> Result<Option<i32>, EngineError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    use std::os::unix::process::ExitStatusExt;
                    return Ok(Some(
                        status
                            .code()
                            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
                    ));
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(EngineError::Runtime {
                        command: "wait".into(),
                        message: e.to_string(),
                    })
                }
            }
            if interrupted() {
                return Err(EngineError::Interrupted);
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Collects the output after the process ended.
    fn output(&mut self, exit_code: Option<i32>) -> RunOutput {
        let text = |handle: Option<JoinHandle<Vec<u8>>>| {
            handle
                .and_then(|h| h.join().ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        };
        RunOutput {
            stdout: text(self.stdout.take()),
            stderr: text(self.stderr.take()),
            exit_code,
            timed_out: exit_code.is_none(),
            duration: self.started.elapsed(),
        }
    }
}

/// A started container. Dropping it kills and deletes the container and removes its bundle.
pub struct Container {
    runtime: Runtime,
    id: String,
    bundle: PathBuf,
    running: Option<Captured>,
}

impl std::fmt::Debug for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Container")
            .field("id", &self.id)
            .field("bundle", &self.bundle)
            .finish()
    }
}

impl Container {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Waits up to `timeout` for the container's process to exit; `Ok(None)` if still running.
    pub fn wait_for(&mut self, timeout: Duration) -> Result<Option<i32>, EngineError> {
        match self.running.as_mut() {
            Some(running) => running.wait_for(timeout),
            None => Ok(Some(0)),
        }
    }

    /// Waits up to `timeout`, kills the container if it is still running, and returns what
    /// it printed.
    pub fn finish(&mut self, timeout: Duration) -> Result<RunOutput, EngineError> {
        let waited = self.wait_for(timeout);
        let code = match waited {
            Ok(code) => code,
            Err(error) => {
                self.kill();
                return Err(error);
            }
        };
        if code.is_none() {
            self.kill();
            if let Some(running) = self.running.as_mut() {
                let _ = running.wait_for(Duration::from_secs(10));
            }
        }
        Ok(self
            .running
            .as_mut()
            .map(|r| r.output(code))
            .unwrap_or_default())
    }

    /// Writes `line` and a newline to the container's stdin (interactive containers only).
    pub fn send_line(&mut self, line: &str) -> Result<(), EngineError> {
        let stdin = self
            .running
            .as_mut()
            .and_then(|r| r.stdin.as_mut())
            .ok_or_else(|| EngineError::Runtime {
                command: "write to stdin".into(),
                message: "the container's stdin is not open".into(),
            })?;
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .map_err(|e| EngineError::Runtime {
                command: "write to stdin".into(),
                message: format!("the container stopped reading its stdin: {e}"),
            })
    }

    /// Closes the container's stdin (end of input for a stdio server).
    pub fn close_stdin(&mut self) {
        if let Some(running) = self.running.as_mut() {
            running.stdin = None;
        }
    }

    /// The next line the container wrote to stdout, waiting up to `timeout` (interactive
    /// containers only; others report [`LineRead::Closed`]).
    pub fn next_line(&mut self, timeout: Duration) -> Result<LineRead, EngineError> {
        let Some(lines) = self.running.as_ref().and_then(|r| r.lines.as_ref()) else {
            return Ok(LineRead::Closed);
        };
        let deadline = Instant::now() + timeout;
        loop {
            if interrupted() {
                return Err(EngineError::Interrupted);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(LineRead::TimedOut);
            }
            match lines.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok(line) => return Ok(LineRead::Line(line)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(LineRead::Closed),
            }
        }
    }

    /// The host pid of the container's first process (`runc state`), e.g. to join its
    /// network namespace.
    pub fn pid(&self) -> Result<u32, EngineError> {
        let output = Command::new(&self.runtime.binary)
            .args(["state", &self.id])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| EngineError::io(&self.runtime.binary, e))?;
        let state: Value =
            serde_json::from_slice(&output.stdout).map_err(|_| EngineError::Runtime {
                command: "state".into(),
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            })?;
        state
            .get("pid")
            .and_then(Value::as_u64)
            .and_then(|pid| u32::try_from(pid).ok())
            .filter(|pid| *pid > 0)
            .ok_or_else(|| EngineError::Runtime {
                command: "state".into(),
                message: format!("no running process for container {}", self.id),
            })
    }

    /// Runs `process.args` inside the running container (`runc exec`) as `process.user`.
    pub fn exec(&self, process: &ProcessSpec, timeout: Duration) -> Result<RunOutput, EngineError> {
        let mut command = Command::new(&self.runtime.binary);
        command
            .arg("exec")
            .arg("--user")
            .arg(format!("{}:{}", process.user.uid, process.user.gid))
            .arg("--cwd")
            .arg(&process.cwd);
        for gid in &process.user.additional_gids {
            command.arg("--additional-gids").arg(gid.to_string());
        }
        for env in &process.env {
            command.arg("--env").arg(env);
        }
        command.arg(&self.id).args(&process.args);
        let mut captured = Captured::spawn(command, &self.runtime.binary, false)?;
        let code = match captured.wait_for(timeout) {
            Ok(code) => code,
            Err(error) => {
                let _ = captured.child.kill();
                let _ = captured.child.wait();
                return Err(error);
            }
        };
        if code.is_none() {
            let _ = captured.child.kill();
            let _ = captured.child.wait();
        }
        Ok(captured.output(code))
    }

    fn kill(&self) {
        let _ = Command::new(&self.runtime.binary)
            .args(["kill", &self.id, "KILL"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if let Some(mut running) = self.running.take() {
            if !matches!(running.child.try_wait(), Ok(Some(_))) {
                self.kill();
                let _ = running.wait_for(Duration::from_secs(5));
                let _ = running.child.kill();
                let _ = running.child.wait();
            }
        }
        let _ = Command::new(&self.runtime.binary)
            .args(["delete", "--force", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.bundle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rootfs_with_users() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        std::fs::write(
            dir.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:10002:10002::/home/app:/usr/sbin/nologin\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("etc/group"),
            "root:x:0:\napp:x:10002:\nstaff:x:50:app\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn users_resolve_like_docker() {
        let dir = rootfs_with_users();
        let root = resolve_user(dir.path(), "").unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
        let app = resolve_user(dir.path(), "app").unwrap();
        assert_eq!((app.uid, app.gid), (10002, 10002));
        assert_eq!(app.additional_gids, vec![50]);
        assert_eq!(app.home.as_deref(), Some("/home/app"));
        let numeric = resolve_user(dir.path(), "10001").unwrap();
        assert_eq!((numeric.uid, numeric.gid), (10001, 0));
        let pair = resolve_user(dir.path(), "app:staff").unwrap();
        assert_eq!((pair.uid, pair.gid), (10002, 50));
        assert!(pair.additional_gids.is_empty());
        assert!(resolve_user(dir.path(), "nobody").is_err());
        assert!(resolve_user(dir.path(), "app:nogroup").is_err());
    }

    #[test]
    fn config_is_locked_down() {
        let process = ProcessSpec {
            args: vec!["true".into()],
            env: vec![DEFAULT_PATH.into()],
            cwd: "/".into(),
            user: User::default(),
        };
        let config = config_json(
            Path::new("/tmp/rootfs"),
            &process,
            &BundleOptions {
                readonly_rootfs: true,
            },
        );
        assert_eq!(config["process"]["noNewPrivileges"], true);
        assert_eq!(config["process"]["terminal"], false);
        assert_eq!(config["process"]["capabilities"]["bounding"], json!([]));
        assert_eq!(config["root"]["readonly"], true);
        let namespaces = config["linux"]["namespaces"].as_array().unwrap();
        assert!(namespaces.iter().any(|n| n["type"] == "network"));
    }

    #[test]
    fn set_env_replaces() {
        let mut process = ProcessSpec {
            args: vec![],
            env: vec!["A=1".into(), "AB=2".into()],
            cwd: "/".into(),
            user: User::default(),
        };
        process.set_env("A", "3");
        assert_eq!(process.env, vec!["AB=2".to_owned(), "A=3".to_owned()]);
    }
}
