//! The audit through careen-image on OCI layouts written in code with the `tar` crate:
//! a secret deleted by a later layer is still reported in the layer that ships it, no
//! output ever holds a secret in full, and bad input never panics.

use std::path::Path;

use careen_inspect::audit::{self, filesystem, AuditOptions, Finding};
use sha2::{Digest, Sha256};

const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// One entry of a layer.
enum Spec<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str, u32),
    Whiteout(&'a str),
}

fn layer(entries: &[Spec<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for spec in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        let (path, data, mode, kind): (String, &[u8], u32, tar::EntryType) = match spec {
            Spec::File(path, data, mode) => {
                ((*path).to_owned(), data, *mode, tar::EntryType::Regular)
            }
            Spec::Dir(path, mode) => ((*path).to_owned(), &[], *mode, tar::EntryType::Directory),
            Spec::Whiteout(path) => {
                let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
                let raw = if parent.is_empty() {
                    format!(".wh.{name}")
                } else {
                    format!("{parent}/.wh.{name}")
                };
                (raw, &[], 0o644, tar::EntryType::Regular)
            }
        };
        header.set_mode(mode);
        header.set_size(data.len() as u64);
        header.set_entry_type(kind);
        builder
            .append_data(&mut header, path, data)
            .expect("tar entry");
    }
    builder.into_inner().expect("tar")
}

fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = sha(bytes);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("blobs dir");
    std::fs::write(blobs.join(&digest["sha256:".len()..]), bytes).expect("blob");
    digest
}

/// Writes an OCI layout with `layers` (bottom first) and `config` (its `rootfs` and
/// `history` are filled in from `commands`); returns the raw config.
fn write_image(
    dir: &Path,
    layers: &[Vec<u8>],
    commands: &[&str],
    config: serde_json::Value,
) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    let history: Vec<serde_json::Value> = commands
        .iter()
        .map(|c| serde_json::json!({"created_by": c}))
        .collect();
    let mut config = config;
    config["architecture"] = "amd64".into();
    config["os"] = "linux".into();
    config["rootfs"] = serde_json::json!({"type": "layers", "diff_ids": diff_ids});
    config["history"] = history.into();
    let raw = serde_json::to_vec(&config).expect("config json");
    let config_digest = write_blob(dir, &raw);
    let descriptors: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| serde_json::json!({"mediaType": LAYER, "digest": write_blob(dir, l), "size": l.len()}))
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": raw.len()},
        "layers": descriptors,
    }))
    .expect("manifest json");
    let manifest_digest = write_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest.len(),
            "platform": {"architecture": "amd64", "os": "linux"},
        }],
    });
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).expect("index"),
    )
    .expect("index.json");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .expect("oci-layout");
    raw
}

fn audit_dir(dir: &Path, raw: &[u8], options: AuditOptions) -> audit::Audit {
    let reference = format!("oci:{}", dir.display());
    let image = careen_image::open(
        &reference,
        &careen_image::OpenOptions {
            platform: Some("linux/amd64".into()),
            ..Default::default()
        },
    )
    .expect("open image");
    filesystem::audit_image(&image, Some(raw), options).expect("audit")
}

/// A GitHub-shaped token assembled at run time.
fn token() -> String {
    let body: String = (0..36u8)
        .map(|i| char::from(b"Aa0Bb1Cc2Dd3Ee4Ff5Gg6Hh7Ii8Jj9KkLlMm"[usize::from((i * 7 + 3) % 36)]))
        .collect();
    format!("ghp_{body}")
}

fn find<'a>(audit: &'a audit::Audit, code: &str, path: &str) -> Vec<&'a Finding> {
    audit
        .findings
        .iter()
        .filter(|f| f.code == code && f.path.as_deref() == Some(path))
        .collect()
}

#[test]
fn env_file_deleted_in_layer_2_is_still_reported_in_layer_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = token();
    let env = format!("GITHUB_TOKEN={secret}\nDEBUG=1\n");
    let layers = vec![
        layer(&[
            Spec::Dir("etc", 0o755),
            Spec::File("etc/hostname", b"box\n", 0o644),
        ]),
        layer(&[
            Spec::Dir("app", 0o755),
            Spec::File("app/.env", env.as_bytes(), 0o644),
        ]),
        layer(&[Spec::Whiteout("app/.env")]),
    ];
    let raw = write_image(
        dir.path(),
        &layers,
        &[
            "/bin/sh -c #(nop) ADD file:base in / ",
            "COPY . /app # buildkit",
            "RUN /bin/sh -c rm /app/.env # buildkit",
        ],
        serde_json::json!({"config": {"User": "app"}}),
    );
    let audit = audit_dir(dir.path(), &raw, AuditOptions::default());

    let env_file = find(&audit, "CI2005", "/app/.env");
    assert_eq!(env_file.len(), 1, "{:#?}", audit.findings);
    assert_eq!(env_file[0].layer, Some(1));
    assert_eq!(
        env_file[0].instruction.as_deref(),
        Some("COPY . /app # buildkit")
    );
    assert!(
        env_file[0].message.contains("deleted in layer 2"),
        "{}",
        env_file[0].message
    );
    assert!(env_file[0].message.contains("layer 1 still ships it"));

    let token_finding = find(&audit, "CS1003", "/app/.env");
    assert_eq!(token_finding.len(), 1);
    assert_eq!(token_finding[0].line, Some(1));
    assert_eq!(token_finding[0].layer, Some(1));
    assert_eq!(
        token_finding[0].evidence.as_deref(),
        Some("ghp_…(40 chars)")
    );

    // The OCI image has no healthcheck and cannot carry one.
    let healthcheck: Vec<&Finding> = audit
        .findings
        .iter()
        .filter(|f| f.code == "CI1002")
        .collect();
    assert_eq!(healthcheck.len(), 1);
    assert!(healthcheck[0].message.contains("OCI"));
}

#[test]
fn no_output_ever_holds_a_secret_in_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = token();
    let aws_id = "AKIAZ7QW4RT2YU8IOP3X";
    let password = "Vq7-Lp2x-Rt9z-Mw4k";
    let npmrc = format!("//registry.npmjs.org/:_authToken={secret}\n");
    let settings = format!("DB_PASSWORD = '{password}'\naws_key = {aws_id}\n");
    let layers = vec![
        layer(&[
            Spec::File("root/.npmrc", npmrc.as_bytes(), 0o600),
            Spec::File("app/settings.py", settings.as_bytes(), 0o644),
        ]),
        layer(&[Spec::Whiteout("root/.npmrc")]),
    ];
    let raw = write_image(
        dir.path(),
        &layers,
        &[
            &format!(
                "RUN |2 NPM_TOKEN={secret} DB_PASSWORD={password} /bin/sh -c npm ci # buildkit"
            ),
            "RUN /bin/sh -c rm /root/.npmrc # buildkit",
        ],
        serde_json::json!({"config": {
            "Env": [format!("GH_TOKEN={secret}"), format!("DB_PASSWORD={password}"), format!("AWS_KEY={aws_id}")],
            "Labels": {"ci.token": secret},
        }}),
    );
    let audit = audit_dir(dir.path(), &raw, AuditOptions::default());
    let json = serde_json::to_string_pretty(&audit.findings).expect("json");
    let debug = format!("{:?}", audit.findings);
    for text in [&json, &debug] {
        assert!(!text.contains(&secret), "{text}");
        assert!(!text.contains(password), "{text}");
        assert!(!text.contains(aws_id), "{text}");
    }
    // And they were all found.
    let codes: Vec<&str> = audit.findings.iter().map(|f| f.code.as_str()).collect();
    for code in [
        "CI1004", "CI1005", "CI1006", "CI2006", "CS1003", "CS1001", "CS1012",
    ] {
        assert!(codes.contains(&code), "{code} missing: {codes:?}");
    }
    let npmrc = find(&audit, "CI2006", "/root/.npmrc");
    assert!(npmrc[0].message.contains("still ships"));
}

#[test]
fn bad_input_never_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = token();
    // 3 MiB of text with a secret at the end: over the cap, not read.
    let mut huge = "x = 1\n".repeat(512 * 1024).into_bytes();
    huge.extend_from_slice(format!("token {secret}\n").as_bytes());
    // Looks like text, but a NUL in the first 8 KiB makes it binary.
    let mut sneaky = format!("config {secret}\n").into_bytes();
    sneaky.insert(3, 0);
    // Invalid UTF-8 around a real secret: still found.
    let mut latin = b"caf\xe9 \xff\xfe ".to_vec();
    latin.extend_from_slice(secret.as_bytes());
    latin.extend_from_slice(b" \xc3\x28\n");
    let layers = vec![layer(&[
        Spec::File("data/huge.txt", &huge, 0o644),
        Spec::File("data/sneaky.txt", &sneaky, 0o644),
        Spec::File("data/latin1.txt", &latin, 0o644),
        Spec::File("etc/shadow", b"\xff\xfe::::\n:::\nroot\n", 0o640),
        Spec::File("etc/passwd", b"::::\n\xff:x:\n", 0o644),
        Spec::File(
            "root/.docker/config.json",
            b"{\"auths\": {\"x\": {\"auth\": \"bWU6",
            0o600,
        ),
    ])];
    let raw = write_image(
        dir.path(),
        &layers,
        &["RUN |99999999 A=b"],
        serde_json::json!({}),
    );
    let audit = audit_dir(dir.path(), &raw, AuditOptions::default());
    let secrets: Vec<&str> = audit
        .findings
        .iter()
        .filter(|f| f.code == "CS1003")
        .filter_map(|f| f.path.as_deref())
        .collect();
    assert_eq!(secrets, ["/data/latin1.txt"]);
    assert_eq!(audit.stats.skipped_large, 1);
    assert!(audit.stats.skipped_binary >= 1);
    // A truncated docker config.json still counts as holding an `auth` field.
    assert_eq!(find(&audit, "CI2006", "/root/.docker/config.json").len(), 1);
}
