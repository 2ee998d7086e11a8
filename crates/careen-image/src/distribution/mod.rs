//! A blocking client for the OCI distribution API (v2): manifests and blobs, anonymous, Basic or
//! Bearer-token auth.
//!
//! HTTP is `ureq` with rustls: blocking (the crate is synchronous throughout), small, well kept,
//! and it follows redirects forwarding the `Authorization` header only to the same host over
//! https, which is what blob GETs need (registries redirect them to object storage on another
//! host, which must not see the registry's credentials).

pub(crate) mod auth;
pub(crate) mod name;
pub(crate) mod push;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::cache::{self, Progress, Reporter};
use crate::error::ImageError;
use crate::source::MAX_DOCUMENT_BYTES;
use auth::{Challenge, Credentials};
use name::RegistryName;

/// Media types asked for when fetching a manifest.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.list.v2+json";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Error bodies and token responses are read up to this many bytes.
const SMALL_BODY: u64 = 1024 * 1024;

/// One registry repository, with the authorization obtained so far.
pub(crate) struct Client {
    agent: ureq::Agent,
    pub(crate) name: RegistryName,
    base: String,
    auth_file: Option<PathBuf>,
    /// `None` until looked up (only when the registry asks for credentials).
    credentials: Mutex<Option<Option<Credentials>>>,
    /// The `Authorization` header value for the registry, once authenticated.
    authorization: Mutex<Option<String>>,
}

/// A fetched manifest or index.
pub(crate) struct Manifest {
    pub(crate) bytes: Vec<u8>,
    /// `Content-Type`, without parameters (may be empty).
    pub(crate) content_type: String,
    /// `Docker-Content-Digest`, if the registry sent one.
    pub(crate) digest_header: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl Client {
    pub(crate) fn new(name: RegistryName, auth_file: Option<&Path>) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(RESPONSE_TIMEOUT))
            .timeout_per_read(Some(READ_TIMEOUT))
            .max_redirects(10)
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .user_agent(concat!("careen/", env!("CARGO_PKG_VERSION")))
            .build();
        let base = name.base_url();
        Self {
            agent: config.new_agent(),
            name,
            base,
            auth_file: auth_file.map(Path::to_owned),
            credentials: Mutex::new(None),
            authorization: Mutex::new(None),
        }
    }

    fn reference(&self) -> String {
        format!("docker://{}", self.name)
    }

    fn current_authorization(&self) -> Option<String> {
        self.authorization.lock().ok().and_then(|a| a.clone())
    }

    fn credentials(&self) -> Result<Option<Credentials>, ImageError> {
        let mut slot = self
            .credentials
            .lock()
            .map_err(|_| self.protocol(&self.base, "credential lookup panicked"))?;
        if let Some(found) = slot.as_ref() {
            return Ok(found.clone());
        }
        let found = auth::credentials(&self.name, self.auth_file.as_deref())?;
        *slot = Some(found.clone());
        Ok(found)
    }

    fn protocol(&self, url: &str, reason: impl Into<String>) -> ImageError {
        ImageError::Registry {
            url: url.to_owned(),
            reason: reason.into(),
        }
    }

    fn unauthorized(&self, status: u16) -> ImageError {
        ImageError::RegistryUnauthorized {
            reference: self.reference(),
            registry: self.name.login_host().to_owned(),
            status,
        }
    }

    fn transport_error(&self, url: &str, error: ureq::Error) -> ImageError {
        match error {
            ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Timeout(_) => ImageError::RegistryUnreachable {
                url: url.to_owned(),
                reason: error.to_string(),
            },
            ureq::Error::BodyExceedsLimit(limit) => {
                self.protocol(url, format!("the response is larger than {limit} bytes"))
            }
            other => self.protocol(url, other.to_string()),
        }
    }

    /// GETs `path` (below `/v2/<repository>/`), authenticating on a 401 challenge and retrying
    /// once. Any status other than 401 is returned to the caller.
    fn get(
        &self,
        path: &str,
        accept: Option<&str>,
    ) -> Result<(String, ureq::http::Response<ureq::Body>), ImageError> {
        let url = format!("{}/v2/{}/{}", self.base, self.name.repository, path);
        let send = |authorization: Option<&str>| {
            let mut request = self.agent.get(&url);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            request.call().map_err(|e| self.transport_error(&url, e))
        };
        let first = self.current_authorization();
        let response = send(first.as_deref())?;
        if response.status() != 401 {
            return Ok((url, response));
        }
        let challenge = best_challenge(response.headers());
        let Some(challenge) = challenge else {
            return Err(self.unauthorized(401));
        };
        let authorization = self.authorize(&challenge)?;
        if first.as_deref() == Some(authorization.as_str()) {
            return Err(self.unauthorized(401));
        }
        let response = send(Some(&authorization))?;
        if response.status() == 401 || response.status() == 403 {
            return Err(self.unauthorized(response.status().as_u16()));
        }
        if let Ok(mut slot) = self.authorization.lock() {
            *slot = Some(authorization);
        }
        Ok((url, response))
    }

    /// The `Authorization` value answering `challenge`.
    fn authorize(&self, challenge: &Challenge) -> Result<String, ImageError> {
        let credentials = self.credentials()?;
        match challenge {
            Challenge::Basic => credentials
                .as_ref()
                .and_then(Credentials::basic_header)
                .ok_or_else(|| self.unauthorized(401)),
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                let scope = scope
                    .clone()
                    .unwrap_or_else(|| format!("repository:{}:pull", self.name.repository));
                let token = self.fetch_token(realm, service.as_deref(), &scope, credentials)?;
                Ok(format!("Bearer {token}"))
            }
        }
    }

    /// Asks the token server at `realm` for a token (docker's token flow; with an identity
    /// token, the OAuth2 refresh-token grant).
    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        credentials: Option<Credentials>,
    ) -> Result<String, ImageError> {
        let response = match &credentials {
            Some(Credentials::IdentityToken(refresh)) => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                    ("client_id", "careen"),
                    ("scope", scope),
                ];
                if let Some(service) = service {
                    form.push(("service", service));
                }
                self.agent
                    .post(realm)
                    .send_form(form)
                    .map_err(|e| self.transport_error(realm, e))?
            }
            _ => {
                let mut request = self.agent.get(realm).query("scope", scope);
                if let Some(service) = service {
                    request = request.query("service", service);
                }
                if let Some(header) = credentials.as_ref().and_then(Credentials::basic_header) {
                    request = request.header("Authorization", header);
                }
                request.call().map_err(|e| self.transport_error(realm, e))?
            }
        };
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(self.unauthorized(status));
        }
        if status != 200 {
            return Err(self.protocol(realm, format!("the token server answered {status}")));
        }
        let bytes = response
            .into_body()
            .with_config()
            .limit(SMALL_BODY)
            .read_to_vec()
            .map_err(|e| self.transport_error(realm, e))?;
        let parsed: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| self.protocol(realm, format!("the token response is not JSON: {e}")))?;
        parsed
            .token
            .or(parsed.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.protocol(realm, "the token response has no `token`"))
    }

    /// The registry's error text for a failed response (the `errors[].message` of the spec).
    fn failure(&self, url: &str, response: ureq::http::Response<ureq::Body>) -> ImageError {
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(SMALL_BODY)
            .read_to_vec()
            .unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("errors")?
                    .as_array()?
                    .iter()
                    .filter_map(|e| e.get("message")?.as_str().map(str::to_owned))
                    .next()
            })
            .unwrap_or_default();
        let reason = if message.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {message}")
        };
        self.protocol(url, reason)
    }

    /// Fetches the manifest or index `reference` (a tag or a digest).
    pub(crate) fn manifest(&self, reference: &str) -> Result<Manifest, ImageError> {
        let (url, response) = self.get(&format!("manifests/{reference}"), Some(MANIFEST_ACCEPT))?;
        match response.status().as_u16() {
            200 => {}
            404 => {
                let shown = if reference.contains(':') {
                    format!(
                        "docker://{}/{}@{reference}",
                        self.name.registry, self.name.repository
                    )
                } else {
                    format!(
                        "docker://{}/{}:{reference}",
                        self.name.registry, self.name.repository
                    )
                };
                return Err(ImageError::ManifestUnknown { reference: shown });
            }
            403 => return Err(self.unauthorized(403)),
            _ => return Err(self.failure(&url, response)),
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let digest_header = header("docker-content-digest");
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => ImageError::InvalidDocument {
                    path: PathBuf::from(&url),
                    document: reference.to_owned(),
                    reason: format!("larger than {MAX_DOCUMENT_BYTES} bytes"),
                },
                other => self.transport_error(&url, other),
            })?;
        Ok(Manifest {
            bytes,
            content_type,
            digest_header,
        })
    }

    /// Downloads blob `digest` of `size` bytes into the cache at `root`, verified.
    pub(crate) fn download_blob(
        &self,
        root: &Path,
        digest: &str,
        size: u64,
        reporter: &Reporter,
    ) -> Result<(), ImageError> {
        let (url, response) = self.get(&format!("blobs/{digest}"), None)?;
        match response.status().as_u16() {
            200 => {}
            404 => {
                return Err(self.protocol(
                    &url,
                    format!("blob {digest} is unknown to the registry (HTTP 404)"),
                ))
            }
            403 => return Err(self.unauthorized(403)),
            _ => return Err(self.failure(&url, response)),
        }
        reporter.emit(Progress::Started {
            id: digest.to_owned(),
            total: Some(size),
        });
        let mut reader = response.into_body().into_reader();
        cache::store(root, digest, size, &mut reader, &mut |done| {
            reporter.emit(Progress::Advanced {
                id: digest.to_owned(),
                done,
            });
        })?;
        reporter.emit(Progress::Finished {
            id: digest.to_owned(),
        });
        Ok(())
    }
}

/// The challenge to answer from a 401's `WWW-Authenticate` headers: Bearer over Basic.
fn best_challenge(headers: &ureq::http::HeaderMap) -> Option<Challenge> {
    headers
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(auth::parse_challenge)
        .max_by_key(|c| matches!(c, Challenge::Bearer { .. }))
}
