//! Checks of the image config and its history (`CI1xxx`): who the image runs as, its
//! healthcheck, secrets in `Env`, labels and build history, exposed remote-login ports,
//! volumes over kernel filesystems, `ADD` from URLs, package-manager habits in `RUN` steps, and
//! the OCI annotation labels.
//!
//! Not checked here: content trust (CIS-DI-0002/0005) is a property of the registry and the
//! client (`DOCKER_CONTENT_TRUST`, Notary / cosign signatures stored beside the image), not of
//! the image's bytes; whether the *base* image was pulled as `:latest` is not recorded in an
//! image (only the tags the image itself carries are, see [`check_tags`]).

use oci_spec::image::ImageConfiguration;
use regex::Regex;
use std::sync::OnceLock;

use super::{Finding, ImageFormat};
use crate::secrets::{self, Scanner};

/// All config and history findings of an image.
///
/// `raw_config` is the config blob as stored: the `Healthcheck` field of Docker's config
/// format is not part of [`ImageConfiguration`], so it is read from there. Without it the
/// healthcheck is judged from the history alone. `format` is the image's manifest format
/// ([`ImageFormat::from_media_type`]).
pub fn check(
    config: &ImageConfiguration,
    raw_config: Option<&[u8]>,
    format: ImageFormat,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let history: Vec<HistoryStep> = history_steps(config);
    let inner = config.config().as_ref();

    check_user(inner.and_then(|c| c.user().as_deref()), &mut findings);
    check_healthcheck(raw_config, format, &history, &mut findings);
    if let Some(env) = inner.and_then(|c| c.env().as_ref()) {
        for var in env {
            let (key, value) = var.split_once('=').unwrap_or((var.as_str(), ""));
            check_key_value("CI1004", "environment variable", key, value, &mut findings);
        }
    }
    let labels = inner.and_then(|c| c.labels().as_ref());
    if let Some(labels) = labels {
        let mut sorted: Vec<(&String, &String)> = labels.iter().collect();
        sorted.sort();
        for (key, value) in sorted {
            check_key_value("CI1005", "label", key, value, &mut findings);
        }
    }
    check_oci_labels(labels, &mut findings);
    if let Some(ports) = inner.and_then(|c| c.exposed_ports().as_ref()) {
        check_ports(ports, &mut findings);
    }
    if let Some(volumes) = inner.and_then(|c| c.volumes().as_ref()) {
        check_volumes(volumes, &mut findings);
    }
    for step in &history {
        check_history_step(step, &mut findings);
    }
    findings
}

/// `CI1015` when every tag the image carries is `latest`.
pub fn check_tags(tags: &[String]) -> Vec<Finding> {
    let is_latest = |tag: &String| {
        let name = tag.rsplit('/').next().unwrap_or(tag);
        !name.contains(':') || name.ends_with(":latest")
    };
    if !tags.is_empty() && tags.iter().all(is_latest) {
        vec![Finding::new(
            "CI1015",
            format!(
                "the image is tagged only `latest` ({}): which build runs depends on when it was pulled",
                tags.join(", ")
            ),
        )]
    } else {
        Vec::new()
    }
}

/// One history entry, with the index of the layer it made (if it made one).
#[derive(Debug)]
struct HistoryStep {
    layer: Option<usize>,
    created_by: String,
}

fn history_steps(config: &ImageConfiguration) -> Vec<HistoryStep> {
    let mut layer = 0usize;
    let mut steps = Vec::new();
    for entry in config.history().iter().flatten() {
        let empty = entry.empty_layer() == Some(true);
        let this_layer = (!empty).then_some(layer);
        if !empty {
            layer += 1;
        }
        if let Some(created_by) = entry.created_by() {
            steps.push(HistoryStep {
                layer: this_layer,
                created_by: created_by.clone(),
            });
        }
    }
    steps
}

fn check_user(user: Option<&str>, findings: &mut Vec<Finding>) {
    let user = user.unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("");
    let message = if user.is_empty() {
        "no `USER` is set: the container runs as root".to_owned()
    } else if name == "0" || name == "root" {
        format!("`USER {user}` runs the container as root")
    } else {
        return;
    };
    findings.push(Finding::new("CI1001", message));
}

fn check_healthcheck(
    raw_config: Option<&[u8]>,
    format: ImageFormat,
    history: &[HistoryStep],
    findings: &mut Vec<Finding>,
) {
    // `Some(Some(test))`: the config has a healthcheck; `Some(None)`: it has none;
    // `None`: no raw config to tell.
    let in_config: Option<Option<Vec<String>>> = raw_config.map(|raw| {
        let value: serde_json::Value = serde_json::from_slice(raw).unwrap_or_default();
        let test = value
            .get("config")
            .and_then(|c| c.get("Healthcheck"))
            .and_then(|h| h.get("Test"))
            .and_then(|t| t.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            });
        test.filter(|t| !t.is_empty())
    });
    let declared = history.iter().rev().find_map(|step| {
        let text = step.created_by.trim();
        let rest = text
            .split_once("#(nop)")
            .map_or(text, |(_, rest)| rest)
            .trim_start();
        rest.strip_prefix("HEALTHCHECK")
            .map(|r| !r.trim_start().starts_with("NONE"))
    });
    match (in_config, declared) {
        (Some(Some(test)), _) if test.first().map(String::as_str) == Some("NONE") => {
            findings.push(Finding::new(
                "CI1002",
                "the healthcheck is disabled (`HEALTHCHECK NONE`)",
            ));
        }
        (Some(Some(_)), _) => {}
        (None, Some(true)) => {}
        (_, Some(true)) => {
            findings.push(Finding::new(
                "CI1003",
                format!(
                    "the build declared a `HEALTHCHECK` (see the history) but the image config does not carry it{}",
                    if format == ImageFormat::Oci {
                        ": the OCI image format has no healthcheck field"
                    } else {
                        ""
                    }
                ),
            ));
        }
        _ => {
            let mut finding = Finding::new("CI1002", "the image defines no `HEALTHCHECK`");
            if format == ImageFormat::Oci {
                finding.message.push_str(
                    " (and as an OCI-format image it cannot: the OCI config has no healthcheck field)",
                );
                finding.hint = Some(format!(
                    "{} Add `HEALTHCHECK` and build in Docker's format (`buildah build --format docker`, or BuildKit) so the config keeps it.",
                    finding.hint.unwrap_or_default()
                ));
            }
            findings.push(finding);
        }
    }
}

/// Key-name fragments that make a variable or label secret-bearing.
const SECRET_NAMES: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
];

/// Suffixes that make a secret-named key hold something else: a path to the secret (the
/// good pattern), a setting about it.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_FILE", "_PATH", "_DIR", "_ID", "_NAME", "_LENGTH", "_TTL", "_EXPIRY", "_EXPIRES", "_TIMEOUT",
    "_HEADER", "_TYPE", "_ENABLED", "_URL", "_URI",
];

/// Is `key` a secret-bearing name (`DB_PASSWORD`, `npm_token`, `Api-Key`)?
pub fn is_secret_name(key: &str) -> bool {
    let upper = key.to_ascii_uppercase().replace(['-', '.'], "_");
    SECRET_NAMES.iter().any(|n| upper.contains(n))
        && !NOT_SECRET_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// The secrets in one `key=value` of `Env`, labels or build arguments.
fn check_key_value(code: &str, what: &str, key: &str, value: &str, findings: &mut Vec<Finding>) {
    let scanner = Scanner::shared();
    let matches = scanner.scan(value.as_bytes());
    for m in &matches {
        let mut finding = Finding::new(
            code,
            format!(
                "{what} `{key}` holds a {} ({})",
                m.rule.title(),
                m.rule.name()
            ),
        );
        finding.evidence = Some(m.redacted.clone());
        findings.push(finding);
    }
    if matches.is_empty() {
        if let Some(password) = url_password(value) {
            let mut finding =
                Finding::new(code, format!("{what} `{key}` holds a URL with a password"));
            finding.evidence = Some(secrets::redact(password.as_bytes()));
            findings.push(finding);
        } else if is_secret_name(key) && !secrets::is_placeholder(value.as_bytes()) {
            let mut finding = Finding::new(
                code,
                format!("{what} `{key}` has a secret-looking name and a value"),
            );
            finding.evidence = Some(secrets::redact(value.as_bytes()));
            findings.push(finding);
        }
    }
}

/// Is this history entry an `ENV` instruction (legacy `#(nop)  ENV` or BuildKit `ENV`)?
fn is_env_instruction(created_by: &str) -> bool {
    let text = created_by.trim();
    let rest = text
        .split_once("#(nop)")
        .map_or(text, |(_, rest)| rest)
        .trim_start();
    rest.starts_with("ENV ")
}

/// `KEY=value` words of `text` whose key has a secret name and whose value is not a
/// placeholder (`NPM_TOKEN=abc`, `--password=abc`). Values are subslices of `text`.
fn secret_assignments(text: &str) -> Vec<(&str, &str)> {
    text.split_whitespace()
        .filter_map(|word| {
            let (key, value) = word.split_once('=')?;
            let key = key.trim_start_matches('-');
            let value = value.trim_matches(['"', '\'']);
            (!key.is_empty()
                && is_secret_name(key)
                && !value.is_empty()
                && !secrets::is_placeholder(value.as_bytes()))
            .then_some((key, value))
        })
        .collect()
}

/// A history `created_by` safe to print: tokens found by the detectors, values of
/// secret-named `KEY=value` words and URL passwords replaced by their redacted previews.
pub fn redact_instruction(created_by: &str) -> String {
    let mut matches = Scanner::shared().scan(created_by.as_bytes());
    let base = created_by.as_ptr() as usize;
    let mut extra: Vec<&str> = secret_assignments(created_by)
        .into_iter()
        .map(|(_, value)| value)
        .collect();
    extra.extend(url_password(created_by));
    for value in extra {
        // `value` is a subslice of `created_by`: its offset is the pointer difference.
        let start = (value.as_ptr() as usize).saturating_sub(base);
        let end = start + value.len();
        if end <= created_by.len() && !matches.iter().any(|m| m.start < end && start < m.end) {
            matches.push(secrets::SecretMatch {
                rule: secrets::Rule::GenericSecret,
                line: 1,
                start,
                end,
                redacted: secrets::redact(value.as_bytes()),
            });
        }
    }
    secrets::redact_ranges(created_by, &matches)
}

/// The password of a `scheme://user:password@host` URL in `text`, unless it is a
/// placeholder.
pub fn url_password(text: &str) -> Option<&str> {
    static URL: OnceLock<Option<Regex>> = OnceLock::new();
    let regex = URL
        .get_or_init(|| Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://([^/\s:@]+):([^/\s@]+)@").ok())
        .as_ref()?;
    regex.captures_iter(text).find_map(|caps| {
        let user = caps.get(1)?.as_str();
        let password = caps.get(2)?.as_str();
        (password != user && !secrets::is_placeholder(password.as_bytes())).then_some(password)
    })
}

const OCI_LABELS: &[&str] = &[
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.version",
    "org.opencontainers.image.created",
];

fn check_oci_labels(
    labels: Option<&std::collections::HashMap<String, String>>,
    findings: &mut Vec<Finding>,
) {
    let missing: Vec<&str> = OCI_LABELS
        .iter()
        .copied()
        .filter(|l| labels.is_none_or(|labels| labels.get(*l).is_none_or(|v| v.trim().is_empty())))
        .collect();
    if !missing.is_empty() {
        findings.push(Finding::new(
            "CI1010",
            format!("labels missing: {}", missing.join(", ")),
        ));
    }
}

fn check_ports(ports: &[String], findings: &mut Vec<Finding>) {
    let mut sorted: Vec<&String> = ports.iter().collect();
    sorted.sort();
    for port in sorted {
        let (number, protocol) = port.split_once('/').unwrap_or((port.as_str(), "tcp"));
        let service = match number.trim() {
            "22" => "SSH",
            "23" => "telnet",
            "3389" => "RDP",
            _ => continue,
        };
        if protocol.eq_ignore_ascii_case("tcp") {
            findings.push(Finding::new(
                "CI1007",
                format!(
                    "`EXPOSE {port}`: the {service} port invites remote logins into the container"
                ),
            ));
        }
    }
}

fn check_volumes(volumes: &[String], findings: &mut Vec<Finding>) {
    let mut sorted: Vec<&String> = volumes.iter().collect();
    sorted.sort();
    for volume in sorted {
        let clean = format!("/{}", volume.trim().trim_matches('/'));
        if ["/dev", "/proc", "/sys"]
            .iter()
            .any(|k| clean == *k || clean.starts_with(&format!("{k}/")))
        {
            findings.push(Finding::new(
                "CI1008",
                format!("`VOLUME {volume}` mounts over a kernel filesystem"),
            ));
        }
    }
}

/// The shell command of a `RUN` history entry, without the `RUN`, build-argument and
/// `/bin/sh -c` prefixes; `None` for metadata instructions (`#(nop)`, `COPY`, `ENV`…).
fn run_command(created_by: &str) -> Option<&str> {
    let text = created_by.trim();
    if text.contains("#(nop)") {
        return None;
    }
    let text = text.strip_suffix("# buildkit").unwrap_or(text).trim_end();
    let text = match text.strip_prefix("RUN ") {
        Some(rest) => rest.trim_start(),
        None if text.starts_with('|')
            || text.starts_with("/bin/sh")
            || text.starts_with("sh -c") =>
        {
            text
        }
        None => {
            // Other BuildKit instructions: `COPY …`, `ENV …`, `WORKDIR …`.
            let first = text.split_whitespace().next().unwrap_or("");
            if !first.is_empty() && first.chars().all(|c| c.is_ascii_uppercase()) {
                return None;
            }
            text
        }
    };
    let text = match build_args(text) {
        Some((_, rest)) => rest,
        None => text,
    };
    let text = text
        .strip_prefix("/bin/sh -c ")
        .or_else(|| text.strip_prefix("/bin/bash -c "))
        .or_else(|| text.strip_prefix("sh -c "))
        .unwrap_or(text);
    Some(text.trim())
}

/// `|2 A=1 B=2 rest` → (`["A=1", "B=2"]`, `rest`): the build arguments a `RUN` saw, as the
/// history records them.
fn build_args(text: &str) -> Option<(Vec<&str>, &str)> {
    let rest = text.strip_prefix('|')?;
    let (count, mut rest) = rest.split_once(' ')?;
    let count: usize = count.parse().ok()?;
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest.find(' ').unwrap_or(rest.len());
        let (arg, tail) = rest.split_at(end);
        args.push(arg);
        rest = tail;
    }
    Some((args, rest.trim_start()))
}

struct HistoryPatterns {
    add_url: Regex,
    sudo: Regex,
    upgrade: Regex,
    apk_add: Regex,
    apt_update_only: Regex,
}

fn history_patterns() -> Option<&'static HistoryPatterns> {
    static PATTERNS: OnceLock<Option<HistoryPatterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(HistoryPatterns {
                add_url: Regex::new(r"(?:^|\s|#\(nop\)\s*)ADD\s+(?:--\S+\s+)*(https?://\S+)").ok()?,
                sudo: Regex::new(r"(?:^|[;&|(\s])sudo\s").ok()?,
                upgrade: Regex::new(
                    r"\b(?:apt-get|apt)\s+(?:-\S+\s+)*(?:upgrade|dist-upgrade|full-upgrade)\b|\bapk\s+(?:-\S+\s+)*upgrade\b",
                )
                .ok()?,
                apk_add: Regex::new(r"\bapk\s+(?:--?\S+\s+)*add\b").ok()?,
                apt_update_only: Regex::new(r"^(?:apt-get|apt)\s+(?:-\S+\s+)*update(?:\s+-\S+)*\s*$").ok()?,
            })
        })
        .as_ref()
}

fn check_history_step(step: &HistoryStep, findings: &mut Vec<Finding>) {
    let scanner = Scanner::shared();
    let instruction = redact_instruction(&step.created_by);
    let at = |mut finding: Finding| {
        finding.layer = step.layer;
        finding.instruction = Some(instruction.clone());
        finding
    };
    let text = step.created_by.trim();

    // Secrets: `KEY=value` words with a secret name (build arguments, `ARG` defaults,
    // `--password=…` flags), then any token in the whole line. `ENV` values are reported
    // from the config (CI1004).
    let mut reported: Vec<String> = Vec::new();
    if !is_env_instruction(text) {
        for (key, value) in secret_assignments(&step.created_by) {
            let mut local = Vec::new();
            check_key_value("CI1006", "build argument", key, value, &mut local);
            for finding in local {
                reported.extend(finding.evidence.clone());
                findings.push(at(finding));
            }
        }
    }
    for m in scanner.scan(step.created_by.as_bytes()) {
        if reported.contains(&m.redacted) {
            continue;
        }
        reported.push(m.redacted.clone());
        let mut finding = Finding::new(
            "CI1006",
            format!(
                "the build history holds a {} ({})",
                m.rule.title(),
                m.rule.name()
            ),
        );
        finding.evidence = Some(m.redacted.clone());
        findings.push(at(finding));
    }
    if let Some(password) = url_password(&step.created_by) {
        let redacted = secrets::redact(password.as_bytes());
        if !reported.contains(&redacted) {
            let mut finding =
                Finding::new("CI1006", "the build history holds a URL with a password");
            finding.evidence = Some(redacted);
            findings.push(at(finding));
        }
    }

    let Some(patterns) = history_patterns() else {
        return;
    };
    if let Some(url) = patterns.add_url.captures(text).and_then(|c| c.get(1)) {
        findings.push(at(Finding::new(
            "CI1009",
            format!("`ADD {}` downloads without a checksum check", url.as_str()),
        )));
    }
    let Some(command) = run_command(text) else {
        return;
    };
    if patterns.sudo.is_match(command) {
        findings.push(at(Finding::new("CI1011", "a `RUN` step calls `sudo`")));
    }
    if let Some(m) = patterns.upgrade.find(command) {
        findings.push(at(Finding::new(
            "CI1012",
            format!("a `RUN` step runs `{}`", m.as_str()),
        )));
    }
    if patterns.apk_add.is_match(command)
        && !command.contains("--no-cache")
        && !command.contains("/var/cache/apk")
    {
        findings.push(at(Finding::new(
            "CI1013",
            "`apk add` without `--no-cache` leaves the package index in /var/cache/apk",
        )));
    }
    if patterns.apt_update_only.is_match(command) {
        findings.push(at(Finding::new(
            "CI1014",
            "`apt-get update` runs in a `RUN` of its own",
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(value: serde_json::Value) -> (ImageConfiguration, Vec<u8>) {
        let mut base = json!({
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": []},
        });
        if let (Some(b), Some(v)) = (base.as_object_mut(), value.as_object()) {
            for (k, v) in v {
                b.insert(k.clone(), v.clone());
            }
        }
        let raw = serde_json::to_vec(&base).unwrap_or_default();
        let parsed: ImageConfiguration = serde_json::from_slice(&raw).expect("valid config");
        (parsed, raw)
    }

    /// A well-kept image: no finding at all.
    fn good() -> serde_json::Value {
        json!({"config": {
            "User": "10001",
            "Healthcheck": {"Test": ["CMD", "true"]},
            "Labels": {
                "org.opencontainers.image.source": "https://example.com/app",
                "org.opencontainers.image.revision": "abc",
                "org.opencontainers.image.version": "1.0",
                "org.opencontainers.image.created": "2024-01-01T00:00:00Z",
            },
        }})
    }

    fn codes(value: serde_json::Value, format: ImageFormat) -> Vec<String> {
        let (parsed, raw) = config(value);
        check(&parsed, Some(&raw), format)
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    fn with(
        mut base: serde_json::Value,
        path: &[&str],
        value: serde_json::Value,
    ) -> serde_json::Value {
        let mut at = &mut base;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        base
    }

    #[test]
    fn a_good_image_has_no_findings() {
        assert!(codes(good(), ImageFormat::Docker).is_empty());
    }

    #[test]
    fn root_user() {
        for user in ["", "0", "root", "0:0", "root:staff"] {
            let value = with(good(), &["config", "User"], json!(user));
            assert_eq!(codes(value, ImageFormat::Docker), ["CI1001"], "{user:?}");
        }
        let value = with(good(), &["config", "User"], json!("app:0"));
        assert!(codes(value, ImageFormat::Docker).is_empty());
    }

    #[test]
    fn healthcheck() {
        let mut value = good();
        value["config"]
            .as_object_mut()
            .map(|c| c.remove("Healthcheck"));
        assert_eq!(codes(value.clone(), ImageFormat::Docker), ["CI1002"]);
        let (parsed, raw) = config(value.clone());
        let oci = check(&parsed, Some(&raw), ImageFormat::Oci);
        assert!(oci[0].message.contains("OCI"));
        assert!(oci[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("--format docker"));
        // Declared in the Dockerfile, dropped by the OCI format.
        let declared = with(
            value,
            &["history"],
            json!([{"created_by": "/bin/sh -c #(nop) HEALTHCHECK &{[\"CMD-SHELL\" \"true\"]}", "empty_layer": true}]),
        );
        assert_eq!(codes(declared.clone(), ImageFormat::Oci), ["CI1003"]);
        // Without the raw config, a declared healthcheck counts as present.
        let (parsed, _) = config(declared);
        assert!(check(&parsed, None, ImageFormat::Docker).is_empty());
        let disabled = with(
            good(),
            &["config", "Healthcheck"],
            json!({"Test": ["NONE"]}),
        );
        assert_eq!(codes(disabled, ImageFormat::Docker), ["CI1002"]);
    }

    #[test]
    fn env_and_label_secrets() {
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5");
        let value = with(
            good(),
            &["config", "Env"],
            json!([
                "PATH=/usr/bin",
                "DB_PASSWORD=S3cr3t-Pa55",
                "POSTGRES_PASSWORD_FILE=/run/secrets/db",
                "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
                "NODE_AUTH_TOKEN=",
                "API_KEY=${API_KEY}",
                format!("GH={token}"),
                "DATABASE_URL=postgres://app:Xk9-pQ2-zR7@db/app",
                "TOKENIZERS_PARALLELISM=false",
            ]),
        );
        let (parsed, raw) = config(value);
        let findings = check(&parsed, Some(&raw), ImageFormat::Docker);
        let keys: Vec<&str> = findings
            .iter()
            .map(|f| f.message.split('`').nth(1).unwrap_or(""))
            .collect();
        assert_eq!(keys, ["DB_PASSWORD", "GH", "DATABASE_URL"]);
        assert!(findings.iter().all(|f| f.code == "CI1004"));
        let text = serde_json::to_string(&findings).unwrap_or_default();
        assert!(
            !text.contains(&token)
                && !text.contains("S3cr3t-Pa55")
                && !text.contains("Xk9-pQ2-zR7")
        );

        let labels = with(
            good(),
            &["config", "Labels", "deploy.api-key"],
            json!("k7Hq2ZpX9vLm4RtW"),
        );
        assert_eq!(codes(labels, ImageFormat::Docker), ["CI1005"]);
    }

    #[test]
    fn history_secrets_are_found_and_redacted() {
        let token = format!("npm_{}", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5");
        let value = with(
            good(),
            &["history"],
            json!([
                {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
                {"created_by": format!("|2 NPM_TOKEN={token} VERSION=1.2 /bin/sh -c npm ci")},
                {"created_by": "RUN |1 DB_PASSWORD=hunter2-Xq9 /bin/sh -c ./migrate # buildkit"},
            ]),
        );
        let (parsed, raw) = config(value);
        let findings = check(&parsed, Some(&raw), ImageFormat::Docker);
        let got: Vec<(&str, Option<usize>)> = findings
            .iter()
            .map(|f| (f.code.as_str(), f.layer))
            .collect();
        assert_eq!(got, [("CI1006", Some(1)), ("CI1006", Some(2))]);
        let text = serde_json::to_string(&findings).unwrap_or_default();
        assert!(!text.contains(&token), "{text}");
        assert!(!text.contains("hunter2-Xq9"), "{text}");
        assert!(findings[0]
            .instruction
            .as_deref()
            .unwrap_or("")
            .contains("npm_…(40 chars)"));
    }

    #[test]
    fn history_habits() {
        let steps = [
            ("ADD https://example.com/x.tgz /opt/ # buildkit", "CI1009"),
            (
                "/bin/sh -c #(nop) ADD https://example.com/x.tgz /opt/",
                "CI1009",
            ),
            ("RUN /bin/sh -c sudo make install # buildkit", "CI1011"),
            (
                "/bin/sh -c apt-get update && apt-get -y dist-upgrade",
                "CI1012",
            ),
            ("/bin/sh -c apk upgrade", "CI1012"),
            ("/bin/sh -c apk add --update curl", "CI1013"),
            ("/bin/sh -c apt-get update", "CI1014"),
            ("RUN /bin/sh -c apt-get -q update # buildkit", "CI1014"),
        ];
        for (created_by, code) in steps {
            let value = with(good(), &["history"], json!([{"created_by": created_by}]));
            assert_eq!(codes(value, ImageFormat::Docker), [code], "{created_by}");
        }
        for created_by in [
            "/bin/sh -c #(nop) ADD file:0123 in / ",
            "COPY app /app # buildkit",
            "/bin/sh -c apk add --no-cache curl",
            "/bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
            "/bin/sh -c echo pseudo-sudo",
        ] {
            let value = with(good(), &["history"], json!([{"created_by": created_by}]));
            assert!(codes(value, ImageFormat::Docker).is_empty(), "{created_by}");
        }
    }

    #[test]
    fn ports_volumes_labels_tags() {
        let value = with(
            good(),
            &["config", "ExposedPorts"],
            json!({"22/tcp": {}, "8080/tcp": {}, "3389/tcp": {}}),
        );
        assert_eq!(codes(value, ImageFormat::Docker), ["CI1007", "CI1007"]);
        let value = with(
            good(),
            &["config", "Volumes"],
            json!({"/proc": {}, "/data": {}, "/sys/fs/cgroup": {}}),
        );
        assert_eq!(codes(value, ImageFormat::Docker), ["CI1008", "CI1008"]);
        let value = with(
            good(),
            &["config", "Labels"],
            json!({"org.opencontainers.image.source": "x"}),
        );
        let (parsed, raw) = config(value);
        let findings = check(&parsed, Some(&raw), ImageFormat::Docker);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("revision"));
        assert!(!findings[0].message.contains("source"));
        assert_eq!(
            check_tags(&["app:latest".into(), "reg:5000/app".into()]).len(),
            1
        );
        assert!(check_tags(&["app:latest".into(), "app:1.2".into()]).is_empty());
        assert!(check_tags(&[]).is_empty());
    }

    #[test]
    fn build_args_parse() {
        assert_eq!(
            build_args("|2 A=1 B=x y /bin/sh -c z"),
            Some((vec!["A=1", "B=x"], "y /bin/sh -c z"))
        );
        assert_eq!(build_args("|999999999999999999999999 A=1"), None);
        assert_eq!(build_args("|999999 A=1"), Some((vec!["A=1"], "")));
        assert_eq!(build_args("/bin/sh -c x"), None);
        assert_eq!(run_command("/bin/sh -c #(nop)  CMD [\"x\"]"), None);
        assert_eq!(run_command("COPY . /app # buildkit"), None);
        assert_eq!(
            run_command("RUN |1 A=b /bin/sh -c make # buildkit"),
            Some("make")
        );
    }
}
