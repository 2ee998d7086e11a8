//! One streaming pass over a layer blob: the compressed bytes are hashed as they are read, then
//! decompressed (gzip — estargz is multi-member gzip —, zstd or none, told by magic bytes), the
//! uncompressed bytes hashed (the diff ID), and every tar entry handed to a visitor. Digests and
//! sizes are compared when the stream ends. Nothing is written to disk or kept in memory.
//!
//! The pass is a pipeline of threads joined by bounded queues of 1 MiB blocks, so its time is
//! the slowest stage's, not the sum of all: one thread reads the blob and hashes it; for a
//! compressed blob a second one decompresses; the calling thread hashes the uncompressed bytes
//! (when they differ from the stored ones), parses the tar and runs the visitor. A few blocks
//! are in flight and recycled, so memory stays bounded.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

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

/// The tar header of an entry as stored, for callers that rewrite layers (`careen slim`):
/// what [`LayerEntry`] normalizes away (mtime, user and group names, device numbers, PAX
/// records such as `SCHILY.xattr.*`).
#[derive(Debug, Clone)]
pub struct RawHeader {
    /// The entry's own header block (for long names, the path there is truncated: use
    /// [`LayerEntry::path`]).
    pub header: tar::Header,
    /// The entry's PAX extended records, in order (`path` and `linkpath` included).
    pub pax: Vec<(String, Vec<u8>)>,
}

/// Visitor type of [`crate::Image::for_each_raw_entry`].
pub type RawVisitor<'a> =
    dyn FnMut(&LayerEntry, &RawHeader, &mut dyn Read) -> Result<(), ImageError> + 'a;

/// The visitor a stream calls: with or without the raw header.
enum AnyVisitor<'v, 'a> {
    Plain(&'v mut Visitor<'a>),
    Raw(&'v mut RawVisitor<'a>),
}

/// Bytes per block handed from one pipeline stage to the next.
const BLOCK: usize = 1 << 20;
/// Blocks queued between two stages (plus the one each side holds).
const IN_FLIGHT: usize = 4;

/// Streams the blob read by `reader`, calling `visit` for every entry.
pub(crate) fn stream(
    reader: Box<dyn Read + Send>,
    check: &BlobCheck,
    limits: LayerLimits,
    visit: &mut Visitor<'_>,
) -> Result<LayerSummary, ImageError> {
    stream_any(reader, check, limits, AnyVisitor::Plain(visit))
}

/// [`stream`], handing the visitor each entry's raw header too.
pub(crate) fn stream_raw(
    reader: Box<dyn Read + Send>,
    check: &BlobCheck,
    limits: LayerLimits,
    visit: &mut RawVisitor<'_>,
) -> Result<LayerSummary, ImageError> {
    stream_any(reader, check, limits, AnyVisitor::Raw(visit))
}

fn stream_any(
    reader: Box<dyn Read + Send>,
    check: &BlobCheck,
    limits: LayerLimits,
    visit: AnyVisitor<'_, '_>,
) -> Result<LayerSummary, ImageError> {
    let blob = check.name.as_str();
    let (raw_blocks, raw_received) = mpsc::sync_channel(IN_FLIGHT);
    let (raw_recycle, raw_recycled) = mpsc::channel();
    let (parsed, raw) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_raw(reader, blob, &raw_blocks, &raw_recycled));
        // Every pipe is dropped by the time `parse` returns, so a stage blocked on a full
        // queue stops instead of reading the rest of a layer nobody reads.
        let parsed = parse(
            scope,
            Pipe::new(raw_received, raw_recycle),
            blob,
            limits,
            visit,
        );
        let raw = reader.join().unwrap_or_else(|_| Err(thread_failed(blob)));
        (parsed, raw)
    });
    // A parse error comes first: when an earlier stage failed, the parser met that failure.
    let (entries, uncompressed_size, diff_id) = parsed?;
    let RawSummary {
        digest,
        compressed_size,
    } = raw?;
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

fn thread_failed(blob: &str) -> ImageError {
    ImageError::CorruptLayer {
        blob: blob.to_owned(),
        source: io::Error::other("a layer reading thread failed"),
    }
}

/// Returned by a stage whose downstream stopped first; never surfaced, as the downstream
/// stage returns its own error.
fn stopped(blob: &str) -> ImageError {
    ImageError::CorruptLayer {
        blob: blob.to_owned(),
        source: io::Error::other("layer stream stopped"),
    }
}

/// What the reading stage knows at the end: the blob as stored.
struct RawSummary {
    digest: String,
    compressed_size: u64,
}

/// A block of a stream, or the error that ended it.
enum Block {
    /// A buffer and how many of its bytes are data (buffers keep their full length, so a
    /// recycled one needs no zeroing).
    Data(Vec<u8>, usize),
    Failed {
        error: io::Error,
        at_eof: bool,
    },
}

/// Fills blocks from `source` and sends them; `Ok(true)` at the end of the source, `Ok(false)`
/// when the receiver is gone, `Err` after sending the failure on.
fn pump<R: Read>(
    source: &mut R,
    blocks: &SyncSender<Block>,
    recycled: &Receiver<Vec<u8>>,
    mut on_block: impl FnMut(&[u8]),
    at_eof: impl Fn(&R) -> bool,
) -> Result<bool, ()> {
    loop {
        let mut block = recycled.try_recv().unwrap_or_else(|_| vec![0; BLOCK]);
        let mut filled = 0;
        let mut ended = false;
        let mut failed = None;
        while let Some(free) = block.get_mut(filled..).filter(|free| !free.is_empty()) {
            match source.read(free) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(read) => filled += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        if filled > 0 {
            on_block(block.get(..filled).unwrap_or_default());
            if blocks.send(Block::Data(block, filled)).is_err() {
                return Ok(false);
            }
        }
        if let Some(error) = failed {
            let at_eof = at_eof(source);
            // The receiver may be gone already; either way this stream is over.
            let _ = blocks.send(Block::Failed { error, at_eof });
            return Err(());
        }
        if ended {
            return Ok(true);
        }
    }
}

/// Stage 1 (a thread): reads the blob as stored and hashes it, block by block.
fn read_raw(
    mut source: Box<dyn Read + Send>,
    blob: &str,
    blocks: &SyncSender<Block>,
    recycled: &Receiver<Vec<u8>>,
) -> Result<RawSummary, ImageError> {
    let mut hasher = Sha256::new();
    let mut count = 0u64;
    let mut source = SourceReader(&mut source);
    let pumped = pump(
        &mut source,
        blocks,
        recycled,
        |data| {
            hasher.update(data);
            count += data.len() as u64;
        },
        |_| false,
    );
    match pumped {
        Ok(true) => Ok(RawSummary {
            digest: format!("sha256:{:x}", hasher.finalize()),
            compressed_size: count,
        }),
        // The failure went down the pipe; the parser reports it.
        Ok(false) | Err(()) => Err(stopped(blob)),
    }
}

/// Marks the blob source's errors as such.
struct SourceReader<'a>(&'a mut Box<dyn Read + Send>);

impl Read for SourceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|e| Fault::wrap(FaultKind::Source, e))
    }
}

/// Stage 2 for a compressed blob (a thread): decompresses into blocks, then reads past the end
/// of the compressed stream so the blob's digest covers all of it.
fn decode(
    mut decoder: Decoder,
    blob: &str,
    blocks: &SyncSender<Block>,
    recycled: &Receiver<Vec<u8>>,
) -> Result<(), ImageError> {
    let ended = pump(
        &mut decoder,
        blocks,
        recycled,
        |_| {},
        |decoder| decoder.raw().at_eof,
    );
    match ended {
        Ok(true) => {}
        Ok(false) | Err(()) => return Err(stopped(blob)),
    }
    let mut raw = decoder.into_inner();
    io::copy(&mut raw, &mut io::sink()).map_err(|e| classify(blob, e, true))?;
    Ok(())
}

/// Tells the compression, runs the decompression stage if there is one, and parses.
fn parse<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    mut raw: Pipe,
    blob: &'scope str,
    limits: LayerLimits,
    visit: AnyVisitor<'_, '_>,
) -> Result<(u64, u64, Option<String>), ImageError> {
    let compression = sniff(&mut raw).map_err(|e| classify(blob, e, false))?;
    if compression == Compression::None {
        // An uncompressed blob is its own tar stream: its digest is the diff ID, so the
        // bytes are hashed once (by the reading stage), not twice.
        return consume(raw, compression, blob, limits, visit);
    }
    let decoder = Decoder::new(compression, raw).map_err(|e| classify(blob, e, false))?;
    let (blocks, received) = mpsc::sync_channel(IN_FLIGHT);
    let (recycle, recycled) = mpsc::channel();
    let decoding = scope.spawn(move || decode(decoder, blob, &blocks, &recycled));
    let parsed = consume(
        Pipe::new(received, recycle),
        compression,
        blob,
        limits,
        visit,
    );
    let decoded = decoding.join().unwrap_or_else(|_| Err(thread_failed(blob)));
    let parsed = parsed?;
    decoded?;
    Ok(parsed)
}

/// The parsing side: walks the tar from the pipe, hashing the uncompressed bytes when the blob
/// was compressed (an uncompressed blob's digest is its diff ID, hashed once by the reader).
/// Returns the entries visited, the uncompressed size and the diff ID if it was computed here.
fn consume(
    pipe: Pipe,
    compression: Compression,
    blob: &str,
    limits: LayerLimits,
    visit: AnyVisitor<'_, '_>,
) -> Result<(u64, u64, Option<String>), ImageError> {
    let counted = CountingReader {
        inner: pipe,
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
            let at_eof = counted.inner.at_eof;
            return Err(classify_limit(blob, error, at_eof, limits));
        }
    };
    // Read past the end-of-archive marker so both digests cover the whole stream.
    io::copy(&mut counted, &mut io::sink()).map_err(|e| {
        let at_eof = counted.inner.at_eof;
        classify_limit(blob, e, at_eof, limits)
    })?;
    let diff_id = counted
        .hasher
        .map(|hasher| format!("sha256:{:x}", hasher.finalize()));
    Ok((entries, counted.count, diff_id))
}

/// The parsing thread's end of the pipeline: reads the blocks in order and hands each buffer
/// back for reuse.
struct Pipe {
    blocks: Receiver<Block>,
    recycle: Sender<Vec<u8>>,
    block: Vec<u8>,
    len: usize,
    pos: usize,
    ended: bool,
    /// The blob's stored bytes were all read when the stream ended (tells truncation).
    at_eof: bool,
    /// The error that ended the stream, repeated to any later read.
    failure: Option<(Option<FaultKind>, io::ErrorKind, String)>,
}

impl Pipe {
    fn new(blocks: Receiver<Block>, recycle: Sender<Vec<u8>>) -> Self {
        Self {
            blocks,
            recycle,
            block: Vec::new(),
            len: 0,
            pos: 0,
            ended: false,
            at_eof: false,
            failure: None,
        }
    }

    fn repeat_failure(&self) -> Option<io::Error> {
        self.failure.as_ref().map(|(kind, error_kind, message)| {
            let error = io::Error::new(*error_kind, message.clone());
            match kind {
                Some(kind) => Fault::wrap(*kind, error),
                None => error,
            }
        })
    }
}

impl BufRead for Pipe {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.len && !self.ended {
            if !self.block.is_empty() {
                // The reader may have finished; then the buffer is simply dropped.
                let _ = self.recycle.send(std::mem::take(&mut self.block));
            }
            self.len = 0;
            self.pos = 0;
            match self.blocks.recv() {
                Ok(Block::Data(block, len)) => {
                    self.len = len.min(block.len());
                    self.block = block;
                }
                Ok(Block::Failed { error, at_eof }) => {
                    self.ended = true;
                    self.at_eof = at_eof;
                    let kind = fault_of(&error).map(|fault| fault.kind);
                    let inner_kind = fault_of(&error).map_or(error.kind(), |f| f.source.kind());
                    self.failure = Some((kind, inner_kind, error.to_string()));
                    return Err(error);
                }
                // The reader is done: the whole uncompressed stream has been received.
                Err(mpsc::RecvError) => {
                    self.ended = true;
                    self.at_eof = true;
                }
            }
        }
        if let Some(error) = self.repeat_failure() {
            return Err(error);
        }
        Ok(self.block.get(self.pos..self.len).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = self.pos.saturating_add(amount).min(self.len);
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..count), available.get(..count)) {
            to.copy_from_slice(from);
        }
        self.consume(count);
        Ok(count)
    }
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
    mut visit: AnyVisitor<'_, '_>,
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
        let mut raw = match visit {
            AnyVisitor::Raw(_) => Some(RawHeader {
                header: header.clone(),
                pax: Vec::new(),
            }),
            AnyVisitor::Plain(_) => None,
        };
        if let Some(extensions) = entry.pax_extensions()? {
            for extension in extensions {
                let extension = extension?;
                if let Some(raw) = &mut raw {
                    raw.pax.push((
                        String::from_utf8_lossy(extension.key_bytes()).into_owned(),
                        extension.value_bytes().to_vec(),
                    ));
                }
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
        let visited_ok = match (&mut visit, &raw) {
            (AnyVisitor::Raw(visit), Some(raw)) => visit(&layer_entry, raw, &mut data),
            (AnyVisitor::Plain(visit), _) => visit(&layer_entry, &mut data),
            (AnyVisitor::Raw(_), None) => Ok(()),
        };
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

/// A decompressor over the blob's blocks (both read their input through `BufRead`, so the
/// blocks are not copied into another buffer first).
enum Decoder {
    // Boxed: the inflate state is large and the decoder is moved into its thread.
    Gzip(Box<flate2::bufread::MultiGzDecoder<Pipe>>),
    Zstd(zstd::stream::read::Decoder<'static, Pipe>),
}

impl Decoder {
    /// `compression` is not `None`.
    fn new(compression: Compression, raw: Pipe) -> io::Result<Self> {
        Ok(match compression {
            Compression::Zstd => Self::Zstd(zstd::stream::read::Decoder::with_buffer(raw)?),
            Compression::Gzip | Compression::None => {
                Self::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(raw)))
            }
        })
    }

    fn into_inner(self) -> Pipe {
        match self {
            Self::Gzip(decoder) => decoder.into_inner(),
            Self::Zstd(decoder) => decoder.finish(),
        }
    }

    fn raw(&self) -> &Pipe {
        match self {
            Self::Gzip(decoder) => decoder.get_ref(),
            Self::Zstd(decoder) => decoder.get_ref(),
        }
    }
}

impl Read for Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match self {
            Self::Gzip(decoder) => decoder.read(buf),
            Self::Zstd(decoder) => decoder.read(buf),
        };
        result.map_err(|error| {
            if fault_of(&error).is_none() {
                Fault::wrap(FaultKind::Decompress, error)
            } else {
                error
            }
        })
    }
}

/// Hashes and counts the uncompressed bytes, refusing to go past the limit.
struct CountingReader {
    inner: Pipe,
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
    use std::io::Write as _;

    /// A tar with one big file spanning several pipeline blocks, then a small one.
    fn layer_tar(big: usize) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let data: Vec<u8> = (0..big).map(|i| (i % 251) as u8).collect();
        for (path, content) in [("opt/big.bin", &data[..]), ("etc/small", &b"small"[..])] {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, path, content).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn sha(data: &[u8]) -> String {
        format!("sha256:{:x}", Sha256::digest(data))
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn check_of(blob: &[u8], tar: &[u8]) -> BlobCheck {
        BlobCheck {
            name: "layer".to_owned(),
            digest: Some(sha(blob)),
            size: Some(blob.len() as u64),
            diff_id: Some(sha(tar)),
        }
    }

    fn run(
        blob: Vec<u8>,
        check: &BlobCheck,
        visit: &mut Visitor<'_>,
    ) -> Result<LayerSummary, ImageError> {
        stream(
            Box::new(io::Cursor::new(blob)),
            check,
            LayerLimits::default(),
            visit,
        )
    }

    #[test]
    fn multi_block_layers_stream_and_verify_in_every_compression() {
        let tar = layer_tar(3 * BLOCK + 12345);
        let zstd = zstd::encode_all(&tar[..], 1).unwrap();
        for blob in [tar.clone(), gzip(&tar), zstd] {
            let check = check_of(&blob, &tar);
            let mut seen = Vec::new();
            let summary = run(blob.clone(), &check, &mut |entry, data| {
                let mut content = Vec::new();
                data.read_to_end(&mut content)
                    .map_err(|e| ImageError::CorruptLayer {
                        blob: "test".to_owned(),
                        source: e,
                    })?;
                seen.push((entry.path.clone(), content.len(), sha(&content)));
                Ok(())
            })
            .unwrap();
            assert_eq!(summary.uncompressed_size, tar.len() as u64);
            assert_eq!(summary.compressed_size, blob.len() as u64);
            assert_eq!(summary.diff_id, sha(&tar));
            assert_eq!(summary.digest, sha(&blob));
            assert_eq!(summary.entries, 2);
            let expected: Vec<u8> = (0..3 * BLOCK + 12345).map(|i| (i % 251) as u8).collect();
            assert_eq!(
                seen[0],
                ("opt/big.bin".to_owned(), expected.len(), sha(&expected))
            );
            assert_eq!(seen[1].0, "etc/small");
        }
    }

    #[test]
    fn a_wrong_digest_is_found_after_the_pipeline() {
        let tar = layer_tar(2 * BLOCK);
        let blob = gzip(&tar);
        let mut check = check_of(&blob, &tar);
        check.digest = Some(sha(b"other"));
        let error = run(blob, &check, &mut |_, _| Ok(())).unwrap_err();
        assert!(
            matches!(error, ImageError::DigestMismatch { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_visitor_error_stops_every_stage() {
        // Far more blocks than the queues hold: the reading stages must stop, not block.
        let tar = layer_tar(16 * BLOCK);
        for blob in [tar.clone(), gzip(&tar)] {
            let check = check_of(&blob, &tar);
            let error = run(blob, &check, &mut |_, _| {
                Err(ImageError::CorruptLayer {
                    blob: "visitor".to_owned(),
                    source: io::Error::other("stop"),
                })
            })
            .unwrap_err();
            assert!(
                matches!(&error, ImageError::CorruptLayer { blob, .. } if blob == "visitor"),
                "{error:?}"
            );
        }
    }

    /// Yields `data`, then fails with `kind`.
    struct Failing {
        data: io::Cursor<Vec<u8>>,
        kind: io::ErrorKind,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.data.read(buf)? {
                0 => Err(io::Error::new(self.kind, "disk went away")),
                read => Ok(read),
            }
        }
    }

    #[test]
    fn source_failures_and_cut_blobs_are_told_apart() {
        let tar = layer_tar(3 * BLOCK);
        let gz = gzip(&tar);
        for (blob, kind) in [
            (tar.clone(), io::ErrorKind::Other),
            (gz.clone(), io::ErrorKind::Other),
            (gz.clone(), io::ErrorKind::UnexpectedEof),
        ] {
            let check = check_of(&blob, &tar);
            let half = blob.get(..blob.len() / 2).unwrap().to_vec();
            let source = Failing {
                data: io::Cursor::new(half),
                kind,
            };
            let error = stream(
                Box::new(source),
                &check,
                LayerLimits::default(),
                &mut |_, _| Ok(()),
            )
            .unwrap_err();
            match kind {
                io::ErrorKind::UnexpectedEof => {
                    assert!(matches!(error, ImageError::Truncated { .. }), "{error:?}")
                }
                _ => assert!(
                    matches!(error, ImageError::CorruptLayer { .. }),
                    "{error:?}"
                ),
            }
        }
        // A gzip blob that simply ends early is truncated.
        let check = check_of(&gz, &tar);
        let cut = gz.get(..gz.len() / 2).unwrap().to_vec();
        let error = run(cut, &check, &mut |_, _| Ok(())).unwrap_err();
        assert!(matches!(error, ImageError::Truncated { .. }), "{error:?}");
    }

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
