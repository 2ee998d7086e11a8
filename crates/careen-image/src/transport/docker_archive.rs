//! `docker save` tarballs: `manifest.json` lists, per image, the config file and the layer files.
//! Covers the legacy layout (`<id>/layer.tar`, repeated layers as symlinks) and Docker 25+,
//! whose files are OCI blobs (`blobs/sha256/<hex>`) with `LayerSources` descriptors.

use std::collections::HashMap;

use serde::Deserialize;

use super::{check_digest, Resolved, ResolvedLayer};
use crate::error::ImageError;
use crate::source::Source;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
    #[serde(default)]
    layer_sources: Option<HashMap<String, LayerSource>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LayerSource {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    digest: Option<String>,
}

/// Resolves the image picked by `tag` (a `RepoTags` entry, or `@N` for the N-th image; the first
/// image when `None`). The config's diff IDs are matched to layers by the caller.
pub(crate) fn resolve(source: &Source, tag: Option<&str>) -> Result<Resolved, ImageError> {
    let bytes = source.read_document("manifest.json")?;
    let invalid = |reason: String| ImageError::InvalidDocument {
        path: source.path().to_owned(),
        document: "manifest.json".to_owned(),
        reason,
    };
    let entries: Option<Vec<ManifestEntry>> =
        serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    let entries = match entries {
        Some(entries) if !entries.is_empty() => entries,
        Some(_) => {
            return Err(ImageError::not_an_image(
                source.path(),
                "`manifest.json` lists no images",
            ))
        }
        None => {
            return Err(ImageError::not_an_image(
                source.path(),
                "`manifest.json` is `null`",
            ))
        }
    };
    let entry = select(source, entries, tag)?;
    let config_name = entry.config.clone();
    let config = source.read_document(&config_name)?;
    if let Some(digest) = digest_from_name(&config_name) {
        check_digest(&config_name, &digest, &config)?;
    }
    let sources = entry.layer_sources.unwrap_or_default();
    let by_digest: HashMap<&str, &LayerSource> = sources
        .values()
        .filter_map(|s| s.digest.as_deref().map(|d| (d, s)))
        .collect();
    let mut layers = Vec::new();
    for member in &entry.layers {
        let Some(file_size) = source.size(member) else {
            return Err(ImageError::MissingBlob {
                path: source.path().to_owned(),
                blob: member.clone(),
            });
        };
        let digest = digest_from_name(member);
        let described = digest.as_deref().and_then(|d| by_digest.get(d));
        let declared_size = described.and_then(|s| s.size);
        let media_type = described
            .and_then(|s| s.media_type.clone())
            .unwrap_or_else(|| {
                if member.ends_with(".gz") {
                    "application/vnd.docker.image.rootfs.diff.tar.gzip"
                } else {
                    "application/vnd.docker.image.rootfs.diff.tar"
                }
                .to_owned()
            });
        layers.push(ResolvedLayer {
            member: member.clone(),
            digest,
            size: declared_size.unwrap_or(file_size),
            size_declared: declared_size.is_some(),
            media_type,
        });
    }
    Ok(Resolved {
        manifest_digest: None,
        config,
        config_name,
        layers,
        tags: entry.repo_tags.unwrap_or_default(),
    })
}

fn select(
    source: &Source,
    entries: Vec<ManifestEntry>,
    tag: Option<&str>,
) -> Result<ManifestEntry, ImageError> {
    let Some(tag) = tag else {
        return entries
            .into_iter()
            .next()
            .ok_or_else(|| ImageError::not_an_image(source.path(), "no images"));
    };
    let available: Vec<String> = entries
        .iter()
        .flat_map(|e| e.repo_tags.iter().flatten().cloned())
        .collect();
    let not_found = || ImageError::TagNotFound {
        path: source.path().to_owned(),
        tag: tag.to_owned(),
        available: available.clone(),
    };
    if let Some(position) = tag.strip_prefix('@') {
        let position: usize = position.parse().map_err(|_| not_found())?;
        return entries.into_iter().nth(position).ok_or_else(not_found);
    }
    let wanted = normalize_tag(tag);
    entries
        .into_iter()
        .find(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|t| normalize_tag(t) == wanted)
        })
        .ok_or_else(not_found)
}

/// `alpine` → `alpine:latest`, `docker.io/library/alpine:3` → `alpine:3`.
fn normalize_tag(tag: &str) -> String {
    let short = tag
        .strip_prefix("docker.io/library/")
        .or_else(|| tag.strip_prefix("docker.io/"))
        .unwrap_or(tag);
    let last = short.rsplit('/').next().unwrap_or(short);
    if last.contains(':') || last.contains('@') {
        short.to_owned()
    } else {
        format!("{short}:latest")
    }
}

/// The digest a file name states: `blobs/sha256/<hex>`, `sha256:<hex>`, `<hex>.json`,
/// `<hex>.tar.gz` (legacy `<id>/layer.tar` names state none).
pub(crate) fn digest_from_name(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base.strip_prefix("sha256:").unwrap_or(base);
    let hex = [".tar.gz", ".tgz", ".tar", ".json"]
        .iter()
        .find_map(|suffix| base.strip_suffix(suffix))
        .unwrap_or(base);
    let is_hex = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    is_hex.then(|| format!("sha256:{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "5a99c1aa63bbf4de393361eb196b89853c13bb61dc276cc103587107f338b8a0";

    #[test]
    fn digests_come_from_names() {
        let expected = Some(format!("sha256:{HEX}"));
        assert_eq!(digest_from_name(&format!("blobs/sha256/{HEX}")), expected);
        assert_eq!(digest_from_name(&format!("{HEX}.tar.gz")), expected);
        assert_eq!(digest_from_name(&format!("sha256:{HEX}")), expected);
        assert_eq!(digest_from_name(&format!("{HEX}.json")), expected);
        assert_eq!(digest_from_name(&format!("{HEX}/layer.tar")), None);
    }

    #[test]
    fn tags_normalize() {
        assert_eq!(normalize_tag("alpine"), "alpine:latest");
        assert_eq!(normalize_tag("docker.io/library/alpine:3"), "alpine:3");
        assert_eq!(
            normalize_tag("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
    }
}
