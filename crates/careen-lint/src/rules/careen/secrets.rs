//! Secret detection shared by the CR3xxx rules: secret-looking variable
//! names, well-known token formats in literal values, and secret files in
//! the build context.

use regex::Regex;
use std::sync::LazyLock;

/// Name tokens that mark a variable as holding a secret. Like BuildKit's
/// `SecretsUsedInArgOrEnv` check, a name is split on `_` and compared token by
/// token, case-insensitively.
const DENY_TOKENS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Tokens that make a name harmless even with a deny token (`PUBLIC_KEY`,
/// `PASSWORD_FILE`, `AUTH_PLUGIN_VERSION`), as in BuildKit.
const ALLOW_TOKENS: &[&str] = &["public", "file", "version"];

/// True when a variable name looks like it holds a secret (BuildKit's
/// `SecretsUsedInArgOrEnv` semantics): some `_`-separated token is a deny
/// token and none is an allow token.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let has = |list: &[&str]| {
        name.split('_')
            .any(|token| list.iter().any(|t| token.eq_ignore_ascii_case(t)))
    };
    has(DENY_TOKENS) && !has(ALLOW_TOKENS)
}

/// A well-known credential format found in a literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenMatch {
    /// Human name of the format with its article, e.g. "a GitHub token".
    pub kind: &'static str,
    /// Byte range of the token in the searched text.
    pub range: std::ops::Range<usize>,
}

/// (kind, pattern) of token formats with a distinctive prefix and length, so
/// an ordinary value never matches.
static TOKEN_FORMATS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        (
            "a GitHub token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b",
        ),
        ("a GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{50,}\b"),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
        ("an AWS access key ID", r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
        ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
        (
            "a Stripe secret key",
            r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b",
        ),
        ("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("a PyPI token", r"\bpypi-[A-Za-z0-9_\-]{50,}"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        ("an OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{32,}\b"),
        (
            "a private key",
            r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----",
        ),
    ]
    .into_iter()
    .filter_map(|(kind, pattern)| Regex::new(pattern).ok().map(|re| (kind, re)))
    .collect()
});

/// The first well-known token format in `text`, if any.
pub(crate) fn find_token(text: &str) -> Option<TokenMatch> {
    TOKEN_FORMATS
        .iter()
        .filter_map(|(kind, re)| {
            re.find(text).map(|m| TokenMatch {
                kind,
                range: m.range(),
            })
        })
        .min_by_key(|m| m.range.start)
}

/// Show only the first 4 characters of a secret: `ghp_…` style, so messages
/// never print a usable credential.
pub(crate) fn redact(secret: &str) -> String {
    let shown: String = secret.chars().take(4).collect();
    if secret.chars().count() <= 4 {
        "…".to_string()
    } else {
        format!("{shown}…")
    }
}

/// Largest file read to decide whether it holds credentials.
pub(crate) const MAX_SECRET_FILE_BYTES: u64 = 256 * 1024;

/// Why a context file is a secret, from its path alone, or `NeedsContent`
/// when only its text can tell (key files, registry configs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathVerdict {
    Secret(&'static str),
    NeedsContent(ContentKind),
    NotSecret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentKind {
    /// `*.pem`, `*.key`: fires on a PRIVATE KEY block.
    KeyFile,
    /// `.npmrc`: `_authToken`, `_auth`, `_password` with a literal value.
    Npmrc,
    /// `.pypirc`: a `password` entry.
    Pypirc,
    /// `.netrc`/`_netrc`: a `password` token.
    Netrc,
    /// `.git-credentials`: `scheme://user:pass@host` lines.
    GitCredentials,
    /// `.docker/config.json`: an `"auth"` entry.
    DockerConfig,
    /// `.aws/credentials`: `aws_secret_access_key`.
    AwsCredentials,
}

/// Classify a context path (relative, `/`-separated) by its name.
pub(crate) fn classify_path(path: &str) -> PathVerdict {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if path == ".git" || path.starts_with(".git/") || path.contains("/.git/") {
        return PathVerdict::Secret("Git repository data");
    }
    if lower == ".env" || lower.starts_with(".env.") {
        let suffix = lower.strip_prefix(".env.").unwrap_or("");
        // Templates meant to be committed and shipped.
        if matches!(
            suffix,
            "example" | "sample" | "template" | "dist" | "defaults" | "schema"
        ) {
            return PathVerdict::NotSecret;
        }
        return PathVerdict::Secret("environment file");
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
    ) {
        return PathVerdict::Secret("SSH private key");
    }
    if lower.ends_with(".p12") || lower.ends_with(".pfx") {
        return PathVerdict::Secret("key store");
    }
    if lower.ends_with(".pem") || lower.ends_with(".key") {
        return PathVerdict::NeedsContent(ContentKind::KeyFile);
    }
    match lower.as_str() {
        ".npmrc" => PathVerdict::NeedsContent(ContentKind::Npmrc),
        ".pypirc" => PathVerdict::NeedsContent(ContentKind::Pypirc),
        ".netrc" | "_netrc" => PathVerdict::NeedsContent(ContentKind::Netrc),
        ".git-credentials" => PathVerdict::NeedsContent(ContentKind::GitCredentials),
        "config.json" if path.ends_with(".docker/config.json") => {
            PathVerdict::NeedsContent(ContentKind::DockerConfig)
        }
        "credentials" if path.ends_with(".aws/credentials") => {
            PathVerdict::NeedsContent(ContentKind::AwsCredentials)
        }
        _ => PathVerdict::NotSecret,
    }
}

/// A value that is really a reference to something else (`${NPM_TOKEN}`),
/// not a credential.
fn is_reference(value: &str) -> bool {
    let value = value.trim().trim_matches('"').trim_matches('\'');
    value.is_empty() || value.starts_with('$')
}

/// Whether the text of a file of `kind` holds a credential; the description.
pub(crate) fn classify_content(kind: ContentKind, text: &str) -> Option<&'static str> {
    let lines = || text.lines().map(str::trim);
    let key_value = |line: &str| -> Option<(String, String)> {
        let (key, value) = line.split_once('=').or_else(|| line.split_once(':'))?;
        Some((key.trim().to_ascii_lowercase(), value.trim().to_string()))
    };
    match kind {
        ContentKind::KeyFile => text.contains("PRIVATE KEY").then_some("private key"),
        ContentKind::Npmrc => lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(';'))
            .filter_map(|l| l.split_once('='))
            .any(|(key, value)| {
                let key = key.trim();
                (key.ends_with("_authToken")
                    || key.ends_with("_auth")
                    || key.ends_with("_password"))
                    && !is_reference(value)
            })
            .then_some("npm credentials"),
        ContentKind::Pypirc => lines()
            .filter_map(key_value)
            .any(|(key, value)| key == "password" && !is_reference(&value))
            .then_some("PyPI credentials"),
        ContentKind::Netrc => text
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0] == "password" && !is_reference(w[1]))
            .then_some("netrc credentials"),
        ContentKind::GitCredentials => lines()
            .any(|l| {
                l.split_once("://")
                    .and_then(|(_, rest)| rest.split_once('@'))
                    .is_some_and(|(userinfo, _)| userinfo.contains(':'))
            })
            .then_some("Git credentials"),
        ContentKind::DockerConfig => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|json| {
                let auths = json.get("auths")?.as_object()?;
                auths
                    .values()
                    .any(|entry| {
                        ["auth", "identitytoken", "password"].iter().any(|k| {
                            entry
                                .get(k)
                                .and_then(|v| v.as_str())
                                .is_some_and(|v| !v.is_empty())
                        })
                    })
                    .then_some("registry credentials")
            }),
        ContentKind::AwsCredentials => lines()
            .filter_map(key_value)
            .any(|(key, value)| key == "aws_secret_access_key" && !is_reference(&value))
            .then_some("AWS credentials"),
    }
}

/// Classify a context file: `Some(description)` when it holds secrets.
/// `read` returns the file's text (bounded), or None when unreadable.
pub(crate) fn secret_file_kind(
    path: &str,
    read: impl FnOnce() -> Option<String>,
) -> Option<&'static str> {
    match classify_path(path) {
        PathVerdict::Secret(kind) => Some(kind),
        PathVerdict::NotSecret => None,
        PathVerdict::NeedsContent(kind) => read().and_then(|text| classify_content(kind, &text)),
    }
}

/// The `.dockerignore` line that keeps `path` out of the context: the
/// repository directory for Git data, else the path itself.
pub(crate) fn ignore_line_for(path: &str) -> String {
    if path == ".git" || path.starts_with(".git/") {
        return ".git".to_string();
    }
    if let Some(index) = path.find("/.git/") {
        return format!("{}/.git", path.get(..index).unwrap_or(path));
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_buildkit() {
        for name in [
            "API_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "apikey",
            "SUPER_Secret",
            "super_duper_secret_token",
            "auth",
            "git_key",
            "SECRET_PASSPHRASE",
            "NPM_AUTH",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "TOKENIZER_PATH",
            "PASSWORD_FILE",
            "PUBLIC_KEY",
            "public_token",
            "SECRET_PASSPHRASE_FILE",
            "AUTH_MODULE_VERSION",
            "sunflower",
            "KEYBOARD",
            "MONKEY",
            "dbPassword",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn token_formats() {
        let ghp = format!("ghp_{}", "x".repeat(36));
        let m = find_token(&format!("token={ghp}")).unwrap();
        assert_eq!(m.kind, "a GitHub token");
        assert_eq!(m.range, 6..6 + ghp.len());
        assert!(find_token("AKIAXXXXXXXXXXXXXXXX").is_some());
        assert!(find_token(&format!("glpat-{}", "x".repeat(20))).is_some());
        assert!(find_token("xoxb-xxxxxxxxxx-xxxx").is_some());
        assert!(find_token(&format!("sk_live_{}", "x".repeat(24))).is_some());
        assert!(find_token(&format!("npm_{}", "x".repeat(36))).is_some());
        assert!(find_token(&format!("pypi-{}", "x".repeat(60))).is_some());
        for harmless in [
            "ghp_short",
            "hello",
            "AKIA",
            "1.2.3",
            "/usr/local/bin",
            "sk_test_abc",
        ] {
            assert!(find_token(harmless).is_none(), "{harmless}");
        }
    }

    #[test]
    fn redaction_keeps_four_chars() {
        assert_eq!(redact("ghp_abcdef"), "ghp_…");
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("héllo!"), "héll…");
    }

    #[test]
    fn classify_paths_and_contents() {
        assert_eq!(
            classify_path(".env"),
            PathVerdict::Secret("environment file")
        );
        assert_eq!(
            classify_path("app/.env.production"),
            PathVerdict::Secret("environment file")
        );
        assert_eq!(classify_path(".env.example"), PathVerdict::NotSecret);
        assert_eq!(
            classify_path(".git/config"),
            PathVerdict::Secret("Git repository data")
        );
        assert_eq!(classify_path(".gitignore"), PathVerdict::NotSecret);
        assert_eq!(
            classify_path("keys/id_rsa"),
            PathVerdict::Secret("SSH private key")
        );
        assert_eq!(classify_path("id_rsa.pub"), PathVerdict::NotSecret);
        assert_eq!(
            classify_path("tls/server.pem"),
            PathVerdict::NeedsContent(ContentKind::KeyFile)
        );
        assert_eq!(
            classify_content(ContentKind::KeyFile, "-----BEGIN RSA PRIVATE KEY-----\n"),
            Some("private key")
        );
        assert_eq!(
            classify_content(ContentKind::KeyFile, "-----BEGIN CERTIFICATE-----"),
            None
        );
        assert!(
            classify_content(ContentKind::Npmrc, "//registry.npmjs.org/:_authToken=abc").is_some()
        );
        assert!(classify_content(
            ContentKind::Npmrc,
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"
        )
        .is_none());
        assert!(classify_content(ContentKind::Npmrc, "registry=https://r.example").is_none());
        assert!(classify_content(
            ContentKind::Pypirc,
            "[pypi]\nusername = __token__\npassword = pypi-x\n"
        )
        .is_some());
        assert!(classify_content(ContentKind::Netrc, "machine h login u password p").is_some());
        assert!(classify_content(ContentKind::GitCredentials, "https://u:p@github.com").is_some());
        assert!(classify_content(ContentKind::GitCredentials, "https://github.com").is_none());
        assert!(classify_content(
            ContentKind::DockerConfig,
            r#"{"auths":{"r":{"auth":"eA=="}}}"#
        )
        .is_some());
        assert!(classify_content(ContentKind::DockerConfig, r#"{"auths":{"r":{}}}"#).is_none());
        assert!(classify_content(ContentKind::DockerConfig, "not json").is_none());
    }

    #[test]
    fn ignore_lines() {
        assert_eq!(ignore_line_for(".env"), ".env");
        assert_eq!(ignore_line_for("app/.env"), "app/.env");
        assert_eq!(ignore_line_for(".git/HEAD"), ".git");
        assert_eq!(ignore_line_for("sub/.git/HEAD"), "sub/.git");
    }
}
