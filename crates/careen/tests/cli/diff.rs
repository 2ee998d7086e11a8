//! `careen diff A B` end to end: conformance fixtures, an image against
//! itself, and synthetic images (built here with the `tar` crate) whose exact
//! added / removed / changed sets are known.

use crate::{careen, code, shared};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn images() -> PathBuf {
    shared().join("conformance/images")
}

fn diff_json(a: &str, b: &str) -> Value {
    let out = careen()
        .args(["diff", "--format", "json", a, b])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn paths(list: &Value) -> Vec<&str> {
    let mut paths: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    paths
}

fn fixture(name: &str) -> String {
    images().join(name).display().to_string()
}

#[test]
fn fixtures_overwritten_file_vs_whiteout_image() {
    let v = diff_json(
        &fixture("go-containerregistry/overwritten_file.tar"),
        &fixture("go-containerregistry/whiteout_image.tar"),
    );
    assert_eq!(v["schema"], "careen.diff/v1");
    // A: bar.txt plus foo.txt, a symlink to it; B: bar.txt only (foo.txt whited out).
    assert_eq!(paths(&v["files"]["added"]), Vec::<&str>::new());
    assert_eq!(paths(&v["files"]["removed"]), ["foo.txt"]);
    assert_eq!(v["files"]["removed"][0]["type"], "symlink");
    assert_eq!(paths(&v["files"]["changed"]), Vec::<&str>::new());
    assert_eq!(v["a"]["layers"].as_array().unwrap().len(), 3);
    assert_eq!(v["a"]["size_bytes"], 8);
    assert_eq!(v["size_delta_bytes"], 0);
    assert_eq!(v["summary"]["files_removed"], 1);
}

#[test]
fn gzip_and_zstd_copies_of_one_image_have_the_same_files() {
    let v = diff_json(
        &fixture("dive/test-oci-gzip-image.tar"),
        &fixture("dive/test-oci-zstd-image.tar"),
    );
    assert_eq!(v["summary"]["same_files"], true);
    assert_eq!(v["summary"]["files_added"], 0);
    assert_eq!(v["summary"]["files_removed"], 0);
    assert_eq!(v["summary"]["files_changed"], 0);
    assert_eq!(v["size_delta_bytes"], 0);
    // Same uncompressed layer (diff ID) stored two ways.
    assert_eq!(v["a"]["layers"][0]["shared"], true);
    assert_ne!(v["a"]["layers"][0]["digest"], v["b"]["layers"][0]["digest"]);
}

#[test]
fn an_image_against_itself_is_an_empty_diff() {
    for name in [
        "dive/test-docker-image.tar",
        "dive/test-oci-uncompressed-image.tar",
    ] {
        let image = fixture(name);
        let v = diff_json(&image, &image);
        assert_eq!(v["summary"]["same_files"], true, "{name}");
        assert_eq!(v["summary"]["identical"], true, "{name}");
        let layers = v["a"]["layers"].as_array().unwrap().len();
        assert!(layers >= 1, "{name}");
        assert_eq!(v["summary"]["common_base_layers"], layers, "{name}");
        assert!(v["a"]["file_count"].as_u64().unwrap() > 0, "{name}");

        let out = careen().args(["diff", &image, &image]).output().unwrap();
        assert_eq!(code(&out), 0);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Files: no differences."), "{text}");
        assert!(text.contains("identical"), "{text}");
    }
}

// ---- synthetic images -------------------------------------------------

enum Spec<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

fn layer(entries: &[Spec<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for spec in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_size(0);
        match spec {
            Spec::File(path, data, mode) => {
                header.set_mode(*mode);
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                builder.append_data(&mut header, path, *data).unwrap();
            }
            Spec::Dir(path) => {
                header.set_mode(0o755);
                header.set_entry_type(tar::EntryType::Directory);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
            Spec::Symlink(path, target) => {
                header.set_mode(0o777);
                header.set_entry_type(tar::EntryType::Symlink);
                builder.append_link(&mut header, path, target).unwrap();
            }
            Spec::Hardlink(path, target) => {
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Link);
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn config(layers: &[Vec<u8>]) -> Vec<u8> {
    config_for("amd64", layers)
}

fn config_for(architecture: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    let history: Vec<Value> = (0..layers.len())
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i}")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": architecture,
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// Writes one image's blobs (uncompressed layers) into the OCI layout `dir`;
/// returns its manifest descriptor for the index.
fn write_image(dir: &Path, architecture: &str, layers: &[Vec<u8>]) -> Value {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let write = |bytes: &[u8]| {
        let digest = sha(bytes);
        std::fs::write(blobs.join(&digest["sha256:".len()..]), bytes).unwrap();
        serde_json::json!({"digest": digest, "size": bytes.len()})
    };
    let config = config_for(architecture, layers);
    let mut config_desc = write(&config);
    config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json".into();
    let layer_descs: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mut d = write(l);
            d["mediaType"] = "application/vnd.oci.image.layer.v1.tar".into();
            d
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config_desc,
        "layers": layer_descs,
    }))
    .unwrap();
    let mut manifest_desc = write(&manifest);
    manifest_desc["mediaType"] = "application/vnd.oci.image.manifest.v1+json".into();
    manifest_desc["platform"] = serde_json::json!({"architecture": architecture, "os": "linux"});
    manifest_desc
}

/// Finishes the OCI layout `dir` with an index of `manifests`.
fn write_index(dir: &Path, manifests: Vec<Value>) -> String {
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    format!("oci:{}", dir.display())
}

/// An OCI layout directory (uncompressed layers) holding one amd64 image.
fn oci_dir(dir: &Path, layers: &[Vec<u8>]) -> String {
    let descriptor = write_image(dir, "amd64", layers);
    write_index(dir, vec![descriptor])
}

/// A legacy `docker save` tarball holding one image.
fn docker_archive(path: &Path, layers: &[Vec<u8>]) -> String {
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |name: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, name, bytes).unwrap();
    };
    let config = config(layers);
    let config_name = format!("{}.json", &sha(&config)["sha256:".len()..]);
    add(&config_name, &config);
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("layer{i}/layer.tar");
        add(&name, l);
        names.push(name);
    }
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": ["synthetic:b"],
        "Layers": names,
    }]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    std::fs::write(path, builder.into_inner().unwrap()).unwrap();
    format!("docker-archive:{}", path.display())
}

fn base() -> Vec<u8> {
    layer(&[
        Spec::Dir("etc"),
        Spec::File("etc/keep", b"same", 0o644),
        Spec::File("etc/mod", b"v1", 0o644),
        Spec::File("etc/gone", b"bye", 0o644),
        Spec::Dir("var/cache"),
        Spec::File("var/cache/a", b"aaaa", 0o644),
        Spec::File("var/cache/b", b"bb", 0o644),
        Spec::File("usr/bin/tool", b"tool", 0o755),
        Spec::Symlink("link", "etc/keep"),
    ])
}

fn pair(dir: &Path) -> (String, String) {
    let a_layers = vec![
        base(),
        layer(&[Spec::File("etc/mod", b"v1.1", 0o644)]),
        layer(&[Spec::File("etc/mod", b"v1", 0o644)]),
    ];
    let b_layers = vec![
        base(),
        layer(&[
            Spec::File("etc/mod", b"version2", 0o644),
            Spec::File("etc/.wh.gone", b"", 0o644),
            Spec::File("var/cache/.wh..wh..opq", b"", 0o644),
            Spec::File("var/cache/c", b"c", 0o644),
            Spec::File("usr/bin/tool", b"tool", 0o700),
            Spec::Symlink("link", "etc/mod"),
            Spec::File("new/big", &[7u8; 1000], 0o644),
            Spec::Hardlink("new/big2", "new/big"),
        ]),
    ];
    let a_dir = dir.join("a");
    std::fs::create_dir_all(&a_dir).unwrap();
    (
        oci_dir(&a_dir, &a_layers),
        docker_archive(&dir.join("b.tar"), &b_layers),
    )
}

#[test]
fn synthetic_images_give_the_exact_sets() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = pair(tmp.path());
    let v = diff_json(&a, &b);
    assert_eq!(
        paths(&v["files"]["added"]),
        ["new/big", "new/big2", "var/cache/c"]
    );
    assert_eq!(
        paths(&v["files"]["removed"]),
        ["etc/gone", "var/cache/a", "var/cache/b"]
    );
    assert_eq!(
        paths(&v["files"]["changed"]),
        ["etc/mod", "link", "usr/bin/tool"]
    );
    let changed: Vec<&Value> = v["files"]["changed"].as_array().unwrap().iter().collect();
    // Biggest change first.
    assert_eq!(changed[0]["path"], "etc/mod");
    assert_eq!(changed[0]["delta_bytes"], 6);
    assert_eq!(changed[0]["what"], serde_json::json!(["content"]));
    assert_eq!(changed[0]["b_digest"], sha(b"version2"));
    let by_path = |p: &str| {
        changed
            .iter()
            .find(|c| c["path"] == p)
            .map(|c| c["what"].clone())
            .unwrap()
    };
    assert_eq!(by_path("usr/bin/tool"), serde_json::json!(["mode"]));
    assert_eq!(by_path("link"), serde_json::json!(["link_target"]));
    // The hardlink is the file it links to.
    // Biggest first, a hardlink (whose bytes are its file's) last.
    let added = v["files"]["added"].as_array().unwrap();
    let order: Vec<&str> = added.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(order, ["new/big", "var/cache/c", "new/big2"]);
    assert_eq!(added[0]["size_bytes"], 1000);
    assert_eq!(added[2]["size_bytes"], 1000);
    assert_eq!(added[0]["digest"], added[2]["digest"]);
    assert_eq!(added[0]["hardlink_to"], Value::Null);
    assert_eq!(added[2]["hardlink_to"], "new/big");

    // Layers: the base is shared (same diff ID) and common; the rest are not.
    assert_eq!(v["a"]["layers"][0]["shared"], true);
    assert_eq!(v["b"]["layers"][0]["shared"], true);
    assert_eq!(v["a"]["layers"][1]["shared"], false);
    assert_eq!(v["b"]["layers"][1]["shared"], false);
    assert_eq!(v["summary"]["layers_shared"], 1);
    assert_eq!(v["summary"]["common_base_layers"], 1);
    assert_eq!(v["summary"]["files_added"], 3);
    assert_eq!(v["summary"]["files_removed"], 3);
    assert_eq!(v["summary"]["files_changed"], 3);
    // The hardlink's bytes are new/big's: counted once.
    assert_eq!(v["summary"]["added_bytes"], 1001);
    assert_eq!(v["summary"]["removed_bytes"], 9);

    // Layer sizes are the bytes of the files in each layer tar.
    let base_size = 4 + 2 + 3 + 4 + 2 + 4;
    assert_eq!(v["a"]["size_bytes"], base_size + 4 + 2);
    assert_eq!(v["b"]["size_bytes"], base_size + 8 + 1 + 4 + 1000);
    assert_eq!(v["size_delta_bytes"], (8 + 1 + 4 + 1000) - 6);

    // Where the size went: /new grew most.
    assert_eq!(v["size_changes"][0]["path"], "/new");
    assert_eq!(v["size_changes"][0]["delta_bytes"], 1000);

    // Reversed, added and removed swap.
    let r = diff_json(&b, &a);
    assert_eq!(paths(&r["files"]["removed"]), paths(&v["files"]["added"]));
    assert_eq!(paths(&r["files"]["added"]), paths(&v["files"]["removed"]));
    assert_eq!(r["files"]["changed"][0]["delta_bytes"], -6);
}

#[test]
fn synthetic_text_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = pair(tmp.path());
    let out = careen().args(["diff", &a, &b]).output().unwrap();
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Files: 3 added (+1.0 kB), 3 removed (-9 B), 3 changed (+6 B)",
        "Where the size went",
        "+1.0 kB  /new",
        "0 B  new/big2 (hardlink to new/big, 1.0 kB)",
        "Added (3):",
        "Removed (3):",
        "Changed (3):",
        "etc/mod  (content)",
        "usr/bin/tool  (mode)",
        "same",
        "RUN step 1",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn errors_are_one_line_and_exit_two() {
    let image = fixture("dive/test-docker-image.tar");
    for (a, b) in [
        ("/nonexistent/a.tar", image.as_str()),
        (image.as_str(), "/nonexistent/b.tar"),
        (
            image.as_str(),
            &fixture("go-containerregistry/no_manifest.tar"),
        ),
    ] {
        let out = careen().args(["diff", a, b]).output().unwrap();
        assert_eq!(code(&out), 2, "{a} {b}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = careen().args(["diff", &image]).output().unwrap();
    assert_eq!(code(&out), 2);
}

#[test]
fn a_corrupt_layer_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = pair(tmp.path());
    // Corrupt one layer blob of the OCI layout: its digest no longer matches.
    let blobs = tmp.path().join("a/blobs/sha256");
    let victim = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap().len() == 2048)
        .expect("a one-file layer blob");
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[600] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    let out = careen().args(["diff", &a, &a]).output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("digest"), "{stderr}");
}

#[test]
fn layer_sizes_agree_with_analyze() {
    for name in [
        "dive/test-docker-image.tar",
        "dive/test-oci-estargz-image.tar",
        "go-containerregistry/whiteout_dir.tar",
    ] {
        let image = fixture(name);
        let diff = diff_json(&image, &image);
        let out = careen()
            .args(["analyze", "--format", "json", &image])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{name}");
        let analyze: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            diff["a"]["size_bytes"], analyze["image"]["size_bytes"],
            "{name}"
        );
        let sizes = |layers: &Value| -> Vec<Value> {
            layers
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["size_bytes"].clone())
                .collect()
        };
        assert_eq!(
            sizes(&diff["b"]["layers"]),
            sizes(&analyze["layers"]),
            "{name}"
        );
    }
}

#[test]
fn platform_picks_the_image_from_both_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    let (x, y) = (tmp.path().join("x"), tmp.path().join("y"));
    let amd = vec![layer(&[Spec::File("arch", b"amd64", 0o644)])];
    let arm = vec![layer(&[Spec::File("arch", b"arm64!", 0o644)])];
    let both = vec![
        write_image(&x, "amd64", &amd),
        write_image(&x, "arm64", &arm),
    ];
    let x = write_index(&x, both);
    let arm_only = write_image(&y, "arm64", &arm);
    let y = write_index(&y, vec![arm_only]);

    let run = |platform: &str| {
        careen()
            .args(["diff", "--format", "json", "--platform", platform, &x, &y])
            .output()
            .unwrap()
    };
    let out = run("linux/arm64");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["same_files"], true);
    assert_eq!(v["summary"]["identical"], true);
    // x's amd64 image against y, which has no amd64 image: an error.
    let out = run("linux/amd64");
    assert_eq!(code(&out), 2);
}
