//! Runs the filesystem audit (secret scan included) over directories of this machine, as if
//! they were one layer, and prints the findings and the scan's throughput.
//!
//! ```text
//! cargo run --release -p careen-inspect --example secrets_scan -- /usr/share /usr/lib/python3
//! ```
//!
//! Paths are given to the visitor relative to `/` (`usr/share/…`), so the noise-path rules
//! apply as they would in an image.

use std::io::Read;
use std::os::unix::fs::MetadataExt as _;
use std::path::PathBuf;
use std::time::Instant;

use careen_image::{EntryKind, LayerEntry};
use careen_inspect::audit::{filesystem, AuditLayerBuilder, AuditOptions};

fn main() {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: secrets_scan DIR…");
        std::process::exit(2);
    }
    let options = AuditOptions::default();
    let mut builder = AuditLayerBuilder::new(options);
    let mut files = 0u64;
    let mut file_bytes = 0u64;
    let started = Instant::now();
    // An explicit stack, not recursion: directory depth is unbounded.
    let mut stack: Vec<PathBuf> = roots;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let kind = if meta.is_dir() {
                stack.push(path.clone());
                EntryKind::Dir
            } else if meta.file_type().is_symlink() {
                EntryKind::Symlink
            } else if meta.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            let layer_entry = LayerEntry {
                path: path.to_string_lossy().trim_start_matches('/').to_owned(),
                kind,
                size: if kind == EntryKind::File {
                    meta.len()
                } else {
                    0
                },
                mode: meta.mode(),
                uid: u64::from(meta.uid()),
                gid: u64::from(meta.gid()),
                link_target: None,
                whiteout: None,
            };
            if kind == EntryKind::File {
                files += 1;
                file_bytes += meta.len();
            }
            if builder.wants_contents(&layer_entry) {
                match std::fs::File::open(&path) {
                    Ok(mut file) => builder.visit(&layer_entry, &mut file as &mut dyn Read),
                    Err(_) => builder.visit(&layer_entry, &mut std::io::empty()),
                }
            } else {
                builder.visit(&layer_entry, &mut std::io::empty());
            }
        }
    }
    let layer = builder.finish();
    let scan_time = started.elapsed();
    let audit = filesystem::merge(vec![layer], &[None], &options);
    for finding in audit.findings.iter().filter(|f| f.code.starts_with("CS")) {
        println!(
            "{} {:<8} {}:{} {} {}",
            finding.code,
            finding.severity,
            finding.path.as_deref().unwrap_or("-"),
            finding.line.unwrap_or(0),
            finding.evidence.as_deref().unwrap_or(""),
            finding.message
        );
    }
    let stats = audit.stats;
    let secs = scan_time.as_secs_f64().max(1e-9);
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    eprintln!(
        "{files} files ({:.1} MiB) walked in {secs:.2} s; scanned {} text files, {:.1} MiB: {:.1} MiB/s of scanned text, {:.1} MiB/s of files walked",
        mib(file_bytes),
        stats.files_scanned,
        mib(stats.bytes_scanned),
        mib(stats.bytes_scanned) / secs,
        mib(file_bytes) / secs,
    );
    eprintln!(
        "skipped: {} large, {} binary, {} noise paths; {} secret findings, {} findings in all",
        stats.skipped_large,
        stats.skipped_binary,
        stats.skipped_noise,
        audit
            .findings
            .iter()
            .filter(|f| f.code.starts_with("CS"))
            .count(),
        audit.findings.len(),
    );
}
