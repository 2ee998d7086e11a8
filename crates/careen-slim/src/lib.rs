//! `careen slim`: rewrite a container image without rebuilding it.
//!
//! The layers of a chosen range (default: everything above the base image) are merged into one
//! layer holding only what survives: files a later layer deletes or overwrites are dropped,
//! whiteouts are kept only where a kept lower layer still has the path, opaque directories only
//! where a kept lower layer has something under them. Profiles (`caches`, `docs`) and globs
//! remove more from that layer. Kept layers are copied byte for byte. The config gets new
//! `diff_ids` and history, and optional `User`, `Healthcheck` and labels.
//!
//! Four streaming passes, bounded memory (paths and directory headers, never file data): the
//! kept lower layers (paths only), the squashed range (paths), the kept upper layers (paths),
//! then the squashed range again, writing the new layer into a temp file in the output's
//! directory while its two digests are computed.
//!
//! With `SOURCE_DATE_EPOCH` ([`SlimOptions::epoch`]) the output is byte-identical for the same
//! input: mtimes are clamped to it, `created` and history dates are it, gzip headers carry no
//! time or name, archive members are written in a fixed order with fixed headers.
//!
//! **Base rule** ([`Squash::Auto`]): the base image ends at the last `CMD` or `ENTRYPOINT`
//! history entry that has layer-making entries after it (a base image's history ends with its
//! `CMD`; the derived build adds layers after it). Without such an entry the whole image is
//! squashed.

mod check;
mod config;
mod tree;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use careen_image::{EntryKind, Image, ImageError};
use serde::Serialize;
use serde_json::json;

pub use config::{parse_healthcheck, ConfigEdits};
pub use tree::Cause;
pub use write::Compression;

use tree::{EntryId, Merged, Squash as SquashTree, Upper};
use write::{Blob, BlobDir, EntrySpec};

/// Everything that can stop a slim.
#[derive(Debug, thiserror::Error)]
pub enum SlimError {
    /// The image could not be read (corrupt layer, digest mismatch, missing blob…).
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Slim would break the image, or the request does not fit it.
    #[error("refusing to slim: {0}")]
    Refused(String),
    /// A malformed option.
    #[error("{0}")]
    Usage(String),
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read layer {0}: {1}")]
    Read(String, std::io::Error),
}

/// Which layers to squash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Squash {
    /// Everything above the base image (see the crate docs for the rule).
    #[default]
    Auto,
    All,
    /// Layer indices (0 = bottom), inclusive; open ends mean the first or last layer.
    Range {
        from: Option<usize>,
        to: Option<usize>,
    },
}

/// Opt-in removal profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// apt lists and downloaded packages, pip/npm/yarn caches, `__pycache__`.
    Caches,
    /// man and info pages, `/usr/share/doc` (copyright files kept), locales but one.
    Docs,
}

/// Where the result goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    DockerArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    OciLayout {
        path: PathBuf,
        tag: Option<String>,
    },
    OciArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    /// `REGISTRY/REPO:TAG` (without `docker://`).
    Registry {
        reference: String,
    },
}

impl Output {
    /// Parses `docker-archive:PATH[:TAG]`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`,
    /// `docker://REGISTRY/REPO:TAG`.
    pub fn parse(text: &str) -> Result<Self, SlimError> {
        let split = |rest: &str| -> (PathBuf, Option<String>) {
            match rest.rsplit_once(':') {
                Some((path, tag)) if !tag.is_empty() && !tag.contains('/') && !path.is_empty() => {
                    (PathBuf::from(path), Some(tag.to_owned()))
                }
                _ => (PathBuf::from(rest), None),
            }
        };
        if let Some(rest) = text.strip_prefix("docker://") {
            return Ok(Self::Registry {
                reference: rest.to_owned(),
            });
        }
        if let Some(rest) = text.strip_prefix("docker-archive:") {
            // The tag is a `NAME[:TAG]` reference: split at the first `:`.
            let (path, tag) = match rest.split_once(':') {
                Some((path, tag)) if !path.is_empty() && !tag.is_empty() => {
                    (PathBuf::from(path), Some(tag.to_owned()))
                }
                _ => (PathBuf::from(rest), None),
            };
            return Ok(Self::DockerArchive { path, tag });
        }
        if let Some(rest) = text.strip_prefix("oci-archive:") {
            let (path, tag) = split(rest);
            return Ok(Self::OciArchive { path, tag });
        }
        if let Some(rest) = text.strip_prefix("oci:") {
            let (path, tag) = split(rest);
            return Ok(Self::OciLayout { path, tag });
        }
        Err(SlimError::Usage(format!(
            "output `{text}`: write `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]` or `docker://REGISTRY/REPO:TAG`"
        )))
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Self::DockerArchive { path, .. }
            | Self::OciLayout { path, .. }
            | Self::OciArchive { path, .. } => Some(path),
            Self::Registry { .. } => None,
        }
    }
}

/// A progress event: `done` of `total` steps, with what is being done.
#[derive(Debug, Clone)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub message: String,
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// What to do. Build with `..Default::default()`.
#[derive(Clone, Default)]
pub struct SlimOptions {
    pub squash: Squash,
    pub profiles: Vec<Profile>,
    /// The locale the `docs` profile keeps (`en` keeps `en`, `en_US`, `en@…`).
    pub keep_locale: Option<String>,
    /// Extra globs to remove (matched against paths without the leading `/`).
    pub remove: Vec<String>,
    /// `SOURCE_DATE_EPOCH`: clamp mtimes, date the config; `None`: now.
    pub epoch: Option<u64>,
    pub compression: Compression,
    pub edits: ConfigEdits,
    pub output: Option<Output>,
    /// Registry credentials file for `docker://` outputs.
    pub auth_file: Option<PathBuf>,
    pub progress: Option<ProgressFn>,
}

/// Sizes of an image.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Sizes {
    pub layers: usize,
    /// Sum of the layer blobs as stored.
    pub compressed_bytes: u64,
    /// Sum of the uncompressed layer tars.
    pub uncompressed_bytes: u64,
}

/// File bytes dropped from the squashed layers, per cause.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Saved {
    pub overwritten: u64,
    pub deleted: u64,
    pub caches: u64,
    pub docs: u64,
    pub removed: u64,
    pub total: u64,
}

/// What slim did.
#[derive(Debug, Clone, Serialize)]
pub struct SlimReport {
    pub schema: &'static str,
    pub input: String,
    pub output: String,
    /// Inclusive layer range squashed (`None`: nothing to squash).
    pub squashed: Option<[usize; 2]>,
    pub base_layers: usize,
    pub before: Sizes,
    pub after: Sizes,
    pub saved: Saved,
    pub whiteouts_kept: usize,
    pub manifest_digest: String,
    pub config_digest: String,
    pub layers: Vec<OutputLayer>,
    /// Blobs uploaded / already on the registry, for `docker://` outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pushed: Option<[usize; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputLayer {
    pub digest: String,
    pub diff_id: String,
    pub size: u64,
    pub media_type: String,
    /// `true` for the squashed layer; `false` for layers copied as they were.
    pub rewritten: bool,
}

/// The layers before the base boundary (see the crate docs).
pub fn base_layers(image: &Image) -> usize {
    let history = image.config.history().clone().unwrap_or_default();
    let mut layers = 0usize;
    let mut base = 0usize;
    let mut pending_boundary = false;
    for entry in &history {
        let created_by = entry.created_by().clone().unwrap_or_default();
        let text = created_by
            .trim()
            .trim_start_matches("/bin/sh -c #(nop) ")
            .trim_start();
        let word = text.split_whitespace().next().unwrap_or_default();
        if entry.empty_layer() == Some(true) {
            if word.eq_ignore_ascii_case("CMD") || word.eq_ignore_ascii_case("ENTRYPOINT") {
                pending_boundary = true;
            }
            continue;
        }
        if pending_boundary {
            base = layers;
            pending_boundary = false;
        }
        layers += 1;
    }
    if layers != image.layers.len() {
        return 0;
    }
    base
}

/// Resolves the squash range to inclusive indices; `None` when there is nothing to squash.
fn range_of(image: &Image, squash: Squash) -> Result<Option<(usize, usize)>, SlimError> {
    let count = image.layers.len();
    if count == 0 {
        return Ok(None);
    }
    let last = count - 1;
    match squash {
        Squash::All => Ok(Some((0, last))),
        Squash::Auto => {
            let base = base_layers(image);
            Ok((base <= last).then_some((base, last)))
        }
        Squash::Range { from, to } => {
            let from = from.unwrap_or(0);
            let to = to.unwrap_or(last);
            if from > last || to > last {
                return Err(SlimError::Refused(format!(
                    "squash range {from}..{to} is out of bounds: the image has {count} layers (0..{last})"
                )));
            }
            if from > to {
                return Err(SlimError::Refused(format!(
                    "squash range {from}..{to} is empty: --from must not be above --to"
                )));
            }
            Ok(Some((from, to)))
        }
    }
}

/// Builds the glob classifier of the profiles and `--remove`.
fn classifier(options: &SlimOptions) -> Result<impl Fn(&str) -> Option<Cause>, SlimError> {
    let build = |patterns: &[String]| -> Result<globset::GlobSet, SlimError> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.trim_start_matches('/');
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| SlimError::Usage(format!("--remove `{pattern}`: {e}")))?;
            builder.add(glob);
        }
        builder.build().map_err(|e| SlimError::Usage(e.to_string()))
    };
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let caches = options.profiles.contains(&Profile::Caches);
    let docs = options.profiles.contains(&Profile::Docs);
    let cache_set = build(&if caches {
        strings(&[
            "var/lib/apt/lists/**",
            "var/cache/apt/**",
            "**/.cache/pip/**",
            "**/.cache/pip",
            "**/.npm/_cacache/**",
            "**/.npm/_logs/**",
            "**/.cache/yarn/**",
            "usr/local/share/.cache/yarn/**",
            "**/__pycache__/**",
            "**/__pycache__",
        ])
    } else {
        Vec::new()
    })?;
    let keep = options
        .keep_locale
        .clone()
        .unwrap_or_else(|| "en".to_owned());
    let doc_set = build(&if docs {
        strings(&[
            "usr/share/doc/**",
            "usr/share/man/**",
            "usr/share/info/**",
            "usr/share/locale/**",
            "usr/local/share/man/**",
            "usr/local/share/doc/**",
        ])
    } else {
        Vec::new()
    })?;
    let doc_keep = build(&[
        "usr/share/doc/*/copyright".to_owned(),
        "usr/share/locale/locale.alias".to_owned(),
        format!("usr/share/locale/{keep}"),
        format!("usr/share/locale/{keep}/**"),
        format!("usr/share/locale/{keep}_*"),
        format!("usr/share/locale/{keep}_*/**"),
        format!("usr/share/locale/{keep}@*"),
        format!("usr/share/locale/{keep}@*/**"),
    ])?;
    let remove_set = build(&options.remove)?;
    Ok(move |path: &str| {
        if remove_set.is_match(path) {
            Some(Cause::Removed)
        } else if cache_set.is_match(path) {
            Some(Cause::Caches)
        } else if doc_set.is_match(path) && !doc_keep.is_match(path) {
            Some(Cause::Docs)
        } else {
            None
        }
    })
}

struct Steps {
    progress: Option<ProgressFn>,
    done: u64,
    total: u64,
}

impl Steps {
    fn step(&mut self, message: String) {
        if let Some(progress) = &self.progress {
            progress(Progress {
                done: self.done,
                total: self.total,
                message,
            });
        }
        self.done += 1;
    }
}

const PASSWD_LIMIT: u64 = 1 << 20;

fn is_passwd(path: &str) -> bool {
    path == "etc/passwd"
}

fn read_small(data: &mut dyn Read, size: u64) -> Vec<u8> {
    let mut content = Vec::new();
    if size <= PASSWD_LIMIT {
        let _ = data.take(PASSWD_LIMIT).read_to_end(&mut content);
    }
    content
}

/// Same path on disk (the output's file may not exist yet: its parent is compared).
fn same_file(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| {
        p.canonicalize().ok().or_else(|| {
            let parent = p
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Some(parent.canonicalize().ok()?.join(p.file_name()?))
        })
    };
    match (canonical(a), canonical(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Rewrites `image` as `options` says and writes it to `options.output`.
pub fn slim(image: &Image, options: &SlimOptions) -> Result<SlimReport, SlimError> {
    let output = options
        .output
        .clone()
        .ok_or_else(|| SlimError::Usage("no output given (-o)".to_owned()))?;
    if let Some(path) = output.path() {
        if same_file(path, image.path()) {
            return Err(SlimError::Refused(format!(
                "the output `{}` is the input image; write to another path",
                path.display()
            )));
        }
    }
    let range = range_of(image, options.squash)?;
    let classify = classifier(options)?;
    let count = image.layers.len();
    let (from, to) = range.unwrap_or((count, count));
    let squashed_count = range.map_or(0, |(f, t)| t - f + 1);
    let mut steps = Steps {
        progress: options.progress.clone(),
        done: 0,
        total: (count + squashed_count + 1) as u64,
    };

    // Pass 1: kept lower layers, kept upper layers (paths only) and the range (paths and
    // directory headers).
    let mut uncompressed: Vec<u64> = vec![0; count];
    let mut passwd: HashMap<EntryId, Vec<u8>> = HashMap::new();
    let mut lower = Merged::default();
    let mut upper = Upper::default();
    let mut squash = SquashTree::default();
    for index in 0..count {
        let layer_name = format!("reading layer {}/{count}", index + 1);
        steps.step(layer_name);
        let mut ordinal = 0u64;
        let summary = if (from..=to).contains(&index) && range.is_some() {
            image.for_each_raw_entry(index, &mut |entry, raw, data| {
                let id = (index, ordinal);
                ordinal += 1;
                if is_passwd(&entry.path) && entry.kind == EntryKind::File {
                    passwd.insert(id, read_small(data, entry.size));
                }
                squash.apply(entry, raw, id);
                Ok(())
            })?
        } else {
            image.for_each_entry(index, &mut |entry, data| {
                let id = (index, ordinal);
                ordinal += 1;
                if is_passwd(&entry.path) && entry.kind == EntryKind::File {
                    passwd.insert(id, read_small(data, entry.size));
                }
                if index < from {
                    lower.apply(entry, id);
                } else {
                    upper.apply(entry, id);
                }
                Ok(())
            })?
        };
        if let Some(slot) = uncompressed.get_mut(index) {
            *slot = summary.uncompressed_size;
        }
    }
    squash.apply_upper(&upper);
    squash.filter(&classify);

    // Refusals, before anything is written.
    refuse_breakage(image, options, &lower, &squash, &upper, &passwd)?;

    // Pass 2: write.
    let workspace = Workspace::new(&output)?;
    let blobs = &workspace.blobs;
    let mut layers: Vec<(Blob, String, bool)> = Vec::new();
    let mut after_uncompressed = 0u64;
    let markers = squash.markers(&lower);
    for layer in &image.layers {
        let index = layer.index;
        if range.is_some() && index == from {
            steps.step(format!("writing the squashed layer ({from}..{to})"));
            let (blob, diff_id, size) =
                write_squashed(image, &squash, &markers, (from, to), options, blobs)?;
            after_uncompressed += size;
            layers.push((blob, diff_id, true));
        }
        if range.is_some() && (from..=to).contains(&index) {
            continue;
        }
        let reader = image.open_layer_blob(index)?;
        let blob = blobs.copy(reader, &layer.digest)?;
        let diff_id = layer.diff_id.clone().unwrap_or_else(|| blob.digest.clone());
        after_uncompressed += uncompressed.get(index).copied().unwrap_or(0);
        layers.push((blob, diff_id, false));
    }
    steps.step("writing the image".to_owned());

    let created = config::rfc3339(options.epoch.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }));
    let comment = match range {
        Some((f, t)) => format!("careen slim: squashed layers {f}-{t}"),
        None => "careen slim".to_owned(),
    };
    let config_bytes = config::rewrite(
        &image.raw_config,
        &options.edits,
        &config::Rewrite {
            diff_ids: layers.iter().map(|(_, d, _)| d.clone()).collect(),
            squashed: range,
            created: &created,
            comment,
        },
    )?;
    let config_blob = blobs.bytes(&config_bytes, "application/vnd.oci.image.config.v1+json")?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": config_blob.media_type,
            "digest": config_blob.digest,
            "size": config_blob.size,
        },
        "layers": layers.iter().map(|(b, _, _)| json!({
            "mediaType": b.media_type,
            "digest": b.digest,
            "size": b.size,
        })).collect::<Vec<_>>(),
    });
    let manifest_bytes =
        serde_json::to_vec(&manifest).map_err(|e| SlimError::Usage(e.to_string()))?;
    let manifest_blob = blobs.bytes(
        &manifest_bytes,
        "application/vnd.oci.image.manifest.v1+json",
    )?;
    let layer_blobs: Vec<Blob> = layers.iter().map(|(b, _, _)| b.clone()).collect();
    let pushed = workspace.finish(
        &output,
        &layer_blobs,
        &config_blob,
        &manifest_blob,
        &manifest_bytes,
        options,
    )?;

    let saved_map = squash.saved();
    let get = |cause| saved_map.get(&cause).copied().unwrap_or(0);
    let saved = Saved {
        overwritten: get(Cause::Overwritten),
        deleted: get(Cause::Deleted),
        caches: get(Cause::Caches),
        docs: get(Cause::Docs),
        removed: get(Cause::Removed),
        total: saved_map.values().sum(),
    };
    Ok(SlimReport {
        schema: "careen.slim/v1",
        input: image.reference.clone(),
        output: describe(&output),
        squashed: range.map(|(f, t)| [f, t]),
        base_layers: base_layers(image),
        before: Sizes {
            layers: count,
            compressed_bytes: image.layers.iter().map(|l| l.compressed_size).sum(),
            uncompressed_bytes: uncompressed.iter().sum(),
        },
        after: Sizes {
            layers: layers.len(),
            compressed_bytes: layers.iter().map(|(b, _, _)| b.size).sum(),
            uncompressed_bytes: after_uncompressed,
        },
        saved,
        whiteouts_kept: markers.len(),
        manifest_digest: manifest_blob.digest.clone(),
        config_digest: config_blob.digest.clone(),
        layers: layers
            .iter()
            .map(|(b, d, rewritten)| OutputLayer {
                digest: b.digest.clone(),
                diff_id: d.clone(),
                size: b.size,
                media_type: b.media_type.clone(),
                rewritten: *rewritten,
            })
            .collect(),
        pushed,
    })
}

fn describe(output: &Output) -> String {
    let with_tag = |kind: &str, path: &Path, tag: &Option<String>| match tag {
        Some(tag) => format!("{kind}:{}:{tag}", path.display()),
        None => format!("{kind}:{}", path.display()),
    };
    match output {
        Output::DockerArchive { path, tag } => with_tag("docker-archive", path, tag),
        Output::OciLayout { path, tag } => with_tag("oci", path, tag),
        Output::OciArchive { path, tag } => with_tag("oci-archive", path, tag),
        Output::Registry { reference } => format!("docker://{reference}"),
    }
}

fn refuse_breakage(
    image: &Image,
    options: &SlimOptions,
    lower: &Merged,
    squash: &SquashTree,
    upper: &Upper,
    passwd: &HashMap<EntryId, Vec<u8>>,
) -> Result<(), SlimError> {
    let before = check::View {
        lower,
        squash,
        upper,
        before: true,
    };
    let after = check::View {
        lower,
        squash,
        upper,
        before: false,
    };
    let config = image.config.config().clone().unwrap_or_default();
    let env = config.env().clone().unwrap_or_default();
    let path_var = env
        .iter()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .to_owned();
    let workdir = config
        .working_dir()
        .clone()
        .unwrap_or_else(|| "/".to_owned());
    let entrypoint = config.entrypoint().clone().unwrap_or_default();
    let cmd = config.cmd().clone().unwrap_or_default();
    let argv0 = entrypoint.first().or(cmd.first()).cloned();
    if let Some(argv0) = argv0.filter(|a| !a.is_empty()) {
        let was = before.find_program(&argv0, &path_var, &workdir);
        if let Some(was) = was {
            if after.find_program(&argv0, &path_var, &workdir).is_none() {
                let which = if entrypoint.is_empty() {
                    "CMD"
                } else {
                    "ENTRYPOINT"
                };
                return Err(SlimError::Refused(format!(
                    "the {which} program `{argv0}` ({was}) would be removed; narrow --remove or the profiles"
                )));
            }
        }
    }
    let user = options
        .edits
        .user
        .clone()
        .or_else(|| config.user().clone())
        .unwrap_or_default();
    let name = user.split(':').next().unwrap_or_default().to_owned();
    if !name.is_empty() && !name.bytes().all(|b| b.is_ascii_digit()) {
        let found = |view: &check::View<'_>| {
            view.resolve("etc/passwd")
                .and_then(|(_, node)| node.content)
                .and_then(|id| passwd.get(&id))
                .is_some_and(|content| {
                    String::from_utf8_lossy(content)
                        .lines()
                        .any(|line| line.split(':').next() == Some(name.as_str()))
                })
        };
        let had = found(&before);
        let has = found(&after);
        if had && !has {
            return Err(SlimError::Refused(format!(
                "the USER `{name}` would lose its /etc/passwd entry; narrow --remove or the profiles"
            )));
        }
        if !has && options.edits.user.is_some() {
            return Err(SlimError::Refused(format!(
                "--user `{name}` has no entry in the image's /etc/passwd (use a numeric UID, or a user the image has)"
            )));
        }
    }
    Ok(())
}

/// What to write, per entry of the squashed range.
enum Put {
    /// The file's data under `path`, then hardlinks to it from `links`.
    File { path: String, links: Vec<String> },
    /// The entry as it is, under its path (symlinks, devices, hardlinks to kept lower files).
    Same { path: String },
}

fn write_squashed(
    image: &Image,
    squash: &SquashTree,
    markers: &[(String, tree::Hide)],
    (from, to): (usize, usize),
    options: &SlimOptions,
    workspace_blobs: &BlobDir,
) -> Result<(Blob, String, u64), SlimError> {
    // Group surviving paths by the file data they show.
    let mut groups: BTreeMap<EntryId, Vec<String>> = BTreeMap::new();
    let mut plan: HashMap<EntryId, Put> = HashMap::new();
    for (path, node) in &squash.nodes {
        match (node.kind, node.content) {
            (EntryKind::Dir, _) => {}
            (EntryKind::File | EntryKind::Hardlink, Some(content)) => {
                groups.entry(content).or_default().push(path.clone());
            }
            _ => {
                plan.insert(node.id, Put::Same { path: path.clone() });
            }
        }
    }
    for (content, mut paths) in groups {
        paths.sort();
        let mut paths = paths.into_iter();
        if let Some(first) = paths.next() {
            plan.insert(
                content,
                Put::File {
                    path: first,
                    links: paths.collect(),
                },
            );
        }
    }
    let mut writer = workspace_blobs.layer(options.compression)?;
    let epoch = options.epoch;
    // Directories first (sorted, parents before children), then markers, then the rest in
    // layer order.
    let default_dir = careen_image::RawHeader {
        header: {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o755);
            h
        },
        pax: Vec::new(),
    };
    for (path, node) in &squash.nodes {
        if node.kind != EntryKind::Dir {
            continue;
        }
        let raw = squash.dir_headers.get(&node.id).unwrap_or(&default_dir);
        let spec = EntrySpec {
            path,
            kind: EntryKind::Dir,
            raw,
            uid: raw.header.uid().unwrap_or(0),
            gid: raw.header.gid().unwrap_or(0),
            link: None,
            size: 0,
        };
        writer.entry(&spec, &mut std::io::empty(), epoch)?;
    }
    for (path, hide) in markers {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (format!("{parent}/"), name.to_owned()),
            None => (String::new(), path.clone()),
        };
        let marker = match hide {
            tree::Hide::Whiteout => format!("{parent}.wh.{name}"),
            tree::Hide::Opaque => format!("{path}/.wh..wh..opq"),
        };
        writer.marker(&marker, epoch)?;
    }
    for index in from..=to {
        let mut ordinal = 0u64;
        let mut failure: Option<SlimError> = None;
        image
            .for_each_raw_entry(index, &mut |entry, raw, data| {
                let id = (index, ordinal);
                ordinal += 1;
                let Some(put) = plan.get(&id) else {
                    return Ok(());
                };
                let result = (|| -> Result<(), SlimError> {
                    match put {
                        Put::File { path, links } => {
                            let spec = EntrySpec {
                                path,
                                kind: EntryKind::File,
                                raw,
                                uid: entry.uid,
                                gid: entry.gid,
                                link: None,
                                size: entry.size,
                            };
                            writer.entry(&spec, data, epoch)?;
                            for link in links {
                                let spec = EntrySpec {
                                    path: link,
                                    kind: EntryKind::Hardlink,
                                    raw,
                                    uid: entry.uid,
                                    gid: entry.gid,
                                    link: Some(path),
                                    size: 0,
                                };
                                writer.entry(&spec, &mut std::io::empty(), epoch)?;
                            }
                        }
                        Put::Same { path } => {
                            let spec = EntrySpec {
                                path,
                                kind: entry.kind,
                                raw,
                                uid: entry.uid,
                                gid: entry.gid,
                                link: entry.link_target.as_deref(),
                                size: 0,
                            };
                            writer.entry(&spec, &mut std::io::empty(), epoch)?;
                        }
                    }
                    Ok(())
                })();
                result.map_err(|error| {
                    let message = error.to_string();
                    failure = Some(error);
                    ImageError::CorruptLayer {
                        blob: format!("layer {index}"),
                        source: std::io::Error::other(message),
                    }
                })
            })
            .map_err(|error| failure.take().unwrap_or(SlimError::Image(error)))?;
    }
    writer.finish(workspace_blobs)
}

/// Where blobs are written for one output, and how the output is finished.
struct Workspace {
    blobs: BlobDir,
    /// A temp directory next to the output (archives, registry pushes), removed at the end.
    _temp: Option<tempfile::TempDir>,
}

impl Workspace {
    fn new(output: &Output) -> Result<Self, SlimError> {
        let fail = |path: &Path, source| SlimError::Write {
            path: path.to_owned(),
            source,
        };
        let (dir, temp) = match output {
            Output::OciLayout { path, .. } => (path.join("blobs").join("sha256"), None),
            Output::DockerArchive { path, .. } | Output::OciArchive { path, .. } => {
                let parent = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let temp = tempfile::Builder::new()
                    .prefix(".careen-slim-")
                    .tempdir_in(parent)
                    .map_err(|e| fail(parent, e))?;
                (temp.path().to_owned(), Some(temp))
            }
            Output::Registry { .. } => {
                let temp = tempfile::Builder::new()
                    .prefix("careen-slim-")
                    .tempdir()
                    .map_err(|e| fail(&std::env::temp_dir(), e))?;
                (temp.path().to_owned(), Some(temp))
            }
        };
        Ok(Self {
            blobs: BlobDir::new(dir)?,
            _temp: temp,
        })
    }

    fn finish(
        &self,
        output: &Output,
        layers: &[Blob],
        config: &Blob,
        manifest: &Blob,
        manifest_bytes: &[u8],
        options: &SlimOptions,
    ) -> Result<Option<[usize; 2]>, SlimError> {
        let fail = |path: &Path, source| SlimError::Write {
            path: path.to_owned(),
            source,
        };
        let index = |tag: &Option<String>| {
            let mut descriptor = json!({
                "mediaType": manifest.media_type,
                "digest": manifest.digest,
                "size": manifest.size,
            });
            if let Some(tag) = tag {
                descriptor["annotations"] = json!({ "org.opencontainers.image.ref.name": tag });
            }
            serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [descriptor],
            }))
            .unwrap_or_default()
        };
        const LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;
        match output {
            Output::OciLayout { path, tag } => {
                for (name, bytes) in [("oci-layout", LAYOUT.to_vec()), ("index.json", index(tag))] {
                    let file = path.join(name);
                    std::fs::write(&file, bytes).map_err(|e| fail(&file, e))?;
                }
                Ok(None)
            }
            Output::OciArchive { path, tag } => {
                let mut members: Vec<(String, Member<'_>)> = vec![
                    ("oci-layout".to_owned(), Member::Bytes(LAYOUT.to_vec())),
                    ("index.json".to_owned(), Member::Bytes(index(tag))),
                ];
                for blob in layers.iter().chain([config, manifest]) {
                    members.push((blob_name(blob), Member::File(blob)));
                }
                write_archive(path, members, options.epoch)?;
                Ok(None)
            }
            Output::DockerArchive { path, tag } => {
                let tags: Vec<String> = tag
                    .iter()
                    .map(|t| {
                        if t.contains(':') {
                            t.clone()
                        } else {
                            format!("{t}:latest")
                        }
                    })
                    .collect();
                let manifest_json = serde_json::to_vec(&json!([{
                    "Config": blob_name(config),
                    "RepoTags": tags,
                    "Layers": layers.iter().map(blob_name).collect::<Vec<_>>(),
                }]))
                .unwrap_or_default();
                let mut members: Vec<(String, Member<'_>)> =
                    vec![("manifest.json".to_owned(), Member::Bytes(manifest_json))];
                let mut seen = std::collections::HashSet::new();
                for blob in layers.iter().chain([config]) {
                    if seen.insert(blob.digest.clone()) {
                        members.push((blob_name(blob), Member::File(blob)));
                    }
                }
                write_archive(path, members, options.epoch)?;
                Ok(None)
            }
            Output::Registry { reference } => {
                let mut push: Vec<careen_image::PushBlob> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for blob in layers.iter().chain([config]) {
                    if seen.insert(blob.digest.clone()) {
                        push.push(careen_image::PushBlob {
                            digest: blob.digest.clone(),
                            size: blob.size,
                            path: blob.path.clone(),
                        });
                    }
                }
                let summary = careen_image::push(
                    reference,
                    &push,
                    manifest_bytes,
                    &manifest.media_type,
                    options.auth_file.as_deref(),
                )?;
                Ok(Some([summary.uploaded, summary.skipped]))
            }
        }
    }
}

fn blob_name(blob: &Blob) -> String {
    format!("blobs/sha256/{}", blob.digest.trim_start_matches("sha256:"))
}

enum Member<'a> {
    Bytes(Vec<u8>),
    File(&'a Blob),
}

/// Writes an outer archive (fixed headers, the given order; directories implied) to a temp
/// file next to `path`, then renames it into place.
fn write_archive(
    path: &Path,
    members: Vec<(String, Member<'_>)>,
    epoch: Option<u64>,
) -> Result<(), SlimError> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |p: &Path, source| SlimError::Write {
        path: p.to_owned(),
        source,
    };
    let temp = tempfile::Builder::new()
        .prefix(".careen-slim-")
        .tempfile_in(parent)
        .map_err(|e| fail(parent, e))?;
    let file = temp.reopen().map_err(|e| fail(temp.path(), e))?;
    let mut builder = tar::Builder::new(std::io::BufWriter::with_capacity(1 << 20, file));
    let mtime = epoch.unwrap_or(0);
    let mut dirs = std::collections::BTreeSet::new();
    for (name, _) in &members {
        let mut current = String::new();
        for part in name
            .split('/')
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .skip(1)
            .rev()
        {
            current.push_str(part);
            current.push('/');
            dirs.insert(current.clone());
        }
    }
    for dir in &dirs {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_mtime(mtime);
        header.set_size(0);
        builder
            .append_data(&mut header, dir, std::io::empty())
            .map_err(|e| fail(path, e))?;
    }
    for (name, member) in members {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        match member {
            Member::Bytes(bytes) => {
                header.set_size(bytes.len() as u64);
                builder
                    .append_data(&mut header, &name, bytes.as_slice())
                    .map_err(|e| fail(path, e))?;
            }
            Member::File(blob) => {
                let file = std::fs::File::open(&blob.path).map_err(|e| fail(&blob.path, e))?;
                header.set_size(blob.size);
                builder
                    .append_data(&mut header, &name, file.take(blob.size))
                    .map_err(|e| fail(path, e))?;
            }
        }
    }
    let mut inner = builder.into_inner().map_err(|e| fail(path, e))?;
    inner.flush().map_err(|e| fail(path, e))?;
    drop(inner);
    temp.persist(path).map_err(|e| fail(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_parse() {
        assert_eq!(
            Output::parse("oci:/tmp/out:v1").unwrap(),
            Output::OciLayout {
                path: PathBuf::from("/tmp/out"),
                tag: Some("v1".to_owned())
            }
        );
        assert_eq!(
            Output::parse("docker-archive:out.tar").unwrap(),
            Output::DockerArchive {
                path: PathBuf::from("out.tar"),
                tag: None
            }
        );
        assert_eq!(
            Output::parse("docker://127.0.0.1:5000/app:slim").unwrap(),
            Output::Registry {
                reference: "127.0.0.1:5000/app:slim".to_owned()
            }
        );
        assert_eq!(
            Output::parse("docker-archive:out.tar:app:v1").unwrap(),
            Output::DockerArchive {
                path: PathBuf::from("out.tar"),
                tag: Some("app:v1".to_owned())
            }
        );
        assert!(Output::parse("out.tar").is_err());
    }

    #[test]
    fn profiles_classify_paths() {
        let options = SlimOptions {
            profiles: vec![Profile::Caches, Profile::Docs],
            remove: vec!["/opt/junk/**".to_owned()],
            ..Default::default()
        };
        let classify = classifier(&options).unwrap();
        assert_eq!(
            classify("var/lib/apt/lists/deb.debian.org_dists"),
            Some(Cause::Caches)
        );
        assert_eq!(classify("root/.cache/pip/http/x"), Some(Cause::Caches));
        assert_eq!(
            classify("usr/lib/python3/x/__pycache__/a.pyc"),
            Some(Cause::Caches)
        );
        assert_eq!(classify("usr/share/doc/jq/README"), Some(Cause::Docs));
        assert_eq!(classify("usr/share/doc/jq/copyright"), None);
        assert_eq!(
            classify("usr/share/locale/de/LC_MESSAGES/x.mo"),
            Some(Cause::Docs)
        );
        assert_eq!(classify("usr/share/locale/en_GB/LC_MESSAGES/x.mo"), None);
        assert_eq!(classify("opt/junk/a"), Some(Cause::Removed));
        assert_eq!(classify("usr/bin/jq"), None);
    }
}
