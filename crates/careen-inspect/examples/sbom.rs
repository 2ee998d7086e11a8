//! Catalogs an image's packages with careen-image and the sbom visitor and
//! prints careen's SBOM as JSON (used by `bench/sbom-vs-syft.sh`).
//!
//! `cargo run -p careen-inspect --example sbom -- docker-archive:image.tar`

use careen_image::{EntryKind, LayerEntry, OpenOptions, Whiteout};
use careen_inspect::sbom::{self, ImageInfo, SbomLayerBuilder};
use careen_inspect::{FileRecord, LayerVisitor, RecordKind};
use std::process::ExitCode;

fn record(entry: &LayerEntry) -> FileRecord {
    match &entry.whiteout {
        Some(Whiteout::File(target)) => FileRecord::whiteout(target),
        Some(Whiteout::Opaque(dir)) => FileRecord::opaque(dir),
        None => FileRecord::new(
            entry.path.clone(),
            match entry.kind {
                EntryKind::File => RecordKind::File,
                EntryKind::Dir => RecordKind::Dir,
                EntryKind::Symlink => RecordKind::Symlink,
                EntryKind::Hardlink => RecordKind::Hardlink,
                EntryKind::Other => RecordKind::Other,
            },
            entry.size,
        ),
    }
}

fn run(reference: &str) -> Result<sbom::Sbom, careen_image::ImageError> {
    let image = careen_image::open(reference, &OpenOptions::default())?;
    let indices: Vec<usize> = (0..image.layers.len()).collect();
    // Layers in parallel (two at a time is enough for an example).
    let layers = std::thread::scope(|scope| {
        let handles: Vec<_> = indices
            .chunks(indices.len().div_ceil(2).max(1))
            .map(|chunk| {
                let image = &image;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&index| {
                            let mut builder = SbomLayerBuilder::new(index);
                            image.for_each_entry(index, &mut |entry, data| {
                                // A read fault here is met again, and
                                // reported, by the layer stream itself.
                                let _ = builder.read_entry(&record(entry), data);
                                Ok(())
                            })?;
                            Ok(builder.finish())
                        })
                        .collect::<Result<Vec<_>, careen_image::ImageError>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new())))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let info = ImageInfo::of(&image);
    Ok(sbom::merge(layers.into_iter().flatten().collect(), info))
}

fn main() -> ExitCode {
    let Some(reference) = std::env::args().nth(1) else {
        eprintln!("usage: sbom IMAGE-REFERENCE");
        return ExitCode::from(2);
    };
    match run(&reference) {
        Ok(sbom) => match serde_json::to_string_pretty(&sbom) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        },
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
