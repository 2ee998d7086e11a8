//! Package catalogers: the software bill of materials of an image, found in
//! the same single pass over its layers as the other visitors.
//!
//! Per layer, a [`SbomLayerBuilder`] sees every entry ([`LayerVisitor::visit`])
//! and asks for the contents of the few files it understands
//! ([`SbomLayerBuilder::wants_contents`], then [`SbomLayerBuilder::contents`]):
//!
//! | ecosystem | files | cataloger (syft's name) |
//! |---|---|---|
//! | distro | `etc/os-release`, `usr/lib/os-release` | — |
//! | dpkg | `var/lib/dpkg/status`, `var/lib/dpkg/status.d/*` | `dpkg-db-cataloger` |
//! | apk | `lib/apk/db/installed` | `apk-db-cataloger` |
//! | rpm | `var/lib/rpm/rpmdb.sqlite` (also `usr/lib/sysimage/rpm/`) | `rpm-db-cataloger` |
//! | Python | `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, `*.egg-info` files | `python-installed-package-cataloger` |
//! | npm | `package.json` (with name and version), `package-lock.json` for dev flags | `javascript-package-cataloger` |
//! | Go | ELF executables with build info (`.go.buildinfo`) | `go-module-binary-cataloger` |
//! | Rust | ELF executables with `cargo auditable` data (`.dep-v0`) | `cargo-auditable-binary-cataloger` |
//!
//! Executables are recognised by their first bytes
//! ([`SbomLayerBuilder::wants_header`] / [`SbomLayerBuilder::wants_binary`]),
//! never by name. Every read is bounded.
//!
//! The layers' results are merged in layer order by [`merge`]: a package is
//! in the image only while the file it was found in is: a whiteout (or an
//! opaque directory, or a later non-directory entry at one of its parent
//! paths) removes it, and a later file at the same path replaces it (a later
//! `var/lib/dpkg/status` supersedes the earlier one whole).
//!
//! Package URLs follow syft 1.18's conventions ([`purl`]).

mod apk;
mod binary;
mod distro;
mod dpkg;
mod merge;
mod npm;
pub mod purl;
mod python;
mod rpm;

use crate::{FileRecord, LayerVisitor, RecordKind};
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::Read;

pub use distro::Distro;
pub use merge::{merge, ImageInfo, LayerInfo};

/// Most bytes read of a package database or manifest file.
pub const MAX_CONTENT_BYTES: u64 = 64 * 1024 * 1024;
/// Most bytes read of an executable (Go build info and Rust audit data sit
/// well inside this in real binaries; a longer file is read up to here).
pub const MAX_BINARY_BYTES: u64 = 64 * 1024 * 1024;
/// How many leading bytes [`SbomLayerBuilder::wants_binary`] looks at.
pub const BINARY_HEADER_BYTES: usize = 64;
/// Smallest file that can be an ELF executable worth reading.
const MIN_ELF_BYTES: u64 = 64;
/// Most warnings kept per layer (a broken image must not flood the output).
const MAX_WARNINGS_PER_LAYER: usize = 200;

/// The ecosystem of a package; the strings are syft's package types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PackageKind {
    #[serde(rename = "deb")]
    Deb,
    #[serde(rename = "apk")]
    Apk,
    #[serde(rename = "rpm")]
    Rpm,
    #[serde(rename = "python")]
    Python,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "go-module")]
    GoModule,
    #[serde(rename = "rust-crate")]
    RustCrate,
}

impl PackageKind {
    /// syft's package type (`deb`, `go-module`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Python => "python",
            PackageKind::Npm => "npm",
            PackageKind::GoModule => "go-module",
            PackageKind::RustCrate => "rust-crate",
        }
    }

    /// syft's language name, for language ecosystems.
    pub fn language(self) -> Option<&'static str> {
        match self {
            PackageKind::Python => Some("python"),
            PackageKind::Npm => Some("javascript"),
            PackageKind::GoModule => Some("go"),
            PackageKind::RustCrate => Some("rust"),
            PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => None,
        }
    }

    /// The cataloger that finds this kind, named as syft names it.
    pub fn found_by(self) -> &'static str {
        match self {
            PackageKind::Deb => "dpkg-db-cataloger",
            PackageKind::Apk => "apk-db-cataloger",
            PackageKind::Rpm => "rpm-db-cataloger",
            PackageKind::Python => "python-installed-package-cataloger",
            PackageKind::Npm => "javascript-package-cataloger",
            PackageKind::GoModule => "go-module-binary-cataloger",
            PackageKind::RustCrate => "cargo-auditable-binary-cataloger",
        }
    }
}

/// Where a package was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Index of the layer (0 = base).
    pub layer: usize,
    /// Absolute path in the image (`/var/lib/dpkg/status`).
    pub path: String,
    /// The layer's diff ID, when the caller gave it ([`LayerInfo`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_diff_id: Option<String>,
    /// The history `created_by` of the layer, when the caller gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// One package in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub kind: PackageKind,
    pub name: String,
    /// The version as the ecosystem writes it (rpm: `[epoch:]version-release`).
    pub version: String,
    /// The package URL in syft's conventions; empty when syft would write none
    /// (a deb or apk package with no distro known).
    pub purl: String,
    /// License strings as declared (SPDX ids or expressions where the package
    /// declares them so, free text otherwise).
    pub licenses: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Source package: dpkg `Source` (`gcc-12@12.2.0-14` when its version
    /// differs), apk origin (only when it differs from the name), rpm source
    /// RPM file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// rpm epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Maintainer (dpkg, apk), vendor (rpm) or author (npm, Python).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Installed size as the database states it (dpkg: KiB, apk and rpm: bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_size: Option<u64>,
    /// npm: marked `dev` in the project's lockfile.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    pub location: Location,
}

impl Package {
    pub(crate) fn new(kind: PackageKind, name: &str, version: &str) -> Self {
        Package {
            kind,
            name: name.to_owned(),
            version: version.to_owned(),
            purl: String::new(),
            licenses: Vec::new(),
            architecture: None,
            upstream: None,
            epoch: None,
            supplier: None,
            installed_size: None,
            dev: false,
            location: Location {
                layer: 0,
                path: String::new(),
                layer_diff_id: None,
                created_by: None,
            },
        }
    }

    /// syft's cataloger name for this package.
    pub fn found_by(&self) -> &'static str {
        self.kind.found_by()
    }
}

/// Something skipped while cataloging: a file that could not be parsed, a
/// database in a format careen does not read. Never fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SbomWarning {
    pub layer: usize,
    /// Absolute path in the image.
    pub path: String,
    pub message: String,
}

/// The packages of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sbom {
    pub image: ImageInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// Sorted by kind, name, version, path.
    pub packages: Vec<Package>,
    pub warnings: Vec<SbomWarning>,
}

/// What one cataloged file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    Packages(Vec<Package>),
    Distro(Distro),
    /// An npm lockfile: the `node_modules/…` keys marked `dev`.
    NpmLock(HashSet<String>),
}

/// A cataloged file of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// Relative path (`var/lib/dpkg/status`).
    pub(crate) path: String,
    pub(crate) found: Found,
}

/// What one layer contributes, before merging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomLayer {
    pub(crate) index: usize,
    pub(crate) sources: Vec<Source>,
    /// Paths removed from lower layers (`dir/.wh.name` → `dir/name`).
    pub(crate) whiteouts: Vec<String>,
    /// Directories whose lower contents are hidden (`.wh..wh..opq`).
    pub(crate) opaque: Vec<String>,
    /// Hashes of every path in the layer (a lower file at one is replaced).
    pub(crate) paths: HashSet<u64>,
    /// Hashes of the paths that are not directories (lower files below
    /// them are hidden).
    pub(crate) non_dirs: HashSet<u64>,
    pub(crate) warnings: Vec<SbomWarning>,
}

impl SbomLayer {
    /// The layer's index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Packages found in this layer alone (before merging), in file order.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.sources.iter().flat_map(|s| match &s.found {
            Found::Packages(packages) => packages.as_slice(),
            _ => &[],
        })
    }
}

/// Hash of a relative path, for the per-layer path sets: keeping every path
/// of a layer as a `String` would cost ~100 bytes an entry, a hash 8.
pub(crate) fn path_hash(path: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

/// Collects one layer's packages; see the [module docs](self).
#[derive(Debug, Default)]
pub struct SbomLayerBuilder {
    layer: SbomLayer,
    /// Size of the entry last visited (to tell a truncated read).
    last: Option<(String, u64)>,
    /// Paths of `layer.sources`, so each entry is checked in O(1).
    source_paths: HashSet<String>,
}

/// The kind of file a path names, for the catalogers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    OsRelease,
    DpkgStatus,
    Apk,
    RpmSqlite,
    RpmBerkeley,
    PythonMetadata,
    PackageJson,
    PackageLock,
}

fn file_kind(path: &str) -> Option<FileKind> {
    match path {
        "etc/os-release" | "usr/lib/os-release" => return Some(FileKind::OsRelease),
        "var/lib/dpkg/status" => return Some(FileKind::DpkgStatus),
        "lib/apk/db/installed" => return Some(FileKind::Apk),
        "var/lib/rpm/rpmdb.sqlite" | "usr/lib/sysimage/rpm/rpmdb.sqlite" => {
            return Some(FileKind::RpmSqlite)
        }
        "var/lib/rpm/Packages"
        | "var/lib/rpm/Packages.db"
        | "usr/lib/sysimage/rpm/Packages"
        | "usr/lib/sysimage/rpm/Packages.db" => return Some(FileKind::RpmBerkeley),
        _ => {}
    }
    if let Some(name) = path.strip_prefix("var/lib/dpkg/status.d/") {
        // Distroless writes one status file per package here, plus `.md5sums`.
        if !name.contains('/') && !name.is_empty() && !name.ends_with(".md5sums") {
            return Some(FileKind::DpkgStatus);
        }
        return None;
    }
    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
    if (name == "METADATA" && parent.ends_with(".dist-info"))
        || (name == "PKG-INFO" && parent.ends_with("egg-info"))
        || name.ends_with(".egg-info")
    {
        return Some(FileKind::PythonMetadata);
    }
    match name {
        "package.json" => Some(FileKind::PackageJson),
        "package-lock.json" => Some(FileKind::PackageLock),
        ".package-lock.json" if parent.ends_with("node_modules") => Some(FileKind::PackageLock),
        _ => None,
    }
}

impl SbomLayerBuilder {
    /// A builder for layer `index`.
    pub fn new(index: usize) -> Self {
        SbomLayerBuilder {
            layer: SbomLayer {
                index,
                ..SbomLayer::default()
            },
            last: None,
            source_paths: HashSet::new(),
        }
    }

    /// Whether the catalogers want this entry's contents by its path: a
    /// regular file that is a package database, manifest or os-release.
    /// Read at most [`MAX_CONTENT_BYTES`] and pass them to [`Self::contents`].
    pub fn wants_contents(record: &FileRecord) -> bool {
        record.kind == RecordKind::File && file_kind(&record.path).is_some()
    }

    /// Whether this entry may be an executable worth sniffing: a regular
    /// file of at least 64 bytes that is not a known database. Read its first
    /// [`BINARY_HEADER_BYTES`] and ask [`Self::wants_binary`].
    pub fn wants_header(record: &FileRecord) -> bool {
        record.kind == RecordKind::File
            && record.size >= MIN_ELF_BYTES
            && file_kind(&record.path).is_none()
    }

    /// Whether `header` (the first bytes of a file) starts an ELF executable
    /// or shared object (which PIE executables are). Read the whole file, at
    /// most [`MAX_BINARY_BYTES`], and pass it to [`Self::contents`].
    pub fn wants_binary(header: &[u8]) -> bool {
        binary::is_elf_executable(header)
    }

    /// The contents of an entry this builder wanted; `data` may be cut at
    /// the read bound. Call after [`LayerVisitor::visit`] for the entry.
    pub fn contents(&mut self, path: &str, data: &[u8]) {
        let path = path.trim_start_matches('/');
        let truncated =
            matches!(&self.last, Some((p, size)) if p == path && (data.len() as u64) < *size);
        let found = match file_kind(path) {
            Some(FileKind::OsRelease) => distro::parse(data).map(Found::Distro),
            Some(FileKind::DpkgStatus) => {
                Some(Found::Packages(dpkg::parse(data, &mut self.warn(path))))
            }
            Some(FileKind::Apk) => Some(Found::Packages(apk::parse(data, &mut self.warn(path)))),
            Some(FileKind::RpmSqlite) => Some(Found::Packages(rpm::parse_sqlite(
                data,
                &mut self.warn(path),
            ))),
            Some(FileKind::RpmBerkeley) => {
                if !data.is_empty() {
                    self.warn(path)(
                        "rpm database in BerkeleyDB/ndb format is not read (only rpmdb.sqlite)"
                            .to_owned(),
                    );
                }
                None
            }
            Some(FileKind::PythonMetadata) => {
                python::parse(data, &mut self.warn(path)).map(|p| Found::Packages(vec![p]))
            }
            Some(FileKind::PackageJson) => npm::parse_package_json(data, &mut self.warn(path))
                .map(|p| Found::Packages(vec![p])),
            Some(FileKind::PackageLock) => {
                npm::parse_lockfile(data, &mut self.warn(path)).map(Found::NpmLock)
            }
            None => {
                if binary::is_elf_executable(data) {
                    let packages = binary::parse(data, &mut self.warn(path));
                    (!packages.is_empty()).then_some(Found::Packages(packages))
                } else {
                    None
                }
            }
        };
        if truncated && found.is_some() {
            self.warn(path)(format!(
                "read only the first {} bytes of the file",
                data.len()
            ));
        }
        // A file that held nothing still replaces a lower one at its path;
        // that is recorded by `visit`, so only findings are kept here.
        let Some(mut found) = found else { return };
        if let Found::Packages(packages) = &mut found {
            for package in packages.iter_mut() {
                package.location.layer = self.layer.index;
                package.location.path = format!("/{path}");
            }
        }
        if !self.source_paths.insert(path.to_owned()) {
            self.layer.sources.retain(|s| s.path != path);
        }
        self.layer.sources.push(Source {
            path: path.to_owned(),
            found,
        });
    }

    /// Reads what the catalogers want of one entry from `data` (bounded) and
    /// catalogs it: for a visitor that is the only one reading contents.
    /// Calls [`LayerVisitor::visit`] too.
    pub fn read_entry(&mut self, record: &FileRecord, data: &mut dyn Read) -> std::io::Result<()> {
        self.visit(record);
        if Self::wants_contents(record) {
            let mut buffer = Vec::new();
            data.take(MAX_CONTENT_BYTES).read_to_end(&mut buffer)?;
            self.contents(&record.path, &buffer);
        } else if Self::wants_header(record) {
            let mut buffer = Vec::with_capacity(BINARY_HEADER_BYTES);
            data.take(BINARY_HEADER_BYTES as u64)
                .read_to_end(&mut buffer)?;
            if Self::wants_binary(&buffer) {
                data.take(MAX_BINARY_BYTES - buffer.len() as u64)
                    .read_to_end(&mut buffer)?;
                self.contents(&record.path, &buffer);
            }
        }
        Ok(())
    }

    /// A closure that records a warning for `path` in this layer.
    fn warn(&mut self, path: &str) -> impl FnMut(String) + '_ {
        let layer = self.layer.index;
        let path = format!("/{path}");
        let warnings = &mut self.layer.warnings;
        move |message| {
            if warnings.len() < MAX_WARNINGS_PER_LAYER {
                warnings.push(SbomWarning {
                    layer,
                    path: path.clone(),
                    message,
                });
            }
        }
    }
}

impl LayerVisitor for SbomLayerBuilder {
    type Output = SbomLayer;

    fn visit(&mut self, record: &FileRecord) {
        let path = record.path.trim_matches('/');
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None => ("", path),
        };
        if name == ".wh..wh..opq" {
            self.layer.opaque.push(parent.to_owned());
            return;
        }
        if let Some(target) = name.strip_prefix(".wh.") {
            let target = if parent.is_empty() {
                target.to_owned()
            } else {
                format!("{parent}/{target}")
            };
            self.layer.whiteouts.push(target);
            return;
        }
        let hash = path_hash(path);
        self.layer.paths.insert(hash);
        if record.kind != RecordKind::Dir {
            self.layer.non_dirs.insert(hash);
        }
        // A later entry at a cataloged path in the same layer replaces it.
        if self.source_paths.remove(path) {
            self.layer.sources.retain(|s| s.path != path);
        }
        self.last = Some((path.to_owned(), record.size));
    }

    fn finish(self) -> SbomLayer {
        self.layer
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    /// Catalogs the fixture tree `testdata/<name>` as one layer.
    pub(crate) fn layer_from_dir(index: usize, name: &str) -> SbomLayer {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sbom/testdata")
            .join(name);
        let mut builder = SbomLayerBuilder::new(index);
        let mut stack = vec![root.clone()];
        let mut files = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        for file in files {
            let relative = file
                .strip_prefix(&root)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let data = std::fs::read(&file).unwrap_or_default();
            let record = FileRecord::file(relative, data.len() as u64);
            builder
                .read_entry(&record, &mut data.as_slice())
                .unwrap_or_default();
        }
        builder.finish()
    }

    #[test]
    fn file_kinds_by_path() {
        assert_eq!(file_kind("var/lib/dpkg/status"), Some(FileKind::DpkgStatus));
        assert_eq!(
            file_kind("var/lib/dpkg/status.d/tzdata"),
            Some(FileKind::DpkgStatus)
        );
        assert_eq!(file_kind("var/lib/dpkg/status.d/tzdata.md5sums"), None);
        assert_eq!(
            file_kind("usr/lib/python3/dist-packages/six-1.16.0.egg-info"),
            Some(FileKind::PythonMetadata)
        );
        assert_eq!(
            file_kind("x/y.dist-info/METADATA"),
            Some(FileKind::PythonMetadata)
        );
        assert_eq!(file_kind("x/METADATA"), None);
        assert_eq!(
            file_kind("app/node_modules/.package-lock.json"),
            Some(FileKind::PackageLock)
        );
        assert_eq!(file_kind("usr/bin/env"), None);
    }

    #[test]
    fn whiteouts_and_paths_are_recorded() {
        let mut builder = SbomLayerBuilder::new(3);
        builder.visit(&FileRecord::whiteout("var/lib/dpkg/status"));
        builder.visit(&FileRecord::opaque("usr/lib/python3"));
        builder.visit(&FileRecord::dir("opt"));
        builder.visit(&FileRecord::file("opt/app", 10));
        let layer = builder.finish();
        assert_eq!(layer.index(), 3);
        assert_eq!(layer.whiteouts, vec!["var/lib/dpkg/status"]);
        assert_eq!(layer.opaque, vec!["usr/lib/python3"]);
        assert!(layer.paths.contains(&path_hash("opt")));
        assert!(!layer.non_dirs.contains(&path_hash("opt")));
        assert!(layer.non_dirs.contains(&path_hash("opt/app")));
    }

    #[test]
    fn truncated_contents_warn() {
        let mut builder = SbomLayerBuilder::new(0);
        builder.visit(&FileRecord::file("lib/apk/db/installed", 1_000_000));
        builder.contents("lib/apk/db/installed", b"P:musl\nV:1.2\nA:x86_64\n\n");
        let layer = builder.finish();
        assert_eq!(layer.packages().count(), 1);
        assert!(layer.warnings[0].message.contains("first 23 bytes"));
    }

    #[test]
    fn a_later_entry_in_the_same_layer_replaces_a_source() {
        let mut builder = SbomLayerBuilder::new(0);
        let data = b"P:musl\nV:1.2\nA:x86_64\n\n";
        let record = FileRecord::file("lib/apk/db/installed", data.len() as u64);
        builder
            .read_entry(&record, &mut &data[..])
            .unwrap_or_default();
        builder.visit(&FileRecord::new(
            "lib/apk/db/installed",
            RecordKind::Symlink,
            0,
        ));
        assert_eq!(builder.finish().packages().count(), 0);
    }
}
