//! Writing blobs: a squashed layer streamed into a compressed tar (both digests computed on the
//! way), and kept layers copied byte for byte. Blobs are written to temp files in the output's
//! directory and named by digest.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use careen_image::{EntryKind, RawHeader};
use sha2::{Digest as _, Sha256};

use crate::SlimError;

/// Layer compression for rewritten layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    Gzip,
    Zstd,
    None,
}

impl Compression {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Self::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            Self::None => "application/vnd.oci.image.layer.v1.tar",
        }
    }

    /// Told from the first bytes of a blob.
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::None
        }
    }
}

/// A blob written to disk.
#[derive(Debug, Clone)]
pub struct Blob {
    pub digest: String,
    pub size: u64,
    pub path: PathBuf,
    pub media_type: String,
}

/// Writes counted and hashed.
pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            format!("sha256:{:x}", self.hasher.finalize()),
            self.count,
        )
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(buf.get(..written).unwrap_or_default());
        self.count += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Stored = Hashing<BufWriter<File>>;

enum Encoder {
    Gzip(flate2::write::GzEncoder<Stored>),
    Zstd(zstd::stream::write::Encoder<'static, Stored>),
    None(Stored),
}

impl Encoder {
    fn finish(self) -> io::Result<Stored> {
        match self {
            Self::Gzip(encoder) => encoder.finish(),
            Self::Zstd(encoder) => encoder.finish(),
            Self::None(inner) => Ok(inner),
        }
    }
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Gzip(e) => e.write(buf),
            Self::Zstd(e) => e.write(buf),
            Self::None(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Gzip(e) => e.flush(),
            Self::Zstd(e) => e.flush(),
            Self::None(e) => e.flush(),
        }
    }
}

/// Where blobs go: `dir/<hex>`, through temp files in the same directory.
pub struct BlobDir {
    pub dir: PathBuf,
}

fn io_error(path: &Path, source: io::Error) -> SlimError {
    SlimError::Write {
        path: path.to_owned(),
        source,
    }
}

impl BlobDir {
    pub fn new(dir: PathBuf) -> Result<Self, SlimError> {
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        Ok(Self { dir })
    }

    fn temp(&self) -> Result<tempfile::NamedTempFile, SlimError> {
        tempfile::Builder::new()
            .prefix(".careen-slim-")
            .tempfile_in(&self.dir)
            .map_err(|e| io_error(&self.dir, e))
    }

    fn keep(
        &self,
        temp: tempfile::NamedTempFile,
        digest: &str,
        size: u64,
        media_type: &str,
    ) -> Result<Blob, SlimError> {
        let hex = digest.trim_start_matches("sha256:");
        let path = self.dir.join(hex);
        temp.persist(&path).map_err(|e| io_error(&path, e.error))?;
        Ok(Blob {
            digest: digest.to_owned(),
            size,
            path,
            media_type: media_type.to_owned(),
        })
    }

    /// Writes `bytes` (a config or manifest) as a blob.
    pub fn bytes(&self, bytes: &[u8], media_type: &str) -> Result<Blob, SlimError> {
        let mut temp = self.temp()?;
        temp.write_all(bytes)
            .map_err(|e| io_error(temp.path(), e))?;
        let digest = format!("sha256:{:x}", Sha256::digest(bytes));
        self.keep(temp, &digest, bytes.len() as u64, media_type)
    }

    /// Copies a stored layer blob as is, checking its digest.
    pub fn copy(
        &self,
        mut reader: Box<dyn Read + Send>,
        expected: &str,
    ) -> Result<Blob, SlimError> {
        let temp = self.temp()?;
        let file = temp.reopen().map_err(|e| io_error(temp.path(), e))?;
        let mut out = Hashing::new(BufWriter::new(file));
        let mut head: Vec<u8> = Vec::with_capacity(4);
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SlimError::Read(expected.to_owned(), e)),
            };
            let chunk = buffer.get(..read).unwrap_or_default();
            if head.len() < 4 {
                let wanted = (4 - head.len()).min(chunk.len());
                head.extend_from_slice(chunk.get(..wanted).unwrap_or_default());
            }
            out.write_all(chunk).map_err(|e| io_error(temp.path(), e))?;
        }
        let (mut writer, digest, size) = out.finish();
        writer.flush().map_err(|e| io_error(temp.path(), e))?;
        drop(writer);
        if digest != expected {
            return Err(SlimError::Read(
                expected.to_owned(),
                io::Error::other(format!("digest mismatch: found {digest}")),
            ));
        }
        let media_type = Compression::sniff(&head).media_type();
        self.keep(temp, &digest, size, media_type)
    }

    /// Starts a new layer.
    pub fn layer(&self, compression: Compression) -> Result<LayerWriter, SlimError> {
        let temp = self.temp()?;
        let file = temp.reopen().map_err(|e| io_error(temp.path(), e))?;
        let stored = Hashing::new(BufWriter::with_capacity(1 << 20, file));
        let encoder = match compression {
            Compression::Gzip => Encoder::Gzip(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .operating_system(255)
                    .write(stored, flate2::Compression::new(6)),
            ),
            Compression::Zstd => Encoder::Zstd(
                zstd::stream::write::Encoder::new(stored, 3)
                    .map_err(|e| io_error(temp.path(), e))?,
            ),
            Compression::None => Encoder::None(stored),
        };
        let mut builder = tar::Builder::new(Hashing::new(encoder));
        builder.mode(tar::HeaderMode::Complete);
        Ok(LayerWriter {
            builder,
            temp,
            compression,
        })
    }
}

/// A squashed layer being written.
pub struct LayerWriter {
    builder: tar::Builder<Hashing<Encoder>>,
    temp: tempfile::NamedTempFile,
    compression: Compression,
}

/// What one written entry looks like.
pub struct EntrySpec<'a> {
    pub path: &'a str,
    pub kind: EntryKind,
    pub raw: &'a RawHeader,
    pub uid: u64,
    pub gid: u64,
    /// Hardlink target (for `Hardlink`) or symlink target.
    pub link: Option<&'a str>,
    pub size: u64,
}

/// PAX records worth keeping: extended attributes (file capabilities), ACLs.
fn kept_pax(key: &str) -> bool {
    key.starts_with("SCHILY.xattr.")
        || key.starts_with("LIBARCHIVE.xattr.")
        || key.starts_with("SCHILY.acl.")
}

/// One PAX record: `<len> <key>=<value>\n`, the length counting itself.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3; // space, `=`, newline
    let mut length = body + body.to_string().len();
    if body + length.to_string().len() != length {
        length = body + length.to_string().len();
    }
    let mut record = format!("{length} {key}=").into_bytes();
    record.extend_from_slice(value);
    record.push(b'\n');
    record
}

impl LayerWriter {
    /// Appends one entry, its data read from `data` (files only). `epoch` clamps mtimes.
    pub fn entry(
        &mut self,
        spec: &EntrySpec<'_>,
        data: &mut dyn Read,
        epoch: Option<u64>,
    ) -> Result<(), SlimError> {
        let source = &spec.raw.header;
        let pax = &spec.raw.pax;
        let pax_value = |key: &str| pax.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let mut mtime = pax_value("mtime")
            .and_then(|v| {
                String::from_utf8_lossy(&v)
                    .split('.')
                    .next()
                    .and_then(|s| s.parse::<u64>().ok())
            })
            .or_else(|| source.mtime().ok())
            .unwrap_or(0);
        if let Some(epoch) = epoch {
            mtime = mtime.min(epoch);
        }
        let mut header = tar::Header::new_gnu();
        let entry_type = match spec.kind {
            EntryKind::File => tar::EntryType::Regular,
            EntryKind::Dir => tar::EntryType::Directory,
            EntryKind::Symlink => tar::EntryType::Symlink,
            EntryKind::Hardlink => tar::EntryType::Link,
            EntryKind::Other => source.entry_type(),
        };
        header.set_entry_type(entry_type);
        header.set_mode(source.mode().unwrap_or(0o644));
        header.set_uid(spec.uid);
        header.set_gid(spec.gid);
        header.set_mtime(mtime);
        let mut records = Vec::new();
        let uname = pax_value("uname").or_else(|| source.username_bytes().map(<[u8]>::to_vec));
        let gname = pax_value("gname").or_else(|| source.groupname_bytes().map(<[u8]>::to_vec));
        if let Some(value) = uname.filter(|v| !v.is_empty()) {
            if header
                .set_username(&String::from_utf8_lossy(&value))
                .is_err()
            {
                records.extend(pax_record("uname", &value));
            }
        }
        if let Some(value) = gname.filter(|v| !v.is_empty()) {
            if header
                .set_groupname(&String::from_utf8_lossy(&value))
                .is_err()
            {
                records.extend(pax_record("gname", &value));
            }
        }
        for (key, value) in pax {
            if kept_pax(key) {
                records.extend(pax_record(key, value));
            }
        }
        if spec.kind == EntryKind::Other {
            if let (Ok(Some(major)), Ok(Some(minor))) =
                (source.device_major(), source.device_minor())
            {
                let _ = header.set_device_major(major);
                let _ = header.set_device_minor(minor);
            }
        }
        let size = if spec.kind == EntryKind::File {
            spec.size
        } else {
            0
        };
        header.set_size(size);
        let temp = self.temp.path().to_owned();
        let fail = |e| io_error(&temp, e);
        if !records.is_empty() {
            let mut pax_header = tar::Header::new_ustar();
            pax_header.set_entry_type(tar::EntryType::XHeader);
            let base = spec.path.rsplit('/').next().unwrap_or(spec.path);
            let name: String = format!("PaxHeaders.0/{base}").chars().take(99).collect();
            pax_header.set_path(&name).map_err(fail)?;
            pax_header.set_size(records.len() as u64);
            pax_header.set_mode(0o644);
            pax_header.set_mtime(mtime);
            pax_header.set_cksum();
            self.builder
                .append(&pax_header, records.as_slice())
                .map_err(fail)?;
        }
        let path = if spec.kind == EntryKind::Dir {
            format!("{}/", spec.path)
        } else {
            spec.path.to_owned()
        };
        match spec.kind {
            EntryKind::Hardlink | EntryKind::Symlink => {
                let target = spec.link.unwrap_or_default();
                self.builder
                    .append_link(&mut header, &path, target)
                    .map_err(fail)?;
            }
            EntryKind::File => {
                // Exactly `size` bytes: a short source is an error, not a shifted archive.
                let mut limited = data.take(size);
                let mut checked = Exact {
                    inner: &mut limited,
                    left: size,
                };
                self.builder
                    .append_data(&mut header, &path, &mut checked)
                    .map_err(fail)?;
            }
            _ => {
                self.builder
                    .append_data(&mut header, &path, io::empty())
                    .map_err(fail)?;
            }
        }
        Ok(())
    }

    /// A whiteout marker (`dir/.wh.name`) or an opaque marker (`dir/.wh..wh..opq`).
    pub fn marker(&mut self, path: &str, epoch: Option<u64>) -> Result<(), SlimError> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o600);
        header.set_size(0);
        header.set_mtime(epoch.unwrap_or(0));
        let temp = self.temp.path().to_owned();
        self.builder
            .append_data(&mut header, path, io::empty())
            .map_err(|e| io_error(&temp, e))
    }

    /// Ends the layer: (blob, diff ID, uncompressed size).
    pub fn finish(self, blobs: &BlobDir) -> Result<(Blob, String, u64), SlimError> {
        let temp_path = self.temp.path().to_owned();
        let fail = |e| io_error(&temp_path, e);
        let tar_out = self.builder.into_inner().map_err(fail)?;
        let (encoder, diff_id, uncompressed) = tar_out.finish();
        let stored = encoder.finish().map_err(fail)?;
        let (mut file, digest, size) = stored.finish();
        file.flush().map_err(fail)?;
        drop(file);
        let blob = blobs.keep(self.temp, &digest, size, self.compression.media_type())?;
        Ok((blob, diff_id, uncompressed))
    }
}

/// Reads exactly `left` bytes, failing on a short source.
struct Exact<'a> {
    inner: &'a mut dyn Read,
    left: u64,
}

impl Read for Exact<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let read = self.inner.read(buf)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "layer entry ended early",
            ));
        }
        self.left = self.left.saturating_sub(read as u64);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        for value_len in 0..1200 {
            let record = pax_record("k", &vec![b'v'; value_len]);
            let text = String::from_utf8_lossy(&record);
            let (length, _) = text.split_once(' ').unwrap();
            assert_eq!(
                length.parse::<usize>().unwrap(),
                record.len(),
                "{value_len}"
            );
        }
    }

    #[test]
    fn compression_is_sniffed() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"etc/"), Compression::None);
    }
}
