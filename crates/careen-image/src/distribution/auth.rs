//! Registry credentials and challenges.
//!
//! Credentials are looked up like docker and podman do, first match wins:
//! 1. the file given in [`crate::OpenOptions::auth_file`], if any (docker `config.json` or
//!    containers `auth.json` format, both have `auths`);
//! 2. `$REGISTRY_AUTH_FILE`, then `$XDG_RUNTIME_DIR/containers/auth.json` (podman, skopeo);
//! 3. `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
//!
//! In each file `credHelpers.<registry>` or else `credsStore` names a helper
//! (`docker-credential-<name> get`, the server on stdin, JSON `{Username, Secret}` on stdout),
//! and `auths.<key>.auth` (base64 `user:password`) or `auths.<key>.identitytoken` hold
//! credentials inline.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use super::name::RegistryName;
use crate::error::ImageError;

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Credentials {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token realm.
    IdentityToken(String),
}

impl std::fmt::Debug for Credentials {
    // Never print secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Self::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

impl Credentials {
    pub(crate) fn basic_header(&self) -> Option<String> {
        match self {
            Self::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            )),
            Self::IdentityToken(_) => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthFile {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperOutput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// The auth files to consult, in order.
fn auth_files(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(path) = explicit {
        files.push(path.to_owned());
        return files;
    }
    if let Some(path) = std::env::var_os("REGISTRY_AUTH_FILE").filter(|p| !p.is_empty()) {
        files.push(PathBuf::from(path));
    }
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        files.push(PathBuf::from(runtime).join("containers/auth.json"));
    }
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|p| !p.is_empty()) {
        files.push(PathBuf::from(dir).join("config.json"));
    } else if let Some(home) = std::env::var_os("HOME").filter(|p| !p.is_empty()) {
        files.push(PathBuf::from(home).join(".docker/config.json"));
    }
    files
}

/// Finds credentials for `name`; `Ok(None)` means anonymous.
pub(crate) fn credentials(
    name: &RegistryName,
    explicit: Option<&Path>,
) -> Result<Option<Credentials>, ImageError> {
    for path in auth_files(explicit) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => continue,
            Err(e) => return Err(ImageError::io(path, e)),
        };
        let file: AuthFile =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::InvalidDocument {
                path: path.clone(),
                document: "auths".to_owned(),
                reason: e.to_string(),
            })?;
        if let Some(found) = from_file(&file, &path, name)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

fn from_file(
    file: &AuthFile,
    path: &Path,
    name: &RegistryName,
) -> Result<Option<Credentials>, ImageError> {
    let keys = name.auth_keys();
    let helper = keys
        .iter()
        .find_map(|key| file.cred_helpers.get(key))
        .or(file.creds_store.as_ref())
        .filter(|helper| !helper.is_empty());
    if let Some(helper) = helper {
        if let Some(found) = run_helper(helper, name.login_host())? {
            return Ok(Some(found));
        }
    }
    for key in &keys {
        let entry = file.auths.get(key.as_str()).or_else(|| {
            // Keys are often written as URLs (`https://host/v1/`).
            file.auths.iter().find_map(|(k, v)| {
                let bare = k
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or(k);
                (bare == key).then_some(v)
            })
        });
        let Some(entry) = entry else { continue };
        if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credentials::IdentityToken(token.clone())));
        }
        if let Some(auth) = entry.auth.as_ref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            let Some((username, password)) = decoded.as_deref().and_then(|t| t.split_once(':'))
            else {
                return Err(ImageError::InvalidDocument {
                    path: path.to_owned(),
                    document: format!("auths.{key}.auth"),
                    reason: "not base64 of `user:password`".to_owned(),
                });
            };
            return Ok(Some(Credentials::Basic {
                username: username.to_owned(),
                password: password.to_owned(),
            }));
        }
        if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
            return Ok(Some(Credentials::Basic {
                username: username.clone(),
                password: password.clone(),
            }));
        }
    }
    Ok(None)
}

/// Runs `docker-credential-<helper> get` for `server`. A helper that has no credentials for the
/// server (non-zero exit saying "credentials not found") yields `None`.
fn run_helper(helper: &str, server: &str) -> Result<Option<Credentials>, ImageError> {
    let program = format!("docker-credential-{helper}");
    let fail = |reason: String| ImageError::CredentialHelper {
        helper: program.clone(),
        reason,
    };
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(fail(
            "the helper name has characters other than letters, digits, `-`, `_`, `.`".to_owned(),
        ));
    }
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run it ({e}); is it on PATH?")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading stdin is not an error of ours.
        let _ = stdin.write_all(server.as_bytes());
    }
    let output = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        if text.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        let first = text.lines().next().unwrap_or("").trim().to_owned();
        return Err(fail(format!("`get` failed ({}): {first}", output.status)));
    }
    let parsed: HelperOutput = serde_json::from_slice(&output.stdout)
        .map_err(|e| fail(format!("its output is not the expected JSON: {e}")))?;
    if parsed.secret.is_empty() {
        return Ok(None);
    }
    // Docker's convention: the user name `<token>` marks an identity token.
    if parsed.username == "<token>" {
        return Ok(Some(Credentials::IdentityToken(parsed.secret)));
    }
    Ok(Some(Credentials::Basic {
        username: parsed.username,
        password: parsed.secret,
    }))
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses the first `Basic` or `Bearer` challenge of a `WWW-Authenticate` header
/// (`Bearer realm="…",service="…",scope="…"`). Hand-written: the grammar is small and the
/// well-kept HTTP crates do not expose a parser for it.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params: HashMap<String, String> = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ','))
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            continue;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    other => value.push(other),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ','))
                .collect::<String>()
                .trim()
                .to_owned();
        }
        params.insert(key, value);
    }
    Some(Challenge::Bearer {
        realm: params.remove("realm").filter(|r| !r.is_empty())?,
        service: params.remove("service"),
        scope: params.remove("scope"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".to_owned(),
                service: Some("registry.docker.io".to_owned()),
                scope: Some("repository:library/alpine:pull".to_owned()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge("bearer realm=http://h/t, service=s"),
            Some(Challenge::Bearer {
                realm: "http://h/t".to_owned(),
                service: Some("s".to_owned()),
                scope: None,
            })
        );
        assert_eq!(parse_challenge("Bearer service=x"), None);
        assert_eq!(parse_challenge("Negotiate abc"), None);
        assert_eq!(parse_challenge(""), None);
    }

    fn write(dir: &Path, json: serde_json::Value) -> PathBuf {
        let path = dir.join("config.json");
        std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
        path
    }

    #[test]
    fn auth_entries_are_found_by_registry_and_url_keys() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("me:pw");
        let path = write(
            dir.path(),
            serde_json::json!({"auths": {
                "https://index.docker.io/v1/": {"auth": auth},
                "https://reg.lan:5000": {"identitytoken": "tok"},
            }}),
        );
        let hub = RegistryName::parse("alpine").unwrap();
        assert_eq!(
            credentials(&hub, Some(&path)).unwrap(),
            Some(Credentials::Basic {
                username: "me".to_owned(),
                password: "pw".to_owned()
            })
        );
        let lan = RegistryName::parse("reg.lan:5000/app").unwrap();
        assert_eq!(
            credentials(&lan, Some(&path)).unwrap(),
            Some(Credentials::IdentityToken("tok".to_owned()))
        );
        let other = RegistryName::parse("quay.io/x/y").unwrap();
        assert_eq!(credentials(&other, Some(&path)).unwrap(), None);
        let bad = write(
            dir.path(),
            serde_json::json!({"auths": {"quay.io": {"auth": "!!"}}}),
        );
        assert!(credentials(&other, Some(&bad)).is_err());
    }

    #[test]
    fn missing_helper_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            serde_json::json!({"credHelpers": {"quay.io": "careen-none-such"}}),
        );
        let name = RegistryName::parse("quay.io/x/y").unwrap();
        let error = credentials(&name, Some(&path)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("docker-credential-careen-none-such"),
            "{error}"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!(
            "{:?}",
            Credentials::Basic {
                username: "u".to_owned(),
                password: "hunter2".to_owned()
            }
        );
        assert!(!text.contains("hunter2"));
    }
}
