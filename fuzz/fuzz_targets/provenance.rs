#![no_main]
//! Any Dockerfile and any image history (one `created_by` per line; a line starting with `-`
//! is an empty-layer entry): mapping history onto the Dockerfile never panics, and every
//! layer it maps points at a line of the Dockerfile.

use careen_inspect::provenance::{map, HistoryEntry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (dockerfile, history) = text.split_once("\n===\n").unwrap_or((text, ""));
    let Ok(parsed) = careen_dockerfile::parse(dockerfile) else {
        return;
    };
    let history: Vec<HistoryEntry> = history
        .lines()
        .take(200)
        .map(|line| HistoryEntry {
            empty_layer: line.starts_with('-'),
            created_by: Some(line.trim_start_matches('-').to_owned()),
            comment: None,
        })
        .collect();
    let layers = history.iter().filter(|h| !h.empty_layer).count();
    let lines = dockerfile.lines().count().max(1) as u32;
    if let Ok(provenance) = map(&parsed, "Dockerfile", None, &history, layers) {
        for origin in provenance.layers.iter().flatten() {
            assert!(origin.line >= 1 && origin.line <= lines + 1, "{origin:?}");
        }
    }
});
