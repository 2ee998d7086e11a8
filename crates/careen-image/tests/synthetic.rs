//! Edge cases built in code with the `tar` crate: every check the crate makes, on images small
//! enough to read in a test.

use std::path::{Path, PathBuf};

use careen_image::{open, EntryKind, ImageError, LayerEntry, OpenOptions, Whiteout};

mod support;
use support::{gzipped, plain, sha, write_image, write_index, Blob, TAR_GZIP, TAR_ZSTD};

/// One entry of a synthetic layer.
enum Spec<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Hardlink(&'a str, &'a str),
    /// A file whose name is written into the header as is, bypassing the `tar` crate's checks.
    RawName(&'a [u8]),
}

fn layer(entries: &[Spec<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for spec in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        match spec {
            Spec::File(path, data) => {
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                builder.append_data(&mut header, path, *data).unwrap();
            }
            Spec::Dir(path) => {
                header.set_size(0);
                header.set_mode(0o755);
                header.set_entry_type(tar::EntryType::Directory);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
            Spec::Hardlink(path, target) => {
                header.set_size(0);
                header.set_entry_type(tar::EntryType::Link);
                builder.append_link(&mut header, path, target).unwrap();
            }
            Spec::RawName(name) => {
                header.set_size(1);
                header.set_entry_type(tar::EntryType::Regular);
                let field = &mut header.as_old_mut().name;
                field[..name.len()].copy_from_slice(name);
                header.set_cksum();
                builder.append(&header, &b"x"[..]).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// An OCI layout directory holding one amd64 image made of `layers`.
fn oci_dir(layers: &[Blob]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let descriptor = write_image(dir.path(), "amd64", layers);
    write_index(dir.path(), vec![("amd64", descriptor)]);
    dir
}

fn reference(dir: &Path) -> String {
    format!("oci:{}", dir.display())
}

/// Streams every layer, collecting entries and the data of regular files.
fn entries_of(
    reference: &str,
    options: &OpenOptions,
) -> Result<Vec<(LayerEntry, Vec<u8>)>, ImageError> {
    let image = open(reference, options)?;
    let mut seen = Vec::new();
    for index in 0..image.layers.len() {
        image.for_each_entry(index, &mut |entry, data| {
            let mut bytes = Vec::new();
            data.read_to_end(&mut bytes).map_err(|e| ImageError::Io {
                path: PathBuf::from(&entry.path),
                source: e,
            })?;
            seen.push((entry.clone(), bytes));
            Ok(())
        })?;
    }
    Ok(seen)
}

fn only_blob(dir: &Path, stored: &[u8]) -> PathBuf {
    dir.join("blobs/sha256")
        .join(&sha(stored)["sha256:".len()..])
}

#[test]
fn wrong_digest_names_the_blob() {
    let tar = layer(&[Spec::File("etc/motd", b"hello")]);
    let blob = plain(tar.clone());
    let digest = sha(&blob.stored);
    let dir = oci_dir(&[blob]);
    // Same size, one byte of file data changed: still a valid tar, wrong digest.
    let mut tampered = tar.clone();
    let position = tampered
        .windows(5)
        .position(|w| w == b"hello")
        .expect("data in tar");
    tampered[position] = b'j';
    std::fs::write(only_blob(dir.path(), &tar), &tampered).unwrap();
    match entries_of(&reference(dir.path()), &OpenOptions::default()) {
        Err(ImageError::DigestMismatch {
            blob,
            expected,
            found,
        }) => {
            assert!(blob.contains(&digest["sha256:".len()..]), "{blob}");
            assert_eq!(expected, digest);
            assert_eq!(found, sha(&tampered));
        }
        other => panic!("expected DigestMismatch, got {other:?}"),
    }
}

#[test]
fn wrong_diff_id_is_caught() {
    let tar = layer(&[Spec::File("a", b"1")]);
    let mut blob = gzipped(tar);
    blob.diff_id = sha(b"something else");
    let dir = oci_dir(&[blob]);
    let error = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(&error, ImageError::DigestMismatch { blob, .. } if blob.contains("diff ID")),
        "{error}"
    );
}

#[test]
fn truncated_layers_are_errors() {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    for (name, blob) in [
        ("plain", plain(layer(&[Spec::File("big", &big)]))),
        ("gzip", gzipped(layer(&[Spec::File("big", &big)]))),
    ] {
        let stored = blob.stored.clone();
        let dir = oci_dir(&[blob]);
        std::fs::write(only_blob(dir.path(), &stored), &stored[..stored.len() / 2]).unwrap();
        let error = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap_err();
        assert!(
            matches!(
                error,
                ImageError::Truncated { .. } | ImageError::SizeMismatch { .. }
            ),
            "{name}: {error:?}"
        );
    }
}

#[test]
fn corrupt_gzip_is_a_decompress_error() {
    let tar = layer(&[Spec::File("a", &[7u8; 5000])]);
    let blob = gzipped(tar);
    let stored = blob.stored.clone();
    let dir = oci_dir(&[blob]);
    let mut corrupt = stored.clone();
    for byte in corrupt.iter_mut().skip(12).take(20) {
        *byte ^= 0x5a;
    }
    std::fs::write(only_blob(dir.path(), &stored), &corrupt).unwrap();
    let error = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(
            error,
            ImageError::Decompress { .. } | ImageError::CorruptLayer { .. }
        ),
        "{error:?}"
    );
}

#[test]
fn garbage_blobs_never_panic() {
    let tar = layer(&[Spec::File("a", b"1")]);
    for garbage in [
        vec![0x1f, 0x8b, 0, 0, 0],
        vec![0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3],
        vec![0xff; 1024],
        vec![b'a'; 513],
        Vec::new(),
    ] {
        let blob = plain(tar.clone());
        let dir = oci_dir(&[blob]);
        std::fs::write(only_blob(dir.path(), &tar), &garbage).unwrap();
        assert!(entries_of(&reference(dir.path()), &OpenOptions::default()).is_err());
    }
}

#[test]
fn unsafe_entry_paths_are_refused() {
    for name in [
        &b"../etc/passwd"[..],
        b"/etc/passwd",
        b"a/../../b",
        b"x/.wh...",
    ] {
        let dir = oci_dir(&[plain(layer(&[Spec::RawName(name)]))]);
        match entries_of(&reference(dir.path()), &OpenOptions::default()) {
            Err(ImageError::UnsafePath { entry, .. }) => {
                assert_eq!(entry.as_bytes(), name);
            }
            other => panic!(
                "{}: expected UnsafePath, got {other:?}",
                String::from_utf8_lossy(name)
            ),
        }
    }
    let dir = oci_dir(&[plain(layer(&[Spec::Hardlink("a", "../../etc/shadow")]))]);
    assert!(matches!(
        entries_of(&reference(dir.path()), &OpenOptions::default()),
        Err(ImageError::UnsafePath { .. })
    ));
}

#[test]
fn zstd_layers_stream_even_with_a_wrong_media_type() {
    let tar = layer(&[Spec::Dir("usr"), Spec::File("usr/zz", b"zstd data")]);
    let stored = zstd::encode_all(&tar[..], 3).unwrap();
    for media_type in [TAR_ZSTD, TAR_GZIP] {
        let dir = oci_dir(&[Blob {
            stored: stored.clone(),
            media_type,
            diff_id: sha(&tar),
        }]);
        let seen = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].0.path, "usr/zz");
        assert_eq!(seen[1].1, b"zstd data");
    }
}

#[test]
fn index_with_two_platforms_picks_the_requested_one() {
    let dir = tempfile::tempdir().unwrap();
    let amd64 = write_image(
        dir.path(),
        "amd64",
        &[gzipped(layer(&[Spec::File("arch", b"amd64")]))],
    );
    let arm64 = write_image(
        dir.path(),
        "arm64",
        &[gzipped(layer(&[Spec::File("arch", b"arm64")]))],
    );
    write_index(dir.path(), vec![("amd64", amd64), ("arm64", arm64)]);
    let reference = reference(dir.path());
    for wanted in ["amd64", "arm64"] {
        let options = OpenOptions {
            platform: Some(format!("linux/{wanted}")),
            ..Default::default()
        };
        let seen = entries_of(&reference, &options).unwrap();
        assert_eq!(seen[0].1, wanted.as_bytes());
    }
    let options = OpenOptions {
        platform: Some("linux/s390x".to_owned()),
        ..Default::default()
    };
    match open(&reference, &options) {
        Err(ImageError::NoMatchingPlatform {
            requested,
            available,
        }) => {
            assert_eq!(requested, "linux/s390x");
            assert_eq!(available, vec!["linux/amd64", "linux/arm64"]);
        }
        other => panic!("expected NoMatchingPlatform, got {other:?}"),
    }
    // The tag (ref name) selects too.
    let seen = entries_of(&format!("{reference}:arm64"), &OpenOptions::default()).unwrap();
    assert_eq!(seen[0].1, b"arm64");
    assert!(matches!(
        open(&format!("{reference}:riscv"), &OpenOptions::default()),
        Err(ImageError::TagNotFound { .. })
    ));
    // Without a platform the host's is chosen when the index has it.
    let host = careen_image::Platform::host().architecture;
    if host == "amd64" || host == "arm64" {
        let image = open(&reference, &OpenOptions::default()).unwrap();
        assert_eq!(image.config.architecture().to_string(), host);
    }
}

#[test]
fn whiteouts_and_opaque_dirs_are_reported() {
    let dir = oci_dir(&[
        plain(layer(&[Spec::Dir("etc"), Spec::File("etc/motd", b"hi")])),
        plain(layer(&[
            Spec::File("etc/.wh.motd", b""),
            Spec::File("var/cache/.wh..wh..opq", b""),
            Spec::File(".wh.top", b""),
        ])),
    ]);
    let seen = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap();
    let whiteouts: Vec<Option<Whiteout>> = seen.iter().map(|(e, _)| e.whiteout.clone()).collect();
    assert_eq!(
        whiteouts,
        vec![
            None,
            None,
            Some(Whiteout::File("etc/motd".to_owned())),
            Some(Whiteout::Opaque("var/cache".to_owned())),
            Some(Whiteout::File("top".to_owned())),
        ]
    );
}

#[test]
fn long_names_pax_headers_and_hardlinks() {
    let long = format!("{}/file.txt", "d".repeat(180));
    let mut builder = tar::Builder::new(Vec::new());
    // A PAX global header (it describes no file and must be skipped).
    let mut global = tar::Header::new_ustar();
    let record = b"19 comment=careen!\n";
    global.set_entry_type(tar::EntryType::XGlobalHeader);
    global.set_size(record.len() as u64);
    global.set_path("pax_global_header").unwrap();
    global.set_cksum();
    builder.append(&global, &record[..]).unwrap();
    // A PAX long name and owner.
    let pax_name = format!("{}/pax.txt", "p".repeat(150));
    builder
        .append_pax_extensions([("path", pax_name.as_bytes()), ("uid", &b"70000"[..])])
        .unwrap();
    let mut header = tar::Header::new_ustar();
    header.set_path("short").unwrap();
    header.set_size(3);
    header.set_mode(0o600);
    header.set_cksum();
    builder.append(&header, &b"pax"[..]).unwrap();
    // A GNU long name, and a hardlink to it.
    let mut header = tar::Header::new_gnu();
    header.set_size(4);
    header.set_mode(0o644);
    builder
        .append_data(&mut header, &long, &b"long"[..])
        .unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Link);
    header.set_size(0);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    builder.append_link(&mut header, "./link", &long).unwrap();
    let tar = builder.into_inner().unwrap();

    let dir = oci_dir(&[gzipped(tar)]);
    let seen = entries_of(&reference(dir.path()), &OpenOptions::default()).unwrap();
    let paths: Vec<&str> = seen.iter().map(|(e, _)| e.path.as_str()).collect();
    assert_eq!(paths, vec![pax_name.as_str(), long.as_str(), "link"]);
    assert_eq!(seen[0].0.uid, 70000);
    assert_eq!(seen[0].1, b"pax");
    assert_eq!(seen[1].1, b"long");
    assert_eq!(seen[2].0.kind, EntryKind::Hardlink);
    assert_eq!(seen[2].0.link_target.as_deref(), Some(long.as_str()));
}

#[test]
fn decompression_bombs_are_refused() {
    let zeros = vec![0u8; 4 << 20];
    let dir = oci_dir(&[gzipped(layer(&[Spec::File("bomb", &zeros)]))]);
    let mut image = open(&reference(dir.path()), &OpenOptions::default()).unwrap();
    assert!(image.layers[0].compressed_size < 64 * 1024);
    image.limits.max_uncompressed_bytes = 1 << 20;
    assert!(matches!(
        image.for_each_entry(0, &mut |_, _| Ok(())),
        Err(ImageError::LayerTooLarge { limit, .. }) if limit == 1 << 20
    ));
    // Even when a visitor reads the data itself.
    let result = image.for_each_entry(0, &mut |_, data| {
        std::io::copy(data, &mut std::io::sink()).map_err(|e| ImageError::Io {
            path: PathBuf::from("bomb"),
            source: e,
        })?;
        Ok(())
    });
    assert!(result.is_err());

    let many: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
    let specs: Vec<Spec<'_>> = many.iter().map(|n| Spec::File(n, b"")).collect();
    let dir = oci_dir(&[plain(layer(&specs))]);
    let mut image = open(&reference(dir.path()), &OpenOptions::default()).unwrap();
    image.limits.max_entries = 10;
    assert!(matches!(
        image.for_each_entry(0, &mut |_, _| Ok(())),
        Err(ImageError::TooManyEntries { limit: 10, .. })
    ));
    image.limits.max_entries = 20;
    assert_eq!(
        image.for_each_entry(0, &mut |_, _| Ok(())).unwrap().entries,
        20
    );
}

#[test]
fn missing_blob_is_reported_at_open() {
    let tar = layer(&[Spec::File("a", b"1")]);
    let dir = oci_dir(&[plain(tar.clone())]);
    std::fs::remove_file(only_blob(dir.path(), &tar)).unwrap();
    match open(&reference(dir.path()), &OpenOptions::default()) {
        Err(ImageError::MissingBlob { blob, .. }) => assert_eq!(blob, sha(&tar)),
        other => panic!("expected MissingBlob, got {other:?}"),
    }
}

#[test]
fn created_by_and_layer_metadata() {
    let dir = oci_dir(&[
        plain(layer(&[Spec::File("a", b"1")])),
        gzipped(layer(&[Spec::File("b", b"2")])),
    ]);
    let image = open(&reference(dir.path()), &OpenOptions::default()).unwrap();
    assert_eq!(
        image.layers[1].created_by.as_deref(),
        Some("RUN step 1 (amd64)")
    );
    assert_eq!(image.layers[1].media_type, TAR_GZIP);
    let summaries = image.verify().unwrap();
    assert_eq!(
        Some(&summaries[1].diff_id),
        image.layers[1].diff_id.as_ref()
    );
    assert_eq!(summaries[1].digest, image.layers[1].digest);
}

#[test]
fn oci_archive_and_layout_dir_give_the_same_image() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/images/dive/test-oci-gzip-image.tar");
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::open(&fixture).unwrap();
    tar::Archive::new(file).unpack(dir.path()).unwrap();
    let from_dir = open(&reference(dir.path()), &OpenOptions::default()).unwrap();
    let from_tar = open(&fixture.to_string_lossy(), &OpenOptions::default()).unwrap();
    assert_eq!(from_dir.layers, from_tar.layers);
    assert_eq!(from_dir.config_digest, from_tar.config_digest);
    assert_eq!(from_dir.manifest_digest, from_tar.manifest_digest);
    assert_eq!(from_dir.verify().unwrap(), from_tar.verify().unwrap());
    // A bare directory path is detected as an OCI layout.
    assert!(open(&dir.path().to_string_lossy(), &OpenOptions::default()).is_ok());
}

#[test]
fn legacy_docker_archive_with_wrong_diff_id() {
    let tar = layer(&[Spec::File("hello", b"world")]);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha(b"not the layer")]},
    }))
    .unwrap();
    let config_name = format!("{}.json", &sha(&config)["sha256:".len()..]);
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": config_name, "RepoTags": ["app:1"], "Layers": ["abc/layer.tar"]}
    ]))
    .unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("abc/layer.tar", &tar[..]),
        (config_name.as_str(), &config[..]),
        ("manifest.json", &manifest[..]),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, name, data).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.tar");
    std::fs::write(&path, builder.into_inner().unwrap()).unwrap();
    let image = open(
        &format!("docker-archive:{}:app:1", path.display()),
        &OpenOptions::default(),
    )
    .unwrap();
    assert_eq!(image.layers[0].digest, sha(b"not the layer"));
    let error = image.verify().unwrap_err();
    assert!(
        matches!(&error, ImageError::DigestMismatch { blob, found, .. } if blob.contains("abc/layer.tar") && *found == sha(&tar)),
        "{error}"
    );
}
