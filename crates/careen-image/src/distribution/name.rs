//! Registry image names, normalised the way docker does: `alpine` is
//! `docker.io/library/alpine:latest`, served by `registry-1.docker.io`; a first component with a
//! `.` or `:`, or `localhost`, is a registry host (with an optional port).

use crate::error::ImageError;

/// The host docker.io images are served from.
pub(crate) const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// The key `docker login` stores Docker Hub credentials under.
pub(crate) const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// A parsed `docker://` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistryName {
    /// The registry as named (`docker.io` for Docker Hub), `host[:port]`.
    pub(crate) registry: String,
    /// The repository path inside the registry (`library/alpine`).
    pub(crate) repository: String,
    /// The tag; `latest` when neither tag nor digest is given.
    pub(crate) tag: Option<String>,
    /// `algorithm:hex`, when the reference pins a digest.
    pub(crate) digest: Option<String>,
}

impl RegistryName {
    /// Parses `[REGISTRY/]REPO[:TAG][@DIGEST]` (without the `docker://` prefix).
    pub(crate) fn parse(text: &str) -> Result<Self, ImageError> {
        let invalid = |reason: String| ImageError::InvalidReference {
            reference: format!("docker://{text}"),
            reason,
        };
        let text = text.trim_start_matches("//");
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => {
                let Some((algorithm, hex)) = digest.split_once(':') else {
                    return Err(invalid(format!("digest `{digest}` is not `algorithm:hex`")));
                };
                let hex_ok = !hex.is_empty()
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if algorithm != "sha256" || !hex_ok || hex.len() != 64 {
                    return Err(invalid(format!(
                        "digest `{digest}` is not `sha256:` followed by 64 lowercase hex digits"
                    )));
                }
                (rest, Some(digest.to_owned()))
            }
            None => (text, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(position) if !rest[position..].contains('/') => {
                (&rest[..position], Some(rest[position + 1..].to_owned()))
            }
            _ => (rest, None),
        };
        if let Some(tag) = &tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && !tag.starts_with(['.', '-'])
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !valid {
                return Err(invalid(format!(
                    "tag `{tag}` is not valid (letters, digits, `_`, `.`, `-`; at most 128)"
                )));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_ascii_lowercase(), path.to_owned())
            }
            _ => ("docker.io".to_owned(), name.to_owned()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
            _ => registry,
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let repository_ok = !repository.is_empty()
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                    })
                    && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            });
        if !repository_ok {
            return Err(invalid(format!(
                "repository `{repository}` is not valid (lowercase letters, digits, `.`, `_`, `-`, separated by `/`)"
            )));
        }
        let host_ok = registry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
        if registry.is_empty() || !host_ok {
            return Err(invalid(format!("registry host `{registry}` is not valid")));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_owned())
        } else {
            tag
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host (and port) the API is served from.
    pub(crate) fn api_host(&self) -> &str {
        if self.registry == "docker.io" {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The host without port, lowercased, brackets of an IPv6 literal removed.
    fn host_only(&self) -> &str {
        let host = self.api_host();
        if let Some(rest) = host.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        host.split(':').next().unwrap_or(host)
    }

    /// `http` for docker's default insecure set (loopback, `localhost`) and the registries listed
    /// in `CAREEN_INSECURE_REGISTRIES` (comma-separated `host[:port]`); `https` otherwise.
    pub(crate) fn scheme(&self) -> &'static str {
        let listed = std::env::var("CAREEN_INSECURE_REGISTRIES").unwrap_or_default();
        self.scheme_with(&listed)
    }

    fn scheme_with(&self, insecure: &str) -> &'static str {
        let host = self.host_only();
        let loopback = match host.parse::<std::net::IpAddr>() {
            Ok(address) => address.is_loopback(),
            Err(_) => host.eq_ignore_ascii_case("localhost"),
        };
        let listed = insecure
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .any(|entry| {
                entry.eq_ignore_ascii_case(self.api_host()) || entry.eq_ignore_ascii_case(host)
            });
        if loopback || listed {
            "http"
        } else {
            "https"
        }
    }

    /// `scheme://host[:port]`.
    pub(crate) fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.api_host())
    }

    /// The tag or digest to ask the registry for (the digest wins when both are given).
    pub(crate) fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// Keys credentials may be stored under in `config.json`/`auth.json`, most specific first.
    pub(crate) fn auth_keys(&self) -> Vec<String> {
        let mut keys = vec![format!("{}/{}", self.registry, self.repository)];
        if self.registry == "docker.io" {
            keys.extend(
                [
                    DOCKER_HUB_AUTH_KEY,
                    "docker.io",
                    "index.docker.io",
                    DOCKER_HUB_API,
                ]
                .map(str::to_owned),
            );
        } else {
            keys.push(self.registry.clone());
        }
        keys
    }

    /// The key `docker login` would use, for messages and credential helpers.
    pub(crate) fn login_host(&self) -> &str {
        if self.registry == "docker.io" {
            DOCKER_HUB_AUTH_KEY
        } else {
            &self.registry
        }
    }
}

impl std::fmt::Display for RegistryName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RegistryName {
        RegistryName::parse(text).unwrap()
    }

    #[test]
    fn docker_hub_names_are_normalised() {
        let name = parse("alpine");
        assert_eq!(name.to_string(), "docker.io/library/alpine:latest");
        assert_eq!(name.api_host(), "registry-1.docker.io");
        assert_eq!(name.scheme_with(""), "https");
        assert_eq!(parse("docker.io/alpine:3").repository, "library/alpine");
        assert_eq!(
            parse("index.docker.io/user/app").to_string(),
            "docker.io/user/app:latest"
        );
        assert_eq!(parse("user/app:1.0").repository, "user/app");
        assert!(parse("alpine")
            .auth_keys()
            .contains(&DOCKER_HUB_AUTH_KEY.to_owned()));
    }

    #[test]
    fn hosts_ports_and_digests() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let name = parse(&format!("localhost:5000/team/app:v1@{digest}"));
        assert_eq!(name.registry, "localhost:5000");
        assert_eq!(name.repository, "team/app");
        assert_eq!(name.tag.as_deref(), Some("v1"));
        assert_eq!(name.manifest_reference(), digest);
        assert_eq!(name.scheme_with(""), "http");
        let by_digest = parse(&format!("ghcr.io/o/r@{digest}"));
        assert_eq!(by_digest.tag, None);
        assert_eq!(by_digest.scheme_with(""), "https");
        assert_eq!(parse("127.0.0.1:5000/x").scheme_with(""), "http");
        assert_eq!(parse("[::1]:5000/x").scheme_with(""), "http");
        assert_eq!(
            parse("reg.lan:5000/x").scheme_with("other, reg.lan:5000"),
            "http"
        );
        assert_eq!(parse("reg.lan/x").scheme_with("reg.lan"), "http");
        assert_eq!(parse("reg.lan:443/x").scheme_with("reg.lan:5000"), "https");
    }

    #[test]
    fn bad_names_are_refused() {
        for text in [
            "Alpine",
            "alpine:",
            "alpine@sha256:zz",
            "alpine@md5:abc",
            "a//b",
            "reg.io/",
            "alpine:-x",
            "alpine:a b",
        ] {
            assert!(RegistryName::parse(text).is_err(), "{text}");
        }
    }
}
