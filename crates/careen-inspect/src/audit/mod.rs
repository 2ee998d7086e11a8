//! Image audit: checks of the image config and history ([`config`]) and of the files the
//! layers ship ([`filesystem`], a per-layer visitor merged in layer order), with the secret
//! detectors of [`crate::secrets`] run over both.
//!
//! Codes: `CI1xxx` config and history, `CI2xxx` filesystem, `CS1xxx` secrets. Each is listed
//! in [`CHECKS`] and documented in `docs/audit.md`; a finding names the dockle / CIS
//! checkpoints it corresponds to in [`Finding::related`].

mod accounts;
pub mod config;
pub mod filesystem;

pub use filesystem::{AuditLayer, AuditLayerBuilder, AuditOptions, ScanStats};

use serde::Serialize;

/// How bad a finding is. Ordered `Info < Warning < Error`; the same names as careen-lint's
/// severities (without `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `CI1001`…, see [`CHECKS`].
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The file, as an absolute image path (`/app/.env`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The index of the layer that ships it (0 = base).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The history `created_by` of that layer (secrets in it redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    /// 1-based line in the file (secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// A redacted preview of the secret (`ghp_…(40 chars)`), never the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// dockle / CIS checkpoint ids that check the same thing (`CIS-DI-0001`).
    pub related: Vec<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding of `code` with the severity, related ids and hint of its [`Check`].
    pub fn new(code: &str, message: impl Into<String>) -> Finding {
        let check = check(code);
        Finding {
            code: code.to_owned(),
            severity: check.map_or(Severity::Warning, |c| c.severity),
            message: message.into(),
            path: None,
            layer: None,
            instruction: None,
            line: None,
            evidence: None,
            related: check
                .map(|c| c.related.iter().map(|r| (*r).to_owned()).collect())
                .unwrap_or_default(),
            hint: check.map(|c| c.hint.to_owned()),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn with_path(mut self, path: &str) -> Finding {
        self.path = Some(format!("/{}", path.trim_start_matches('/')));
        self
    }

    pub fn with_layer(mut self, layer: usize) -> Finding {
        self.layer = Some(layer);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }
}

/// Sorts findings for output: most severe first, then by code, layer, path, line.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.layer.cmp(&b.layer))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
    });
}

/// Whether an image's manifest and config are in Docker's or the OCI format. Docker's
/// config format carries `Healthcheck`; the OCI image spec has no such field, so builders
/// writing OCI images drop `HEALTHCHECK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Docker,
    Oci,
    Unknown,
}

impl ImageFormat {
    /// The format a manifest or layer media type belongs to
    /// (`application/vnd.oci.image.layer.v1.tar+gzip` → OCI,
    /// `application/vnd.docker.image.rootfs.diff.tar.gzip` → Docker).
    pub fn from_media_type(media_type: &str) -> ImageFormat {
        if media_type.starts_with("application/vnd.oci.") {
            ImageFormat::Oci
        } else if media_type.starts_with("application/vnd.docker.") {
            ImageFormat::Docker
        } else {
            ImageFormat::Unknown
        }
    }
}

/// What one code checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub related: &'static [&'static str],
    pub hint: &'static str,
}

const SECRET_HINT: &str = "Revoke the secret now: it ships in the layer blob even if a later layer deletes it. Pass build-time secrets with `RUN --mount=type=secret`, runtime secrets through the orchestrator, and keep the file out of the build context (`.dockerignore`).";

macro_rules! checks {
    ($( $code:literal $severity:ident $title:literal [$($related:literal),*] $hint:expr ;)*) => {
        /// Every audit code.
        pub const CHECKS: &[Check] = &[
            $( Check { code: $code, severity: Severity::$severity, title: $title, related: &[$($related),*], hint: $hint }, )*
        ];
    };
}

checks! {
    "CI1001" Warning "image runs as root" ["CIS-DI-0001"]
        "Create an unprivileged user and switch to it: `RUN useradd --system --uid 10001 app` then `USER 10001` (a numeric UID lets Kubernetes' runAsNonRoot verify it).";
    "CI1002" Info "no HEALTHCHECK" ["CIS-DI-0006"]
        "Add `HEALTHCHECK CMD …` to the Dockerfile (or define a probe in the orchestrator, which Kubernetes uses instead).";
    "CI1003" Warning "HEALTHCHECK dropped by the OCI image format" ["CIS-DI-0006"]
        "The OCI config has no healthcheck field. Build with `buildah build --format docker` / `podman build --format docker`, or with BuildKit (`docker buildx build`), which writes Docker's config format.";
    "CI1004" Error "secret in an environment variable" ["CIS-DI-0010"]
        "Do not bake secrets into `ENV`: anyone who can pull the image reads them with `docker inspect`. Pass them at run time (`docker run -e`, Kubernetes Secrets) or mount a file and point `*_FILE` at it.";
    "CI1005" Error "secret in a label" ["CIS-DI-0010"]
        "Labels are public metadata; remove the secret from `LABEL` and revoke it.";
    "CI1006" Error "secret in the build history" ["CIS-DI-0010"]
        "Build arguments and inline values are recorded in the image history (`docker history --no-trunc`). Use `RUN --mount=type=secret,id=…` instead of `ARG`/`ENV` for secrets, and revoke the leaked one.";
    "CI1007" Warning "remote-login port exposed" []
        "Do not run sshd/telnetd/RDP in a container: use `docker exec` / `kubectl exec` for access and drop the `EXPOSE`.";
    "CI1008" Warning "VOLUME over a kernel filesystem" ["DKL-DI-0002"]
        "Remove `VOLUME /dev|/proc|/sys`: mounting over them hides or exposes kernel interfaces.";
    "CI1009" Warning "ADD from a URL" ["CIS-DI-0009"]
        "Download in a `RUN` step with a checksum check (`curl -fsSLo f URL && echo \"SHA  f\" | sha256sum -c`) or use `ADD --checksum=sha256:…`; use `COPY` for local files.";
    "CI1010" Info "OCI annotation labels missing" []
        "Label the image with `org.opencontainers.image.source`, `.revision`, `.version` and `.created` (e.g. `docker buildx build --label …` or `LABEL` with build args) so a running image can be traced to its code.";
    "CI1011" Warning "sudo used in the build" ["DKL-DI-0001"]
        "Builds run as root already; drop `sudo`. Switch users with `USER`, and in entrypoints use `gosu`/`su-exec` rather than sudo.";
    "CI1012" Warning "package upgrade in the build" ["DKL-DI-0003"]
        "Avoid `apt-get upgrade`/`dist-upgrade`/`apk upgrade` in images: rebuild on an updated base image instead, so builds stay reproducible.";
    "CI1013" Info "apk add without --no-cache" ["DKL-DI-0004"]
        "Use `apk add --no-cache …`: it fetches the index on the fly and leaves nothing in /var/cache/apk.";
    "CI1014" Info "apt-get update alone in a RUN" ["CIS-DI-0007"]
        "Run `apt-get update` in the same `RUN` as `apt-get install` so a cached update layer never feeds a later install stale lists.";
    "CI1015" Info "image is tagged only `latest`" ["DKL-DI-0006"]
        "Tag images with a version or the commit (`app:1.4.2`, `app:sha-abc123`) and deploy by digest.";
    "CI2001" Warning "setuid/setgid file" ["CIS-DI-0008"]
        "Remove the bit if the program does not need it: `RUN chmod u-s,g-s /path` (or `find / -xdev -perm /6000 -type f -exec chmod a-s {} +`).";
    "CI2002" Info "setuid/setgid files from the base distribution" ["CIS-DI-0008"]
        "These are the distribution's own privileged helpers (passwd, su, mount…). They do nothing for a non-root service; strip them with `find / -xdev -perm /6000 -type f -exec chmod a-s {} +` or use a distroless base.";
    "CI2003" Warning "world-writable file or directory" []
        "Tighten the mode (`chmod o-w`), or give shared directories the sticky bit (`chmod 1777`) like /tmp.";
    "CI2004" Warning "keystore file" ["CIS-DI-0010"]
        "Keystores hold private keys: mount them at run time instead of shipping them.";
    "CI2005" Warning ".env file shipped" ["CIS-DI-0010", "DKL-LI-0003"]
        "Add `.env` to `.dockerignore` and pass settings at run time; use `--mount=type=secret` for build-time secrets.";
    "CI2006" Error "credentials file shipped" ["CIS-DI-0010"]
        "Use `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc …` (likewise for .pypirc, .netrc, docker config) so the credentials never land in a layer, then revoke the shipped ones.";
    "CI2007" Warning "version-control directory shipped" ["DKL-LI-0003"]
        "Add `.git` (and `.svn`, `.hg`) to `.dockerignore`: history can hold secrets and always adds size.";
    "CI2008" Info "unnecessary file shipped" ["DKL-LI-0003"]
        "Add editor and OS clutter (`.DS_Store`, `Thumbs.db`, `*.swp`) to `.dockerignore`.";
    "CI2009" Info "package manager cache or index left behind" ["DKL-DI-0004", "DKL-DI-0005"]
        "Clean in the same `RUN` that installs: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force`, or a cache mount (`RUN --mount=type=cache,target=…`).";
    "CI2010" Info "shell present" []
        "Fine for most images. Teams aiming at distroless/scratch images can drop the shell with a multi-stage build that copies only the application.";
    "CI2011" Info "package manager present" []
        "A package manager in a production image lets an intruder install tools. Use a multi-stage build and a distroless or minimal runtime base.";
    "CI2012" Error "account with an empty password" ["DKL-LI-0001"]
        "Lock it: `RUN passwd -l USER` (or `usermod -p '*' USER`). An empty password lets anyone `su` to it (CVE-2019-5021).";
    "CI2013" Warning "duplicate UID or GID" ["DKL-LI-0002"]
        "Give every account its own UID and every group its own GID in /etc/passwd and /etc/group.";
    "CI2014" Warning "sudo installed" ["DKL-DI-0001"]
        "Remove sudo from the image: containers switch users with `USER`, and sudo's TTY and signal handling misbehave as PID 1.";
    "CS1001" Error "AWS access key ID" ["CIS-DI-0010"] SECRET_HINT;
    "CS1002" Error "AWS secret access key" ["CIS-DI-0010"] SECRET_HINT;
    "CS1003" Error "GitHub token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1004" Error "GitLab personal access token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1005" Error "Slack token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1006" Error "Stripe live secret key" ["CIS-DI-0010"] SECRET_HINT;
    "CS1007" Error "Google API key" ["CIS-DI-0010"] SECRET_HINT;
    "CS1008" Error "npm access token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1009" Error "PyPI API token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1010" Error "private key" ["CIS-DI-0010"]
        "Never ship private keys: mount them at run time (Kubernetes Secret, `--mount=type=secret` at build time). SSH host keys generated by installing openssh-server are shared by every container of the image: delete /etc/ssh/ssh_host_* and generate them at start.";
    "CS1011" Warning "JSON Web Token" ["CIS-DI-0010"] SECRET_HINT;
    "CS1012" Warning "secret-looking value assigned to a secret-named key" ["CIS-DI-0010"] SECRET_HINT;
}

/// The [`Check`] of `code`.
pub fn check(code: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.code == code)
}

/// Findings of one whole image: config, history and filesystem, sorted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Rule;

    #[test]
    fn codes_are_unique_and_secret_codes_match_rules() {
        let mut codes: Vec<&str> = CHECKS.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
        for rule in Rule::ALL {
            let check = check(rule.code()).map(|c| (c.severity, c.title));
            assert_eq!(check, Some((rule.severity(), rule.title())), "{rule:?}");
        }
    }

    #[test]
    fn every_code_is_documented() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/audit.md"))
                .unwrap_or_default();
        for check in CHECKS {
            assert!(
                docs.contains(&format!("### {}", check.code)),
                "{} is not in docs/audit.md",
                check.code
            );
        }
    }

    #[test]
    fn formats() {
        assert_eq!(
            ImageFormat::from_media_type("application/vnd.oci.image.manifest.v1+json"),
            ImageFormat::Oci
        );
        assert_eq!(
            ImageFormat::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            ImageFormat::Docker
        );
        assert_eq!(ImageFormat::from_media_type(""), ImageFormat::Unknown);
    }

    #[test]
    fn findings_sort_most_severe_first() {
        let mut findings = vec![
            Finding::new("CI1002", "a"),
            Finding::new("CI1004", "b"),
            Finding::new("CI1001", "c"),
        ];
        sort_findings(&mut findings);
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["CI1004", "CI1001", "CI1002"]);
    }
}
