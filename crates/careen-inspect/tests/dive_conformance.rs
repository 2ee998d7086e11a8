//! dive 0.13.1's own numbers (`../shared/conformance/images/expected-dive.json`)
//! for every fixture it can read: image size, wasted bytes, efficiency,
//! per-layer sizes and file counts, and the inefficient files in dive's order.
//!
//! The archives are read here with a minimal docker-archive reader (first
//! image of `manifest.json`, plain or gzip layers, symlinked layer files);
//! once `careen-image` lands this reader gives way to `careen_image::open`.
//!
//! efficiencyScore: dive's integer sums are matched exactly; the quotient is
//! compared to within a few ulps, because two fixtures' recorded scores sit
//! one ulp away from the correctly rounded quotient of those same sums, and
//! as dive prints it (`98.44 %`).

use careen_inspect::tree::LayerTree;
use careen_inspect::{waste, FileRecord, RecordKind};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn images_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/images")
}

/// Layer entries of the first image in a docker-archive, bottom layer first.
fn read_docker_archive(path: &Path) -> Vec<Vec<FileRecord>> {
    let mut members: HashMap<String, Vec<u8>> = HashMap::new();
    let mut links: HashMap<String, String> = HashMap::new();
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if entry.header().entry_type().is_symlink() {
            let target = entry.link_name().unwrap().unwrap();
            let parent = Path::new(&name).parent().unwrap_or(Path::new(""));
            let joined = parent.join(target).to_string_lossy().into_owned();
            let mut parts: Vec<&str> = Vec::new();
            for part in joined.split('/') {
                match part {
                    ".." => {
                        parts.pop();
                    }
                    "" | "." => {}
                    _ => parts.push(part),
                }
            }
            links.insert(name.clone(), parts.join("/"));
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        members.insert(name, data);
    }
    let manifest: Value = serde_json::from_slice(&members["manifest.json"]).unwrap();
    let mut layers = Vec::new();
    for layer in manifest[0]["Layers"].as_array().unwrap() {
        let mut name = layer.as_str().unwrap().to_owned();
        if let Some(target) = links.get(&name) {
            name = target.clone();
        }
        let data = &members[&name];
        let reader: Box<dyn Read> = if data.starts_with(&[0x1f, 0x8b]) {
            Box::new(flate2::read::GzDecoder::new(&data[..]))
        } else {
            Box::new(&data[..])
        };
        let mut records = Vec::new();
        for entry in tar::Archive::new(reader).entries().unwrap() {
            let entry = entry.unwrap();
            let kind = entry.header().entry_type();
            let kind = if kind.is_dir() {
                RecordKind::Dir
            } else if kind.is_symlink() {
                RecordKind::Symlink
            } else if kind.is_hard_link() {
                RecordKind::Hardlink
            } else if kind.is_file() {
                RecordKind::File
            } else {
                RecordKind::Other
            };
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            records.push(FileRecord::new(path, kind, entry.header().size().unwrap()));
        }
        layers.push(records);
    }
    layers
}

#[test]
fn every_fixture_matches_dive() {
    let dir = images_dir();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected-dive.json")).unwrap())
            .unwrap();
    let fixtures = expected["fixtures"].as_object().unwrap();
    assert!(fixtures.len() >= 7, "only {} fixtures", fixtures.len());
    for (name, want) in fixtures {
        let layers = read_docker_archive(&dir.join(name));
        let trees: Vec<LayerTree> = layers.iter().map(LayerTree::from_records).collect();
        let got = waste::analyze(&trees);
        let image = &want["image"];

        assert_eq!(
            Some(got.size_bytes),
            image["sizeBytes"].as_u64(),
            "{name}: sizeBytes"
        );
        assert_eq!(
            Some(got.wasted_bytes),
            image["inefficientBytes"].as_u64(),
            "{name}: inefficientBytes"
        );
        let score = image["efficiencyScore"].as_f64().unwrap();
        assert!(
            (got.efficiency - score).abs() <= 4.0 * f64::EPSILON,
            "{name}: efficiency {} vs dive's {score}",
            got.efficiency
        );
        assert_eq!(
            format!("{:.2}", got.efficiency * 100.0),
            format!("{:.2}", score * 100.0),
            "{name}: efficiency as dive prints it"
        );

        let files: Vec<(String, u64, u64)> = got
            .inefficient_files
            .iter()
            .map(|f| (f.path.clone(), f.count as u64, f.size_bytes))
            .collect();
        let want_files: Vec<(String, u64, u64)> = image["fileReference"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_owned(),
                    f["count"].as_u64().unwrap(),
                    f["sizeBytes"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(files, want_files, "{name}: fileReference");

        let want_layers = want["layers"].as_array().unwrap();
        assert_eq!(got.layers.len(), want_layers.len(), "{name}: layer count");
        for (index, (layer, want_layer)) in got.layers.iter().zip(want_layers).enumerate() {
            assert_eq!(
                Some(layer.size_bytes),
                want_layer["sizeBytes"].as_u64(),
                "{name}: layer {index} sizeBytes"
            );
            assert_eq!(
                Some(layer.file_count as u64),
                want_layer["files"].as_u64(),
                "{name}: layer {index} files"
            );
        }
    }
}
