//! Pushing an image over the OCI distribution API: a HEAD per blob to skip what the registry
//! has, a monolithic upload (POST then PUT with `?digest=`) for the rest, then the manifest PUT.
//! Authentication is the pull side's (401 challenge, Basic or Bearer token), asking for
//! `pull,push` scope.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::auth::{Challenge, Credentials};
use super::{best_challenge, Client};
use crate::error::ImageError;

/// A blob to push, stored in a file.
#[derive(Debug, Clone)]
pub struct PushBlob {
    /// `sha256:` digest of the file's bytes.
    pub digest: String,
    pub size: u64,
    pub path: PathBuf,
}

/// A request body that can be sent again after an authentication challenge.
enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    File(&'a Path),
}

impl Client {
    /// Sends `method url` with `headers` and `body`, answering one 401 challenge with push scope.
    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &Body<'_>,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        let attempt = |authorization: Option<&str>| -> Result<_, ImageError> {
            let mut builder = ureq::http::Request::builder().method(method).uri(url);
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            if let Some(value) = authorization {
                builder = builder.header("Authorization", value);
            }
            let invalid = |e: ureq::http::Error| self.protocol(url, e.to_string());
            let result = match body {
                Body::Empty => self
                    .agent
                    .run(builder.body(ureq::SendBody::none()).map_err(invalid)?),
                Body::Bytes(bytes) => {
                    let mut reader: &[u8] = bytes;
                    let request = builder
                        .body(ureq::SendBody::from_reader(&mut reader))
                        .map_err(invalid)?;
                    self.agent.run(request)
                }
                Body::File(path) => {
                    let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
                    let request = builder
                        .body(ureq::SendBody::from_reader(&mut file))
                        .map_err(invalid)?;
                    self.agent.run(request)
                }
            };
            result.map_err(|e| self.transport_error(url, e))
        };
        let first = self.current_authorization();
        let response = attempt(first.as_deref())?;
        if response.status() != 401 {
            return Ok(response);
        }
        let challenge = best_challenge(response.headers());
        let Some(challenge) = challenge else {
            return Err(self.unauthorized(401));
        };
        let authorization = self.push_authorization(&challenge)?;
        let response = attempt(Some(&authorization))?;
        if response.status() == 401 || response.status() == 403 {
            return Err(self.unauthorized(response.status().as_u16()));
        }
        if let Ok(mut slot) = self.authorization.lock() {
            *slot = Some(authorization);
        }
        Ok(response)
    }

    fn push_authorization(&self, challenge: &Challenge) -> Result<String, ImageError> {
        match challenge {
            Challenge::Basic => self
                .credentials()?
                .as_ref()
                .and_then(Credentials::basic_header)
                .ok_or_else(|| self.unauthorized(401)),
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                let wanted = format!("repository:{}:pull,push", self.name.repository);
                let scope = scope.clone().unwrap_or(wanted);
                let credentials = self.credentials()?;
                let token = self.fetch_token(realm, service.as_deref(), &scope, credentials)?;
                Ok(format!("Bearer {token}"))
            }
        }
    }

    fn repository_url(&self, path: &str) -> String {
        format!("{}/v2/{}/{}", self.base, self.name.repository, path)
    }

    /// Whether the registry has blob `digest` already.
    fn has_blob(&self, digest: &str) -> Result<bool, ImageError> {
        let url = self.repository_url(&format!("blobs/{digest}"));
        let response = self.send("HEAD", &url, &[], &Body::Empty)?;
        Ok(response.status() == 200)
    }

    /// Uploads `blob` unless the registry has it; `true` when it was uploaded.
    fn push_blob(&self, blob: &PushBlob) -> Result<bool, ImageError> {
        if self.has_blob(&blob.digest)? {
            return Ok(false);
        }
        let url = self.repository_url("blobs/uploads/");
        let response = self.send("POST", &url, &[("Content-Length", "0")], &Body::Empty)?;
        if response.status() != 202 {
            return Err(self.failure(&url, response));
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.protocol(&url, "the upload answer has no Location"))?
            .to_owned();
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            format!("{}{location}", self.base)
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = format!("{location}{separator}digest={}", blob.digest);
        let size = blob.size.to_string();
        let response = self.send(
            "PUT",
            &put,
            &[
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", &size),
            ],
            &Body::File(&blob.path),
        )?;
        if response.status() != 201 {
            return Err(self.failure(&put, response));
        }
        Ok(true)
    }

    /// PUTs `manifest` under `reference` (a tag).
    fn push_manifest(
        &self,
        reference: &str,
        manifest: &[u8],
        media_type: &str,
    ) -> Result<(), ImageError> {
        let url = self.repository_url(&format!("manifests/{reference}"));
        let size = manifest.len().to_string();
        let response = self.send(
            "PUT",
            &url,
            &[("Content-Type", media_type), ("Content-Length", &size)],
            &Body::Bytes(manifest),
        )?;
        if response.status() != 201 && response.status() != 200 {
            return Err(self.failure(&url, response));
        }
        Ok(())
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSummary {
    /// Blobs uploaded (the others were on the registry already).
    pub uploaded: usize,
    pub skipped: usize,
}

/// Pushes `blobs` (layers and config) then `manifest` (of `media_type`) to `reference`
/// (`[docker://]REGISTRY/REPO[:TAG]`). Credentials come from `auth_file` or the default places.
pub fn push(
    reference: &str,
    blobs: &[PushBlob],
    manifest: &[u8],
    media_type: &str,
    auth_file: Option<&Path>,
) -> Result<PushSummary, ImageError> {
    let text = reference.strip_prefix("docker://").unwrap_or(reference);
    let name = super::name::RegistryName::parse(text)?;
    let tag = name
        .tag
        .clone()
        .or_else(|| name.digest.clone())
        .unwrap_or_else(|| "latest".to_owned());
    let client = Client::new(name, auth_file);
    let mut summary = PushSummary {
        uploaded: 0,
        skipped: 0,
    };
    for blob in blobs {
        if client.push_blob(blob)? {
            summary.uploaded += 1;
        } else {
            summary.skipped += 1;
        }
    }
    client.push_manifest(&tag, manifest, media_type)?;
    Ok(summary)
}
