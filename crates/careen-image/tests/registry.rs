//! `docker://` against the real `docker-registry` (CNCF distribution) on 127.0.0.1, images pushed
//! with the real `skopeo` from OCI layouts written in code. Each image read through the registry
//! must equal the same image read from its OCI layout.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use careen_image::{open, ImageError, OpenOptions, Progress};
use support::*;

/// An OCI layout with one amd64 image of a gzip, a zstd and a plain layer, tagged `app`.
fn app_layout() -> (tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let descriptor = write_image(
        dir.path(),
        "amd64",
        &[
            gzipped(layer(&[
                ("etc/os-release", b"ID=careen\n"),
                ("bin/sh", b"#!"),
            ])),
            zstded(layer(&[("usr/share/zz", &[7u8; 3000])])),
            plain(layer(&[("app/main", b"fn main() {}")])),
        ],
    );
    write_index(dir.path(), vec![("app", descriptor.clone())]);
    (dir, descriptor)
}

fn layout_ref(dir: &Path, tag: &str) -> String {
    format!("oci:{}:{tag}", dir.display())
}

/// Progress events, counted by kind.
#[derive(Default)]
struct Counts {
    started: AtomicUsize,
    finished: AtomicUsize,
    cached: AtomicUsize,
    bytes: Mutex<u64>,
}

fn options_with(cache: &Path, counts: &Arc<Counts>) -> OpenOptions {
    let counts = Arc::clone(counts);
    OpenOptions {
        cache_dir: Some(cache.to_owned()),
        progress: Some(Arc::new(move |event| match event {
            Progress::Started { .. } => {
                counts.started.fetch_add(1, Ordering::SeqCst);
            }
            Progress::Finished { .. } => {
                counts.finished.fetch_add(1, Ordering::SeqCst);
            }
            Progress::Cached { .. } => {
                counts.cached.fetch_add(1, Ordering::SeqCst);
            }
            Progress::Advanced { done, .. } => {
                let mut bytes = counts.bytes.lock().unwrap();
                *bytes = (*bytes).max(done);
            }
            _ => {}
        })),
        // No credentials from the machine's own files.
        auth_file: Some(empty_auth_file()),
        ..Default::default()
    }
}

fn empty_auth_file() -> PathBuf {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    FILE.get_or_init(|| auth_file(serde_json::json!({})))
        .1
        .clone()
}

#[test]
fn anonymous_pull_matches_the_layout_and_reuses_the_cache() {
    let storage = tempfile::tempdir().unwrap();
    let registry = Registry::start(storage.path(), Auth::None);
    let (layout, descriptor) = app_layout();
    push(layout.path(), "app", &registry.host, "team/app:1", false);

    let expected = read_all(&layout_ref(layout.path(), "app"), &OpenOptions::default()).unwrap();
    assert_eq!(expected.layers.len(), 3);
    let cache = tempfile::tempdir().unwrap();
    let counts = Arc::new(Counts::default());
    let options = options_with(cache.path(), &counts);
    let reference = format!("docker://{}/team/app:1", registry.host);
    let image = open(&reference, &options).unwrap();
    assert_eq!(
        image.manifest_digest.as_deref(),
        descriptor["digest"].as_str()
    );
    assert_eq!(image.layers[1].media_type, TAR_ZSTD);
    drop(image);
    let seen = read_all(&reference, &options).unwrap();
    assert_eq!(seen, expected);
    // Config + 3 layers downloaded once; the second open found all four in the cache.
    assert_eq!(counts.started.load(Ordering::SeqCst), 4);
    assert_eq!(counts.finished.load(Ordering::SeqCst), 4);
    assert_eq!(counts.cached.load(Ordering::SeqCst), 4);
    assert!(*counts.bytes.lock().unwrap() > 0);
    for layer in &seen.layers {
        let hex = &layer.digest["sha256:".len()..];
        assert!(cache.path().join("blobs/sha256").join(hex).is_file());
    }

    // By digest, from a fresh cache.
    let cache2 = tempfile::tempdir().unwrap();
    let counts2 = Arc::new(Counts::default());
    let by_digest = format!(
        "docker://{}/team/app@{}",
        registry.host,
        descriptor["digest"].as_str().unwrap()
    );
    assert_eq!(
        read_all(&by_digest, &options_with(cache2.path(), &counts2)).unwrap(),
        expected
    );
    assert_eq!(counts2.started.load(Ordering::SeqCst), 4);

    // A digest the registry does not have, and an unknown tag.
    let missing = format!(
        "docker://{}/team/app@sha256:{}",
        registry.host,
        "0".repeat(64)
    );
    assert!(matches!(
        open(&missing, &options),
        Err(ImageError::ManifestUnknown { .. })
    ));
    match open(
        &format!("docker://{}/team/app:nope", registry.host),
        &options,
    ) {
        Err(error @ ImageError::ManifestUnknown { .. }) => {
            let text = error.to_string();
            assert!(text.contains("team/app:nope"), "{text}");
        }
        other => panic!("expected ManifestUnknown, got {other:?}"),
    }
    match open(
        &format!("docker://{}/team/other:1", registry.host),
        &options,
    ) {
        Err(ImageError::ManifestUnknown { .. }) => {}
        other => panic!("expected ManifestUnknown, got {other:?}"),
    }
}

#[test]
fn multi_platform_index_picks_the_platform() {
    let storage = tempfile::tempdir().unwrap();
    let registry = Registry::start(storage.path(), Auth::None);
    let layout = tempfile::tempdir().unwrap();
    let amd64 = write_image(
        layout.path(),
        "amd64",
        &[gzipped(layer(&[("arch", b"amd64")]))],
    );
    let arm64 = write_image(
        layout.path(),
        "arm64",
        &[zstded(layer(&[("arch", b"arm64")]))],
    );
    let index = write_nested_index(layout.path(), vec![amd64, arm64]);
    write_index(layout.path(), vec![("multi", index)]);
    push(layout.path(), "multi", &registry.host, "multi:1", true);

    let cache = tempfile::tempdir().unwrap();
    let reference = format!("docker://{}/multi:1", registry.host);
    for architecture in ["amd64", "arm64"] {
        let platform = Some(format!("linux/{architecture}"));
        let options = OpenOptions {
            platform: platform.clone(),
            cache_dir: Some(cache.path().to_owned()),
            auth_file: Some(empty_auth_file()),
            ..Default::default()
        };
        let seen = read_all(&reference, &options).unwrap();
        assert_eq!(seen.entries[0].2, sha(architecture.as_bytes()));
        let direct = read_all(
            &layout_ref(layout.path(), "multi"),
            &OpenOptions {
                platform,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(seen, direct);
    }
    let options = OpenOptions {
        platform: Some("linux/s390x".to_owned()),
        cache_dir: Some(cache.path().to_owned()),
        auth_file: Some(empty_auth_file()),
        ..Default::default()
    };
    match open(&reference, &options) {
        Err(ImageError::NoMatchingPlatform { available, .. }) => {
            assert_eq!(available, vec!["linux/amd64", "linux/arm64"]);
        }
        other => panic!("expected NoMatchingPlatform, got {other:?}"),
    }
}

#[test]
fn corrupt_blob_in_the_registry_is_a_digest_mismatch() {
    let storage = tempfile::tempdir().unwrap();
    let registry = Registry::start(storage.path(), Auth::None);
    let layout = tempfile::tempdir().unwrap();
    let blob = plain(layer(&[("etc/motd", b"hello")]));
    let digest = sha(&blob.stored);
    let mut tampered = blob.stored.clone();
    let position = tampered.windows(5).position(|w| w == b"hello").unwrap();
    tampered[position] = b'j';
    let descriptor = write_image(layout.path(), "amd64", &[blob]);
    write_index(layout.path(), vec![("app", descriptor)]);
    push(layout.path(), "app", &registry.host, "bad:1", false);
    std::fs::write(stored_blob(storage.path(), &digest), &tampered).unwrap();

    let cache = tempfile::tempdir().unwrap();
    let counts = Arc::new(Counts::default());
    let options = options_with(cache.path(), &counts);
    match open(&format!("docker://{}/bad:1", registry.host), &options) {
        Err(ImageError::DigestMismatch {
            blob,
            expected,
            found,
        }) => {
            assert!(blob.contains(&digest), "{blob}");
            assert_eq!(expected, digest);
            assert_eq!(found, sha(&tampered));
        }
        other => panic!("expected DigestMismatch, got {other:?}"),
    }
    // Nothing is cached under the digest, and no partial file is left.
    let hex = &digest["sha256:".len()..];
    assert!(!cache.path().join("blobs/sha256").join(hex).exists());
    let partial = std::fs::read_dir(cache.path().join("blobs/sha256"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".partial")
        })
        .count();
    assert_eq!(partial, 0);
}

/// Puts `docker-credential-careentest` (answers `careen`/`s3cret` for any server) on PATH once.
fn helper_on_path() {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("docker-credential-careentest");
        std::fs::write(
            &script,
            "#!/bin/sh\nread server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"careen\",\"Secret\":\"s3cret\"}' \"$server\"\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![dir.path().to_owned()];
        paths.extend(std::env::split_paths(&path));
        // Set once, before any test of this binary runs a credential helper.
        std::env::set_var("PATH", std::env::join_paths(paths).unwrap());
        dir
    });
}

/// Pushes the app image through an open registry on `storage` (the protected registry serves the
/// same storage).
fn push_app(storage: &Path) -> tempfile::TempDir {
    let open_registry = Registry::start(storage, Auth::None);
    let (layout, _) = app_layout();
    push(
        layout.path(),
        "app",
        &open_registry.host,
        "private/app:1",
        false,
    );
    layout
}

fn with_auth(cache: &Path, auth: PathBuf) -> OpenOptions {
    OpenOptions {
        cache_dir: Some(cache.to_owned()),
        auth_file: Some(auth),
        ..Default::default()
    }
}

#[test]
fn basic_auth_from_config_and_credential_helper() {
    helper_on_path();
    let storage = tempfile::tempdir().unwrap();
    let layout = push_app(storage.path());
    let secrets = tempfile::tempdir().unwrap();
    let htpasswd = htpasswd(secrets.path(), "careen", "s3cret");
    let registry = Registry::start(storage.path(), Auth::Htpasswd(&htpasswd));
    let reference = format!("docker://{}/private/app:1", registry.host);
    let expected = read_all(&layout_ref(layout.path(), "app"), &OpenOptions::default()).unwrap();

    // No credentials: the 401 error says how to log in.
    let cache = tempfile::tempdir().unwrap();
    match open(&reference, &with_auth(cache.path(), empty_auth_file())) {
        Err(error @ ImageError::RegistryUnauthorized { .. }) => {
            let text = error.to_string();
            assert!(
                text.contains(&format!("docker login {}", registry.host)),
                "{text}"
            );
        }
        other => panic!("expected RegistryUnauthorized, got {other:?}"),
    }
    // Wrong password.
    let (_d, wrong) = auth_file(
        serde_json::json!({"auths": {registry.host.clone(): {"auth": basic("careen", "nope")}}}),
    );
    assert!(matches!(
        open(&reference, &with_auth(cache.path(), wrong)),
        Err(ImageError::RegistryUnauthorized { .. })
    ));
    // `auths` in config.json.
    let (_d, config) = auth_file(
        serde_json::json!({"auths": {registry.host.clone(): {"auth": basic("careen", "s3cret")}}}),
    );
    assert_eq!(
        read_all(&reference, &with_auth(cache.path(), config)).unwrap(),
        expected
    );
    // A credential helper, from a fresh cache.
    let cache = tempfile::tempdir().unwrap();
    let (_d, helper) =
        auth_file(serde_json::json!({"credHelpers": {registry.host.clone(): "careentest"}}));
    assert_eq!(
        read_all(&reference, &with_auth(cache.path(), helper)).unwrap(),
        expected
    );
    let (_d, store) = auth_file(serde_json::json!({"credsStore": "careentest"}));
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(
        read_all(&reference, &with_auth(cache.path(), store)).unwrap(),
        expected
    );
}

#[test]
fn bearer_token_auth_through_the_real_registry() {
    let storage = tempfile::tempdir().unwrap();
    let layout = push_app(storage.path());
    let tokens = TokenServer::start("careen", "s3cret");
    let registry = Registry::start(
        storage.path(),
        Auth::Token {
            realm: &tokens.realm,
            service: &tokens.service,
            issuer: &tokens.issuer,
            root_cert: &tokens.cert,
        },
    );
    let reference = format!("docker://{}/private/app:1", registry.host);
    let expected = read_all(&layout_ref(layout.path(), "app"), &OpenOptions::default()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (_d, config) = auth_file(
        serde_json::json!({"auths": {registry.host.clone(): {"auth": basic("careen", "s3cret")}}}),
    );
    assert_eq!(
        read_all(&reference, &with_auth(cache.path(), config)).unwrap(),
        expected
    );
    // The token server refuses a wrong password: the same clear 401 error.
    let (_d, wrong) = auth_file(
        serde_json::json!({"auths": {registry.host.clone(): {"auth": basic("careen", "x")}}}),
    );
    let cache = tempfile::tempdir().unwrap();
    assert!(matches!(
        open(&reference, &with_auth(cache.path(), wrong)),
        Err(ImageError::RegistryUnauthorized { .. })
    ));
}

#[test]
fn unreachable_registry_names_the_url() {
    let port = free_port();
    let cache = tempfile::tempdir().unwrap();
    let error = open(
        &format!("docker://127.0.0.1:{port}/app:1"),
        &with_auth(cache.path(), empty_auth_file()),
    )
    .unwrap_err();
    assert!(
        matches!(&error, ImageError::RegistryUnreachable { url, .. } if url.starts_with(&format!("http://127.0.0.1:{port}/v2/app/manifests/1"))),
        "{error}"
    );
}
