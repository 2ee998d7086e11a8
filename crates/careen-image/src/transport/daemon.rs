//! `docker-daemon:NAME`: the image is exported through the Docker Engine API
//! (`GET /images/{name}/get`, a `docker save` tar), written to a temp file in the cache
//! directory, then read as a docker-archive. Podman's Docker-compatible socket works too.
//!
//! Socket: `$DOCKER_HOST` (`unix://PATH`), else `/var/run/docker.sock`, else podman's
//! `$XDG_RUNTIME_DIR/podman/podman.sock` or `/run/podman/podman.sock`.
//!
//! The HTTP/1.1 exchange over the unix socket is hand-written (one GET, response head parsed
//! with `httparse`, chunked or sized body): `ureq` has no unix-socket transport in its stable
//! API, and the async clients that do (hyper + hyperlocal) would pull a runtime into a
//! synchronous crate.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cache::{self, Progress, Reporter};
use crate::error::ImageError;

/// Response heads larger than this are refused.
const MAX_HEAD: usize = 64 * 1024;
/// Error bodies are read up to this many bytes.
const MAX_ERROR_BODY: u64 = 64 * 1024;
/// The engine may take a while to start streaming a large export.
const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// Where the engine's API socket is: `$DOCKER_HOST`, else the first existing default.
pub(crate) fn socket_path() -> Result<PathBuf, ImageError> {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return match host.strip_prefix("unix://") {
            Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
            _ => Err(ImageError::DaemonUnavailable {
                reason: format!(
                    "DOCKER_HOST={host} is not a unix:// socket, the only kind careen speaks"
                ),
            }),
        };
    }
    let mut candidates = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        candidates.push(PathBuf::from(runtime).join("podman/podman.sock"));
    }
    candidates.push(PathBuf::from("/run/podman/podman.sock"));
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .ok_or_else(|| ImageError::DaemonUnavailable {
            reason: format!(
                "no socket at {}",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

/// Exports `name` from the engine into a temp file under the cache root; the file is deleted when
/// the returned path is dropped.
pub(crate) fn export(
    name: &str,
    cache_dir: Option<&Path>,
    reporter: &Reporter,
) -> Result<tempfile::TempPath, ImageError> {
    let socket = socket_path()?;
    let shown = socket.display().to_string();
    let daemon_error = |message: String| ImageError::Daemon {
        socket: shown.clone(),
        name: name.to_owned(),
        message,
    };
    let path = format!("/images/{}/get", escape_path(name));
    let (status, mut body) = get(&socket, &path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
            ImageError::DaemonUnavailable {
                reason: format!("cannot connect to {shown}: {e}"),
            }
        }
        _ => daemon_error(e.to_string()),
    })?;
    if status != 200 {
        let mut text = Vec::new();
        // The error body is only used for the message.
        let _ = (&mut body).take(MAX_ERROR_BODY).read_to_end(&mut text);
        let message = serde_json::from_slice::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&text).trim().to_owned());
        let message = if message.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {message}")
        };
        return Err(daemon_error(message));
    }
    let root = cache::root(cache_dir)?;
    let dir = root.join("tmp");
    std::fs::create_dir_all(&dir).map_err(|e| ImageError::io(&dir, e))?;
    let mut file = tempfile::Builder::new()
        .prefix("docker-daemon-")
        .suffix(".tar")
        .tempfile_in(&dir)
        .map_err(|e| ImageError::io(&dir, e))?;
    let id = format!("docker-daemon:{name}");
    reporter.emit(Progress::Started {
        id: id.clone(),
        total: None,
    });
    let mut buffer = vec![0u8; 64 * 1024];
    let mut done: u64 = 0;
    loop {
        let read = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(daemon_error(format!("the export stream broke: {e}"))),
        };
        file.write_all(buffer.get(..read).unwrap_or_default())
            .map_err(|e| ImageError::io(file.path(), e))?;
        done += read as u64;
        reporter.emit(Progress::Advanced {
            id: id.clone(),
            done,
        });
    }
    file.flush().map_err(|e| ImageError::io(file.path(), e))?;
    reporter.emit(Progress::Finished { id });
    Ok(file.into_temp_path())
}

/// Percent-escapes what cannot appear in a URL path; `/` and `:` stay (the engine's route
/// takes `{name:.*}`).
fn escape_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Sends `GET path` over the unix socket; returns the status and a reader of the body (chunked
/// transfer decoded, a `Content-Length` honoured).
pub(crate) fn get(socket: &Path, path: &str) -> io::Result<(u16, Box<dyn Read + Send>)> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(READ_TIMEOUT))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: careen\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )?;
    stream.flush()?;
    let mut reader = BufReader::new(stream);
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let before = head.len();
        reader
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut head)?;
        if head.len() == before {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before the response head ended",
            ));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the response head is too large",
            ));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the daemon's response is not HTTP/1.1",
            ))
        }
    }
    let status = response.code.unwrap_or(0);
    let header = |wanted: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(wanted))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let body: Box<dyn Read + Send> = if chunked {
        Box::new(Chunked {
            inner: reader,
            remaining: 0,
            done: false,
        })
    } else if let Some(length) = length {
        Box::new(Exact {
            inner: reader.take(length),
            expected: length,
        })
    } else {
        Box::new(reader)
    };
    Ok((status, body))
}

/// A body of `Content-Length` bytes: ending early is an error.
struct Exact<R> {
    inner: io::Take<R>,
    expected: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && !buf.is_empty() && self.inner.limit() > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the body ended {} bytes short of its Content-Length {}",
                    self.inner.limit(),
                    self.expected
                ),
            ));
        }
        Ok(read)
    }
}

/// Decodes `Transfer-Encoding: chunked` (trailers are skipped).
struct Chunked<R> {
    inner: R,
    /// Bytes left in the current chunk.
    remaining: u64,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        (&mut self.inner).take(4096).read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\n") {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a chunk header is truncated or too long",
            ));
        }
        Ok(String::from_utf8_lossy(&line).trim().to_owned())
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            let line = self.line()?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size_text, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size `{size_text}`"),
                )
            })?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !self.line()?.is_empty() {}
                self.done = true;
                return Ok(0);
            }
            self.remaining = size;
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let read = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the chunked body ended inside a chunk",
            ));
        }
        self.remaining -= read as u64;
        if self.remaining == 0 {
            let end = self.line()?;
            if !end.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a chunk is not followed by CRLF",
                ));
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// Serves one canned response on a unix socket and returns the request it got.
    fn serve(response: Vec<u8>) -> (tempfile::TempDir, PathBuf, std::thread::JoinHandle<String>) {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("d.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                request.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            (&stream).write_all(&response).unwrap();
            request
        });
        (dir, socket, handle)
    }

    fn body_of(response: &[u8]) -> io::Result<(u16, Vec<u8>)> {
        let (_dir, socket, handle) = serve(response.to_vec());
        let (status, mut body) = get(&socket, "/images/app:1/get")?;
        let mut bytes = Vec::new();
        let result = body.read_to_end(&mut bytes).map(|_| (status, bytes));
        let request = handle.join().unwrap();
        assert!(
            request.starts_with("GET /images/app:1/get HTTP/1.1\r\n"),
            "{request}"
        );
        result
    }

    #[test]
    fn chunked_and_sized_bodies_decode() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\nTrailer: 1\r\n\r\n";
        assert_eq!(body_of(chunked).unwrap(), (200, b"hello, world".to_vec()));
        let sized = b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnopeEXTRA";
        assert_eq!(body_of(sized).unwrap(), (404, b"nope".to_vec()));
        let until_close = b"HTTP/1.0 200 OK\r\n\r\nrest";
        assert_eq!(body_of(until_close).unwrap(), (200, b"rest".to_vec()));
    }

    #[test]
    fn broken_bodies_are_errors() {
        for response in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n",
            b"garbage\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n",
        ] {
            assert!(
                body_of(response).is_err(),
                "{}",
                String::from_utf8_lossy(response)
            );
        }
    }

    #[test]
    fn names_are_escaped_for_the_path() {
        assert_eq!(escape_path("reg.io/a/b:1"), "reg.io/a/b:1");
        assert_eq!(escape_path("a b?#"), "a%20b%3F%23");
    }
}
