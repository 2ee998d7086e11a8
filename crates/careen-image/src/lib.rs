//! Container images for careen: references, transports (docker-archive, OCI layout, OCI
//! archive, registries over the OCI distribution API, the Docker engine), and digest-verified
//! streaming reads of layers.
//!
//! Remote images (`docker://…`) are downloaded into a blob cache first (see [`OpenOptions`]);
//! environment variables read: `CAREEN_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME` (cache root),
//! `CAREEN_INSECURE_REGISTRIES` (plain-HTTP registries besides loopback and `localhost`),
//! `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`, `DOCKER_CONFIG` (credentials), `DOCKER_HOST`
//! (engine socket for `docker-daemon:`).
//!
//! ```no_run
//! let image = careen_image::open("oci-archive:app.tar", &careen_image::OpenOptions::default())?;
//! for layer in &image.layers {
//!     let summary = image.for_each_entry(layer.index, &mut |entry, _data| {
//!         println!("{} {}", layer.index, entry.path);
//!         Ok(())
//!     })?;
//!     println!("{} bytes, {}", summary.uncompressed_size, summary.diff_id);
//! }
//! # Ok::<(), careen_image::ImageError>(())
//! ```

mod cache;
mod distribution;
mod error;
mod layer;
mod platform;
pub mod reference;
mod source;
mod transport;

use std::io::Read;
use std::path::PathBuf;

pub use cache::{Progress, ProgressFn};

/// careen's cache directory: `$CAREEN_CACHE_DIR`, else `$XDG_CACHE_HOME/careen`, else
/// `~/.cache/careen`. Registry blobs live below it; other commands keep their caches there too.
pub fn cache_root() -> Result<std::path::PathBuf, ImageError> {
    cache::root(None)
}
pub use distribution::push::{push, PushBlob, PushSummary};
pub use error::ImageError;
pub use layer::{EntryKind, LayerEntry, LayerLimits, LayerSummary, RawHeader, Whiteout};
pub use platform::Platform;
pub use reference::ImageReference;

use layer::BlobCheck;
use source::Source;

/// How to open an image. Build it with `..Default::default()` so new fields do not break callers.
#[derive(Clone, Default)]
pub struct OpenOptions {
    /// `os/arch[/variant]` to pick from a multi-platform index; `None` means the host's.
    pub platform: Option<String>,
    /// Called with download events (`docker://` blobs, `docker-daemon:` exports), from the
    /// download threads. The library itself never prints.
    pub progress: Option<ProgressFn>,
    /// Root of the blob cache for remote images; `None`: `$CAREEN_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/careen`, else `~/.cache/careen`. Blobs live in `blobs/sha256/<hex>`.
    pub cache_dir: Option<PathBuf>,
    /// A docker `config.json` / containers `auth.json` to take registry credentials from,
    /// instead of the default locations (`$REGISTRY_AUTH_FILE`,
    /// `$XDG_RUNTIME_DIR/containers/auth.json`, `$DOCKER_CONFIG/config.json`,
    /// `~/.docker/config.json`).
    pub auth_file: Option<PathBuf>,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("platform", &self.platform)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(Progress)"))
            .field("cache_dir", &self.cache_dir)
            .field("auth_file", &self.auth_file)
            .finish()
    }
}

/// An opened image: its config and layer list. Layer contents are read on demand with
/// [`Image::for_each_entry`]; `Image` is `Sync`, so layers can be streamed in parallel.
#[derive(Debug)]
pub struct Image {
    /// The reference as given.
    pub reference: String,
    /// Digest of the image manifest, for OCI layouts.
    pub manifest_digest: Option<String>,
    pub config: oci_spec::image::ImageConfiguration,
    /// `sha256:` digest of the config blob (the image ID).
    pub config_digest: String,
    /// The config blob as stored: fields oci-spec does not model (Docker's `Healthcheck`,
    /// `OnBuild`, `Shell`) are read from here.
    pub raw_config: Vec<u8>,
    pub layers: Vec<Layer>,
    /// Tags the image carries in the archive (`RepoTags`, or the OCI ref name).
    pub tags: Vec<String>,
    /// Caps applied while streaming layers (decompression bombs).
    pub limits: LayerLimits,
    source: Source,
    checks: Vec<BlobCheck>,
    /// A `docker-daemon:` export, deleted when the image is dropped.
    _export: Option<tempfile::TempPath>,
}

/// One layer of an image, in order from the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub index: usize,
    /// Digest of the blob as stored (compressed), as the manifest names it. For legacy
    /// `docker save` layers, whose file names state no digest, this is the diff ID (such
    /// layers are stored uncompressed).
    pub digest: String,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids`.
    pub diff_id: Option<String>,
    pub media_type: String,
    /// Size of the blob as stored.
    pub compressed_size: u64,
    /// The history `created_by` of the instruction that made this layer.
    pub created_by: Option<String>,
}

/// Opens the image `reference` (see [`ImageReference::parse`]).
pub fn open(reference: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let parsed = ImageReference::parse(reference)?;
    open_reference(reference, &parsed, options)
}

/// Opens an already parsed reference; `reference` is kept as the image's name.
pub fn open_reference(
    reference: &str,
    parsed: &ImageReference,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    let platform = options
        .platform
        .as_deref()
        .map(Platform::parse)
        .transpose()?;
    let (source, resolved) = match parsed {
        ImageReference::DockerArchive { path, tag } => {
            let source = Source::index_tar(path)?;
            if !source.contains("manifest.json") {
                return Err(reference::not_an_image_reason(&source));
            }
            let resolved = transport::docker_archive::resolve(&source, tag.as_deref())?;
            (source, resolved)
        }
        ImageReference::OciArchive { path, tag } => {
            let source = Source::index_tar(path)?;
            if !source.contains("oci-layout") && !source.contains("index.json") {
                return Err(reference::not_an_image_reason(&source));
            }
            let resolved =
                transport::oci_layout::resolve(&source, tag.as_deref(), platform.as_ref())?;
            (source, resolved)
        }
        ImageReference::OciLayout { path, tag } => {
            let metadata = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
            if !metadata.is_dir() {
                return Err(ImageError::not_an_image(
                    path,
                    "`oci:` needs a directory; use `oci-archive:` for a tar",
                ));
            }
            let source = Source::Dir(path.clone());
            let resolved =
                transport::oci_layout::resolve(&source, tag.as_deref(), platform.as_ref())?;
            (source, resolved)
        }
        ImageReference::Registry { reference: text } => {
            let fetch = transport::registry::Fetch {
                platform: platform.as_ref(),
                cache_dir: options.cache_dir.as_deref(),
                auth_file: options.auth_file.as_deref(),
                reporter: cache::Reporter(options.progress.clone()),
            };
            let (source, resolved) = transport::registry::resolve(text, &fetch)?;
            (source, resolved)
        }
        ImageReference::DockerDaemon { name } => {
            let reporter = cache::Reporter(options.progress.clone());
            let export = transport::daemon::export(name, options.cache_dir.as_deref(), &reporter)?;
            let source = Source::index_tar(&export)?;
            if !source.contains("manifest.json") {
                return Err(reference::not_an_image_reason(&source));
            }
            let resolved = transport::docker_archive::resolve(&source, None)?;
            return build(reference, source, resolved, Some(export));
        }
    };
    build(reference, source, resolved, None)
}

fn build(
    reference: &str,
    source: Source,
    resolved: transport::Resolved,
    export: Option<tempfile::TempPath>,
) -> Result<Image, ImageError> {
    let config: oci_spec::image::ImageConfiguration = serde_json::from_slice(&resolved.config)
        .map_err(|e| ImageError::InvalidDocument {
            path: source.path().to_owned(),
            document: resolved.config_name.clone(),
            reason: e.to_string(),
        })?;
    let config_digest = transport::sha256_digest(&resolved.config);
    let diff_ids = config.rootfs().diff_ids();
    if diff_ids.len() != resolved.layers.len() {
        return Err(ImageError::InvalidDocument {
            path: source.path().to_owned(),
            document: resolved.config_name.clone(),
            reason: format!(
                "the config lists {} diff IDs but the manifest {} layers",
                diff_ids.len(),
                resolved.layers.len()
            ),
        });
    }
    let commands: Vec<Option<String>> = config
        .history()
        .iter()
        .flatten()
        .filter(|h| h.empty_layer() != Some(true))
        .map(|h| h.created_by().clone())
        .collect();
    let mut layers = Vec::with_capacity(resolved.layers.len());
    let mut checks = Vec::with_capacity(resolved.layers.len());
    for (index, (blob, diff_id)) in resolved.layers.into_iter().zip(diff_ids).enumerate() {
        layers.push(Layer {
            index,
            digest: blob.digest.clone().unwrap_or_else(|| diff_id.clone()),
            diff_id: Some(diff_id.clone()),
            media_type: blob.media_type,
            compressed_size: blob.size,
            created_by: commands.get(index).cloned().flatten(),
        });
        checks.push(BlobCheck {
            name: blob.member,
            digest: blob.digest,
            size: blob.size_declared.then_some(blob.size),
            diff_id: Some(diff_id.clone()),
        });
    }
    Ok(Image {
        reference: reference.to_owned(),
        manifest_digest: resolved.manifest_digest,
        config,
        config_digest,
        raw_config: resolved.config,
        layers,
        tags: resolved.tags,
        limits: LayerLimits::default(),
        source,
        checks,
        _export: export,
    })
}

impl Image {
    /// Streams layer `index`: decompressed (gzip incl. estargz, zstd, or plain, told by magic
    /// bytes) and digest-verified — the stored bytes are hashed as they are read and a digest or
    /// size mismatch is an error at the end of the stream naming the blob, expected and found
    /// values. Calls `visit` for every tar entry in order (the root `./` entry excepted); the
    /// visitor may read as much of the entry's data as it wants, the rest is skipped.
    ///
    /// An error returned by `visit` stops the stream and is returned as is.
    pub fn for_each_entry(
        &self,
        index: usize,
        visit: &mut dyn FnMut(&LayerEntry, &mut dyn Read) -> Result<(), ImageError>,
    ) -> Result<LayerSummary, ImageError> {
        let check = self.checks.get(index).ok_or(ImageError::NoSuchLayer {
            index,
            count: self.checks.len(),
        })?;
        let reader = self.source.open(&check.name)?;
        layer::stream(reader, check, self.limits, visit)
    }

    /// [`Image::for_each_entry`], handing the visitor each entry's tar header and PAX records
    /// as stored too (for rewriting layers without losing mtimes, names or xattrs).
    pub fn for_each_raw_entry(
        &self,
        index: usize,
        visit: &mut layer::RawVisitor<'_>,
    ) -> Result<LayerSummary, ImageError> {
        let check = self.checks.get(index).ok_or(ImageError::NoSuchLayer {
            index,
            count: self.checks.len(),
        })?;
        let reader = self.source.open(&check.name)?;
        layer::stream_raw(reader, check, self.limits, visit)
    }

    /// The stored (compressed) bytes of layer `index`, unverified: for copying a layer as is.
    /// The caller hashes what it reads and compares with [`Layer::digest`].
    pub fn open_layer_blob(&self, index: usize) -> Result<Box<dyn Read + Send>, ImageError> {
        let check = self.checks.get(index).ok_or(ImageError::NoSuchLayer {
            index,
            count: self.checks.len(),
        })?;
        self.source.open(&check.name)
    }

    /// Streams every layer in order without visiting entries, verifying all digests.
    pub fn verify(&self) -> Result<Vec<LayerSummary>, ImageError> {
        (0..self.layers.len())
            .map(|index| self.for_each_entry(index, &mut |_, _| Ok(())))
            .collect()
    }

    /// Where the image lives on disk.
    pub fn path(&self) -> &std::path::Path {
        self.source.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_is_shareable_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Image>();
    }

    #[test]
    fn options_stay_debug_and_clone() {
        let options = OpenOptions {
            progress: Some(std::sync::Arc::new(|_| {})),
            ..Default::default()
        };
        let text = format!("{:?}", options.clone());
        assert!(text.contains("Fn(Progress)"), "{text}");
    }

    #[test]
    fn bad_platform_is_reported() {
        let options = OpenOptions {
            platform: Some("linux".to_owned()),
            ..Default::default()
        };
        assert!(matches!(
            open("oci:/nonexistent", &options),
            Err(ImageError::InvalidPlatform { .. })
        ));
    }
}
