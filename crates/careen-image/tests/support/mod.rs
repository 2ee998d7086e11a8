//! Test support for remote transports: OCI layouts written in code, the real `docker-registry`
//! (CNCF distribution) on 127.0.0.1, pushes with the real `skopeo`, and a small token server
//! that signs JWTs with a key made by `openssl` at test time.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use careen_image::{open, ImageError, LayerEntry, OpenOptions};
use sha2::{Digest, Sha256};

pub const TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const TAR_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const TAR: &str = "application/vnd.oci.image.layer.v1.tar";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A layer tar of regular files.
pub fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_size(data.len() as u64);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// A stored layer: blob bytes, media type, diff ID.
pub struct Blob {
    pub stored: Vec<u8>,
    pub media_type: &'static str,
    pub diff_id: String,
}

pub fn gzipped(tar: Vec<u8>) -> Blob {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&tar).unwrap();
    Blob {
        stored: encoder.finish().unwrap(),
        media_type: TAR_GZIP,
        diff_id: sha(&tar),
    }
}

pub fn zstded(tar: Vec<u8>) -> Blob {
    Blob {
        stored: zstd::encode_all(&tar[..], 3).unwrap(),
        media_type: TAR_ZSTD,
        diff_id: sha(&tar),
    }
}

pub fn plain(tar: Vec<u8>) -> Blob {
    Blob {
        diff_id: sha(&tar),
        stored: tar,
        media_type: TAR,
    }
}

fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = sha(bytes);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(blobs.join(&digest["sha256:".len()..]), bytes).unwrap();
    digest
}

/// Writes one image into the OCI layout `dir`; returns its manifest descriptor (with platform).
pub fn write_image(dir: &Path, architecture: &str, layers: &[Blob]) -> serde_json::Value {
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.diff_id.as_str()).collect();
    let history: Vec<serde_json::Value> = (0..layers.len())
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i} ({architecture})")}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": architecture,
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap();
    let config_digest = write_blob(dir, &config);
    let layer_descriptors: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            serde_json::json!({
                "mediaType": l.media_type,
                "digest": write_blob(dir, &l.stored),
                "size": l.stored.len(),
            })
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config.len(),
        },
        "layers": layer_descriptors,
    }))
    .unwrap();
    serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": write_blob(dir, &manifest),
        "size": manifest.len(),
        "platform": {"architecture": architecture, "os": "linux"},
    })
}

/// Writes `index.json` naming each `(tag, descriptor)`.
pub fn write_index(dir: &Path, tagged: Vec<(&str, serde_json::Value)>) {
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let manifests: Vec<serde_json::Value> = tagged
        .into_iter()
        .map(|(tag, mut descriptor)| {
            descriptor["annotations"] = serde_json::json!({ REF_NAME: tag });
            descriptor
        })
        .collect();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// Writes a nested image index (a blob) over `descriptors`; returns its descriptor.
pub fn write_nested_index(dir: &Path, descriptors: Vec<serde_json::Value>) -> serde_json::Value {
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": descriptors,
    }))
    .unwrap();
    serde_json::json!({
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": write_blob(dir, &index),
        "size": index.len(),
    })
}

/// What a test compares between two reads of the same image.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub config_digest: String,
    pub layers: Vec<careen_image::Layer>,
    /// Layer index, entry, digest of the entry's data.
    pub entries: Vec<(usize, LayerEntry, String)>,
}

pub fn read_all(reference: &str, options: &OpenOptions) -> Result<Seen, ImageError> {
    let image = open(reference, options)?;
    let mut entries = Vec::new();
    for index in 0..image.layers.len() {
        image.for_each_entry(index, &mut |entry, data| {
            let mut bytes = Vec::new();
            data.read_to_end(&mut bytes).map_err(|e| ImageError::Io {
                path: PathBuf::from(&entry.path),
                source: e,
            })?;
            entries.push((index, entry.clone(), sha(&bytes)));
            Ok(())
        })?;
    }
    Ok(Seen {
        config_digest: image.config_digest.clone(),
        layers: image.layers.clone(),
        entries,
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How a registry authenticates.
pub enum Auth<'a> {
    None,
    /// An htpasswd file.
    Htpasswd(&'a Path),
    /// Token auth: realm URL, service, issuer, root certificate bundle.
    Token {
        realm: &'a str,
        service: &'a str,
        issuer: &'a str,
        root_cert: &'a Path,
    },
}

/// A running `docker-registry`, killed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    pub host: String,
    _config: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry storing into `storage` and waits until `/v2/` answers.
    pub fn start(storage: &Path, auth: Auth<'_>) -> Self {
        let config_dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let auth_yaml = match auth {
            Auth::None => String::new(),
            Auth::Htpasswd(path) => format!(
                "auth:\n  htpasswd:\n    realm: careen-test\n    path: {}\n",
                path.display()
            ),
            Auth::Token {
                realm,
                service,
                issuer,
                root_cert,
            } => format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                root_cert.display()
            ),
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth_yaml}",
            storage.display()
        );
        let config_path = config_dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env_remove("REGISTRY_HTTP_ADDR")
            .spawn()
            .expect("docker-registry (Debian package `docker-registry`) must be installed");
        let registry = Self {
            child,
            port,
            host: format!("127.0.0.1:{port}"),
            _config: config_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let request = format!("GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
                let mut answer = String::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && answer.starts_with("HTTP/1.")
                {
                    return registry;
                }
            }
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pushes `oci:layout:tag` to `docker://host/target` with skopeo (`--all` for indexes).
pub fn push(layout: &Path, tag: &str, host: &str, target: &str, all: bool) {
    let mut command = Command::new("skopeo");
    command.args([
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "--preserve-digests",
    ]);
    if all {
        command.arg("--all");
    }
    let output = command
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{host}/{target}"))
        .output()
        .expect("skopeo must be installed");
    assert!(
        output.status.success(),
        "skopeo copy failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The registry's file for blob `digest` below its storage root.
pub fn stored_blob(storage: &Path, digest: &str) -> PathBuf {
    let hex = &digest["sha256:".len()..];
    storage
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data")
}

/// A docker `config.json` in a temp dir.
pub fn auth_file(json: serde_json::Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    (dir, path)
}

pub fn basic(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// `htpasswd -Bbn user password` into a file.
pub fn htpasswd(dir: &Path, user: &str, password: &str) -> PathBuf {
    let output = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .expect("htpasswd (Debian package apache2-utils) must be installed");
    assert!(output.status.success());
    let path = dir.join("htpasswd");
    std::fs::write(&path, output.stdout).unwrap();
    path
}

/// A token server: checks Basic credentials, issues RS256 JWTs whose `x5c` header carries a
/// self-signed certificate made with `openssl` (the registry trusts it as `rootcertbundle`).
pub struct TokenServer {
    pub realm: String,
    pub cert: PathBuf,
    pub service: String,
    pub issuer: String,
    _dir: tempfile::TempDir,
}

impl TokenServer {
    pub fn start(user: &str, password: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.pem");
        let cert = dir.path().join("cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=careen-test-token"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl must be installed");
        assert!(status.success());
        let der = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .unwrap()
            .stdout;
        let x5c = base64::engine::general_purpose::STANDARD.encode(der);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let service = "careen-test-registry".to_owned();
        let issuer = "careen-test-issuer".to_owned();
        let expected = format!("Basic {}", basic(user, password));
        let (service_for, issuer_for) = (service.clone(), issuer.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer_token(stream, &expected, &key, &x5c, &service_for, &issuer_for);
            }
        });
        Self {
            realm,
            cert,
            service,
            issuer,
            _dir: dir,
        }
    }
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn answer_token(
    stream: TcpStream,
    expected: &str,
    key: &Path,
    x5c: &str,
    service: &str,
    issuer: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = value.trim().to_owned();
            }
        }
    }
    let mut stream = stream;
    if authorization != expected {
        let body = r#"{"details":"bad credentials"}"#;
        return write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut access = Vec::new();
    for pair in query.split('&') {
        if let Some(("scope", value)) = pair.split_once('=') {
            let scope = url_decode(value);
            let mut parts = scope.splitn(3, ':');
            if let (Some(kind), Some(name), Some(actions)) =
                (parts.next(), parts.next(), parts.next())
            {
                access.push(serde_json::json!({
                    "type": kind,
                    "name": name,
                    "actions": actions.split(',').collect::<Vec<_>>(),
                }));
            }
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
    let claims = serde_json::json!({
        "iss": issuer,
        "sub": "careen",
        "aud": service,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("careen-{now}"),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64url(&serde_json::to_vec(&header).unwrap()),
        b64url(&serde_json::to_vec(&claims).unwrap())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(signing_input.as_bytes())?;
    let signature = child.wait_with_output()?.stdout;
    let token = format!("{signing_input}.{}", b64url(&signature));
    let body = serde_json::to_string(&serde_json::json!({"token": token})).unwrap();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
