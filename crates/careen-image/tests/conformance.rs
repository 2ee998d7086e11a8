//! Every image tarball among the conformance fixtures opens and streams with verified digests;
//! the non-images among them give a clear `NotAnImage`.

use std::path::PathBuf;

use careen_image::{open, ImageError, OpenOptions};

fn images_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/images")
}

const NOT_IMAGES: [&str; 3] = [
    "dive/test-uncompressed-image.tar",
    "go-containerregistry/no_manifest.tar",
    "go-containerregistry/null_manifest.tar",
];

fn fixtures() -> Vec<String> {
    let mut names = Vec::new();
    for group in ["dive", "go-containerregistry"] {
        let dir = images_dir().join(group);
        for entry in std::fs::read_dir(&dir).expect("conformance images present") {
            let name = entry.expect("readable dir").file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".tar") {
                names.push(format!("{group}/{name}"));
            }
        }
    }
    names.sort();
    names
}

#[test]
fn every_image_fixture_streams_with_verified_digests() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 15, "found {fixtures:?}");
    for name in fixtures
        .iter()
        .filter(|n| !NOT_IMAGES.contains(&n.as_str()))
    {
        let path = images_dir().join(name);
        let image = open(&path.to_string_lossy(), &OpenOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!image.layers.is_empty(), "{name}: no layers");
        assert!(image.config_digest.starts_with("sha256:"));
        for layer in &image.layers {
            let mut visited = 0u64;
            let summary = image
                .for_each_entry(layer.index, &mut |entry, data| {
                    visited += 1;
                    assert!(!entry.path.starts_with('/') && !entry.path.ends_with('/'));
                    if entry.kind == careen_image::EntryKind::File {
                        let read = std::io::copy(data, &mut std::io::sink()).map_err(|e| {
                            ImageError::Io {
                                path: entry.path.clone().into(),
                                source: e,
                            }
                        })?;
                        assert_eq!(read, entry.size, "{name}: {}", entry.path);
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{name} layer {}: {e}", layer.index));
            assert_eq!(summary.entries, visited);
            assert_eq!(Some(&summary.diff_id), layer.diff_id.as_ref(), "{name}");
            assert_eq!(summary.compressed_size, layer.compressed_size, "{name}");
        }
    }
}

#[test]
fn non_images_are_refused_clearly() {
    for name in NOT_IMAGES {
        let path = images_dir().join(name);
        match open(&path.to_string_lossy(), &OpenOptions::default()) {
            Err(error @ ImageError::NotAnImage { .. }) => {
                assert!(error
                    .to_string()
                    .contains(name.rsplit('/').next().unwrap_or(name)));
            }
            other => panic!("{name}: expected NotAnImage, got {other:?}"),
        }
    }
}

#[test]
fn explicit_transports_agree_with_detection() {
    let oci = images_dir().join("dive/test-oci-zstd-image.tar");
    let image = open(
        &format!("oci-archive:{}", oci.display()),
        &OpenOptions::default(),
    )
    .expect("opens");
    assert!(image.manifest_digest.is_some());
    assert!(image.verify().is_ok());

    let docker = images_dir().join("dive/test-docker-image.tar");
    let image = open(
        &format!("docker-archive:{}:dive-test:latest", docker.display()),
        &OpenOptions::default(),
    )
    .expect("opens by tag");
    assert_eq!(image.tags, vec!["dive-test:latest".to_owned()]);
    assert_eq!(image.layers.len(), 14);
    assert!(image.layers.iter().all(|l| l.created_by.is_some()));

    let missing_tag = open(
        &format!("docker-archive:{}:nope", docker.display()),
        &OpenOptions::default(),
    );
    assert!(matches!(missing_tag, Err(ImageError::TagNotFound { .. })));
}

#[test]
fn symlinked_legacy_layers_resolve() {
    let path = images_dir().join("go-containerregistry/test_link.tar");
    let image = open(
        &format!("docker-archive:{}:@1", path.display()),
        &OpenOptions::default(),
    )
    .expect("second image opens");
    assert_eq!(image.layers.len(), 2);
    assert!(image.verify().is_ok());
}

#[test]
fn docker_25_archive_opens_both_ways() {
    let path = images_dir().join("go-containerregistry/hello-world-v25.tar");
    let as_docker = open(&path.to_string_lossy(), &OpenOptions::default()).expect("docker");
    let as_oci = open(
        &format!("oci-archive:{}", path.display()),
        &OpenOptions::default(),
    );
    // Its index.json has `"manifests": null`, so only the docker view is readable.
    assert!(as_oci.is_err());
    assert_eq!(
        as_docker.layers[0].digest,
        "sha256:12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43"
    );
}
