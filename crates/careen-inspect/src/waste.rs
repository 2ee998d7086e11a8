//! Waste and efficiency, defined exactly as dive 0.13.1 defines them.
//!
//! For every path, dive looks at the *leaf* nodes of each layer's tree (a
//! directory with entries below it in the same layer is not a leaf):
//! - a plain node contributes its header size;
//! - a whiteout contributes, when the path was a directory in the layers
//!   below, the size of everything under it; otherwise 0.
//!
//! A path seen in two or more layers is an *inefficient file*; its wasted
//! bytes are the sum of all its contributions (the copy still in the image
//! included). `efficiency` is Σ(smallest contribution per path) /
//! Σ(all contributions) (1 when nothing was seen).
//!
//! dive's quirks are kept, because CI thresholds were tuned against them:
//! a whiteout whose target is missing in the layers below stops the walk of
//! that layer (the remaining leaves of the layer are not counted) and leaves
//! its path with a minimum of -1 unless a later layer sees it again.

use crate::tree::LayerTree;
use serde::Serialize;
use std::collections::HashMap;

/// One path found in more than one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InefficientFile {
    /// `/`-rooted path (`/root/saved.txt`).
    pub path: String,
    /// In how many layers the path appears (whiteouts included).
    pub count: usize,
    /// Bytes across all its appearances.
    pub size_bytes: u64,
}

/// One layer's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LayerFigures {
    /// Sum of the layer's tar header sizes.
    pub size_bytes: u64,
    /// Nodes of the layer's tree (dive's `fileList` length).
    pub file_count: usize,
}

/// The image's waste figures, dive's definitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waste {
    /// Sum of all layers' sizes.
    pub size_bytes: u64,
    /// Sum of the sizes of every layer but the first (the base).
    pub user_size_bytes: u64,
    /// Between 0 and 1; 1 is no waste.
    pub efficiency: f64,
    /// Sum of the inefficient files' sizes.
    pub wasted_bytes: u64,
    /// `wasted_bytes / user_size_bytes` (NaN or infinite when the image
    /// has nothing but a base layer, as in dive).
    pub user_wasted_percent: f64,
    pub layers: Vec<LayerFigures>,
    /// Biggest first; ties in the order dive lists them.
    pub inefficient_files: Vec<InefficientFile>,
}

#[derive(Debug)]
struct PathData {
    count: usize,
    cumulative: i64,
    minimum: i64,
}

fn signed(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// Computes dive's figures over the layers' trees, bottom layer first.
pub fn analyze(layers: &[LayerTree]) -> Waste {
    let mut by_path: HashMap<String, PathData> = HashMap::new();
    // Paths in the order they reached a second appearance.
    let mut inefficient: Vec<String> = Vec::new();
    // The layers below the current one, stacked (dive restacks them from
    // scratch for every whiteout; the result is the same).
    let mut below: Option<LayerTree> = None;

    for tree in layers {
        for node in tree.nodes_child_first() {
            if !tree.is_leaf(node) {
                continue;
            }
            let path = tree.node_path(node);
            let data = by_path.entry(path.clone()).or_insert(PathData {
                count: 0,
                cumulative: 0,
                minimum: -1,
            });
            let size = if tree.is_whiteout(node) {
                // For the bottom layer dive "stacks" an empty range: the layer itself.
                let lower = below.as_ref().unwrap_or(tree);
                let Some(previous) = lower.get_node(&path) else {
                    break; // dive abandons the rest of this layer
                };
                if lower.info(previous).is_dir {
                    signed(lower.subtree_size(previous))
                } else {
                    0
                }
            } else {
                signed(tree.info(node).size)
            };
            data.cumulative = data.cumulative.saturating_add(size);
            if data.minimum < 0 || size < data.minimum {
                data.minimum = size;
            }
            data.count += 1;
            if data.count == 2 {
                inefficient.push(path);
            }
        }
        match below.as_mut() {
            Some(stacked) => stacked.stack(tree),
            None => {
                // dive's range always starts from a copy of the bottom layer
                // with the bottom layer stacked on it again.
                let mut stacked = tree.clone();
                stacked.stack(tree);
                below = Some(stacked);
            }
        }
    }

    let (minimum_sum, discovered_sum) = by_path.values().fold((0i64, 0i64), |(min, all), d| {
        (
            min.saturating_add(d.minimum),
            all.saturating_add(d.cumulative),
        )
    });
    let efficiency = if discovered_sum == 0 {
        1.0
    } else {
        minimum_sum as f64 / discovered_sum as f64
    };

    let mut inefficient_files: Vec<InefficientFile> = inefficient
        .into_iter()
        .filter_map(|path| {
            let data = by_path.get(&path)?;
            Some(InefficientFile {
                count: data.count,
                size_bytes: u64::try_from(data.cumulative).unwrap_or(0),
                path,
            })
        })
        .collect();
    // dive sorts ascending (for up to 12 files its sort keeps ties in order)
    // and lists the result backwards.
    inefficient_files.sort_by_key(|file| file.size_bytes);
    inefficient_files.reverse();
    let wasted_bytes = inefficient_files
        .iter()
        .fold(0u64, |sum, file| sum.saturating_add(file.size_bytes));

    let figures: Vec<LayerFigures> = layers
        .iter()
        .map(|tree| LayerFigures {
            size_bytes: tree.size_bytes(),
            file_count: tree.file_count(),
        })
        .collect();
    let size_bytes = figures
        .iter()
        .fold(0u64, |sum, layer| sum.saturating_add(layer.size_bytes));
    let user_size_bytes = figures
        .iter()
        .skip(1)
        .fold(0u64, |sum, layer| sum.saturating_add(layer.size_bytes));

    Waste {
        size_bytes,
        user_size_bytes,
        efficiency,
        wasted_bytes,
        user_wasted_percent: wasted_bytes as f64 / user_size_bytes as f64,
        layers: figures,
        inefficient_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileRecord, RecordKind};

    fn trees(layers: &[Vec<FileRecord>]) -> Vec<LayerTree> {
        layers.iter().map(LayerTree::from_records).collect()
    }

    fn file(path: &str, count: usize, size_bytes: u64) -> InefficientFile {
        InefficientFile {
            path: path.into(),
            count,
            size_bytes,
        }
    }

    #[test]
    fn no_layers_is_fully_efficient() {
        let waste = analyze(&[]);
        assert_eq!(waste.efficiency, 1.0);
        assert_eq!(waste.wasted_bytes, 0);
        assert!(waste.user_wasted_percent.is_nan());
    }

    /// go-containerregistry's `overwritten_file.tar` (a file replaced by a
    /// symlink): dive reports 0.5 and 4 bytes.
    #[test]
    fn overwritten_file_counts_every_copy() {
        let waste = analyze(&trees(&[
            vec![FileRecord::dir("./"), FileRecord::file("foo.txt", 4)],
            vec![
                FileRecord::dir("./"),
                FileRecord::file("bar.txt", 4),
                FileRecord::new("foo.txt", RecordKind::Symlink, 0),
            ],
            vec![],
        ]));
        assert_eq!(waste.size_bytes, 8);
        assert_eq!(waste.user_size_bytes, 4);
        assert_eq!(waste.wasted_bytes, 4);
        assert_eq!(waste.inefficient_files, [file("/foo.txt", 2, 4)]);
        assert_eq!(waste.efficiency, 0.5);
        assert_eq!(waste.user_wasted_percent, 1.0);
        let counts: Vec<usize> = waste.layers.iter().map(|l| l.file_count).collect();
        assert_eq!(counts, [1, 2, 0]);
    }

    /// Two full copies of a file: both count as waste.
    #[test]
    fn duplicated_file_counts_both_copies() {
        let waste = analyze(&trees(&[
            vec![FileRecord::file("foo.txt", 4)],
            vec![FileRecord::file("foo.txt", 4)],
        ]));
        assert_eq!(waste.wasted_bytes, 8);
        assert_eq!(waste.efficiency, 0.5);
    }

    /// A deleted file contributes 0; its original copy is the waste.
    #[test]
    fn deleted_file_is_wasted_once() {
        let waste = analyze(&trees(&[
            vec![
                FileRecord::file("foo.txt", 4),
                FileRecord::file("bar.txt", 4),
            ],
            vec![FileRecord::whiteout("foo.txt")],
        ]));
        assert_eq!(waste.inefficient_files, [file("/foo.txt", 2, 4)]);
        assert_eq!(waste.wasted_bytes, 4);
        assert_eq!(waste.efficiency, 0.5);
        assert_eq!(waste.layers[1].file_count, 1);
    }

    /// A deleted directory counts everything that was below it.
    #[test]
    fn deleted_directory_counts_its_subtree() {
        let waste = analyze(&trees(&[
            vec![
                FileRecord::dir("d"),
                FileRecord::file("d/a", 10),
                FileRecord::file("d/b", 5),
            ],
            vec![FileRecord::file("d/c", 1)],
            vec![FileRecord::whiteout("d")],
        ]));
        // leaves: /d/a 10, /d/b 5, /d/c 1, then /d (whiteout) 16
        assert_eq!(waste.inefficient_files, []);
        assert_eq!(waste.wasted_bytes, 0);
        let min = 10 + 5 + 1 + 16;
        assert_eq!(waste.efficiency, f64::from(min) / f64::from(min));
    }

    /// dive sizes a whiteout only when the lower path was an explicit directory.
    #[test]
    fn whiteout_of_implicit_directory_is_zero() {
        let waste = analyze(&trees(&[
            vec![FileRecord::file("d/a", 10)],
            vec![FileRecord::file("d/a", 10)],
            vec![FileRecord::whiteout("d")],
        ]));
        assert_eq!(waste.inefficient_files, [file("/d/a", 2, 20)]);
        // /d/a: min 10 of 20; /d: 0 of 0
        assert_eq!(waste.efficiency, 0.5);
    }

    /// A whiteout of something never there stops that layer's walk, and the
    /// path keeps dive's -1 minimum.
    #[test]
    fn dangling_whiteout_stops_the_layer() {
        let waste = analyze(&trees(&[
            vec![FileRecord::file("x", 8)],
            vec![FileRecord::whiteout("a"), FileRecord::file("x", 8)],
        ]));
        // "/a" is visited first (".wh.a" < "x"), fails, "/x" of layer 1 is skipped.
        assert_eq!(waste.inefficient_files, []);
        assert_eq!(waste.efficiency, 7.0 / 8.0);
    }

    /// Non-leaf directories are not counted; empty ones are.
    #[test]
    fn only_leaves_count() {
        let waste = analyze(&trees(&[
            vec![
                FileRecord::dir("d"),
                FileRecord::file("d/a", 3),
                FileRecord::dir("e"),
            ],
            vec![
                FileRecord::dir("d"),
                FileRecord::file("d/b", 3),
                FileRecord::dir("e"),
            ],
        ]));
        assert_eq!(waste.inefficient_files, [file("/e", 2, 0)]);
        assert_eq!(waste.efficiency, 1.0);
    }

    /// Biggest first; equal sizes in reverse order of discovery.
    #[test]
    fn order_is_dives() {
        let waste = analyze(&trees(&[
            vec![
                FileRecord::file("a", 1),
                FileRecord::file("b", 5),
                FileRecord::file("c", 5),
            ],
            vec![
                FileRecord::file("a", 1),
                FileRecord::file("b", 5),
                FileRecord::file("c", 5),
            ],
        ]));
        let order: Vec<&str> = waste
            .inefficient_files
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(order, ["/c", "/b", "/a"]);
    }

    #[test]
    fn opaque_directory_is_ignored_like_dive() {
        let waste = analyze(&trees(&[
            vec![FileRecord::dir("d"), FileRecord::file("d/a", 10)],
            vec![FileRecord::dir("d"), FileRecord::opaque("d")],
        ]));
        // The marker is not a node, so layer 1's /d is a leaf, but layer 0's
        // /d is not: the hidden /d/a is not counted as waste.
        assert_eq!(waste.inefficient_files, []);
        assert_eq!(waste.layers[1].file_count, 1);
        assert_eq!(waste.efficiency, 1.0);
    }
}
