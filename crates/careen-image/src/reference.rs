//! Image references in the transport syntax of skopeo, podman and syft:
//! `docker-archive:PATH[:REF]`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`,
//! `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a bare path whose format is detected.

use std::path::{Path, PathBuf};

use crate::error::ImageError;
use crate::source::Source;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageReference {
    /// A `docker save` tarball (legacy or Docker 25+). `tag` picks one of several images by
    /// `RepoTags` entry, or by position with `@N`.
    DockerArchive { path: PathBuf, tag: Option<String> },
    /// An OCI image layout directory. `tag` matches `org.opencontainers.image.ref.name`.
    OciLayout { path: PathBuf, tag: Option<String> },
    /// A tar archive of an OCI image layout.
    OciArchive { path: PathBuf, tag: Option<String> },
    /// A registry reference (`docker://…`); parsed, not yet opened.
    Registry { reference: String },
    /// An image in a local Docker engine (`docker-daemon:…`); parsed, not yet opened.
    DockerDaemon { name: String },
}

impl ImageReference {
    /// Parses a reference. A bare path is inspected on disk to detect its format.
    pub fn parse(reference: &str) -> Result<Self, ImageError> {
        let invalid = |reason: &str| ImageError::InvalidReference {
            reference: reference.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(rest) = reference.strip_prefix("docker://") {
            if rest.is_empty() {
                return Err(invalid("the registry reference is empty"));
            }
            return Ok(Self::Registry {
                reference: rest.to_owned(),
            });
        }
        if let Some(rest) = reference.strip_prefix("docker-daemon:") {
            if rest.is_empty() {
                return Err(invalid("the image name is empty"));
            }
            return Ok(Self::DockerDaemon {
                name: rest.to_owned(),
            });
        }
        let prefixed: [(&str, MakeReference); 3] = [
            ("docker-archive:", |path, tag| Self::DockerArchive {
                path,
                tag,
            }),
            ("oci-archive:", |path, tag| Self::OciArchive { path, tag }),
            ("oci:", |path, tag| Self::OciLayout { path, tag }),
        ];
        for (prefix, make) in prefixed {
            if let Some(rest) = reference.strip_prefix(prefix) {
                if rest.is_empty() {
                    return Err(invalid("the path is empty"));
                }
                let (path, tag) = split_path_and_tag(rest);
                return Ok(make(path, tag));
            }
        }
        if reference.is_empty() {
            return Err(invalid("the reference is empty"));
        }
        detect(Path::new(reference))
    }

    /// The transport name as written in a reference.
    pub fn transport(&self) -> &'static str {
        match self {
            Self::DockerArchive { .. } => "docker-archive",
            Self::OciLayout { .. } => "oci",
            Self::OciArchive { .. } => "oci-archive",
            Self::Registry { .. } => "docker",
            Self::DockerDaemon { .. } => "docker-daemon",
        }
    }
}

/// Builds a reference from a path and an optional tag.
type MakeReference = fn(PathBuf, Option<String>) -> ImageReference;

/// Splits `PATH[:TAG]`: the tag starts after the first `:` whose prefix exists on disk, so paths
/// containing `:` and tags containing `:` (`repo:tag` in docker-archive) both work.
fn split_path_and_tag(text: &str) -> (PathBuf, Option<String>) {
    if Path::new(text).exists() {
        return (PathBuf::from(text), None);
    }
    for (position, _) in text.match_indices(':') {
        let (path, tag) = (&text[..position], &text[position + 1..]);
        if !path.is_empty() && Path::new(path).exists() {
            let tag = (!tag.is_empty()).then(|| tag.to_owned());
            return (PathBuf::from(path), tag);
        }
    }
    (PathBuf::from(text), None)
}

/// Detects the format of a bare path: a directory with `oci-layout` is an OCI layout; a tar
/// with `manifest.json` is a docker-archive (also Docker 25+, which holds an OCI layout too);
/// a tar with `oci-layout` is an OCI archive.
fn detect(path: &Path) -> Result<ImageReference, ImageError> {
    let metadata = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
    if metadata.is_dir() {
        if path.join("oci-layout").is_file() {
            return Ok(ImageReference::OciLayout {
                path: path.to_owned(),
                tag: None,
            });
        }
        return Err(ImageError::not_an_image(
            path,
            "a directory without an `oci-layout` file",
        ));
    }
    let source = Source::index_tar(path)?;
    if source.contains("manifest.json") {
        Ok(ImageReference::DockerArchive {
            path: path.to_owned(),
            tag: None,
        })
    } else if source.contains("oci-layout") {
        Ok(ImageReference::OciArchive {
            path: path.to_owned(),
            tag: None,
        })
    } else {
        Err(not_an_image_reason(&source))
    }
}

/// The error for a tar that holds neither `manifest.json` nor `oci-layout`.
pub(crate) fn not_an_image_reason(source: &Source) -> ImageError {
    let reason = if source.contains("repositories") {
        "it has only a legacy `repositories` file and no `manifest.json` (images saved by Docker before 1.10 are not supported)".to_owned()
    } else {
        let files = source.top_level_files();
        let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
        format!(
            "a tar archive without `manifest.json` or `oci-layout` (top-level files: {})",
            if shown.is_empty() {
                "none".to_owned()
            } else {
                shown.join(", ")
            }
        )
    };
    ImageError::not_an_image(source.path(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_parse() {
        assert_eq!(
            ImageReference::parse("docker://alpine:3.20").ok(),
            Some(ImageReference::Registry {
                reference: "alpine:3.20".to_owned()
            })
        );
        assert_eq!(
            ImageReference::parse("docker-daemon:app:latest").ok(),
            Some(ImageReference::DockerDaemon {
                name: "app:latest".to_owned()
            })
        );
        assert_eq!(
            ImageReference::parse("oci:/nonexistent/dir").ok(),
            Some(ImageReference::OciLayout {
                path: PathBuf::from("/nonexistent/dir"),
                tag: None
            })
        );
        assert!(ImageReference::parse("oci:").is_err());
        assert!(ImageReference::parse("").is_err());
    }

    #[test]
    fn tag_splits_after_existing_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("img.tar");
        std::fs::write(&path, b"").unwrap();
        let text = format!("docker-archive:{}:repo:tag", path.display());
        assert_eq!(
            ImageReference::parse(&text).ok(),
            Some(ImageReference::DockerArchive {
                path,
                tag: Some("repo:tag".to_owned())
            })
        );
    }

    #[test]
    fn bare_missing_path_is_an_io_error() {
        assert!(matches!(
            ImageReference::parse("/nonexistent/image.tar"),
            Err(ImageError::Io { .. })
        ));
    }
}
