//! One streaming pass over a layer blob: the compressed bytes are hashed as they are read, then
//! decompressed (gzip — estargz is multi-member gzip —, zstd or none, told by magic bytes), the
//! uncompressed bytes hashed (the diff ID), and every tar entry handed to a visitor. Digests and
//! sizes are compared when the stream ends. Nothing is written to disk or kept in memory.

use std::io::{self, BufRead, BufReader, Read};

use sha2::{Digest as _, Sha256};

use crate::error::ImageError;

/// What a layer entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    /// Character or block device, FIFO, or any other tar type.
    Other,
}

/// A whiteout marker in a layer (OCI / overlayfs conventions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Whiteout {
    /// `dir/.wh.name`: removes `dir/name` from lower layers. Holds `dir/name`.
    File(String),
    /// `dir/.wh..wh..opq`: hides everything under `dir` from lower layers. Holds `dir`
    /// (empty for the root).
    Opaque(String),
}

/// One entry of a layer's tar stream, as seen by a visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerEntry {
    /// Normalized: no leading `/` or `./`, no trailing `/`, no `.` or empty components.
    pub path: String,
    pub kind: EntryKind,
    /// Size of the entry's data in bytes (0 for anything but regular files).
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink target as written (may be absolute or relative), or hardlink target normalized
    /// like `path`.
    pub link_target: Option<String>,
    pub whiteout: Option<Whiteout>,
}

/// The totals of one streamed layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// Bytes of the uncompressed tar stream.
    pub uncompressed_size: u64,
    /// Entries passed to the visitor (the root directory entry `./` is not passed).
    pub entries: u64,
    /// `sha256:` digest of the uncompressed tar stream.
    pub diff_id: String,
    /// `sha256:` digest of the blob as stored (compressed).
    pub digest: String,
    /// Bytes of the blob as stored.
    pub compressed_size: u64,
}

/// Bounds on what one layer may expand to, so a decompression bomb is refused, not unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerLimits {
    /// Largest accepted uncompressed layer (default 64 GiB).
    pub max_uncompressed_bytes: u64,
    /// Most entries accepted in one layer (default 10 million).
    pub max_entries: u64,
}

impl Default for LayerLimits {
    fn default() -> Self {
        Self {
            max_uncompressed_bytes: 64 << 30,
            max_entries: 10_000_000,
        }
    }
}

/// What to check a layer blob against.
#[derive(Debug, Clone)]
pub(crate) struct BlobCheck {
    /// A name for the blob in errors (its path inside the image).
    pub(crate) name: String,
    pub(crate) digest: Option<String>,
    pub(crate) size: Option<u64>,
    pub(crate) diff_id: Option<String>,
}

/// Visitor type of [`crate::Image::for_each_entry`].
pub type Visitor<'a> = dyn FnMut(&LayerEntry, &mut dyn Read) -> Result<(), ImageError> + 'a;

/// Streams the blob read by `reader`, calling `visit` for every entry.
pub(crate) fn stream(
    reader: Box<dyn Read + Send>,
    check: &BlobCheck,
    limits: LayerLimits,
    visit: &mut Visitor<'_>,
) -> Result<LayerSummary, ImageError> {
    let blob = check.name.as_str();
    let mut buffered = BufReader::with_capacity(256 * 1024, HashingReader::new(reader));
    let compression = sniff(&mut buffered).map_err(|e| classify(blob, e, false))?;
    let decoder = Decoder::new(compression, buffered).map_err(|e| classify(blob, e, false))?;
    // An uncompressed blob is its own tar stream: its digest is the diff ID,
    // so the bytes are hashed once, not twice.
    let counted = CountingReader {
        inner: decoder,
        hasher: (compression != Compression::None).then(Sha256::new),
        count: 0,
        limit: limits.max_uncompressed_bytes,
    };
    let mut archive = tar::Archive::new(counted);
    let walked = walk(&mut archive, blob, limits, visit);
    let mut counted = archive.into_inner();
    let entries = match walked {
        Ok(entries) => entries,
        Err(Walk::Image(error)) => return Err(error),
        Err(Walk::Io(error)) => {
            let at_eof = counted.inner.source_at_eof();
            return Err(classify_limit(blob, error, at_eof, limits));
        }
    };
    // Read past the end-of-archive marker so both digests cover the whole stream.
    io::copy(&mut counted, &mut io::sink()).map_err(|e| {
        let at_eof = counted.inner.source_at_eof();
        classify_limit(blob, e, at_eof, limits)
    })?;
    let uncompressed_size = counted.count;
    let diff_id = counted
        .hasher
        .map(|hasher| format!("sha256:{:x}", hasher.finalize()));
    let mut buffered = counted.inner.into_inner();
    io::copy(&mut buffered, &mut io::sink()).map_err(|e| classify(blob, e, true))?;
    let raw = buffered.into_inner();
    let compressed_size = raw.count;
    let digest = format!("sha256:{:x}", raw.hasher.finalize());
    let diff_id = diff_id.unwrap_or_else(|| digest.clone());

    if let Some(expected) = check.size {
        if expected != compressed_size {
            return Err(ImageError::SizeMismatch {
                blob: blob.to_owned(),
                expected,
                found: compressed_size,
            });
        }
    }
    if let Some(expected) = &check.digest {
        if *expected != digest {
            return Err(ImageError::DigestMismatch {
                blob: blob.to_owned(),
                expected: expected.clone(),
                found: digest,
            });
        }
    }
    if let Some(expected) = &check.diff_id {
        if *expected != diff_id {
            return Err(ImageError::DigestMismatch {
                blob: format!("{blob} (uncompressed, diff ID)"),
                expected: expected.clone(),
                found: diff_id,
            });
        }
    }
    Ok(LayerSummary {
        uncompressed_size,
        entries,
        diff_id,
        digest,
        compressed_size,
    })
}

enum Walk {
    Io(io::Error),
    Image(ImageError),
}

impl From<io::Error> for Walk {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

fn walk<R: Read>(
    archive: &mut tar::Archive<R>,
    blob: &str,
    limits: LayerLimits,
    visit: &mut Visitor<'_>,
) -> Result<u64, Walk> {
    let mut visited = 0u64;
    let mut seen = 0u64;
    let mut declared = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let entry_type = entry.header().entry_type();
        let kind = match entry_type {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            // Metadata records (PAX global headers and the like) describe no file.
            tar::EntryType::XGlobalHeader
            | tar::EntryType::XHeader
            | tar::EntryType::GNULongName
            | tar::EntryType::GNULongLink => continue,
            _ => EntryKind::Other,
        };
        seen += 1;
        if seen > limits.max_entries {
            return Err(Walk::Image(ImageError::TooManyEntries {
                blob: blob.to_owned(),
                limit: limits.max_entries,
            }));
        }
        let size = entry.size();
        declared = declared.saturating_add(size);
        if declared > limits.max_uncompressed_bytes {
            return Err(Walk::Image(ImageError::LayerTooLarge {
                blob: blob.to_owned(),
                limit: limits.max_uncompressed_bytes,
            }));
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let unsafe_path = || {
            Walk::Image(ImageError::UnsafePath {
                blob: blob.to_owned(),
                entry: raw_path.clone(),
            })
        };
        let path = normalize_entry_path(&raw_path).ok_or_else(unsafe_path)?;
        if path.is_empty() {
            // The root directory (`./`) itself.
            continue;
        }
        let link_target = match entry.link_name_bytes() {
            Some(bytes) => {
                let target = String::from_utf8_lossy(&bytes).into_owned();
                if kind == EntryKind::Hardlink {
                    let normalized = normalize_entry_path(&target).ok_or_else(|| {
                        Walk::Image(ImageError::UnsafePath {
                            blob: blob.to_owned(),
                            entry: format!("{raw_path} (hardlink to {target})"),
                        })
                    })?;
                    Some(normalized)
                } else {
                    Some(target)
                }
            }
            None => None,
        };
        let whiteout = whiteout_of(&path).map_err(|()| unsafe_path())?;
        let header = entry.header();
        let mode = header.mode()?;
        // An empty owner field (some writers leave it blank) reads as root.
        let (mut uid, mut gid) = (header.uid().unwrap_or(0), header.gid().unwrap_or(0));
        if let Some(extensions) = entry.pax_extensions()? {
            for extension in extensions {
                let extension = extension?;
                let value = || {
                    extension
                        .value()
                        .ok()
                        .and_then(|v| v.trim().parse::<u64>().ok())
                };
                match extension.key_bytes() {
                    b"uid" => uid = value().unwrap_or(uid),
                    b"gid" => gid = value().unwrap_or(gid),
                    _ => {}
                }
            }
        }
        let layer_entry = LayerEntry {
            path,
            kind,
            size: if kind == EntryKind::File { size } else { 0 },
            mode,
            uid,
            gid,
            link_target,
            whiteout,
        };
        visited += 1;
        let mut data = EntryData {
            inner: &mut entry,
            fault: None,
        };
        let visited_ok = visit(&layer_entry, &mut data);
        // A stream fault met by the visitor is the real cause, whatever the visitor made of it.
        if let Some(fault) = data.fault {
            return Err(Walk::Io(fault));
        }
        visited_ok.map_err(Walk::Image)?;
    }
    Ok(visited)
}

/// The data of one entry as handed to a visitor. Keeps the first read error so it can be
/// reported as the layer fault it is (truncation, corrupt compression, size limit), not as
/// whatever error the visitor wraps it in.
struct EntryData<'a, R: Read> {
    inner: &'a mut R,
    fault: Option<io::Error>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(read) => Ok(read),
            Err(error) => {
                let copy = io::Error::new(error.kind(), error.to_string());
                self.fault.get_or_insert(error);
                Err(copy)
            }
        }
    }
}

/// Normalizes a layer entry path; `None` if it is absolute or has a `..` component. The root
/// alone may be written `/` (kaniko does), which is harmless and normalizes to `""`.
pub(crate) fn normalize_entry_path(raw: &str) -> Option<String> {
    if raw.starts_with('/') && raw.bytes().any(|b| b != b'/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The whiteout an entry path stands for. `Err` for a whiteout naming `.` or `..`.
fn whiteout_of(path: &str) -> Result<Option<Whiteout>, ()> {
    let (parent, name) = match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    };
    if name == ".wh..wh..opq" {
        return Ok(Some(Whiteout::Opaque(parent.to_owned())));
    }
    let Some(target) = name.strip_prefix(".wh.") else {
        return Ok(None);
    };
    if target.starts_with(".wh.") {
        // Other `.wh..wh.` names are aufs metadata (`.wh..wh.plnk`), not whiteouts.
        return Ok(None);
    }
    if target.is_empty() || target == "." || target == ".." {
        return Err(());
    }
    Ok(Some(Whiteout::File(if parent.is_empty() {
        target.to_owned()
    } else {
        format!("{parent}/{target}")
    })))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Tells the compression from the first bytes of the blob.
fn sniff<R: BufRead>(reader: &mut R) -> io::Result<Compression> {
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    })
}

type Raw = BufReader<HashingReader<Box<dyn Read + Send>>>;

enum Decoder {
    Plain(Raw),
    Gzip(flate2::bufread::MultiGzDecoder<Raw>),
    Zstd(zstd::stream::read::Decoder<'static, Raw>),
}

impl Decoder {
    fn new(compression: Compression, raw: Raw) -> io::Result<Self> {
        Ok(match compression {
            Compression::None => Self::Plain(raw),
            Compression::Gzip => Self::Gzip(flate2::bufread::MultiGzDecoder::new(raw)),
            Compression::Zstd => Self::Zstd(zstd::stream::read::Decoder::with_buffer(raw)?),
        })
    }

    fn into_inner(self) -> Raw {
        match self {
            Self::Plain(raw) => raw,
            Self::Gzip(decoder) => decoder.into_inner(),
            Self::Zstd(decoder) => decoder.finish(),
        }
    }

    fn raw(&self) -> &Raw {
        match self {
            Self::Plain(raw) => raw,
            Self::Gzip(decoder) => decoder.get_ref(),
            Self::Zstd(decoder) => decoder.get_ref(),
        }
    }

    fn source_at_eof(&self) -> bool {
        self.raw().get_ref().eof
    }
}

impl Read for Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match self {
            Self::Plain(raw) => raw.read(buf),
            Self::Gzip(decoder) => decoder.read(buf),
            Self::Zstd(decoder) => decoder.read(buf),
        };
        let compressed = !matches!(self, Self::Plain(_));
        result.map_err(|error| {
            if compressed && fault_of(&error).is_none() {
                Fault::wrap(FaultKind::Decompress, error)
            } else {
                error
            }
        })
    }
}

/// Hashes and counts the bytes of the blob as stored.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    eof: bool,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            count: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self
            .inner
            .read(buf)
            .map_err(|e| Fault::wrap(FaultKind::Source, e))?;
        if read == 0 && !buf.is_empty() {
            self.eof = true;
        }
        let data = buf.get(..read).unwrap_or_default();
        self.hasher.update(data);
        self.count += read as u64;
        Ok(read)
    }
}

/// Hashes and counts the uncompressed bytes, refusing to go past the limit.
struct CountingReader {
    inner: Decoder,
    /// `None` when the blob is uncompressed (its digest is the diff ID).
    hasher: Option<Sha256>,
    count: u64,
    limit: u64,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buf.get(..read).unwrap_or_default());
        }
        self.count += read as u64;
        if self.count > self.limit {
            return Err(Fault::wrap(
                FaultKind::Limit,
                io::Error::other("uncompressed size limit exceeded"),
            ));
        }
        Ok(read)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    Source,
    Decompress,
    Limit,
}

/// Marks which layer of the reader stack an I/O error came from.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
struct Fault {
    kind: FaultKind,
    source: io::Error,
}

impl Fault {
    fn wrap(kind: FaultKind, source: io::Error) -> io::Error {
        io::Error::other(Self { kind, source })
    }
}

fn fault_of(error: &io::Error) -> Option<&Fault> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Fault>())
}

fn classify_limit(blob: &str, error: io::Error, at_eof: bool, limits: LayerLimits) -> ImageError {
    if fault_of(&error).is_some_and(|fault| fault.kind == FaultKind::Limit) {
        return ImageError::LayerTooLarge {
            blob: blob.to_owned(),
            limit: limits.max_uncompressed_bytes,
        };
    }
    classify(blob, error, at_eof)
}

/// Turns an I/O error of the reader stack into the error that says what failed.
fn classify(blob: &str, error: io::Error, at_eof: bool) -> ImageError {
    let blob = blob.to_owned();
    let (kind, source) = match error.into_inner() {
        Some(inner) => match inner.downcast::<Fault>() {
            Ok(fault) => (Some(fault.kind), fault.source),
            Err(other) => (None, io::Error::other(other)),
        },
        None => (None, io::Error::other("I/O error")),
    };
    let truncated = at_eof || source.kind() == io::ErrorKind::UnexpectedEof;
    match kind {
        Some(FaultKind::Decompress) if truncated => ImageError::Truncated { blob, source },
        Some(FaultKind::Decompress) => ImageError::Decompress { blob, source },
        Some(FaultKind::Source) if source.kind() == io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated { blob, source }
        }
        Some(FaultKind::Source) => ImageError::CorruptLayer { blob, source },
        Some(FaultKind::Limit) => ImageError::CorruptLayer { blob, source },
        None if truncated => ImageError::Truncated { blob, source },
        None => ImageError::CorruptLayer { blob, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths_normalize() {
        assert_eq!(
            normalize_entry_path("./etc/passwd").as_deref(),
            Some("etc/passwd")
        );
        assert_eq!(
            normalize_entry_path("usr//bin/").as_deref(),
            Some("usr/bin")
        );
        assert_eq!(normalize_entry_path("./").as_deref(), Some(""));
        assert_eq!(normalize_entry_path("/").as_deref(), Some(""));
        assert_eq!(normalize_entry_path("/etc/passwd"), None);
        assert_eq!(normalize_entry_path("a/../../b"), None);
        assert_eq!(normalize_entry_path(".."), None);
    }

    #[test]
    fn whiteouts_are_recognized() {
        assert_eq!(
            whiteout_of("etc/.wh.motd"),
            Ok(Some(Whiteout::File("etc/motd".to_owned())))
        );
        assert_eq!(
            whiteout_of(".wh.top"),
            Ok(Some(Whiteout::File("top".to_owned())))
        );
        assert_eq!(
            whiteout_of("var/cache/.wh..wh..opq"),
            Ok(Some(Whiteout::Opaque("var/cache".to_owned())))
        );
        assert_eq!(
            whiteout_of(".wh..wh..opq"),
            Ok(Some(Whiteout::Opaque(String::new())))
        );
        assert_eq!(whiteout_of("a/.wh..wh.plnk"), Ok(None));
        assert_eq!(whiteout_of("a/.wh..."), Err(()));
        assert_eq!(whiteout_of("etc/motd"), Ok(None));
    }

    #[test]
    fn compression_is_sniffed_from_magic() {
        let mut gzip: &[u8] = &[0x1f, 0x8b, 8, 0];
        let mut zstd: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
        let mut plain: &[u8] = b"etc/";
        assert_eq!(sniff(&mut gzip).ok(), Some(Compression::Gzip));
        assert_eq!(sniff(&mut zstd).ok(), Some(Compression::Zstd));
        assert_eq!(sniff(&mut plain).ok(), Some(Compression::None));
    }
}
