//! The on-disk index: one file, `osv.idx`, in the database directory.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header   96 bytes  magic "CRNVULN\0", format u32, reserved u32, then u64s:
//!                    records (offset, length), postings (offset, length),
//!                    keys (offset, length), table (offset, entry count), advisory count,
//!                    header checksum (FNV-1a of the preceding 88 bytes)
//! records            one compact JSON document per advisory (`StoredAdvisory`)
//! postings           per key, its advisories: (record offset u64, record length u32)
//! keys               key bytes: "<OSV ecosystem base>\0<normalised package name>"
//! table              sorted by key; fixed 24-byte entries:
//!                    key offset u64, key length u32, postings offset u64, postings count u32
//! ```
//!
//! Why this shape: a scan binary-searches the fixed-size table with positioned reads
//! (O(log n) reads, nothing loaded up front), then reads only the records of the
//! packages it asks about, so memory follows the query, not the database size. Records
//! are JSON because they are small, already have serde types, and stay debuggable with
//! `strings`; the structure around them is a hand format because it is four arrays and
//! needs no dependency. An advisory that names several packages is stored once and
//! referenced from each key. Every offset read is bounds-checked against the file, so a
//! truncated or damaged file gives `CorruptIndex`, never a panic.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Result, VulnError};
use crate::osv::StoredAdvisory;

pub(crate) const INDEX_FILE: &str = "osv.idx";
const MAGIC: &[u8; 8] = b"CRNVULN\0";
pub(crate) const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: u64 = 96;
const TABLE_ENTRY: u64 = 24;
const POSTING: u64 = 12;
/// Longest key or record accepted when reading (a damaged length cannot make us allocate more).
const MAX_KEY_LEN: u32 = 64 * 1024;
pub(crate) const MAX_RECORD_LEN: u32 = 64 * 1024 * 1024;

pub(crate) fn key(ecosystem_base: &str, normalized_name: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(ecosystem_base.len() + 1 + normalized_name.len());
    key.extend_from_slice(ecosystem_base.as_bytes());
    key.push(0);
    key.extend_from_slice(normalized_name.as_bytes());
    key
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Builds an index: records are streamed to the output as they come; postings are
/// kept in memory (16 bytes per advisory-package pair) until `finish`.
pub(crate) struct IndexWriter<W: Write + Seek> {
    out: W,
    path: PathBuf,
    position: u64,
    /// key -> (advisory id, record offset, record length)
    postings: BTreeMap<Vec<u8>, Vec<u32>>,
    /// slot -> (record offset, record length), slots replaced when an id repeats
    slots: Vec<(u64, u32)>,
    by_id: std::collections::HashMap<String, (u32, Option<String>)>,
}

/// What `IndexWriter::add` did with a record.
pub(crate) enum Added {
    New,
    /// Same id seen before; the newer `modified` one is kept.
    Duplicate,
}

impl<W: Write + Seek> IndexWriter<W> {
    pub(crate) fn new(mut out: W, path: &Path) -> Result<Self> {
        out.write_all(&[0u8; HEADER_LEN as usize])
            .map_err(|source| VulnError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(IndexWriter {
            out,
            path: path.to_path_buf(),
            position: HEADER_LEN,
            postings: BTreeMap::new(),
            slots: Vec::new(),
            by_id: std::collections::HashMap::new(),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|source| VulnError::Write {
                path: self.path.clone(),
                source,
            })?;
        self.position += bytes.len() as u64;
        Ok(())
    }

    pub(crate) fn add(&mut self, advisory: &StoredAdvisory, keys: Vec<Vec<u8>>) -> Result<Added> {
        let json = serde_json::to_vec(advisory).unwrap_or_default();
        let Ok(len) = u32::try_from(json.len()) else {
            return Ok(Added::New);
        };
        if len > MAX_RECORD_LEN || json.is_empty() {
            return Ok(Added::New);
        }
        let offset = self.position - HEADER_LEN;
        if let Some((slot, modified)) = self.by_id.get(&advisory.id).cloned() {
            if advisory.modified >= modified {
                self.write(&json)?;
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    *s = (offset, len);
                }
                self.by_id
                    .insert(advisory.id.clone(), (slot, advisory.modified.clone()));
                for key in keys {
                    let list = self.postings.entry(key).or_default();
                    if !list.contains(&slot) {
                        list.push(slot);
                    }
                }
            }
            return Ok(Added::Duplicate);
        }
        self.write(&json)?;
        let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push((offset, len));
        self.by_id
            .insert(advisory.id.clone(), (slot, advisory.modified.clone()));
        for key in keys {
            let list = self.postings.entry(key).or_default();
            if list.last() != Some(&slot) {
                list.push(slot);
            }
        }
        Ok(Added::New)
    }

    /// Writes postings, keys and table, then the header. Returns (writer, key count, file length).
    pub(crate) fn finish(mut self) -> Result<(W, u64, u64)> {
        let records_len = self.position - HEADER_LEN;
        let postings_off = self.position;
        let postings = std::mem::take(&mut self.postings);
        let mut table: Vec<(u64, u32, u64, u32)> = Vec::with_capacity(postings.len());
        let mut key_blob: Vec<u8> = Vec::new();
        let mut written_postings: u64 = 0;
        for (key, slots) in &postings {
            let start = written_postings * POSTING;
            let mut count = 0u32;
            for slot in slots {
                if let Some((offset, len)) = self.slots.get(*slot as usize).copied() {
                    let mut entry = [0u8; POSTING as usize];
                    entry[..8].copy_from_slice(&offset.to_le_bytes());
                    entry[8..].copy_from_slice(&len.to_le_bytes());
                    self.write(&entry)?;
                    written_postings += 1;
                    count += 1;
                }
            }
            table.push((key_blob.len() as u64, key.len() as u32, start, count));
            key_blob.extend_from_slice(key);
        }
        let postings_len = self.position - postings_off;
        let keys_off = self.position;
        self.write(&key_blob)?;
        let table_off = self.position;
        for (key_off, key_len, post_off, count) in &table {
            let mut entry = [0u8; TABLE_ENTRY as usize];
            entry[..8].copy_from_slice(&key_off.to_le_bytes());
            entry[8..12].copy_from_slice(&key_len.to_le_bytes());
            entry[12..20].copy_from_slice(&post_off.to_le_bytes());
            entry[20..].copy_from_slice(&count.to_le_bytes());
            self.write(&entry)?;
        }
        let total = self.position;
        let mut header = Vec::with_capacity(HEADER_LEN as usize);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        for value in [
            HEADER_LEN,
            records_len,
            postings_off,
            postings_len,
            keys_off,
            key_blob.len() as u64,
            table_off,
            table.len() as u64,
            self.slots.len() as u64,
        ] {
            header.extend_from_slice(&value.to_le_bytes());
        }
        let checksum = fnv1a(&header);
        header.extend_from_slice(&checksum.to_le_bytes());
        let path = self.path.clone();
        let werr = |source| VulnError::Write {
            path: path.clone(),
            source,
        };
        self.out.seek(SeekFrom::Start(0)).map_err(werr)?;
        self.out.write_all(&header).map_err(werr)?;
        self.out.flush().map_err(werr)?;
        Ok((self.out, table.len() as u64, total))
    }
}

enum Storage {
    File(Mutex<File>),
    Memory(Vec<u8>),
}

#[derive(Debug, Clone, Copy)]
struct Header {
    records_off: u64,
    records_len: u64,
    postings_off: u64,
    postings_len: u64,
    keys_off: u64,
    keys_len: u64,
    table_off: u64,
    table_count: u64,
    advisory_count: u64,
}

/// A read-only view of an index.
pub(crate) struct IndexReader {
    path: PathBuf,
    storage: Storage,
    len: u64,
    header: Header,
}

impl IndexReader {
    pub(crate) fn open_file(path: &Path) -> Result<IndexReader> {
        let read_err = |source| VulnError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        IndexReader::new(path, Storage::File(Mutex::new(file)), len)
    }

    pub(crate) fn from_memory(path: &Path, bytes: Vec<u8>) -> Result<IndexReader> {
        let len = bytes.len() as u64;
        IndexReader::new(path, Storage::Memory(bytes), len)
    }

    fn corrupt(&self, reason: &'static str) -> VulnError {
        VulnError::CorruptIndex {
            path: self.path.clone(),
            reason,
        }
    }

    fn new(path: &Path, storage: Storage, len: u64) -> Result<IndexReader> {
        let corrupt = |reason| VulnError::CorruptIndex {
            path: path.to_path_buf(),
            reason,
        };
        let mut reader = IndexReader {
            path: path.to_path_buf(),
            storage,
            len,
            header: Header {
                records_off: 0,
                records_len: 0,
                postings_off: 0,
                postings_len: 0,
                keys_off: 0,
                keys_len: 0,
                table_off: 0,
                table_count: 0,
                advisory_count: 0,
            },
        };
        if len < HEADER_LEN {
            return Err(corrupt("shorter than its header"));
        }
        let raw = reader.read(0, HEADER_LEN)?;
        if &raw[..8] != MAGIC {
            return Err(corrupt("not a careen index: bad magic"));
        }
        let u32_at = |at: usize| {
            raw.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        let u64_at = |at: usize| {
            raw.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
                .unwrap_or(u64::MAX)
        };
        let version = u32_at(8).unwrap_or(0);
        if version != FORMAT_VERSION {
            return Err(VulnError::IndexVersion {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if fnv1a(&raw[..88]) != u64_at(88) {
            return Err(corrupt("header checksum mismatch"));
        }
        let h = Header {
            records_off: u64_at(16),
            records_len: u64_at(24),
            postings_off: u64_at(32),
            postings_len: u64_at(40),
            keys_off: u64_at(48),
            keys_len: u64_at(56),
            table_off: u64_at(64),
            table_count: u64_at(72),
            advisory_count: u64_at(80),
        };
        let section_ok =
            |off: u64, section_len: u64| off.checked_add(section_len).is_some_and(|end| end <= len);
        if !section_ok(h.records_off, h.records_len)
            || !section_ok(h.postings_off, h.postings_len)
            || !section_ok(h.keys_off, h.keys_len)
            || !h
                .table_count
                .checked_mul(TABLE_ENTRY)
                .is_some_and(|t| section_ok(h.table_off, t))
        {
            return Err(corrupt("a section lies outside the file (truncated?)"));
        }
        reader.header = h;
        Ok(reader)
    }

    fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let end = offset
            .checked_add(len)
            .filter(|end| *end <= self.len)
            .ok_or_else(|| self.corrupt("an offset points outside the file"))?;
        match &self.storage {
            Storage::Memory(bytes) => {
                let (start, end) = (usize::try_from(offset), usize::try_from(end));
                match (start, end) {
                    (Ok(s), Ok(e)) => bytes
                        .get(s..e)
                        .map(<[u8]>::to_vec)
                        .ok_or_else(|| self.corrupt("an offset points outside the file")),
                    _ => Err(self.corrupt("an offset points outside the file")),
                }
            }
            Storage::File(file) => {
                let mut buf = vec![
                    0u8;
                    usize::try_from(len)
                        .map_err(|_| self.corrupt("a length is too large"))?
                ];
                let mut file = file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let read_err = |source| VulnError::Read {
                    path: self.path.clone(),
                    source,
                };
                file.seek(SeekFrom::Start(offset)).map_err(read_err)?;
                file.read_exact(&mut buf).map_err(read_err)?;
                Ok(buf)
            }
        }
    }

    pub(crate) fn advisory_count(&self) -> u64 {
        self.header.advisory_count
    }

    pub(crate) fn key_count(&self) -> u64 {
        self.header.table_count
    }

    fn table_entry(&self, i: u64) -> Result<(u64, u32, u64, u32)> {
        let raw = self.read(self.header.table_off + i * TABLE_ENTRY, TABLE_ENTRY)?;
        let u64_at = |at: usize| {
            raw.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
        };
        let u32_at = |at: usize| {
            raw.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        match (u64_at(0), u32_at(8), u64_at(12), u32_at(20)) {
            (Some(a), Some(b), Some(c), Some(d)) => Ok((a, b, c, d)),
            _ => Err(self.corrupt("short table entry")),
        }
    }

    fn key_at(&self, key_off: u64, key_len: u32) -> Result<Vec<u8>> {
        if key_len > MAX_KEY_LEN
            || key_off.saturating_add(u64::from(key_len)) > self.header.keys_len
        {
            return Err(self.corrupt("a key lies outside the key section"));
        }
        self.read(self.header.keys_off + key_off, u64::from(key_len))
    }

    /// All advisories filed under `key`. Binary search over the table: O(log n) reads.
    pub(crate) fn lookup(&self, key: &[u8]) -> Result<Vec<StoredAdvisory>> {
        let (mut lo, mut hi) = (0u64, self.header.table_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (key_off, key_len, post_off, count) = self.table_entry(mid)?;
            let found = self.key_at(key_off, key_len)?;
            match found.as_slice().cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.read_postings(post_off, count),
            }
        }
        Ok(Vec::new())
    }

    fn read_postings(&self, post_off: u64, count: u32) -> Result<Vec<StoredAdvisory>> {
        let bytes = u64::from(count) * POSTING;
        if post_off.saturating_add(bytes) > self.header.postings_len {
            return Err(self.corrupt("postings lie outside their section"));
        }
        let raw = self.read(self.header.postings_off + post_off, bytes)?;
        let mut out = Vec::with_capacity(count as usize);
        for entry in raw.chunks_exact(POSTING as usize) {
            let offset = entry
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
                .unwrap_or(u64::MAX);
            let len = entry
                .get(8..12)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .unwrap_or(u32::MAX);
            if len > MAX_RECORD_LEN
                || offset.saturating_add(u64::from(len)) > self.header.records_len
            {
                return Err(self.corrupt("a record lies outside the record section"));
            }
            let json = self.read(self.header.records_off + offset, u64::from(len))?;
            let advisory: StoredAdvisory = serde_json::from_slice(&json)
                .map_err(|_| self.corrupt("a record does not decode"))?;
            out.push(advisory);
        }
        Ok(out)
    }
}
