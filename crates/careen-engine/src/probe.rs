//! Talking to a running container: an HTTP probe of a port from inside the container's own
//! network namespace, and the MCP stdio handshake (`initialize`, then `tools/list`).
//!
//! The container runs in a network namespace of its own with only loopback up, so nothing on
//! the host can reach its ports. The probe joins that namespace on a dedicated thread (a
//! thread's sockets are created in the namespace the thread is in) and connects to its
//! loopback. That is also why the HTTP request is written here by hand instead of with an HTTP
//! client crate: the probe needs the socket to be created on exactly this thread, and it needs
//! only the status line of one `GET`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::EngineError;
use crate::runtime::{Container, LineRead};

/// What one HTTP probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpProbe {
    /// An HTTP status line came back.
    Answered { status: u16, status_line: String },
    /// Nothing listens on the port yet (connection refused), or it did not answer in time.
    NotReady(String),
    /// Something answered, but not with HTTP.
    NotHttp(String),
}

/// `GET path` on `port` of the loopback inside the network namespace of process `pid`,
/// on IPv4 and then IPv6.
pub fn http_get(
    pid: u32,
    port: u16,
    path: &str,
    timeout: Duration,
) -> Result<HttpProbe, EngineError> {
    let namespace = format!("/proc/{pid}/ns/net");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUser-Agent: careen-test\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    let worker = std::thread::Builder::new()
        .name("careen-probe".into())
        .spawn(move || -> Result<HttpProbe, EngineError> {
            let file =
                std::fs::File::open(&namespace).map_err(|e| EngineError::io(&namespace, e))?;
            nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| {
                EngineError::Runtime {
                    command: "setns".into(),
                    message: format!("cannot join the container's network namespace: {e}"),
                }
            })?;
            let mut last = HttpProbe::NotReady("connection refused".into());
            for ip in [Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()] {
                let probe = get_once(SocketAddr::new(ip, port), &request, timeout);
                if !matches!(probe, HttpProbe::NotReady(_)) {
                    return Ok(probe);
                }
                last = probe;
            }
            Ok(last)
        })
        .map_err(|e| EngineError::Runtime {
            command: "probe".into(),
            message: e.to_string(),
        })?;
    worker.join().map_err(|_| EngineError::Runtime {
        command: "probe".into(),
        message: "the probe thread panicked".into(),
    })?
}

fn get_once(address: SocketAddr, request: &str, timeout: Duration) -> HttpProbe {
    let mut stream = match TcpStream::connect_timeout(&address, timeout) {
        Ok(stream) => stream,
        Err(e) => return HttpProbe::NotReady(format!("{address}: {e}")),
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    if let Err(e) = stream.write_all(request.as_bytes()) {
        return HttpProbe::NotReady(format!("{address}: {e}"));
    }
    // The status line fits in the first bytes; 8 KiB bounds what a hostile server can send.
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while head.len() < 8192 && !head.contains(&b'\n') {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if head.is_empty() => return HttpProbe::NotReady(format!("{address}: {e}")),
            Err(_) => break,
        }
    }
    if head.is_empty() {
        return HttpProbe::NotReady(format!(
            "{address}: the connection closed without an answer"
        ));
    }
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let line = String::from_utf8_lossy(&head[..line_end]).trim().to_owned();
    match parse_status_line(&line) {
        Some(status) => HttpProbe::Answered {
            status,
            status_line: line,
        },
        None => HttpProbe::NotHttp(line.chars().take(80).collect()),
    }
}

/// The status code of `HTTP/1.1 200 OK`.
fn parse_status_line(line: &str) -> Option<u16> {
    let mut parts = line.split_ascii_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    (100..=599).contains(&status).then_some(status)
}

/// The MCP protocol revision careen offers in `initialize`.
pub const MCP_PROTOCOL_VERSION: &str = "2025-06-18";

/// What the MCP handshake learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpSession {
    pub protocol_version: String,
    pub server_name: String,
    pub server_version: String,
    pub tools: Vec<String>,
}

/// Runs `initialize`, `notifications/initialized` and `tools/list` over the container's stdin
/// and stdout (newline-delimited JSON-RPC, the MCP stdio transport) within `deadline`.
/// A failure is a message for the test report, not an error; an interrupt is an error.
pub fn mcp_handshake(
    container: &mut Container,
    deadline: Instant,
) -> Result<Result<McpSession, String>, EngineError> {
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": MCP_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "careen-test", "version": env!("CARGO_PKG_VERSION")},
        },
    });
    if let Err(e) = container.send_line(&initialize.to_string()) {
        return Ok(Err(e.to_string()));
    }
    let init = match await_response(container, 1, deadline)? {
        Ok(result) => result,
        Err(message) => return Ok(Err(format!("initialize: {message}"))),
    };
    let Some(protocol_version) = init.get("protocolVersion").and_then(Value::as_str) else {
        return Ok(Err(
            "initialize: the result has no `protocolVersion`".to_owned()
        ));
    };
    let info = init.get("serverInfo");
    let text = |key: &str| {
        info.and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let mut session = McpSession {
        protocol_version: protocol_version.to_owned(),
        server_name: text("name"),
        server_version: text("version"),
        tools: Vec::new(),
    };
    if session.server_name.is_empty() {
        return Ok(Err(
            "initialize: the result has no `serverInfo.name`".to_owned()
        ));
    }
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}});
    for message in [initialized, list] {
        if let Err(e) = container.send_line(&message.to_string()) {
            return Ok(Err(e.to_string()));
        }
    }
    let tools = match await_response(container, 2, deadline)? {
        Ok(result) => result,
        Err(message) => return Ok(Err(format!("tools/list: {message}"))),
    };
    let Some(list) = tools.get("tools").and_then(Value::as_array) else {
        return Ok(Err("tools/list: the result has no `tools` array".to_owned()));
    };
    for tool in list {
        match tool.get("name").and_then(Value::as_str) {
            Some(name) if tool.get("inputSchema").is_some_and(Value::is_object) => {
                session.tools.push(name.to_owned());
            }
            Some(name) => {
                return Ok(Err(format!(
                    "tools/list: tool `{name}` has no `inputSchema` object"
                )))
            }
            None => return Ok(Err("tools/list: a tool has no `name`".to_owned())),
        }
    }
    Ok(Ok(session))
}

/// Reads stdout lines until the response to request `id`: answers the server's own requests
/// (`ping` with an empty result, anything else with "method not found"), skips notifications,
/// and fails on anything that is not JSON-RPC (a stdio server must keep stdout for the
/// protocol; logs belong on stderr).
fn await_response(
    container: &mut Container,
    id: u64,
    deadline: Instant,
) -> Result<Result<Value, String>, EngineError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match container.next_line(left)? {
            LineRead::Line(line) => line,
            LineRead::TimedOut => return Ok(Err("no response in time".to_owned())),
            LineRead::Closed => {
                return Ok(Err("the server closed its stdout (did it exit?)".to_owned()))
            }
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            let shown: String = line.chars().take(80).collect();
            return Ok(Err(format!(
                "stdout carried a line that is not JSON-RPC (logs belong on stderr): `{shown}`"
            )));
        };
        if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Ok(Err("a message without `\"jsonrpc\": \"2.0\"`".to_owned()));
        }
        if let Some(method) = message.get("method").and_then(Value::as_str) {
            if let Some(request_id) = message.get("id") {
                let reply = if method == "ping" {
                    json!({"jsonrpc": "2.0", "id": request_id, "result": {}})
                } else {
                    json!({"jsonrpc": "2.0", "id": request_id,
                           "error": {"code": -32601, "message": "careen test does not offer this method"}})
                };
                if let Err(e) = container.send_line(&reply.to_string()) {
                    return Ok(Err(e.to_string()));
                }
            }
            continue;
        }
        if message.get("id").and_then(Value::as_u64) != Some(id) {
            continue;
        }
        if let Some(error) = message.get("error") {
            let text = error.get("message").and_then(Value::as_str).unwrap_or("");
            let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
            return Ok(Err(format!("error {code}: {text}")));
        }
        return Ok(match message.get("result") {
            Some(result) if result.is_object() => Ok(result.clone()),
            _ => Err("the response has no `result` object".to_owned()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status_line("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status_line("HTTP/1.0 404 Not Found"), Some(404));
        assert_eq!(parse_status_line("HTTP/2 503"), Some(503));
        assert_eq!(parse_status_line("SSH-2.0-OpenSSH_9.2"), None);
        assert_eq!(parse_status_line("HTTP/1.1 abc"), None);
        assert_eq!(parse_status_line("HTTP/1.1 999 Nope"), None);
        assert_eq!(parse_status_line(""), None);
    }

    #[test]
    fn a_local_server_answers_and_a_closed_port_is_not_ready() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = stream.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"GET /health HTTP/1.1\r\n"));
            stream
                .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .unwrap();
        });
        let probe = get_once(
            address,
            "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
            Duration::from_secs(5),
        );
        server.join().unwrap();
        assert_eq!(
            probe,
            HttpProbe::Answered {
                status: 204,
                status_line: "HTTP/1.1 204 No Content".into()
            }
        );
        // The port is closed now.
        let probe = get_once(address, "GET / HTTP/1.1\r\n\r\n", Duration::from_secs(1));
        assert!(matches!(probe, HttpProbe::NotReady(_)), "{probe:?}");
    }

    #[test]
    fn a_non_http_server_is_reported() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n").unwrap();
        });
        let probe = get_once(address, "GET / HTTP/1.1\r\n\r\n", Duration::from_secs(5));
        server.join().unwrap();
        assert_eq!(probe, HttpProbe::NotHttp("SSH-2.0-OpenSSH_9.2".into()));
    }
}
