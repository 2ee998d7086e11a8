//! rpm: the sqlite database (`rpmdb.sqlite`, RHEL 9 / Fedora 33+), whose
//! `Packages` table holds one RPM header blob per package.
//!
//! A header blob (the immutable region, without the lead magic) is: the
//! number of index entries `il` and the data length `dl` (both big-endian
//! u32), `il` index entries of 16 bytes (tag, type, offset, count: u32 BE),
//! then `dl` bytes of data that the entries point into. Parsed by hand: it is
//! a few dozen lines, and no maintained crate reads it.
//!
//! BerkeleyDB (`Packages`) and ndb (`Packages.db`) databases are not read;
//! the cataloger says so in a warning.

use super::{Package, PackageKind};
use rusqlite::{Connection, OpenFlags};
use std::io::Write as _;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Most index entries accepted in one header (real ones have a few hundred).
const MAX_INDEX_ENTRIES: usize = 1 << 16;
/// Most packages read from one database.
const MAX_PACKAGES: usize = 100_000;

/// The fields of one header.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) release: Option<String>,
    pub(crate) epoch: Option<u64>,
    pub(crate) size: Option<u64>,
    pub(crate) vendor: Option<String>,
    pub(crate) license: Option<String>,
    pub(crate) arch: Option<String>,
    pub(crate) source_rpm: Option<String>,
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// The NUL-terminated string at `offset` of the data store.
fn string_at(store: &[u8], offset: usize) -> Option<String> {
    let rest = store.get(offset..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Parses a header blob; `None` when it is malformed.
pub(crate) fn parse_header(blob: &[u8]) -> Option<Header> {
    let entries = usize::try_from(be_u32(blob, 0)?).ok()?;
    let data_len = usize::try_from(be_u32(blob, 4)?).ok()?;
    if entries > MAX_INDEX_ENTRIES {
        return None;
    }
    let store_start = 8_usize.checked_add(entries.checked_mul(16)?)?;
    let store = blob.get(store_start..store_start.checked_add(data_len)?)?;
    let mut header = Header::default();
    for i in 0..entries {
        let at = 8 + i * 16;
        let tag = be_u32(blob, at)?;
        let kind = be_u32(blob, at + 4)?;
        let offset = usize::try_from(be_u32(blob, at + 8)?).ok()?;
        let text = || match kind {
            TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING => string_at(store, offset),
            _ => None,
        };
        let number = || match kind {
            TYPE_INT32 => be_u32(store, offset).map(u64::from),
            _ => None,
        };
        match tag {
            TAG_NAME => header.name = text(),
            TAG_VERSION => header.version = text(),
            TAG_RELEASE => header.release = text(),
            TAG_EPOCH => header.epoch = number(),
            TAG_SIZE => header.size = number(),
            TAG_VENDOR => header.vendor = text(),
            TAG_LICENSE => header.license = text(),
            TAG_ARCH => header.arch = text(),
            TAG_SOURCERPM => header.source_rpm = text(),
            _ => {}
        }
    }
    Some(header)
}

fn package(header: Header) -> Option<Package> {
    let name = header.name.filter(|n| !n.is_empty())?;
    let version = header.version.unwrap_or_default();
    let release = header.release.unwrap_or_default();
    let mut full = match (version.is_empty(), release.is_empty()) {
        (false, false) => format!("{version}-{release}"),
        (false, true) => version,
        (true, _) => return None,
    };
    if let Some(epoch) = header.epoch {
        full = format!("{epoch}:{full}");
    }
    // The gpg-pubkey pseudo-packages (signing keys) are listed, as syft does.
    let mut package = Package::new(PackageKind::Rpm, &name, &full);
    package.epoch = header.epoch;
    package.architecture = header.arch.filter(|a| !a.is_empty());
    package.upstream = header.source_rpm.filter(|s| !s.is_empty() && s != "(none)");
    package.supplier = header.vendor.filter(|v| !v.is_empty());
    package.licenses = header
        .license
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    package.installed_size = header.size;
    Some(package)
}

#[derive(Debug, thiserror::Error)]
enum RpmDbError {
    #[error("cannot write a temporary copy: {0}")]
    TempFile(#[from] std::io::Error),
    #[error("cannot read the sqlite database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn read_blobs(data: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
    // sqlite reads files, not memory: a private temporary copy. Bytes 18-19
    // of the header say "WAL mode"; the copy has no -wal file, so it is
    // switched to the rollback journal to open without one.
    let mut copy = data.to_vec();
    if copy.len() >= 20 && copy.starts_with(b"SQLite format 3\0") {
        copy[18] = 1;
        copy[19] = 1;
    }
    let mut file = tempfile::NamedTempFile::new()?;
    file.write_all(&copy)?;
    file.flush()?;
    let connection = Connection::open_with_flags(
        file.path(),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut statement = connection.prepare("SELECT blob FROM Packages")?;
    let mut rows = statement.query([])?;
    let mut blobs = Vec::new();
    while let Some(row) = rows.next()? {
        if blobs.len() >= MAX_PACKAGES {
            break;
        }
        blobs.push(row.get::<_, Vec<u8>>(0)?);
    }
    Ok(blobs)
}

/// The packages of an `rpmdb.sqlite`.
pub(crate) fn parse_sqlite(data: &[u8], warn: &mut dyn FnMut(String)) -> Vec<Package> {
    let blobs = match read_blobs(data) {
        Ok(blobs) => blobs,
        Err(error) => {
            warn(format!("rpm database skipped: {error}"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut malformed = 0_usize;
    for blob in blobs {
        match parse_header(&blob) {
            Some(header) => out.extend(package(header)),
            None => malformed += 1,
        }
    }
    if malformed > 0 {
        warn(format!("{malformed} malformed rpm header(s) skipped"));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header blob with the given (tag, type, value) entries, laid out as
    /// rpm lays them out.
    pub(crate) fn header_blob(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store = Vec::new();
        for (tag, kind, value) in entries {
            if *kind == TYPE_INT32 {
                while !store.len().is_multiple_of(4) {
                    store.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(store.len() as u32).to_be_bytes());
            index.extend_from_slice(&1_u32.to_be_bytes());
            store.extend_from_slice(value);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(store.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(store);
        blob
    }

    pub(crate) fn sample_blob(name: &str, epoch: Option<u32>) -> Vec<u8> {
        let name = format!("{name}\0");
        let epoch_bytes = epoch.map(u32::to_be_bytes);
        let mut entries: Vec<(u32, u32, &[u8])> = vec![
            (TAG_NAME, TYPE_STRING, name.as_bytes()),
            (TAG_VERSION, TYPE_STRING, b"3.0.7\0"),
            (TAG_RELEASE, TYPE_STRING, b"24.el9\0"),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0"),
            (TAG_LICENSE, TYPE_STRING, b"ASL 2.0\0"),
            (TAG_VENDOR, TYPE_STRING, b"Red Hat, Inc.\0"),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                b"openssl-3.0.7-24.el9.src.rpm\0",
            ),
            (TAG_SIZE, TYPE_INT32, &[0, 0, 16, 0]),
        ];
        if let Some(epoch) = &epoch_bytes {
            entries.push((TAG_EPOCH, TYPE_INT32, epoch));
        }
        header_blob(&entries)
    }

    /// An rpmdb.sqlite as rpm creates it, with the given header blobs.
    pub(crate) fn sqlite_db(blobs: &[Vec<u8>]) -> Vec<u8> {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return Vec::new() };
        let path = dir.path().join("rpmdb.sqlite");
        let Ok(connection) = Connection::open(&path) else {
            return Vec::new();
        };
        let created = connection.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
             CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL);",
        );
        assert!(created.is_ok(), "{created:?}");
        for blob in blobs {
            let inserted = connection.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob]);
            assert!(inserted.is_ok());
        }
        let checkpoint = connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        assert!(checkpoint.is_ok());
        drop(connection);
        std::fs::read(&path).unwrap_or_default()
    }

    #[test]
    fn header_fields() {
        let header = parse_header(&sample_blob("openssl-libs", Some(1)));
        assert_eq!(
            header,
            Some(Header {
                name: Some("openssl-libs".into()),
                version: Some("3.0.7".into()),
                release: Some("24.el9".into()),
                epoch: Some(1),
                size: Some(4096),
                vendor: Some("Red Hat, Inc.".into()),
                license: Some("ASL 2.0".into()),
                arch: Some("x86_64".into()),
                source_rpm: Some("openssl-3.0.7-24.el9.src.rpm".into()),
            })
        );
    }

    #[test]
    fn malformed_headers_are_none() {
        assert_eq!(parse_header(&[]), None);
        assert_eq!(parse_header(&[0, 0, 0, 1, 0, 0, 0, 0]), None);
        assert_eq!(parse_header(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), None);
        let mut blob = sample_blob("x", None);
        blob.truncate(blob.len() - 3);
        assert_eq!(parse_header(&blob), None);
        // Offsets past the store read nothing, without panicking.
        let bad = header_blob(&[(TAG_NAME, TYPE_STRING, b"no-nul")]);
        assert_eq!(parse_header(&bad).map(|h| h.name), Some(None));
    }

    #[test]
    fn sqlite_database() {
        let db = sqlite_db(&[
            sample_blob("openssl-libs", Some(1)),
            sample_blob("gpg-pubkey", None),
            b"garbage".to_vec(),
            sample_blob("bash", None),
        ]);
        let mut warnings = Vec::new();
        let packages = parse_sqlite(&db, &mut |w| warnings.push(w));
        let got: Vec<_> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.epoch))
            .collect();
        assert_eq!(
            got,
            vec![
                ("openssl-libs", "1:3.0.7-24.el9", Some(1)),
                ("gpg-pubkey", "3.0.7-24.el9", None),
                ("bash", "3.0.7-24.el9", None)
            ]
        );
        assert_eq!(warnings, vec!["1 malformed rpm header(s) skipped"]);
        assert_eq!(packages[0].licenses, vec!["ASL 2.0"]);
        assert_eq!(
            packages[0].upstream.as_deref(),
            Some("openssl-3.0.7-24.el9.src.rpm")
        );
    }

    #[test]
    fn not_a_database_warns() {
        let mut warnings = Vec::new();
        assert!(parse_sqlite(b"not sqlite at all", &mut |w| warnings.push(w)).is_empty());
        assert_eq!(warnings.len(), 1);
    }
}
