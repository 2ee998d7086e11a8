//! OCI image layouts, as a directory (`oci:`) or a tar archive (`oci-archive:`): `index.json`,
//! possibly nested indexes, then one image manifest chosen by tag and platform.

use std::path::Path;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use super::{blob_path, read_verified, Resolved, ResolvedLayer};
use crate::error::ImageError;
use crate::platform::Platform;
use crate::source::Source;

/// Nested indexes deeper than this are refused (no unbounded recursion on hostile input).
const MAX_INDEX_DEPTH: usize = 4;
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A manifest descriptor reachable from `index.json`.
pub(crate) struct Candidate {
    pub(crate) descriptor: Descriptor,
    /// `os/arch[/variant]`, if the index says.
    pub(crate) platform: Option<(String, String, Option<String>)>,
}

impl Candidate {
    fn platform_text(&self) -> String {
        match &self.platform {
            Some((os, architecture, Some(variant))) => format!("{os}/{architecture}/{variant}"),
            Some((os, architecture, None)) => format!("{os}/{architecture}"),
            None => "unknown".to_owned(),
        }
    }
}

pub(crate) fn resolve(
    source: &Source,
    tag: Option<&str>,
    platform: Option<&Platform>,
) -> Result<Resolved, ImageError> {
    if !source.contains("index.json") {
        return Err(ImageError::not_an_image(
            source.path(),
            "an OCI layout without `index.json`",
        ));
    }
    let bytes = source.read_document("index.json")?;
    let index = parse_index(source, "index.json", &bytes)?;
    let mut top: Vec<&Descriptor> = index.manifests().iter().collect();
    if let Some(tag) = tag {
        let names = |d: &&Descriptor| -> Option<String> {
            d.annotations()
                .as_ref()
                .and_then(|a| a.get(REF_NAME))
                .cloned()
        };
        let available: Vec<String> = top.iter().filter_map(names).collect();
        top.retain(|d| names(d).as_deref() == Some(tag));
        if top.is_empty() {
            return Err(ImageError::TagNotFound {
                path: source.path().to_owned(),
                tag: tag.to_owned(),
                available,
            });
        }
    }
    let mut candidates = Vec::new();
    for descriptor in top {
        collect(source, descriptor, 0, &mut candidates)?;
    }
    let chosen = choose(source.path(), candidates, platform)?;
    let manifest_digest = chosen.descriptor.digest().to_string();
    let member = member_for(source, &manifest_digest)?;
    let bytes = read_verified(
        source,
        &member,
        &manifest_digest,
        Some(chosen.descriptor.size()),
    )?;
    let manifest: ImageManifest =
        serde_json::from_slice(&bytes).map_err(|e| ImageError::InvalidDocument {
            path: source.path().to_owned(),
            document: member.clone(),
            reason: e.to_string(),
        })?;
    let config_digest = manifest.config().digest().to_string();
    let config_name = member_for(source, &config_digest)?;
    let config = read_verified(
        source,
        &config_name,
        &config_digest,
        Some(manifest.config().size()),
    )?;
    let mut layers = Vec::new();
    for descriptor in manifest.layers() {
        let digest = descriptor.digest().to_string();
        let member = member_for(source, &digest)?;
        if !source.contains(&member) {
            return Err(ImageError::MissingBlob {
                path: source.path().to_owned(),
                blob: digest,
            });
        }
        layers.push(ResolvedLayer {
            member,
            digest: Some(digest),
            size: descriptor.size(),
            size_declared: true,
            media_type: descriptor.media_type().to_string(),
        });
    }
    let tags = chosen
        .descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get(REF_NAME))
        .cloned()
        .into_iter()
        .collect();
    Ok(Resolved {
        manifest_digest: Some(manifest_digest),
        config,
        config_name,
        layers,
        tags,
    })
}

fn parse_index(source: &Source, name: &str, bytes: &[u8]) -> Result<ImageIndex, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::InvalidDocument {
        path: source.path().to_owned(),
        document: name.to_owned(),
        reason: e.to_string(),
    })
}

fn member_for(source: &Source, digest: &str) -> Result<String, ImageError> {
    blob_path(digest).ok_or_else(|| ImageError::InvalidDocument {
        path: source.path().to_owned(),
        document: "index.json".to_owned(),
        reason: format!("malformed digest `{digest}`"),
    })
}

pub(crate) fn is_index(media_type: &str) -> bool {
    media_type == "application/vnd.oci.image.index.v1+json"
        || media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
}

pub(crate) fn is_attestation(descriptor: &Descriptor) -> bool {
    let annotated = descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|value| value == "attestation-manifest");
    let unknown_platform = descriptor
        .platform()
        .as_ref()
        .is_some_and(|p| p.os().to_string() == "unknown");
    annotated || unknown_platform
}

fn collect(
    source: &Source,
    descriptor: &Descriptor,
    depth: usize,
    candidates: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    let media_type = descriptor.media_type().to_string();
    if is_index(&media_type) {
        if depth >= MAX_INDEX_DEPTH {
            return Err(ImageError::not_an_image(
                source.path(),
                format!("image indexes nested deeper than {MAX_INDEX_DEPTH}"),
            ));
        }
        let digest = descriptor.digest().to_string();
        let member = member_for(source, &digest)?;
        let bytes = read_verified(source, &member, &digest, Some(descriptor.size()))?;
        let index = parse_index(source, &member, &bytes)?;
        for nested in index.manifests() {
            collect(source, nested, depth + 1, candidates)?;
        }
        return Ok(());
    }
    candidates.extend(Candidate::of_manifest(descriptor));
    Ok(())
}

pub(crate) fn is_manifest(media_type: &str) -> bool {
    media_type == "application/vnd.oci.image.manifest.v1+json"
        || media_type == "application/vnd.docker.distribution.manifest.v2+json"
}

impl Candidate {
    /// The candidate for an image manifest descriptor; `None` for anything else (attestations,
    /// unknown media types).
    pub(crate) fn of_manifest(descriptor: &Descriptor) -> Option<Self> {
        if !is_manifest(descriptor.media_type().as_ref()) || is_attestation(descriptor) {
            return None;
        }
        let platform = descriptor.platform().as_ref().map(|p| {
            (
                p.os().to_string(),
                p.architecture().to_string(),
                p.variant().clone(),
            )
        });
        Some(Self {
            descriptor: descriptor.clone(),
            platform,
        })
    }
}

/// Picks the manifest for `platform`. Without an explicit platform the host's is preferred,
/// and an index with a single image yields that image whatever its platform.
pub(crate) fn choose(
    path: &Path,
    candidates: Vec<Candidate>,
    platform: Option<&Platform>,
) -> Result<Candidate, ImageError> {
    if candidates.is_empty() {
        return Err(ImageError::not_an_image(
            path,
            "the index lists no image manifest",
        ));
    }
    let wanted = platform.cloned().unwrap_or_else(Platform::host);
    let available: Vec<String> = candidates.iter().map(Candidate::platform_text).collect();
    let position = candidates.iter().position(|c| match &c.platform {
        Some((os, architecture, variant)) => wanted.matches(os, architecture, variant.as_deref()),
        None => platform.is_none(),
    });
    match position {
        Some(position) => Ok(candidates.into_iter().nth(position).ok_or_else(|| {
            ImageError::NoMatchingPlatform {
                requested: wanted.to_string(),
                available: available.clone(),
            }
        })?),
        None if platform.is_none() && candidates.len() == 1 => candidates
            .into_iter()
            .next()
            .ok_or_else(|| ImageError::not_an_image(path, "no image manifest")),
        None => Err(ImageError::NoMatchingPlatform {
            requested: wanted.to_string(),
            available,
        }),
    }
}
