//! The unpacker on images written in code with the `tar` crate: whiteouts, opaque directories,
//! hard links, and layers that try to write outside the root through a symlink.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use careen_engine::bundle::unpack;
use sha2::{Digest, Sha256};

enum E<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Fifo(&'a str),
}

fn layer(entries: &[E<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        header.set_uid(1000);
        header.set_gid(1001);
        header.set_size(0);
        match entry {
            E::File(path, data, mode) => {
                header.set_mode(*mode);
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                builder.append_data(&mut header, path, *data).unwrap();
            }
            E::Dir(path) => {
                header.set_mode(0o750);
                header.set_entry_type(tar::EntryType::Directory);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
            E::Symlink(path, target) => {
                header.set_mode(0o777);
                header.set_entry_type(tar::EntryType::Symlink);
                builder.append_link(&mut header, path, target).unwrap();
            }
            E::Hardlink(path, target) => {
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Link);
                builder.append_link(&mut header, path, target).unwrap();
            }
            E::Fifo(path) => {
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Fifo);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = sha(bytes);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(blobs.join(&digest[7..]), bytes).unwrap();
    digest
}

/// An OCI layout holding one image made of `layers` (uncompressed tars).
fn oci(layers: &[Vec<u8>]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "1000", "Cmd": ["true"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let layer_descriptors: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": blob(dir.path(), l), "size": l.len(),
            })
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": blob(dir.path(), &config), "size": config.len()},
        "layers": layer_descriptors,
    }))
    .unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": blob(dir.path(), &manifest), "size": manifest.len(),
        "platform": {"architecture": "amd64", "os": "linux"},
    }]});
    std::fs::write(
        dir.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
    dir
}

fn unpack_layers(
    layers: &[Vec<u8>],
) -> (
    tempfile::TempDir,
    tempfile::TempDir,
    Result<careen_engine::bundle::UnpackStats, careen_engine::EngineError>,
) {
    let image_dir = oci(layers);
    let image = careen_image::open(
        &format!("oci:{}", image_dir.path().display()),
        &Default::default(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = unpack(&image, &out.path().join("rootfs"));
    (image_dir, out, result)
}

#[test]
fn whiteouts_opaque_dirs_and_hardlinks() {
    let base = layer(&[
        E::Dir("etc"),
        E::File("etc/keep", b"keep", 0o644),
        E::File("etc/gone", b"gone", 0o644),
        E::Dir("data"),
        E::File("data/old1", b"1", 0o644),
        E::Dir("data/sub"),
        E::File("data/sub/old2", b"2", 0o644),
        E::File("bin/tool", b"#!/bin/sh\n", 0o4755),
        E::Hardlink("bin/tool-link", "bin/tool"),
        E::Fifo("run-fifo"),
    ]);
    let top = layer(&[
        E::File("etc/.wh.gone", b"", 0o644),
        E::File("data/new", b"new", 0o600),
        E::File("data/.wh..wh..opq", b"", 0o644),
    ]);
    let (_image, out, result) = unpack_layers(&[base, top]);
    let stats = result.unwrap();
    let root = out.path().join("rootfs");
    assert_eq!(std::fs::read(root.join("etc/keep")).unwrap(), b"keep");
    assert!(!root.join("etc/gone").exists());
    // The opaque marker hides the lower layer's children but not this layer's own file.
    assert_eq!(std::fs::read(root.join("data/new")).unwrap(), b"new");
    assert!(!root.join("data/old1").exists());
    assert!(!root.join("data/sub").exists());
    let tool = std::fs::metadata(root.join("bin/tool")).unwrap();
    let link = std::fs::metadata(root.join("bin/tool-link")).unwrap();
    assert_eq!(tool.ino(), link.ino());
    assert_eq!(tool.nlink(), 2);
    assert_eq!(tool.permissions().mode() & 0o7777, 0o4755);
    assert_eq!(
        std::fs::metadata(root.join("data/new"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(root.join("etc"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o750
    );
    if tool.uid() == 1000 {
        assert_eq!(tool.gid(), 1001);
    }
    assert!(!root.join("run-fifo").exists());
    assert_eq!(
        (
            stats.layers,
            stats.hardlinks,
            stats.skipped,
            stats.whiteouts
        ),
        (2, 1, 1, 2)
    );
}

#[test]
fn a_symlink_then_file_layer_stays_inside_the_root() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("passwd");
    std::fs::write(&victim, "original").unwrap();
    let outside_dir = outside.path().display().to_string();
    // Layer 1 plants `a -> /<host dir>` and `rel -> ../../../<host dir>`; layer 2 writes
    // through them.
    let relative = format!("../../../../../../../..{outside_dir}");
    let first = layer(&[
        E::Symlink("a", &outside_dir),
        E::Symlink("rel", &relative),
        E::Symlink("etc", "/"),
    ]);
    let second = layer(&[
        E::File("a/passwd", b"pwned", 0o644),
        E::File("rel/passwd", b"pwned", 0o644),
        E::File("etc/shadow", b"pwned", 0o644),
    ]);
    let (_image, out, result) = unpack_layers(&[first, second]);
    result.unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
    let root = out.path().join("rootfs");
    // Written where the symlink points *inside* the root.
    let inside = root
        .join(outside_dir.trim_start_matches('/'))
        .join("passwd");
    assert_eq!(std::fs::read_to_string(inside).unwrap(), "pwned");
    assert_eq!(
        std::fs::read_to_string(root.join("shadow")).unwrap(),
        "pwned"
    );
    // The symlinks are still symlinks.
    assert!(std::fs::symlink_metadata(root.join("a"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_file_replaces_a_symlink_at_the_leaf() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("target");
    std::fs::write(&victim, "original").unwrap();
    let first = layer(&[E::Symlink("link", &victim.display().to_string())]);
    let second = layer(&[E::File("link", b"replaced", 0o644)]);
    let hard = layer(&[E::Symlink("s", "/etc/passwd"), E::Hardlink("h", "s")]);
    let (_image, out, result) = unpack_layers(&[first, second, hard]);
    result.unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
    let root = out.path().join("rootfs");
    assert_eq!(
        std::fs::read_to_string(root.join("link")).unwrap(),
        "replaced"
    );
    // A hard link to a symlink links the symlink itself.
    assert!(std::fs::symlink_metadata(root.join("h"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_hardlink_to_a_missing_target_is_an_error() {
    let only = layer(&[E::Hardlink("h", "nowhere")]);
    let (_image, _out, result) = unpack_layers(&[only]);
    assert!(result.is_err());
}
