//! Import: OSV JSON files (a directory tree) and OSV `all.zip` exports into an index.

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::ecosystem::Ecosystem;
use crate::error::{Result, VulnError};
use crate::index::{self, Added, IndexWriter, INDEX_FILE};
use crate::osv::{Converted, OsvRecord};

/// Limits that keep an import bounded whatever the input.
#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// A JSON file (or zip entry) larger than this is skipped with a warning.
    pub max_record_bytes: u64,
    /// Total bytes one zip may expand to; past it the zip is rejected (zip bomb).
    pub max_zip_expanded_bytes: u64,
    /// Entries one zip may hold.
    pub max_zip_entries: usize,
    /// Directory depth walked.
    pub max_depth: usize,
    /// Warnings kept in `ImportStats::warnings` (the counters always count all).
    pub max_warnings: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_record_bytes: 32 * 1024 * 1024,
            max_zip_expanded_bytes: 32 * 1024 * 1024 * 1024,
            max_zip_entries: 4_000_000,
            max_depth: 32,
            max_warnings: 200,
        }
    }
}

/// Why one input was skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportWarning {
    /// The file, or `archive.zip!entry.json`.
    pub source: String,
    pub reason: String,
}

/// What an import read and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportStats {
    /// JSON documents read (files and zip entries).
    pub documents: u64,
    /// Advisories in the index.
    pub advisories: u64,
    /// Distinct (ecosystem, package) keys in the index.
    pub packages: u64,
    /// Records skipped because they were withdrawn.
    pub withdrawn: u64,
    /// Documents skipped because they were not valid OSV JSON.
    pub malformed: u64,
    /// Documents skipped because they were over `max_record_bytes`.
    pub oversized: u64,
    /// Records whose id was already imported (the newer `modified` wins).
    pub duplicates: u64,
    /// Size of the index file in bytes.
    pub index_bytes: u64,
    pub warnings: Vec<ImportWarning>,
}

impl ImportStats {
    fn warn(&mut self, limits: &ImportLimits, source: String, reason: String) {
        if self.warnings.len() < limits.max_warnings {
            self.warnings.push(ImportWarning { source, reason });
        }
    }
}

/// Imports OSV data at `source` (a directory of OSV JSON files at any depth, which may
/// also hold `all.zip` exports, or one `.zip` / `.json` file) into an index in `db_dir`
/// (created if needed). The index is written to a temporary file and renamed into
/// place, so a failed import leaves any previous index intact.
pub fn import(source: &Path, db_dir: &Path) -> Result<ImportStats> {
    import_with(source, db_dir, &ImportLimits::default())
}

/// `import` with explicit limits.
pub fn import_with(source: &Path, db_dir: &Path, limits: &ImportLimits) -> Result<ImportStats> {
    std::fs::create_dir_all(db_dir).map_err(|source| VulnError::Write {
        path: db_dir.to_path_buf(),
        source,
    })?;
    let final_path = db_dir.join(INDEX_FILE);
    let tmp_path = db_dir.join(format!("{INDEX_FILE}.tmp-{}", std::process::id()));
    let file = File::create(&tmp_path).map_err(|source| VulnError::Write {
        path: tmp_path.clone(),
        source,
    })?;
    let result = build(source, BufWriter::new(file), &tmp_path, limits);
    let stats = match result {
        Ok((writer, stats)) => {
            drop(writer);
            stats
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp_path);
            return Err(e);
        }
    };
    std::fs::rename(&tmp_path, &final_path).map_err(|source| VulnError::Write {
        path: final_path.clone(),
        source,
    })?;
    Ok(stats)
}

/// Builds an index in memory (for `--db` pointing at raw OSV data without a cache dir).
pub(crate) fn import_to_memory(
    source: &Path,
    limits: &ImportLimits,
) -> Result<(Vec<u8>, ImportStats)> {
    let (cursor, stats) = build(source, Cursor::new(Vec::new()), source, limits)?;
    Ok((cursor.into_inner(), stats))
}

fn build<W: Write + Seek>(
    source: &Path,
    out: W,
    out_path: &Path,
    limits: &ImportLimits,
) -> Result<(W, ImportStats)> {
    let meta = std::fs::metadata(source).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => VulnError::NoSource {
            path: source.to_path_buf(),
        },
        _ => VulnError::Read {
            path: source.to_path_buf(),
            source: e,
        },
    })?;
    let mut writer = IndexWriter::new(out, out_path)?;
    let mut stats = ImportStats::default();
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(source)
            .max_depth(limits.max_depth)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|entry| match entry {
                Ok(e) if e.file_type().is_file() => Some(e.into_path()),
                Ok(_) => None,
                Err(e) => {
                    let path = e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    stats.warn(limits, path, format!("cannot read: {e}"));
                    None
                }
            })
            .collect();
        files.retain(|p| has_extension(p, "json") || has_extension(p, "zip"));
        for file in files {
            if has_extension(&file, "zip") {
                read_zip(&file, &mut writer, &mut stats, limits)?;
            } else {
                read_json_file(&file, &mut writer, &mut stats, limits)?;
            }
        }
    } else if has_extension(source, "zip") {
        read_zip(source, &mut writer, &mut stats, limits)?;
    } else if has_extension(source, "json") {
        read_json_file(source, &mut writer, &mut stats, limits)?;
    } else {
        return Err(VulnError::NoSource {
            path: source.to_path_buf(),
        });
    }
    let (out, keys, len) = writer.finish()?;
    stats.packages = keys;
    stats.index_bytes = len;
    Ok((out, stats))
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn read_json_file<W: Write + Seek>(
    path: &Path,
    writer: &mut IndexWriter<W>,
    stats: &mut ImportStats,
    limits: &ImportLimits,
) -> Result<()> {
    let name = path.display().to_string();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            stats.malformed += 1;
            stats.warn(limits, name, format!("cannot open: {e}"));
            return Ok(());
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file
        .take(limits.max_record_bytes + 1)
        .read_to_end(&mut bytes)
    {
        stats.malformed += 1;
        stats.warn(limits, name, format!("cannot read: {e}"));
        return Ok(());
    }
    add_document(&bytes, name, writer, stats, limits)
}

fn read_zip<W: Write + Seek>(
    path: &Path,
    writer: &mut IndexWriter<W>,
    stats: &mut ImportStats,
    limits: &ImportLimits,
) -> Result<()> {
    let file = File::open(path).map_err(|source| VulnError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|source| VulnError::Zip {
            path: path.to_path_buf(),
            source,
        })?;
    if archive.len() > limits.max_zip_entries {
        return Err(VulnError::ZipTooLarge {
            path: path.to_path_buf(),
            limit: limits.max_zip_expanded_bytes,
        });
    }
    let mut expanded: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                stats.malformed += 1;
                stats.warn(
                    limits,
                    format!("{}!#{i}", path.display()),
                    format!("unreadable zip entry: {e}"),
                );
                continue;
            }
        };
        let entry_name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !entry.is_file() || !entry_name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let name = format!("{}!{entry_name}", path.display());
        // Declared sizes can lie; the `take` below is what bounds the read.
        if entry.size() > limits.max_record_bytes {
            stats.oversized += 1;
            stats.warn(
                limits,
                name,
                format!("larger than {} bytes; skipped", limits.max_record_bytes),
            );
            continue;
        }
        let mut bytes = Vec::new();
        let read = (&mut entry)
            .take(limits.max_record_bytes + 1)
            .read_to_end(&mut bytes);
        expanded = expanded.saturating_add(bytes.len() as u64);
        if expanded > limits.max_zip_expanded_bytes {
            return Err(VulnError::ZipTooLarge {
                path: path.to_path_buf(),
                limit: limits.max_zip_expanded_bytes,
            });
        }
        if let Err(e) = read {
            stats.malformed += 1;
            stats.warn(limits, name, format!("cannot decompress: {e}"));
            continue;
        }
        add_document(&bytes, name, writer, stats, limits)?;
    }
    Ok(())
}

fn add_document<W: Write + Seek>(
    bytes: &[u8],
    name: String,
    writer: &mut IndexWriter<W>,
    stats: &mut ImportStats,
    limits: &ImportLimits,
) -> Result<()> {
    stats.documents += 1;
    if bytes.len() as u64 > limits.max_record_bytes {
        stats.oversized += 1;
        stats.warn(
            limits,
            name,
            format!("larger than {} bytes; skipped", limits.max_record_bytes),
        );
        return Ok(());
    }
    // One record per file is the OSV layout; a JSON array of records is accepted too.
    let records: Vec<OsvRecord> = match serde_json::from_slice::<OsvRecord>(bytes) {
        Ok(record) => vec![record],
        Err(first) => match serde_json::from_slice::<Vec<OsvRecord>>(bytes) {
            Ok(records) => records,
            Err(_) => {
                stats.malformed += 1;
                stats.warn(limits, name, format!("not an OSV record: {first}"));
                return Ok(());
            }
        },
    };
    for record in records {
        if record.id.is_empty() {
            stats.malformed += 1;
            stats.warn(limits, name.clone(), "record has an empty id".to_string());
            continue;
        }
        let advisory = match record.into_stored() {
            Converted::Withdrawn => {
                stats.withdrawn += 1;
                continue;
            }
            Converted::Kept(advisory) => advisory,
        };
        let mut keys: Vec<Vec<u8>> = advisory
            .affected
            .iter()
            .map(|a| {
                let (eco, _) = Ecosystem::parse_osv(&a.ecosystem);
                index::key(eco.osv_name(), &eco.normalize_name(&a.name))
            })
            .collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            continue;
        }
        match writer.add(&advisory, keys)? {
            Added::New => stats.advisories += 1,
            Added::Duplicate => stats.duplicates += 1,
        }
    }
    Ok(())
}
