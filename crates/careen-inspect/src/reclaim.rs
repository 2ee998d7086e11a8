//! careen's own figure, `reclaimable_bytes`: the bytes a rebuilt image would
//! not need, each with the layer (and so the instruction) that put them there.
//!
//! Unlike dive's "wasted bytes", which counts every copy of a file that is in
//! more than one layer (the visible one too), this counts what would be saved:
//!
//! * **hidden** — the lower copies of files that a later layer overwrote or
//!   deleted (whiteout or opaque directory). Only the copies that no longer
//!   show in the final filesystem count; the visible copy is never counted
//!   here.
//! * **package-manager caches and lists** still present in the final
//!   filesystem: apt (`var/lib/apt/lists/*` but `lock` and `partial/`,
//!   `var/cache/apt/*.bin`, `var/cache/apt/archives/*.deb`), apk
//!   (`var/cache/apk/*`), pip (`**/.cache/pip/**`), npm
//!   (`**/.npm/_cacache/**`), yarn (`usr/local/share/.cache/yarn/**`,
//!   `**/.cache/yarn/**`).
//! * **build-only packages** in the final filesystem, from the package
//!   databases when the image has them: dpkg (`var/lib/dpkg/status` for what
//!   is installed, `var/lib/dpkg/info/<pkg>[:<arch>].list` for each package's
//!   files) and apk (`lib/apk/db/installed`). A package is build-only when
//!   its name ends in `-dev` or it is a compiler/build tool (`gcc`, `g++`,
//!   `cpp` and their versioned and cross names but `*-base`, `binutils*`,
//!   `make`, `build-base`, `build-essential`, `dpkg-dev`, `libc-dev-bin`,
//!   `autoconf`, `automake`, `libtool`, `pkg-config`, `pkgconf*`). Files of
//!   such packages count with the package as item.
//! * **build-only toolchains and headers** not owned by such a package (no
//!   package database, or installed from source), by well-known paths:
//!   `usr/lib/gcc/**`, `usr/libexec/gcc/**`, `usr/bin/*-linux-gnu-{gcc,g++,cpp}*`
//!   (toolchain) and `usr/include/**`, `usr/local/include/**` (headers).
//! * **copied artefacts** the runtime does not need: `**/.git/**` anywhere;
//!   `**/*.whl` outside `site-packages`/`dist-packages`; `tests/` and `test/`
//!   directories, but only under application directories (first path
//!   component `app`, `srv`, `code`, `src`, `workspace`, `project`, `home`,
//!   `opt`, or under `usr/src/` or `var/www/`), never below `site-packages`,
//!   `dist-packages`, `node_modules`, `vendor` or a virtualenv, whose test
//!   files may be imported at run time by the package itself.
//!
//! * **Node devDependencies**: for every application `package.json` (one
//!   not below `node_modules`) with a `node_modules` beside it, the packages
//!   reachable from its `devDependencies` but not from its `dependencies`,
//!   `optionalDependencies` or `peerDependencies` (following each package's
//!   own `package.json` with Node's lookup: nearest `node_modules` up the
//!   tree). Packages reachable from neither are left alone. A file belongs
//!   to the deepest package directory that holds it.
//!
//! Deliberately **not** counted: `__pycache__`/`*.pyc` (Python rebuilds them
//! on import and they speed up start-up; removing them is a trade-off, not
//! waste) and documentation under `usr/share/{doc,man,info}` (mostly in base
//! layers).
//!
//! Every byte is counted once: a file is in at most one category. Hidden
//! copies are counted by the layer that holds them; the visible copy of a
//! file is classified by the path rules above (first match wins).

use crate::{FileRecord, LayerVisitor, RecordKind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How many items each category keeps in [`Group::items`] (the biggest).
pub const TOP_ITEMS: usize = 20;

/// What a reclaimable item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Lower copies overwritten or deleted by a later layer.
    Hidden,
    AptLists,
    AptCache,
    ApkCache,
    PipCache,
    NpmCache,
    YarnCache,
    /// Files of build-only packages (compilers, `-dev`), from dpkg/apk data.
    BuildPackages,
    /// Compilers and their support files.
    Toolchain,
    /// C/C++ headers (`-dev` packages).
    Headers,
    /// `.git` directories.
    Git,
    /// Packages in `node_modules` only reachable from `devDependencies`.
    NodeDevDependencies,
    /// Python wheels outside an installed environment.
    Wheels,
    /// Test directories of the application.
    Tests,
}

impl Category {
    /// The stable name used in JSON (`apt-lists`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Hidden => "hidden",
            Category::AptLists => "apt-lists",
            Category::AptCache => "apt-cache",
            Category::ApkCache => "apk-cache",
            Category::PipCache => "pip-cache",
            Category::NpmCache => "npm-cache",
            Category::YarnCache => "yarn-cache",
            Category::BuildPackages => "build-packages",
            Category::Toolchain => "toolchain",
            Category::Headers => "headers",
            Category::NodeDevDependencies => "node-dev-dependencies",
            Category::Git => "git",
            Category::Wheels => "wheels",
            Category::Tests => "tests",
        }
    }

    /// A short label for people (`apt lists`).
    pub fn label(self) -> &'static str {
        match self {
            Category::Hidden => "files overwritten or deleted by a later layer",
            Category::AptLists => "apt lists",
            Category::AptCache => "apt package cache",
            Category::ApkCache => "apk cache",
            Category::PipCache => "pip cache",
            Category::NpmCache => "npm cache",
            Category::YarnCache => "yarn cache",
            Category::BuildPackages => "build-only packages (compilers, -dev)",
            Category::Toolchain => "compiler toolchain",
            Category::Headers => "C/C++ headers (-dev packages)",
            Category::NodeDevDependencies => "Node devDependencies",
            Category::Git => ".git directories",
            Category::Wheels => "Python wheels",
            Category::Tests => "application tests",
        }
    }

    /// What to change in the Dockerfile, for the whole category.
    pub fn hint(self) -> &'static str {
        match self {
            Category::Hidden => {
                "create, change and delete a file in the same RUN (or a build stage), not across layers"
            }
            Category::AptLists => "add `rm -rf /var/lib/apt/lists/*` to the RUN that runs `apt-get update`",
            Category::AptCache => {
                "add `apt-get clean` to the RUN that installs, or use a cache mount `--mount=type=cache,target=/var/cache/apt`"
            }
            Category::ApkCache => "use `apk add --no-cache`",
            Category::PipCache => "use `pip install --no-cache-dir` (or a cache mount)",
            Category::NpmCache => "add `npm cache clean --force` to the RUN, or use a cache mount for ~/.npm",
            Category::YarnCache => "add `yarn cache clean` to the RUN, or use a cache mount",
            Category::BuildPackages => {
                "install build-only packages in a build stage, or purge them (`apt-get purge --auto-remove`, `apk del`) in the RUN that builds"
            }
            Category::Toolchain => "build in a separate stage and copy only the results into the final image",
            Category::Headers => {
                "install -dev packages only in a build stage, or purge them in the same RUN that builds"
            }
            Category::NodeDevDependencies => {
                "install with `npm ci --omit=dev` (or `yarn install --production`, `pnpm install --prod`) in the final stage"
            }
            Category::Git => "add `.git` to .dockerignore",
            Category::Wheels => "install wheels from a build stage or a bind mount; do not COPY them into the final image",
            Category::Tests => "add test directories to .dockerignore",
        }
    }

    /// What to change, for one layer.
    fn item_hint(self, layer: usize, summary: &str) -> String {
        match self {
            Category::BuildPackages => format!(
                "purge `{summary}` in the RUN on layer {layer} once the build is done, or install it only in a build stage"
            ),
            Category::NpmCache => format!("add `npm cache clean --force` to the RUN on layer {layer}"),
            Category::YarnCache => format!("add `yarn cache clean` to the RUN on layer {layer}"),
            Category::AptLists => {
                format!("add `rm -rf /var/lib/apt/lists/*` to the RUN on layer {layer}")
            }
            Category::AptCache => format!("add `apt-get clean` to the RUN on layer {layer}"),
            Category::ApkCache => format!("use `apk add --no-cache` in the RUN on layer {layer}"),
            Category::PipCache => {
                format!("use `pip install --no-cache-dir` in the RUN on layer {layer}")
            }
            other => other.hint().to_owned(),
        }
    }
}

/// One reclaimable thing: a single hidden file, or all files of one rule
/// from one layer (`var/lib/apt/lists/* (12 files)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub category: Category,
    /// A path, or a glob summary with the file count.
    pub path: String,
    /// How many files the item covers.
    pub files: u64,
    /// The layer that holds these bytes.
    pub layer: usize,
    /// That layer's history `created_by`.
    pub instruction: Option<String>,
    pub size_bytes: u64,
    /// For hidden copies: what hid them (`overwritten in layer 4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_by: Option<String>,
    pub hint: String,
}

/// The items of one category, biggest first, and their total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub category: Category,
    pub size_bytes: u64,
    /// How many items there were before keeping the [`TOP_ITEMS`] biggest.
    pub item_count: usize,
    pub items: Vec<Item>,
    pub hint: String,
}

/// careen's reclaimable figure and where it comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reclaim {
    pub reclaimable_bytes: u64,
    /// Biggest category first.
    pub groups: Vec<Group>,
}

/// The entries of one layer that the reclaim analysis needs (all of them:
/// path, kind and size; no contents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReclaimLayer {
    records: Vec<FileRecord>,
    /// The contents asked for with [`ReclaimLayerBuilder::wants_contents`]
    /// (last copy in the layer wins).
    contents: HashMap<String, Vec<u8>>,
    /// The dependency names of the `package.json` files, read as they went by.
    manifests: HashMap<String, Manifest>,
}

/// What the analysis keeps of a `package.json`: dependency names only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Manifest {
    runtime: Vec<String>,
    dev: Vec<String>,
}

impl Manifest {
    fn parse(data: &[u8]) -> Option<Manifest> {
        let value: serde_json::Value = serde_json::from_slice(data).ok()?;
        let names = |key: &str| -> Vec<String> {
            value
                .get(key)
                .and_then(|v| v.as_object())
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        let mut runtime = names("dependencies");
        runtime.extend(names("optionalDependencies"));
        runtime.extend(names("peerDependencies"));
        Some(Manifest {
            runtime,
            dev: names("devDependencies"),
        })
    }
}

/// The largest `package.json` the visitor reads.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Is `path` a `package.json` the Node analysis reads: an application's
/// (not below `node_modules`) or a package's own (`…/node_modules/<name>/`
/// or `…/node_modules/@scope/<name>/`)?
fn is_manifest(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.last() != Some(&"package.json") {
        return false;
    }
    let Some(nm) = parts.iter().rposition(|p| *p == "node_modules") else {
        return true;
    };
    match parts.len() - nm {
        3 => !parts[nm + 1].starts_with('@'),
        4 => parts[nm + 1].starts_with('@'),
        _ => false,
    }
}

/// The deepest package directory below `node_modules` that holds `path`.
fn package_dir(path: &str) -> Option<&str> {
    let parts: Vec<&str> = path.split('/').collect();
    let nm = parts[..parts.len().saturating_sub(1)]
        .iter()
        .rposition(|p| *p == "node_modules")?;
    let name = *parts.get(nm + 1)?;
    let take = if name.starts_with('@') {
        nm + 3
    } else {
        nm + 2
    };
    if take >= parts.len() || name.starts_with('.') {
        return None;
    }
    let len = parts[..take].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
    path.get(..len)
}

/// The largest file whose contents the visitor asks for.
pub const MAX_CONTENT_BYTES: u64 = 32 * 1024 * 1024;

const DPKG_STATUS: &str = "var/lib/dpkg/status";
const DPKG_INFO: &str = "var/lib/dpkg/info/";
const APK_INSTALLED: &str = "lib/apk/db/installed";

impl ReclaimLayer {
    /// A layer from its records in tar order.
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a FileRecord>) -> Self {
        let mut builder = ReclaimLayerBuilder::default();
        for record in records {
            builder.visit(record);
        }
        builder.finish()
    }
}

/// The [`LayerVisitor`] that collects a [`ReclaimLayer`].
#[derive(Debug, Default)]
pub struct ReclaimLayerBuilder {
    layer: ReclaimLayer,
}

impl ReclaimLayerBuilder {
    /// Does the visitor want this entry's contents (package databases)?
    /// Only regular files of at most [`MAX_CONTENT_BYTES`].
    pub fn wants_contents(record: &FileRecord) -> bool {
        record.kind == RecordKind::File
            && record.size <= MAX_CONTENT_BYTES
            && ((record.size <= MAX_MANIFEST_BYTES && is_manifest(&record.path))
                || record.path == DPKG_STATUS
                || record.path == APK_INSTALLED
                || (record.path.starts_with(DPKG_INFO)
                    && record.path.ends_with(".list")
                    && !record.path[DPKG_INFO.len()..].contains('/')))
    }

    /// The contents of an entry it wanted (call after [`LayerVisitor::visit`]).
    pub fn contents(&mut self, path: &str, data: Vec<u8>) {
        if is_manifest(path) {
            // Keep the names only; a file that is not JSON counts as absent.
            match Manifest::parse(&data) {
                Some(manifest) => self.layer.manifests.insert(path.to_owned(), manifest),
                None => self.layer.manifests.remove(path),
            };
        } else {
            self.layer.contents.insert(path.to_owned(), data);
        }
    }
}

impl LayerVisitor for ReclaimLayerBuilder {
    type Output = ReclaimLayer;

    fn visit(&mut self, record: &FileRecord) {
        self.layer.records.push(record.clone());
    }

    fn finish(self) -> ReclaimLayer {
        self.layer
    }
}

/// A path's state in the merged filesystem so far.
#[derive(Debug, Clone, Copy)]
struct Visible {
    layer: usize,
    size: u64,
    is_dir: bool,
}

/// What one layer does to the merged filesystem: deletions first (they
/// apply to the layers below only), then additions in tar order.
enum Change<'a> {
    Delete(String),
    Opaque(&'a str),
    Add(&'a FileRecord),
}

fn change(record: &FileRecord) -> Change<'_> {
    let (parent, name) = match record.path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", record.path.as_str()),
    };
    if name == ".wh..wh..opq" {
        Change::Opaque(parent)
    } else if let Some(target) = name.strip_prefix(".wh.") {
        // `a/.wh.b` deletes `a/b`.
        Change::Delete(if parent.is_empty() {
            target.to_owned()
        } else {
            format!("{parent}/{target}")
        })
    } else {
        Change::Add(record)
    }
}

/// Computes the reclaimable bytes of an image from its layers (bottom
/// first); `instructions[i]` is layer `i`'s history `created_by`.
pub fn analyze(layers: &[ReclaimLayer], instructions: &[Option<String>]) -> Reclaim {
    let mut state: BTreeMap<String, Visible> = BTreeMap::new();
    let mut items: Vec<Item> = Vec::new();
    let instruction = |layer: usize| instructions.get(layer).cloned().flatten();

    let hide = |path: &str, seen: Visible, by: usize, deleted: bool, items: &mut Vec<Item>| {
        if seen.is_dir || seen.size == 0 {
            return;
        }
        let how = if deleted { "deleted" } else { "overwritten" };
        items.push(Item {
            category: Category::Hidden,
            path: path.to_owned(),
            files: 1,
            layer: seen.layer,
            instruction: instruction(seen.layer),
            size_bytes: seen.size,
            hidden_by: Some(format!("{how} in layer {by}")),
            hint: format!(
                "{how} in layer {by}: {}",
                if seen.layer == by {
                    "written twice in the same layer"
                } else if deleted {
                    "delete it in the same RUN that creates it, or do not create or copy it"
                } else {
                    "give it its final content and mode in the layer that creates it"
                }
            ),
        });
    };

    for (index, layer) in layers.iter().enumerate() {
        let changes: Vec<Change<'_>> = layer.records.iter().map(change).collect();
        for c in &changes {
            match c {
                Change::Delete(target) => {
                    let removed = remove_tree(&mut state, target, true);
                    match removed.as_slice() {
                        [(path, seen)] if path == target => {
                            hide(path, *seen, index, true, &mut items);
                        }
                        _ => hide_tree(target, &removed, index, &instruction, &mut items),
                    }
                }
                Change::Opaque(dir) => {
                    let removed = remove_tree(&mut state, dir, false);
                    hide_tree(dir, &removed, index, &instruction, &mut items);
                }
                Change::Add(_) => {}
            }
        }
        for c in &changes {
            let Change::Add(record) = c else { continue };
            let is_dir = record.kind == RecordKind::Dir;
            let size = if record.kind == RecordKind::File {
                record.size
            } else {
                0
            };
            if let Some(seen) = state.get(&record.path).copied() {
                if is_dir && seen.is_dir {
                    // A directory entry again: its contents stay.
                    continue;
                }
                state.remove(&record.path);
                hide(&record.path, seen, index, false, &mut items);
                if seen.is_dir {
                    for (path, seen) in remove_tree(&mut state, &record.path, false) {
                        hide(&path, seen, index, false, &mut items);
                    }
                }
            }
            state.insert(
                record.path.clone(),
                Visible {
                    layer: index,
                    size,
                    is_dir,
                },
            );
        }
    }

    // The final filesystem: group rule matches per (category, layer, root).
    let final_contents = |path: &str| -> Option<&[u8]> {
        let seen = state.get(path)?;
        layers
            .get(seen.layer)?
            .contents
            .get(path)
            .map(Vec::as_slice)
    };
    let owners = build_package_files(&state, final_contents);
    let dev_only = node_dev_only(&state, |path: &str| {
        let seen = state.get(path)?;
        layers.get(seen.layer)?.manifests.get(path)
    });
    let mut grouped: HashMap<(Category, usize, String), (u64, u64)> = HashMap::new();
    for (path, seen) in &state {
        if seen.is_dir {
            continue;
        }
        let node = package_dir(path).filter(|dir| dev_only.contains(*dir));
        let class = match (owners.get(path.as_str()), node) {
            (Some(package), _) => Some((Category::BuildPackages, (*package).to_owned())),
            (None, Some(dir)) => Some((Category::NodeDevDependencies, dir.to_owned())),
            (None, None) => classify(path),
        };
        if let Some((category, summary)) = class {
            let entry = grouped
                .entry((category, seen.layer, summary))
                .or_insert((0, 0));
            entry.0 += 1;
            entry.1 += seen.size;
        }
    }
    for ((category, layer, summary), (files, size)) in grouped {
        if size == 0 {
            continue;
        }
        items.push(Item {
            category,
            path: format!(
                "{summary} ({} file{})",
                thousands(files),
                if files == 1 { "" } else { "s" }
            ),
            files,
            layer,
            instruction: instruction(layer),
            size_bytes: size,
            hidden_by: None,
            hint: category.item_hint(layer, &summary),
        });
    }

    let mut by_category: BTreeMap<Category, Vec<Item>> = BTreeMap::new();
    for item in items {
        by_category.entry(item.category).or_default().push(item);
    }
    let mut groups: Vec<Group> = by_category
        .into_iter()
        .map(|(category, mut items)| {
            items.sort_by(|a, b| {
                b.size_bytes
                    .cmp(&a.size_bytes)
                    .then(a.layer.cmp(&b.layer))
                    .then(a.path.cmp(&b.path))
            });
            let size_bytes = items.iter().map(|i| i.size_bytes).sum();
            let item_count = items.len();
            items.truncate(TOP_ITEMS);
            Group {
                category,
                size_bytes,
                item_count,
                items,
                hint: category.hint().to_owned(),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.size_bytes
            .cmp(&a.size_bytes)
            .then(a.category.cmp(&b.category))
    });
    Reclaim {
        reclaimable_bytes: groups.iter().map(|g| g.size_bytes).sum(),
        groups,
    }
}

/// One hidden item per lower layer for the files a deleted (or opaque)
/// directory `dir` hid in layer `by`: `dir/** (N files)`.
fn hide_tree(
    dir: &str,
    removed: &[(String, Visible)],
    by: usize,
    instruction: &dyn Fn(usize) -> Option<String>,
    items: &mut Vec<Item>,
) {
    let mut per_layer: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for (_, seen) in removed {
        if !seen.is_dir && seen.size > 0 {
            let entry = per_layer.entry(seen.layer).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += seen.size;
        }
    }
    let label = if dir.is_empty() {
        "**".to_owned()
    } else {
        format!("{dir}/**")
    };
    for (layer, (files, size)) in per_layer {
        items.push(Item {
            category: Category::Hidden,
            path: format!(
                "{label} ({} file{})",
                thousands(files),
                if files == 1 { "" } else { "s" }
            ),
            files,
            layer,
            instruction: instruction(layer),
            size_bytes: size,
            hidden_by: Some(format!("deleted in layer {by}")),
            hint: format!(
                "deleted in layer {by}: remove them in the same RUN that creates them, or do not create or copy them"
            ),
        });
    }
}

/// Is `name` a build-only package (compiler, build tool, `-dev`)?
fn build_only(name: &str) -> bool {
    if name.ends_with("-dev") {
        return true;
    }
    if matches!(
        name,
        "gcc"
            | "g++"
            | "cpp"
            | "make"
            | "binutils"
            | "build-base"
            | "build-essential"
            | "dpkg-dev"
            | "libc-dev-bin"
            | "autoconf"
            | "automake"
            | "libtool"
            | "pkg-config"
            | "pkgconf"
            | "pkgconf-bin"
    ) {
        return true;
    }
    if name.starts_with("binutils-") {
        return true;
    }
    ["gcc-", "g++-", "cpp-"]
        .iter()
        .any(|p| name.starts_with(p) && !name.ends_with("-base"))
}

/// Installed packages named in a dpkg `status` file.
fn dpkg_installed(status: &str) -> Vec<&str> {
    let mut installed = Vec::new();
    for paragraph in status.split("\n\n") {
        let mut package = None;
        let mut ok = false;
        for line in paragraph.lines() {
            if let Some(name) = line.strip_prefix("Package:") {
                package = Some(name.trim());
            } else if let Some(status) = line.strip_prefix("Status:") {
                ok = status.split_whitespace().last() == Some("installed");
            }
        }
        if let (Some(name), true) = (package, ok) {
            installed.push(name);
        }
    }
    installed
}

/// The files of build-only packages in the final filesystem, each with its
/// package, from dpkg's and apk's databases.
fn build_package_files<'a>(
    state: &BTreeMap<String, Visible>,
    contents: impl Fn(&str) -> Option<&'a [u8]>,
) -> HashMap<String, &'a str> {
    let mut owners: HashMap<String, &'a str> = HashMap::new();
    if let Some(status) = contents(DPKG_STATUS).and_then(|b| std::str::from_utf8(b).ok()) {
        let installed: std::collections::HashSet<&str> = dpkg_installed(status)
            .into_iter()
            .filter(|name| build_only(name))
            .collect();
        let lists: Vec<&String> = state
            .range(DPKG_INFO.to_owned()..)
            .take_while(|(k, _)| k.starts_with(DPKG_INFO))
            .map(|(k, _)| k)
            .filter(|k| k.ends_with(".list"))
            .collect();
        for list in lists {
            let Some(file) = list
                .strip_prefix(DPKG_INFO)
                .and_then(|f| f.strip_suffix(".list"))
            else {
                continue;
            };
            let name = file.split(':').next().unwrap_or(file);
            let Some(package) = installed.get(name) else {
                continue;
            };
            let Some(text) = contents(list).and_then(|b| std::str::from_utf8(b).ok()) else {
                continue;
            };
            for line in text.lines() {
                let path = line.trim().trim_start_matches('/');
                if !path.is_empty() {
                    owners.entry(path.to_owned()).or_insert(package);
                }
            }
        }
    }
    if let Some(db) = contents(APK_INSTALLED).and_then(|b| std::str::from_utf8(b).ok()) {
        for paragraph in db.split("\n\n") {
            let mut package: Option<&str> = None;
            let mut dir = "";
            for line in paragraph.lines() {
                if let Some(name) = line.strip_prefix("P:") {
                    package = Some(name.trim()).filter(|n| build_only(n));
                } else if let Some(d) = line.strip_prefix("F:") {
                    dir = d.trim().trim_matches('/');
                } else if let (Some(name), Some(file)) = (package, line.strip_prefix("R:")) {
                    let path = if dir.is_empty() {
                        file.trim().to_owned()
                    } else {
                        format!("{dir}/{}", file.trim())
                    };
                    owners.entry(path).or_insert(name);
                }
            }
        }
    }
    owners
}

/// The package directories (`app/node_modules/typescript`) reachable only
/// from applications' `devDependencies`.
fn node_dev_only<'a>(
    state: &BTreeMap<String, Visible>,
    manifest: impl Fn(&str) -> Option<&'a Manifest>,
) -> std::collections::HashSet<String> {
    use std::collections::HashSet;
    let mut packages: HashMap<&str, &'a Manifest> = HashMap::new();
    let mut apps: Vec<&str> = Vec::new();
    for path in state.keys() {
        if !is_manifest(path) {
            continue;
        }
        let Some(m) = manifest(path) else { continue };
        let dir = path
            .strip_suffix("package.json")
            .unwrap_or(path)
            .trim_end_matches('/');
        if path.split('/').any(|p| p == "node_modules") {
            packages.insert(dir, m);
        } else {
            apps.push(dir);
        }
    }
    // Node's lookup: `<dir>/node_modules/<name>`, then up the tree.
    let resolve = |from: &str, name: &str| -> Option<String> {
        let mut dir = from;
        loop {
            let candidate = if dir.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{dir}/node_modules/{name}")
            };
            if packages.contains_key(candidate.as_str()) {
                return Some(candidate);
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map(|(parent, _)| parent).unwrap_or("");
        }
    };
    let reach = |start: Vec<String>| -> HashSet<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue = start;
        while let Some(dir) = queue.pop() {
            let Some(m) = packages.get(dir.as_str()) else {
                continue;
            };
            for name in &m.runtime {
                if let Some(found) = resolve(&dir, name) {
                    if !seen.contains(&found) {
                        queue.push(found.clone());
                        seen.insert(found);
                    }
                }
            }
        }
        seen
    };
    let mut dev_only = HashSet::new();
    for app in apps {
        let Some(m) = manifest(format!("{app}/package.json").trim_start_matches('/')) else {
            continue;
        };
        let roots = |names: &[String]| -> Vec<String> {
            names.iter().filter_map(|n| resolve(app, n)).collect()
        };
        let runtime_roots = roots(&m.runtime);
        let dev_roots = roots(&m.dev);
        let mut runtime = reach(runtime_roots.clone());
        runtime.extend(runtime_roots);
        let mut dev = reach(dev_roots.clone());
        dev.extend(dev_roots);
        dev_only.extend(dev.into_iter().filter(|d| !runtime.contains(d)));
    }
    dev_only
}

/// Removes `root`'s descendants (and `root` itself when `with_root`) from the
/// merged filesystem and returns them.
fn remove_tree(
    state: &mut BTreeMap<String, Visible>,
    root: &str,
    with_root: bool,
) -> Vec<(String, Visible)> {
    let mut removed = Vec::new();
    if with_root {
        if let Some(seen) = state.remove(root) {
            removed.push((root.to_owned(), seen));
        }
    }
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let keys: Vec<String> = state
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for key in keys {
        if let Some(seen) = state.remove(&key) {
            removed.push((key, seen));
        }
    }
    removed
}

/// `1234` → `1,234`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The category and glob summary of a final-filesystem file, if a rule
/// matches (first match wins).
fn classify(path: &str) -> Option<(Category, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    let name = parts.last().copied().unwrap_or("");

    // apt
    if let Some(rest) = path.strip_prefix("var/lib/apt/lists/") {
        let first = rest.split('/').next().unwrap_or("");
        if first != "lock" && first != "partial" {
            return Some((Category::AptLists, "var/lib/apt/lists/*".into()));
        }
        return None;
    }
    if let Some(rest) = path.strip_prefix("var/cache/apt/") {
        if !rest.contains('/') && rest.ends_with(".bin") {
            return Some((Category::AptCache, "var/cache/apt/*.bin".into()));
        }
        if let Some(deb) = rest.strip_prefix("archives/") {
            if !deb.contains('/') && deb.ends_with(".deb") {
                return Some((Category::AptCache, "var/cache/apt/archives/*.deb".into()));
            }
        }
        return None;
    }
    if path.starts_with("var/cache/apk/") {
        return Some((Category::ApkCache, "var/cache/apk/*".into()));
    }
    // Caches under any home: `<root>/.cache/pip/**`, `<root>/.npm/_cacache/**`,
    // `<root>/.cache/yarn/**` (also `usr/local/share/.cache/yarn/**`).
    for (at, window) in parts.windows(2).enumerate() {
        let category = match window {
            [".cache", "pip"] => Category::PipCache,
            [".npm", "_cacache"] => Category::NpmCache,
            [".cache", "yarn"] => Category::YarnCache,
            _ => continue,
        };
        if at + 2 < parts.len() {
            return Some((category, format!("{}/**", parts[..at + 2].join("/"))));
        }
    }
    // Toolchains and headers.
    for (prefix, category) in [
        ("usr/lib/gcc/", Category::Toolchain),
        ("usr/libexec/gcc/", Category::Toolchain),
        ("usr/include/", Category::Headers),
        ("usr/local/include/", Category::Headers),
    ] {
        if path.starts_with(prefix) {
            return Some((category, format!("{prefix}**")));
        }
    }
    if let Some(bin) = path.strip_prefix("usr/bin/") {
        if let Some((_, tool)) = bin.split_once("-linux-gnu-") {
            if ["gcc", "g++", "cpp"].iter().any(|t| tool.starts_with(t)) {
                return Some((
                    Category::Toolchain,
                    "usr/bin/*-linux-gnu-{gcc,g++,cpp}*".into(),
                ));
            }
        }
    }
    // Artefacts.
    if let Some(at) = parts.iter().position(|p| *p == ".git") {
        if at + 1 < parts.len() {
            return Some((Category::Git, format!("{}/**", parts[..=at].join("/"))));
        }
    }
    let installed = parts
        .iter()
        .any(|p| matches!(*p, "site-packages" | "dist-packages"));
    if name.ends_with(".whl") && !installed {
        return Some((Category::Wheels, path.to_owned()));
    }
    if in_app_dir(path) && !installed {
        let vendored = parts.iter().any(|p| {
            matches!(
                *p,
                "node_modules" | "vendor" | ".venv" | "venv" | "lib" | "lib64"
            )
        });
        if !vendored {
            // Directories only: the file must be below a `tests`/`test` directory.
            if let Some(at) = parts[..parts.len().saturating_sub(1)]
                .iter()
                .position(|p| matches!(*p, "tests" | "test"))
            {
                return Some((Category::Tests, format!("{}/**", parts[..=at].join("/"))));
            }
        }
    }
    None
}

/// Is `path` under a directory where applications are usually copied?
fn in_app_dir(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    matches!(
        first,
        "app" | "srv" | "code" | "src" | "workspace" | "project" | "home" | "opt"
    ) || path.starts_with("usr/src/")
        || path.starts_with("var/www/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(spec: &[&[FileRecord]]) -> Vec<ReclaimLayer> {
        spec.iter()
            .map(|l| ReclaimLayer::from_records(*l))
            .collect()
    }

    fn run(spec: &[&[FileRecord]]) -> Reclaim {
        let instructions: Vec<Option<String>> = (0..spec.len())
            .map(|i| Some(format!("RUN step {i}")))
            .collect();
        analyze(&layers(spec), &instructions)
    }

    fn group(r: &Reclaim, category: Category) -> Option<&Group> {
        r.groups.iter().find(|g| g.category == category)
    }

    #[test]
    fn overwritten_file_counts_lower_copy_once() {
        let r = run(&[
            &[FileRecord::dir("etc"), FileRecord::file("etc/a", 100)],
            &[FileRecord::file("etc/a", 30)],
            &[FileRecord::file("etc/a", 7)],
        ]);
        // Layers 0 and 1 hold hidden copies (100 + 30); the visible 7 does not count.
        assert_eq!(r.reclaimable_bytes, 130);
        let hidden = group(&r, Category::Hidden).unwrap();
        assert_eq!(hidden.items.len(), 2);
        assert_eq!(hidden.items[0].layer, 0);
        assert_eq!(hidden.items[0].size_bytes, 100);
        assert_eq!(hidden.items[0].instruction.as_deref(), Some("RUN step 0"));
        assert!(hidden.items[0].hint.contains("overwritten in layer 1"));
        assert_eq!(
            hidden.items[0].hidden_by.as_deref(),
            Some("overwritten in layer 1")
        );
        assert_eq!(hidden.items[1].layer, 1);
    }

    #[test]
    fn deleted_files_and_directories_count() {
        let r = run(&[
            &[
                FileRecord::file("a", 10),
                FileRecord::dir("d"),
                FileRecord::file("d/x", 20),
                FileRecord::file("d/y", 30),
                FileRecord::file("dd", 1000),
            ],
            &[FileRecord::whiteout("a"), FileRecord::whiteout("d")],
        ]);
        // `dd` shares a prefix with `d` but is not below it.
        assert_eq!(r.reclaimable_bytes, 60);
        let hidden = group(&r, Category::Hidden).unwrap();
        assert!(hidden
            .items
            .iter()
            .all(|i| i.hint.contains("deleted in layer 1")));
        // A deleted directory is one item per lower layer.
        let paths: Vec<&str> = hidden.items.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["d/** (2 files)", "a"]);
        assert_eq!(hidden.items[0].files, 2);
    }

    #[test]
    fn opaque_directory_hides_only_lower_layers() {
        let r = run(&[
            &[FileRecord::file("c/old", 50), FileRecord::file("c2", 5)],
            // The marker after the new file: it still applies to layer 0 only.
            &[FileRecord::file("c/new", 8), FileRecord::opaque("c")],
        ]);
        assert_eq!(r.reclaimable_bytes, 50);
    }

    #[test]
    fn file_replacing_directory_hides_its_contents() {
        let r = run(&[
            &[FileRecord::dir("p"), FileRecord::file("p/f", 40)],
            &[FileRecord::file("p", 1)],
        ]);
        assert_eq!(r.reclaimable_bytes, 40);
    }

    #[test]
    fn apt_lists_and_cache() {
        let r = run(&[
            &[FileRecord::file("bin/sh", 100)],
            &[
                FileRecord::dir("var/lib/apt/lists"),
                FileRecord::file("var/lib/apt/lists/lock", 0),
                FileRecord::file("var/lib/apt/lists/partial/x", 9),
                FileRecord::file("var/lib/apt/lists/deb.debian.org_Packages", 1000),
                FileRecord::file("var/lib/apt/lists/deb.debian.org_Release", 234),
                FileRecord::file("var/cache/apt/pkgcache.bin", 500),
                FileRecord::file("var/cache/apt/archives/curl.deb", 70),
                FileRecord::file("var/cache/apt/archives/partial/y.deb", 3),
            ],
        ]);
        let lists = group(&r, Category::AptLists).unwrap();
        assert_eq!(lists.size_bytes, 1234);
        assert_eq!(lists.items[0].path, "var/lib/apt/lists/* (2 files)");
        assert_eq!(lists.items[0].layer, 1);
        assert!(lists.items[0].hint.contains("layer 1"));
        assert_eq!(group(&r, Category::AptCache).unwrap().size_bytes, 570);
        assert_eq!(r.reclaimable_bytes, 1804);
    }

    #[test]
    fn language_caches() {
        let r = run(&[&[
            FileRecord::file("var/cache/apk/APKINDEX.tar.gz", 11),
            FileRecord::file("root/.cache/pip/http/a", 20),
            FileRecord::file("home/app/.cache/pip/wheels/b", 22),
            FileRecord::file("root/.npm/_cacache/index-v5/c", 30),
            FileRecord::file("usr/local/share/.cache/yarn/v6/d", 40),
            FileRecord::file("app/__pycache__/m.cpython-312.pyc", 999),
        ]]);
        assert_eq!(group(&r, Category::ApkCache).unwrap().size_bytes, 11);
        let pip = group(&r, Category::PipCache).unwrap();
        assert_eq!(pip.size_bytes, 42);
        assert_eq!(pip.items.len(), 2);
        assert!(pip
            .items
            .iter()
            .any(|i| i.path == "home/app/.cache/pip/** (1 file)"));
        assert_eq!(group(&r, Category::NpmCache).unwrap().size_bytes, 30);
        assert_eq!(group(&r, Category::YarnCache).unwrap().size_bytes, 40);
        // pyc caches are not counted.
        assert_eq!(r.reclaimable_bytes, 123);
    }

    #[test]
    fn overwritten_cache_counts_once() {
        let r = run(&[
            &[FileRecord::file("var/lib/apt/lists/x_Packages", 100)],
            &[FileRecord::file("var/lib/apt/lists/x_Packages", 120)],
        ]);
        // The hidden 100 once, the visible 120 once.
        assert_eq!(group(&r, Category::Hidden).unwrap().size_bytes, 100);
        assert_eq!(group(&r, Category::AptLists).unwrap().size_bytes, 120);
        assert_eq!(r.reclaimable_bytes, 220);
        // Deleted later: only the hidden copy.
        let r = run(&[
            &[FileRecord::file("var/lib/apt/lists/x_Packages", 100)],
            &[FileRecord::opaque("var/lib/apt/lists")],
        ]);
        assert_eq!(r.reclaimable_bytes, 100);
        assert!(group(&r, Category::AptLists).is_none());
    }

    #[test]
    fn toolchain_and_headers() {
        let r = run(&[&[
            FileRecord::file("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 0),
            FileRecord::file("usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a", 300),
            FileRecord::file("usr/libexec/gcc/x86_64-linux-gnu/12/cc1", 3000),
            FileRecord::file("usr/bin/x86_64-linux-gnu-gcc-12", 900),
            FileRecord::file("usr/bin/x86_64-linux-gnu-ld", 50),
            FileRecord::file("usr/include/stdio.h", 10),
            FileRecord::file("usr/local/include/python3.12/Python.h", 5),
        ]]);
        assert_eq!(group(&r, Category::Toolchain).unwrap().size_bytes, 4200);
        assert_eq!(group(&r, Category::Headers).unwrap().size_bytes, 15);
    }

    #[test]
    fn artefacts_are_conservative() {
        let r = run(&[&[
            FileRecord::file("app/.git/objects/pack/p.pack", 1000),
            FileRecord::file("app/.gitignore", 7),
            FileRecord::file("app/dist/x-1.0-py3-none-any.whl", 200),
            FileRecord::file(
                "usr/lib/python3/site-packages/pip/_vendor/x-1.0-py3-none-any.whl",
                9,
            ),
            FileRecord::file("app/tests/test_x.py", 30),
            FileRecord::file("app/src/test/java/T.java", 3),
            FileRecord::file("app/node_modules/lib/test/t.js", 8),
            FileRecord::file("app/.venv/lib/python3.12/site-packages/np/tests/t.py", 8),
            FileRecord::file("usr/lib/python3/test/t.py", 8),
            FileRecord::file("app/test", 8),
        ]]);
        assert_eq!(group(&r, Category::Git).unwrap().size_bytes, 1000);
        assert_eq!(
            group(&r, Category::Git).unwrap().items[0].path,
            "app/.git/** (1 file)"
        );
        assert_eq!(group(&r, Category::Wheels).unwrap().size_bytes, 200);
        assert_eq!(group(&r, Category::Tests).unwrap().size_bytes, 33);
        assert_eq!(r.reclaimable_bytes, 1233);
    }

    #[test]
    fn top_items_are_kept_and_counted() {
        let files: Vec<FileRecord> = (0..30)
            .map(|i| FileRecord::file(format!("f{i}"), i + 1))
            .collect();
        let whiteouts: Vec<FileRecord> = (0..30)
            .map(|i| FileRecord::whiteout(&format!("f{i}")))
            .collect();
        let r = run(&[&files, &whiteouts]);
        let hidden = group(&r, Category::Hidden).unwrap();
        assert_eq!(hidden.item_count, 30);
        assert_eq!(hidden.items.len(), TOP_ITEMS);
        assert_eq!(hidden.items[0].size_bytes, 30);
        assert_eq!(r.reclaimable_bytes, (1..=30).sum::<u64>());
    }

    #[test]
    fn dpkg_build_packages_by_owner() {
        let status = "Package: gcc-12\nStatus: install ok installed\nArchitecture: amd64\n\n\
                      Package: gcc-12-base\nStatus: install ok installed\n\n\
                      Package: libssl-dev\nStatus: install ok installed\n\n\
                      Package: zlib1g-dev\nStatus: deinstall ok config-files\n\n\
                      Package: libssl3\nStatus: install ok installed\n";
        let files = [
            FileRecord::file(DPKG_STATUS, status.len() as u64),
            FileRecord::file("var/lib/dpkg/info/gcc-12.list", 10),
            FileRecord::file("var/lib/dpkg/info/gcc-12-base.list", 10),
            FileRecord::file("var/lib/dpkg/info/libssl-dev:amd64.list", 10),
            FileRecord::file("var/lib/dpkg/info/libssl3:amd64.list", 10),
            FileRecord::file("usr/bin/x86_64-linux-gnu-gcc-12", 900),
            FileRecord::file("usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a", 100),
            FileRecord::file("usr/share/doc/gcc-12-base/copyright", 5),
            FileRecord::file("usr/include/openssl/ssl.h", 40),
            FileRecord::file("usr/lib/x86_64-linux-gnu/libssl.so.3", 600),
            // A header no package owns: found by path.
            FileRecord::file("usr/include/mine.h", 3),
        ];
        let mut builder = ReclaimLayerBuilder::default();
        let wanted: Vec<&str> = files
            .iter()
            .filter(|f| ReclaimLayerBuilder::wants_contents(f))
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(wanted.len(), 5);
        for f in &files {
            builder.visit(f);
        }
        builder.contents(DPKG_STATUS, status.as_bytes().to_vec());
        builder.contents(
            "var/lib/dpkg/info/gcc-12.list",
            b"/.\n/usr\n/usr/bin/x86_64-linux-gnu-gcc-12\n/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a\n"
                .to_vec(),
        );
        builder.contents(
            "var/lib/dpkg/info/gcc-12-base.list",
            b"/usr/share/doc/gcc-12-base/copyright\n".to_vec(),
        );
        builder.contents(
            "var/lib/dpkg/info/libssl-dev:amd64.list",
            b"/usr/include/openssl/ssl.h\n".to_vec(),
        );
        builder.contents(
            "var/lib/dpkg/info/libssl3:amd64.list",
            b"/usr/lib/x86_64-linux-gnu/libssl.so.3\n".to_vec(),
        );
        let r = analyze(&[builder.finish()], &[Some("RUN apt-get install".into())]);
        let build = group(&r, Category::BuildPackages).unwrap();
        assert_eq!(build.size_bytes, 1040);
        assert_eq!(build.items[0].path, "gcc-12 (2 files)");
        assert_eq!(build.items[1].path, "libssl-dev (1 file)");
        assert!(build.items[0]
            .hint
            .starts_with("purge `gcc-12` in the RUN on layer 0"));
        // Counted with the package, not again by path.
        assert!(group(&r, Category::Toolchain).is_none());
        assert_eq!(group(&r, Category::Headers).unwrap().size_bytes, 3);
        assert_eq!(r.reclaimable_bytes, 1043);
    }

    #[test]
    fn apk_build_packages_by_owner() {
        let db = "C:Q1x\nP:musl-dev\nV:1.2\nF:usr/include\nR:stdio.h\nR:stdlib.h\n\n\
                  P:musl\nF:lib\nR:ld-musl-x86_64.so.1\n";
        let files = [
            FileRecord::file(APK_INSTALLED, db.len() as u64),
            FileRecord::file("usr/include/stdio.h", 10),
            FileRecord::file("usr/include/stdlib.h", 20),
            FileRecord::file("lib/ld-musl-x86_64.so.1", 500),
        ];
        let mut builder = ReclaimLayerBuilder::default();
        for f in &files {
            builder.visit(f);
        }
        builder.contents(APK_INSTALLED, db.as_bytes().to_vec());
        let r = analyze(&[builder.finish()], &[None]);
        let build = group(&r, Category::BuildPackages).unwrap();
        assert_eq!(build.items[0].path, "musl-dev (2 files)");
        assert_eq!(r.reclaimable_bytes, 30);
    }

    #[test]
    fn a_later_status_file_wins() {
        let installed = "Package: make\nStatus: install ok installed\n";
        let removed = "Package: make\nStatus: deinstall ok config-files\n";
        let mut lower = ReclaimLayerBuilder::default();
        for f in [
            FileRecord::file(DPKG_STATUS, 1),
            FileRecord::file("var/lib/dpkg/info/make.list", 1),
            FileRecord::file("usr/bin/make", 70),
        ] {
            lower.visit(&f);
        }
        lower.contents(DPKG_STATUS, installed.as_bytes().to_vec());
        lower.contents("var/lib/dpkg/info/make.list", b"/usr/bin/make\n".to_vec());
        let mut upper = ReclaimLayerBuilder::default();
        upper.visit(&FileRecord::file(DPKG_STATUS, 1));
        upper.contents(DPKG_STATUS, removed.as_bytes().to_vec());
        let lower = lower.finish();
        let r = analyze(std::slice::from_ref(&lower), &[None, None]);
        assert_eq!(group(&r, Category::BuildPackages).unwrap().size_bytes, 70);
        let r = analyze(&[lower, upper.finish()], &[None, None]);
        assert!(group(&r, Category::BuildPackages).is_none());
        assert!(!build_only("gcc-12-base"));
        assert!(build_only("cpp-12-x86-64-linux-gnu"));
    }

    fn node_layer(files: &[(&str, &str)]) -> ReclaimLayer {
        let mut builder = ReclaimLayerBuilder::default();
        for (path, json) in files {
            let record = FileRecord::file(*path, json.len() as u64);
            builder.visit(&record);
            if ReclaimLayerBuilder::wants_contents(&record) {
                builder.contents(path, json.as_bytes().to_vec());
            }
        }
        builder.finish()
    }

    #[test]
    fn node_dev_dependencies() {
        let layer = node_layer(&[
            (
                "app/package.json",
                r#"{"dependencies":{"express":"4"},"devDependencies":{"typescript":"5","jest":"29"}}"#,
            ),
            (
                "app/node_modules/express/package.json",
                r#"{"dependencies":{"shared":"1"}}"#,
            ),
            ("app/node_modules/express/index.js", "xxxxxxxxxx"),
            ("app/node_modules/typescript/package.json", "{}"),
            (
                "app/node_modules/typescript/lib/tsc.js",
                "yyyyyyyyyyyyyyyyyyyy",
            ),
            (
                "app/node_modules/jest/package.json",
                r#"{"dependencies":{"shared":"1","@jest/core":"1"}}"#,
            ),
            (
                "app/node_modules/@jest/core/package.json",
                r#"{"dependencies":{"pretty":"1"}}"#,
            ),
            // A nested copy only jest's core sees.
            (
                "app/node_modules/@jest/core/node_modules/pretty/package.json",
                "{}",
            ),
            (
                "app/node_modules/@jest/core/node_modules/pretty/p.js",
                "zzz",
            ),
            ("app/node_modules/shared/package.json", "{}"),
            ("app/node_modules/shared/s.js", "ssss"),
            // Reachable from nothing: left alone.
            ("app/node_modules/stray/package.json", "{}"),
            // Not a manifest the analysis reads.
            ("app/node_modules/typescript/lib/package.json", "not json"),
        ]);
        let r = analyze(&[layer], &[None]);
        let dev = group(&r, Category::NodeDevDependencies).unwrap();
        let mut paths: Vec<&str> = dev.items.iter().map(|i| i.path.as_str()).collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "app/node_modules/@jest/core (1 file)",
                "app/node_modules/@jest/core/node_modules/pretty (2 files)",
                "app/node_modules/jest (1 file)",
                "app/node_modules/typescript (3 files)",
            ]
        );
        // typescript: 2 + 20 + 8; jest: its manifest; @jest/core: its
        // manifest; pretty: 2 + 3.
        let jest = r#"{"dependencies":{"shared":"1","@jest/core":"1"}}"#.len() as u64;
        let core = r#"{"dependencies":{"pretty":"1"}}"#.len() as u64;
        assert_eq!(dev.size_bytes, 30 + jest + core + 5);
    }

    #[test]
    fn node_paths() {
        assert!(is_manifest("app/package.json"));
        assert!(is_manifest("app/node_modules/a/package.json"));
        assert!(is_manifest("app/node_modules/@s/a/package.json"));
        assert!(!is_manifest("app/node_modules/a/lib/package.json"));
        assert!(!is_manifest("app/node_modules/@s/package.json"));
        assert_eq!(
            package_dir("app/node_modules/a/x/y.js"),
            Some("app/node_modules/a")
        );
        assert_eq!(
            package_dir("app/node_modules/@s/a/y.js"),
            Some("app/node_modules/@s/a")
        );
        assert_eq!(package_dir("app/node_modules/.bin/tsc"), None);
        assert_eq!(package_dir("app/node_modules/a"), None);
        assert_eq!(package_dir("app/src/a.js"), None);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
