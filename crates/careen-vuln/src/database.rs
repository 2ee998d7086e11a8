//! Opening a vulnerability database and querying it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Result, VulnError};
use crate::import::{self, ImportLimits, ImportStats};
use crate::index::{self, IndexReader, INDEX_FILE};
use crate::matcher::{match_advisory, Match, PackageQuery};

/// An opened index. Holds a file handle and the header only; each query reads the
/// entries it needs.
pub struct Database {
    reader: IndexReader,
}

/// How `Database::load` got its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadedFrom {
    /// An index made by `import`.
    Index(PathBuf),
    /// Raw OSV data indexed into this cache directory now.
    CacheBuilt(PathBuf, ImportStats),
    /// Raw OSV data whose cached index was still current.
    CacheReused(PathBuf),
    /// Raw OSV data indexed in memory (no cache directory given).
    Memory(ImportStats),
}

const FINGERPRINT_FILE: &str = "source.fingerprint";

impl Database {
    /// Opens the index in `db_dir` (or the index file itself).
    pub fn open(db_dir: &Path) -> Result<Database> {
        let path = if db_dir.is_dir() {
            db_dir.join(INDEX_FILE)
        } else {
            db_dir.to_path_buf()
        };
        if !path.exists() {
            return Err(VulnError::NoSource { path });
        }
        Ok(Database {
            reader: IndexReader::open_file(&path)?,
        })
    }

    /// Opens whatever `--db` points at:
    /// - a directory with an `osv.idx` (made by `import`), or that file: opened as is;
    /// - raw OSV data (a directory of JSON files / `all.zip`s, or one zip): indexed first.
    ///   With `cache_dir`, the index goes to `cache_dir/<hash of the source path>/` and is
    ///   reused while the source's files (paths, sizes, mtimes) are unchanged; without it
    ///   the index is built in memory for this run.
    pub fn load(path: &Path, cache_dir: Option<&Path>) -> Result<(Database, LoadedFrom)> {
        let index_file = if path.is_dir() {
            path.join(INDEX_FILE)
        } else {
            path.to_path_buf()
        };
        if index_file.is_file() && is_index_file(&index_file) {
            return Ok((Database::open(&index_file)?, LoadedFrom::Index(index_file)));
        }
        if !path.exists() {
            return Err(VulnError::NoSource {
                path: path.to_path_buf(),
            });
        }
        let limits = ImportLimits::default();
        match cache_dir {
            Some(cache_root) => {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
                let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
                let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
                let dir = cache_root.join(hex);
                let fingerprint = fingerprint(path);
                let stored = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).ok();
                if stored.as_deref() == Some(fingerprint.as_str()) {
                    if let Ok(db) = Database::open(&dir) {
                        return Ok((db, LoadedFrom::CacheReused(dir)));
                    }
                }
                let stats = import::import_with(path, &dir, &limits)?;
                std::fs::write(dir.join(FINGERPRINT_FILE), &fingerprint).map_err(|source| {
                    VulnError::Write {
                        path: dir.join(FINGERPRINT_FILE),
                        source,
                    }
                })?;
                Ok((Database::open(&dir)?, LoadedFrom::CacheBuilt(dir, stats)))
            }
            None => {
                let (bytes, stats) = import::import_to_memory(path, &limits)?;
                let reader = IndexReader::from_memory(path, bytes)?;
                Ok((Database { reader }, LoadedFrom::Memory(stats)))
            }
        }
    }

    /// Advisories in the index.
    pub fn advisory_count(&self) -> u64 {
        self.reader.advisory_count()
    }

    /// Distinct (ecosystem, package) keys in the index.
    pub fn package_count(&self) -> u64 {
        self.reader.key_count()
    }

    /// Advisories affecting one package, most severe first, one per advisory id.
    pub fn query(&self, query: &PackageQuery) -> Result<Vec<Match>> {
        let (name, _) = query.advisory_name_and_version();
        let key = index::key(
            query.ecosystem.osv_name(),
            &query.ecosystem.normalize_name(name),
        );
        let mut matches: Vec<Match> = self
            .reader
            .lookup(&key)?
            .iter()
            .filter_map(|advisory| match_advisory(advisory, query))
            .collect();
        sort_matches(&mut matches);
        matches.dedup_by(|a, b| a.id == b.id);
        Ok(matches)
    }

    /// Advisories affecting any of the packages, sorted by severity (highest first),
    /// then id, then package name.
    pub fn query_all<'a, I>(&self, queries: I) -> Result<Vec<Match>>
    where
        I: IntoIterator<Item = &'a PackageQuery>,
    {
        let mut all = Vec::new();
        for query in queries {
            all.extend(self.query(query)?);
        }
        sort_matches(&mut all);
        Ok(all)
    }
}

fn sort_matches(matches: &mut [Match]) {
    matches.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.package.version.cmp(&b.package.version))
    });
}

fn is_index_file(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"CRNVULN\0")
}

/// Paths, sizes and modification times of every file under `path`, hashed.
fn fingerprint(path: &Path) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("careen-vuln-index-v{}\n", index::FORMAT_VERSION));
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if let Ok(meta) = entry.metadata() {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hasher.update(format!(
                "{}\0{}\0{}\n",
                entry.path().display(),
                meta.len(),
                mtime
            ));
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
