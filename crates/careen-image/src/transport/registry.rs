//! `docker://REGISTRY/REPO[:TAG][@DIGEST]`: the manifest (through an index for the requested
//! platform) is fetched from the registry, the config and layer blobs are downloaded, a few at a
//! time, into the blob cache, and the image is then read from the cache like an OCI layout.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use oci_spec::image::{ImageIndex, ImageManifest};

use super::oci_layout::{choose, is_index, is_manifest, Candidate};
use super::{check_digest, read_verified, sha256_digest, Resolved, ResolvedLayer};
use crate::cache::{self, Progress, Reporter};
use crate::distribution::name::RegistryName;
use crate::distribution::{Client, Manifest};
use crate::error::ImageError;
use crate::platform::Platform;
use crate::source::{Source, MAX_DOCUMENT_BYTES};

/// Nested indexes deeper than this are refused.
const MAX_INDEX_DEPTH: usize = 4;
/// Blobs downloaded at the same time.
const PARALLEL_DOWNLOADS: usize = 4;

const SCHEMA1: [&str; 3] = [
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/json",
];

/// What to fetch and where to keep it.
pub(crate) struct Fetch<'a> {
    pub(crate) platform: Option<&'a Platform>,
    pub(crate) cache_dir: Option<&'a Path>,
    pub(crate) auth_file: Option<&'a Path>,
    pub(crate) reporter: Reporter,
}

/// Resolves `docker://text`: fetches manifests, downloads the blobs into the cache and returns
/// the cache as the image's source.
pub(crate) fn resolve(text: &str, fetch: &Fetch<'_>) -> Result<(Source, Resolved), ImageError> {
    let name = RegistryName::parse(text)?;
    let client = Client::new(name.clone(), fetch.auth_file);
    let shown = format!("docker://{name}");
    let mut manifest = client.manifest(name.manifest_reference())?;
    let mut digest = sha256_digest(&manifest.bytes);
    let expected = name.digest.clone().or_else(|| {
        manifest
            .digest_header
            .clone()
            .filter(|d| d.starts_with("sha256:"))
    });
    if let Some(expected) = expected {
        check_digest(&format!("manifest of {shown}"), &expected, &manifest.bytes)?;
    }
    let mut depth = 0;
    loop {
        let media_type = media_type_of(&manifest);
        if SCHEMA1.contains(&media_type.as_str()) || schema_version(&manifest) == Some(1) {
            return Err(ImageError::UnsupportedManifest {
                reference: shown,
                media_type,
                hint: "Docker image manifest schema 1 is deprecated; push the image again with a current docker, buildah or skopeo".to_owned(),
            });
        }
        if is_manifest(&media_type) {
            break;
        }
        if !is_index(&media_type) {
            return Err(ImageError::UnsupportedManifest {
                reference: shown,
                media_type,
                hint: "expected an OCI or Docker v2 image manifest or index".to_owned(),
            });
        }
        if depth >= MAX_INDEX_DEPTH {
            return Err(invalid(
                &shown,
                &digest,
                format!("indexes nested deeper than {MAX_INDEX_DEPTH}"),
            ));
        }
        depth += 1;
        let index: ImageIndex = serde_json::from_slice(&manifest.bytes)
            .map_err(|e| invalid(&shown, &digest, e.to_string()))?;
        let candidates: Vec<Candidate> = index
            .manifests()
            .iter()
            .filter(|d| is_index(d.media_type().as_ref()) || is_manifest(d.media_type().as_ref()))
            .filter_map(|d| {
                if is_index(d.media_type().as_ref()) {
                    // A nested index is followed as if it were an image for any platform.
                    Some(Candidate {
                        descriptor: d.clone(),
                        platform: None,
                    })
                } else {
                    Candidate::of_manifest(d)
                }
            })
            .collect();
        let chosen = choose(Path::new(&shown), candidates, fetch.platform)?;
        let child = chosen.descriptor.digest().to_string();
        manifest = client.manifest(&child)?;
        check_digest(
            &format!("manifest {child} of {shown}"),
            &child,
            &manifest.bytes,
        )?;
        if manifest.bytes.len() as u64 != chosen.descriptor.size() {
            return Err(ImageError::SizeMismatch {
                blob: format!("manifest {child} of {shown}"),
                expected: chosen.descriptor.size(),
                found: manifest.bytes.len() as u64,
            });
        }
        digest = child;
    }
    let image: ImageManifest = serde_json::from_slice(&manifest.bytes)
        .map_err(|e| invalid(&shown, &digest, e.to_string()))?;

    if image.config().size() > MAX_DOCUMENT_BYTES {
        return Err(invalid(
            &shown,
            &digest,
            format!("the config is larger than {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    let root = cache::root(fetch.cache_dir)?;
    let config_digest = image.config().digest().to_string();
    let mut blobs: Vec<(String, u64)> = vec![(config_digest.clone(), image.config().size())];
    for layer in image.layers() {
        let entry = (layer.digest().to_string(), layer.size());
        if !blobs.contains(&entry) {
            blobs.push(entry);
        }
    }
    download_all(&client, &root, &blobs, &fetch.reporter)?;

    let source = Source::Dir(root);
    let config_name = cache::member(&config_digest)?;
    let config = read_verified(
        &source,
        &config_name,
        &config_digest,
        Some(image.config().size()),
    )?;
    let mut layers = Vec::with_capacity(image.layers().len());
    for descriptor in image.layers() {
        let layer_digest = descriptor.digest().to_string();
        layers.push(ResolvedLayer {
            member: cache::member(&layer_digest)?,
            digest: Some(layer_digest),
            size: descriptor.size(),
            size_declared: true,
            media_type: descriptor.media_type().to_string(),
        });
    }
    Ok((
        source,
        Resolved {
            manifest_digest: Some(digest),
            config,
            config_name,
            layers,
            tags: vec![name.to_string()],
        },
    ))
}

fn invalid(shown: &str, digest: &str, reason: String) -> ImageError {
    ImageError::InvalidDocument {
        path: PathBuf::from(shown),
        document: format!("manifest {digest}"),
        reason,
    }
}

/// The manifest's media type: the `Content-Type` the registry sent, else the document's
/// `mediaType` field.
fn media_type_of(manifest: &Manifest) -> String {
    let declared = serde_json::from_slice::<serde_json::Value>(&manifest.bytes)
        .ok()
        .and_then(|v| v.get("mediaType")?.as_str().map(str::to_owned));
    match (manifest.content_type.as_str(), declared) {
        ("" | "application/json" | "application/octet-stream", Some(declared)) => declared,
        ("", None) => {
            // An OCI manifest may omit `mediaType`: tell by its fields.
            let value = serde_json::from_slice::<serde_json::Value>(&manifest.bytes).ok();
            match value {
                Some(v) if v.get("manifests").is_some() => {
                    "application/vnd.oci.image.index.v1+json".to_owned()
                }
                Some(v) if v.get("config").is_some() => {
                    "application/vnd.oci.image.manifest.v1+json".to_owned()
                }
                _ => String::new(),
            }
        }
        (content_type, _) => content_type.to_owned(),
    }
}

fn schema_version(manifest: &Manifest) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(&manifest.bytes)
        .ok()?
        .get("schemaVersion")?
        .as_u64()
}

/// Downloads the blobs missing from the cache, at most `PARALLEL_DOWNLOADS` at a time. The first
/// error stops further downloads and is returned.
fn download_all(
    client: &Client,
    root: &Path,
    blobs: &[(String, u64)],
    reporter: &Reporter,
) -> Result<(), ImageError> {
    let mut missing = Vec::new();
    for (digest, size) in blobs {
        cache::member(digest)?;
        if cache::has(root, digest, *size) {
            reporter.emit(Progress::Cached {
                id: digest.clone(),
                total: *size,
            });
        } else {
            missing.push((digest.as_str(), *size));
        }
    }
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<ImageError>> = Mutex::new(None);
    let failed = || failure.lock().map(|f| f.is_some()).unwrap_or(true);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_DOWNLOADS.min(missing.len()) {
            scope.spawn(|| loop {
                if failed() {
                    return;
                }
                let Some((digest, size)) = missing.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return;
                };
                if let Err(error) = client.download_blob(root, digest, *size, reporter) {
                    if let Ok(mut slot) = failure.lock() {
                        slot.get_or_insert(error);
                    }
                    return;
                }
            });
        }
    });
    match failure.into_inner() {
        Ok(Some(error)) => Err(error),
        Ok(None) => Ok(()),
        Err(_) => Err(ImageError::Registry {
            url: client.name.to_string(),
            reason: "a download thread panicked".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(content_type: &str, json: serde_json::Value) -> Manifest {
        Manifest {
            bytes: serde_json::to_vec(&json).unwrap(),
            content_type: content_type.to_owned(),
            digest_header: None,
        }
    }

    #[test]
    fn media_type_from_header_field_or_shape() {
        let oci = "application/vnd.oci.image.manifest.v1+json";
        assert_eq!(media_type_of(&manifest(oci, serde_json::json!({}))), oci);
        assert_eq!(
            media_type_of(&manifest(
                "application/json",
                serde_json::json!({"mediaType": oci})
            )),
            oci
        );
        assert_eq!(
            media_type_of(&manifest("", serde_json::json!({"manifests": []}))),
            "application/vnd.oci.image.index.v1+json"
        );
        let v1 = manifest("", serde_json::json!({"schemaVersion": 1, "fsLayers": []}));
        assert_eq!(schema_version(&v1), Some(1));
    }
}
