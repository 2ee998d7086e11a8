//! The filesystem checks (`CI2xxx`) and the secret scan (`CS1xxx`) as a per-layer visitor,
//! merged in layer order.
//!
//! [`AuditLayerBuilder`] sees each entry of one layer as it streams by (layers can be visited
//! in parallel) and reads only the contents it needs: the account files, credential files
//! picked by name, and, for secrets, regular files up to [`ScanOptions::max_file_bytes`] that
//! are neither on a noise path nor binary by name; of those it reads the first 8 KiB and stops
//! when they are binary. [`merge`] then walks the layers bottom-up: a secret deleted by a later
//! layer is still reported — the lower layer's tar still holds it — with a note naming the
//! layer that deleted it, while mode problems (setuid, world-writable) of files no longer in
//! the final filesystem are dropped, and shells, package managers and account files are judged
//! as the final filesystem has them.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use careen_image::{EntryKind, LayerEntry, Whiteout};
use serde::Serialize;

use super::{accounts, config::url_password, sort_findings, Audit, Finding, Severity};
use crate::secrets::{self, ScanOptions, Scanner, SNIFF_BYTES};

/// What the filesystem audit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOptions {
    /// Run the secret detectors over text files (the expensive part).
    pub scan_secrets: bool,
    pub secrets: ScanOptions,
    /// At most this many findings of one code per layer; the rest are summed up in one
    /// finding (default 50).
    pub max_findings_per_code: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            scan_secrets: true,
            secrets: ScanOptions::default(),
            max_findings_per_code: 50,
        }
    }
}

/// How much the secret scan read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Text files run through the detectors.
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Regular files not read: over the size cap.
    pub skipped_large: u64,
    /// Regular files found binary (by name or by their first bytes).
    pub skipped_binary: u64,
    /// Regular files on a noise path (docs, locales, certificates, package test suites).
    pub skipped_noise: u64,
}

impl ScanStats {
    fn add(&mut self, other: &ScanStats) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_large += other.skipped_large;
        self.skipped_binary += other.skipped_binary;
        self.skipped_noise += other.skipped_noise;
    }
}

/// Whether a finding still matters once a later layer deletes its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persistence {
    /// The bytes ship in this layer's tar whatever later layers do (secrets, credentials).
    Shipped,
    /// Only the final filesystem matters (file modes).
    Visible,
}

#[derive(Debug, Clone)]
struct RawFinding {
    finding: Finding,
    /// Image path without a leading `/`.
    path: String,
    persistence: Persistence,
}

/// Package-manager caches and indexes (CI2009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cache {
    AptLists,
    AptArchives,
    Apk,
    YumDnf,
    Pip,
    Npm,
    Yarn,
    GoBuild,
}

impl Cache {
    fn of(path: &str) -> Option<Cache> {
        if let Some(rest) = path.strip_prefix("var/lib/apt/lists/") {
            return (rest != "lock" && !rest.starts_with("partial/") && !rest.is_empty())
                .then_some(Cache::AptLists);
        }
        if path.starts_with("var/cache/apt/") {
            let name = path.rsplit('/').next().unwrap_or("");
            return (name.ends_with(".deb") || name.ends_with(".bin"))
                .then_some(Cache::AptArchives);
        }
        if path.starts_with("var/cache/apk/") || path.starts_with("etc/apk/cache/") {
            return Some(Cache::Apk);
        }
        if path.starts_with("var/cache/yum/") || path.starts_with("var/cache/dnf/") {
            return Some(Cache::YumDnf);
        }
        let has = |part: &str| path.starts_with(part) || path.contains(&format!("/{part}"));
        if has(".cache/pip/") {
            Some(Cache::Pip)
        } else if has(".npm/_cacache/") {
            Some(Cache::Npm)
        } else if has(".cache/yarn/") || has(".yarn/cache/") {
            Some(Cache::Yarn)
        } else if has(".cache/go-build/") {
            Some(Cache::GoBuild)
        } else {
            None
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Cache::AptLists => "apt package lists (/var/lib/apt/lists)",
            Cache::AptArchives => "apt package cache (/var/cache/apt)",
            Cache::Apk => "apk cache (/var/cache/apk)",
            Cache::YumDnf => "yum/dnf cache (/var/cache/yum, /var/cache/dnf)",
            Cache::Pip => "pip cache (~/.cache/pip)",
            Cache::Npm => "npm cache (~/.npm/_cacache)",
            Cache::Yarn => "yarn cache",
            Cache::GoBuild => "Go build cache (~/.cache/go-build)",
        }
    }

    fn related(self) -> &'static str {
        match self {
            Cache::AptLists | Cache::AptArchives => "DKL-DI-0005",
            Cache::Apk => "DKL-DI-0004",
            _ => "",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct CacheFiles {
    bytes: u64,
    paths: Vec<String>,
}

/// Programs whose presence is reported as the final filesystem has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Program {
    Shell,
    PackageManager,
    Sudo,
}

const PROGRAM_DIRS: &[&str] = &[
    "bin/",
    "usr/bin/",
    "sbin/",
    "usr/sbin/",
    "usr/local/bin/",
    "usr/local/sbin/",
];
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox",
];
const PACKAGE_MANAGERS: &[&str] = &[
    "apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "pip", "pip3",
    "npm", "yarn", "pnpm", "gem",
];

fn program(path: &str) -> Option<(Program, &str)> {
    let name = PROGRAM_DIRS
        .iter()
        .find_map(|dir| path.strip_prefix(dir))
        .filter(|name| !name.contains('/'))?;
    if SHELLS.contains(&name) {
        Some((Program::Shell, name))
    } else if PACKAGE_MANAGERS.contains(&name) {
        Some((Program::PackageManager, name))
    } else if name == "sudo" {
        Some((Program::Sudo, name))
    } else {
        None
    }
}

/// setuid/setgid programs every mainstream distribution ships (shadow, util-linux, iputils,
/// openssh-client, dbus, cron): reported once, as information (CI2002), not one warning each.
const DISTRO_SETUID: &[&str] = &[
    "passwd",
    "su",
    "mount",
    "umount",
    "chsh",
    "chfn",
    "newgrp",
    "gpasswd",
    "chage",
    "expiry",
    "wall",
    "write",
    "bsd-write",
    "unix_chkpwd",
    "pam_extrausers_chkpwd",
    "ping",
    "ping6",
    "crontab",
    "ssh-keysign",
    "ssh-agent",
    "dbus-daemon-launch-helper",
    "newuidmap",
    "newgidmap",
    "fusermount",
    "fusermount3",
    "mount.nfs",
    "at",
];

/// Account files judged in their final version.
const PASSWD: &str = "etc/passwd";
const SHADOW: &str = "etc/shadow";
const GROUP: &str = "etc/group";
const MAX_ACCOUNT_BYTES: u64 = 4 * 1024 * 1024;

/// Files that hold credentials only when their contents say so (CI2006).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredentialFile {
    Npmrc,
    Pypirc,
    Netrc,
    GitCredentialStore,
    DockerConfig,
    AwsConfig,
    Kubeconfig,
    Pgpass,
    PipConf,
    MavenSettings,
    GemConfig,
}

impl CredentialFile {
    fn of(path: &str) -> Option<CredentialFile> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ends = |suffix: &str| path == suffix || path.ends_with(&format!("/{suffix}"));
        Some(match name {
            ".npmrc" | "npmrc" => CredentialFile::Npmrc,
            ".pypirc" => CredentialFile::Pypirc,
            ".netrc" | "_netrc" => CredentialFile::Netrc,
            ".git-credentials" => CredentialFile::GitCredentialStore,
            ".pgpass" => CredentialFile::Pgpass,
            "pip.conf" | "pip.ini" => CredentialFile::PipConf,
            _ if ends(".docker/config.json") => CredentialFile::DockerConfig,
            _ if ends(".aws/credentials") => CredentialFile::AwsConfig,
            _ if ends(".kube/config") => CredentialFile::Kubeconfig,
            _ if ends(".m2/settings.xml") => CredentialFile::MavenSettings,
            _ if ends(".gem/credentials") => CredentialFile::GemConfig,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            CredentialFile::Npmrc => "npm registry token",
            CredentialFile::Pypirc => "PyPI upload password",
            CredentialFile::Netrc => "netrc password",
            CredentialFile::GitCredentialStore => "git credentials",
            CredentialFile::DockerConfig => "registry login",
            CredentialFile::AwsConfig => "AWS secret access key",
            CredentialFile::Kubeconfig => "Kubernetes credentials",
            CredentialFile::Pgpass => "PostgreSQL password",
            CredentialFile::PipConf => "package index password",
            CredentialFile::MavenSettings => "Maven repository password",
            CredentialFile::GemConfig => "RubyGems API key",
        }
    }

    /// Do `data` hold credentials (not just settings or `${VAR}` references)?
    fn held_in(self, data: &[u8]) -> bool {
        let text = String::from_utf8_lossy(data);
        let value_of = |line: &str, keys: &[&str]| -> bool {
            let line = line.trim();
            keys.iter().any(|key| {
                let Some(at) = line.find(key) else {
                    return false;
                };
                let rest = line[at + key.len()..].trim_start();
                let Some(rest) = rest.strip_prefix(['=', ':']) else {
                    return false;
                };
                let value = rest.trim().trim_matches(['"', '\'']);
                !value.is_empty() && !secrets::is_placeholder(value.as_bytes())
            })
        };
        let lines = || {
            text.lines()
                .filter(|l| !l.trim_start().starts_with(['#', ';']))
        };
        match self {
            CredentialFile::Npmrc => {
                lines().any(|l| value_of(l, &["_authToken", "_auth", "_password"]))
            }
            CredentialFile::Pypirc => lines().any(|l| value_of(l, &["password"])),
            CredentialFile::Netrc => {
                let words: Vec<&str> = text.split_whitespace().collect();
                words
                    .windows(2)
                    .any(|w| w[0] == "password" && !secrets::is_placeholder(w[1].as_bytes()))
            }
            CredentialFile::GitCredentialStore | CredentialFile::PipConf => {
                lines().any(|l| url_password(l).is_some())
            }
            CredentialFile::DockerConfig => docker_config_has_auth(data),
            CredentialFile::AwsConfig => {
                lines().any(|l| value_of(l, &["aws_secret_access_key", "aws_session_token"]))
            }
            CredentialFile::Kubeconfig => {
                lines().any(|l| value_of(l, &["token", "client-key-data", "password"]))
            }
            CredentialFile::Pgpass => lines().any(|l| {
                let fields: Vec<&str> = l.split(':').collect();
                fields.len() >= 5 && fields.last().is_some_and(|p| !p.trim().is_empty())
            }),
            CredentialFile::MavenSettings => text.match_indices("<password>").any(|(at, tag)| {
                let rest = &text[at + tag.len()..];
                let value = rest.split('<').next().unwrap_or("").trim();
                !value.is_empty() && !secrets::is_placeholder(value.as_bytes())
            }),
            CredentialFile::GemConfig => lines().any(|l| value_of(l, &[":rubygems_api_key"])),
        }
    }
}

/// A docker `config.json` with a non-empty `auths.*.auth`, `identitytoken` or
/// `registrytoken` (credential helpers hold nothing).
fn docker_config_has_auth(data: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        // Not JSON: fall back on the field name.
        return memchr::memmem::find(data, b"\"auth\"").is_some();
    };
    value
        .get("auths")
        .and_then(|a| a.as_object())
        .is_some_and(|auths| {
            auths.values().any(|entry| {
                ["auth", "identitytoken", "registrytoken", "password"]
                    .iter()
                    .any(|k| {
                        entry
                            .get(*k)
                            .and_then(|v| v.as_str())
                            .is_some_and(|v| !v.is_empty())
                    })
            })
        })
}

fn is_env_file(name: &str) -> bool {
    if name == ".env" {
        return true;
    }
    let Some(suffix) = name.strip_prefix(".env.") else {
        return false;
    };
    !matches!(
        suffix,
        "example" | "sample" | "template" | "dist" | "defaults" | "tmpl" | "schema" | "test"
    )
}

fn is_keystore(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".p12", ".pfx", ".jks", ".keystore"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn is_clutter(name: &str) -> bool {
    name == ".DS_Store"
        || name == "Thumbs.db"
        || (name.starts_with('.') && (name.ends_with(".swp") || name.ends_with(".swo")))
}

/// The `.git`/`.svn`/`.hg` directory a path is in or is.
fn vcs_root(path: &str) -> Option<&str> {
    let mut end = 0usize;
    for part in path.split('/') {
        end += part.len();
        if matches!(part, ".git" | ".svn" | ".hg") {
            return path.get(..end);
        }
        end += 1;
    }
    None
}

/// What one layer contributes to the audit.
#[derive(Debug, Clone, Default)]
pub struct AuditLayer {
    findings: Vec<RawFinding>,
    deleted: HashSet<String>,
    opaque: HashSet<String>,
    /// Regular files whose contents were looked at: a later entry at the same path replaces
    /// a finding's file.
    replaced: HashSet<String>,
    programs: Vec<(String, Program, String)>,
    accounts: BTreeMap<&'static str, Vec<u8>>,
    caches: BTreeMap<Cache, CacheFiles>,
    distro_setuid: Vec<String>,
    vcs: Vec<String>,
    clutter: Vec<String>,
    stats: ScanStats,
}

impl AuditLayer {
    /// Would `path`, added in a lower layer, be hidden by this layer (deleted, below an
    /// opaque directory, or replaced)?
    fn hides(&self, path: &str) -> Option<&'static str> {
        if self.replaced.contains(path) {
            return Some("replaced");
        }
        if self.opaque.contains("") {
            return Some("deleted");
        }
        let mut at = path.len();
        loop {
            let ancestor = &path[..at];
            if self.deleted.contains(ancestor) {
                return Some("deleted");
            }
            if at < path.len() && self.opaque.contains(ancestor) {
                return Some("deleted");
            }
            match ancestor.rfind('/') {
                Some(slash) => at = slash,
                None => return None,
            }
        }
    }

    /// How much the secret scan of this layer read.
    pub fn stats(&self) -> ScanStats {
        self.stats
    }
}

/// The per-layer visitor.
#[derive(Debug)]
pub struct AuditLayerBuilder {
    options: AuditOptions,
    layer: AuditLayer,
    buffer: Vec<u8>,
}

impl AuditLayerBuilder {
    pub fn new(options: AuditOptions) -> AuditLayerBuilder {
        AuditLayerBuilder {
            options,
            layer: AuditLayer::default(),
            buffer: Vec::new(),
        }
    }

    /// Does the visitor read this entry's contents? Cheap (name and size only): when it says
    /// no, [`AuditLayerBuilder::visit`] does not touch the reader. When another visitor also
    /// wants the contents, read them once (up to [`AuditLayerBuilder::content_limit`]) and
    /// pass `&mut &bytes[..]`.
    pub fn wants_contents(&self, entry: &LayerEntry) -> bool {
        entry.kind == EntryKind::File
            && entry.whiteout.is_none()
            && entry.size > 0
            && (is_account_file(&entry.path)
                || (CredentialFile::of(&entry.path).is_some()
                    && entry.size <= self.options.secrets.max_file_bytes)
                || self.scans_for_secrets(entry))
    }

    /// The most bytes [`AuditLayerBuilder::visit`] reads of an entry.
    pub fn content_limit(&self) -> u64 {
        self.options.secrets.max_file_bytes.max(MAX_ACCOUNT_BYTES)
    }

    fn scans_for_secrets(&self, entry: &LayerEntry) -> bool {
        self.options.scan_secrets
            && entry.size <= self.options.secrets.max_file_bytes
            && !secrets::is_noise_path(&entry.path)
            && !secrets::is_binary_name(&entry.path)
    }

    /// One tar entry; `data` is its contents (read only when
    /// [`AuditLayerBuilder::wants_contents`] says so). A read error ends the read of this entry
    /// quietly: the layer stream meets it again and reports it.
    pub fn visit(&mut self, entry: &LayerEntry, data: &mut dyn Read) {
        match &entry.whiteout {
            Some(Whiteout::File(path)) => {
                self.layer.deleted.insert(path.clone());
                return;
            }
            Some(Whiteout::Opaque(dir)) => {
                self.layer.opaque.insert(dir.clone());
                return;
            }
            None => {}
        }
        let path = entry.path.as_str();
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(root) = vcs_root(path) {
            if self.layer.vcs.last().map(String::as_str) != Some(root)
                && !self.layer.vcs.iter().any(|r| r == root)
            {
                self.layer.vcs.push(root.to_owned());
            }
        }
        if matches!(
            entry.kind,
            EntryKind::File | EntryKind::Symlink | EntryKind::Hardlink
        ) {
            if let Some((kind, program_name)) = program(path) {
                self.layer
                    .programs
                    .push((path.to_owned(), kind, program_name.to_owned()));
            }
        }
        match entry.kind {
            EntryKind::Dir => {
                self.check_world_writable(entry);
                return;
            }
            EntryKind::File => {}
            _ => return,
        }
        self.check_world_writable(entry);
        self.check_setuid(entry, name);
        if let Some(cache) = Cache::of(path) {
            let files = self.layer.caches.entry(cache).or_default();
            files.bytes += entry.size;
            files.paths.push(path.to_owned());
        }
        if is_clutter(name) {
            self.layer.clutter.push(path.to_owned());
        }
        if is_env_file(name) {
            self.push(
                Finding::new("CI2005", format!("`{name}` file ships in the image")),
                path,
                Persistence::Shipped,
            );
        }
        if is_keystore(name) && !secrets::is_noise_path(path) {
            self.push(
                Finding::new("CI2004", format!("keystore `{name}` ships in the image")),
                path,
                Persistence::Shipped,
            );
        }
        if self.wants_contents(entry) {
            self.read_contents(entry, data);
        } else if entry.kind == EntryKind::File && entry.size > 0 && self.options.scan_secrets {
            if entry.size > self.options.secrets.max_file_bytes {
                self.layer.stats.skipped_large += 1;
            } else if secrets::is_noise_path(path) {
                self.layer.stats.skipped_noise += 1;
            } else {
                self.layer.stats.skipped_binary += 1;
            }
        }
    }

    fn push(&mut self, finding: Finding, path: &str, persistence: Persistence) {
        self.layer.findings.push(RawFinding {
            finding: finding.with_path(path),
            path: path.to_owned(),
            persistence,
        });
    }

    fn check_world_writable(&mut self, entry: &LayerEntry) {
        let mode = entry.mode;
        if mode & 0o002 == 0 {
            return;
        }
        let is_dir = entry.kind == EntryKind::Dir;
        if is_dir && mode & 0o1000 != 0 {
            return;
        }
        let what = if is_dir {
            "directory is world-writable without the sticky bit"
        } else {
            "file is world-writable"
        };
        self.push(
            Finding::new("CI2003", format!("{what} (mode {:04o})", mode & 0o7777)),
            &entry.path,
            Persistence::Visible,
        );
    }

    fn check_setuid(&mut self, entry: &LayerEntry, name: &str) {
        let bits = entry.mode & 0o6000;
        if bits == 0 {
            return;
        }
        if DISTRO_SETUID.contains(&name) {
            self.layer.distro_setuid.push(entry.path.clone());
            return;
        }
        let which = match bits {
            0o6000 => "setuid and setgid",
            0o4000 => "setuid",
            _ => "setgid",
        };
        let owner = if entry.uid == 0 { " root-owned" } else { "" };
        self.push(
            Finding::new(
                "CI2001",
                format!("{which}{owner} file (mode {:04o})", entry.mode & 0o7777),
            ),
            &entry.path,
            Persistence::Visible,
        );
    }

    fn read_contents(&mut self, entry: &LayerEntry, data: &mut dyn Read) {
        let path = entry.path.as_str();
        let account = is_account_file(path);
        let credentials = CredentialFile::of(path);
        let secrets = self.scans_for_secrets(entry);
        let limit = if account {
            MAX_ACCOUNT_BYTES
        } else {
            self.options.secrets.max_file_bytes
        };
        self.buffer.clear();
        let mut reader = data.take(limit);
        if !account && credentials.is_none() {
            // Sniff first: most candidates that are binary are found in 8 KiB.
            let head = (entry.size as usize).min(SNIFF_BYTES) as u64;
            if (&mut reader)
                .take(head)
                .read_to_end(&mut self.buffer)
                .is_err()
            {
                return;
            }
            if secrets::is_binary(&self.buffer) {
                self.layer.stats.skipped_binary += 1;
                return;
            }
        }
        if reader.read_to_end(&mut self.buffer).is_err() {
            return;
        }
        self.layer.replaced.insert(path.to_owned());
        let buffer = std::mem::take(&mut self.buffer);
        if account {
            let key = match path {
                PASSWD => PASSWD,
                SHADOW => SHADOW,
                _ => GROUP,
            };
            self.layer.accounts.insert(key, buffer.clone());
        }
        if let Some(kind) = credentials {
            if kind.held_in(&buffer) {
                self.push(
                    Finding::new(
                        "CI2006",
                        format!(
                            "`{}` holds a {}",
                            path.rsplit('/').next().unwrap_or(path),
                            kind.describe()
                        ),
                    ),
                    path,
                    Persistence::Shipped,
                );
            }
        }
        if secrets && !secrets::is_binary(&buffer[..buffer.len().min(SNIFF_BYTES)]) {
            self.layer.stats.files_scanned += 1;
            self.layer.stats.bytes_scanned += buffer.len() as u64;
            let found = Scanner::shared().scan_with(
                &buffer,
                self.options.secrets.max_matches_per_file,
                !secrets::is_library_path(path),
            );
            for m in found {
                let mut finding = Finding::new(
                    m.rule.code(),
                    format!("{} ({}) in a file", m.rule.title(), m.rule.name()),
                );
                finding.line = Some(m.line);
                finding.evidence = Some(m.redacted);
                self.push(finding, path, Persistence::Shipped);
            }
        } else if secrets {
            self.layer.stats.skipped_binary += 1;
        }
        self.buffer = buffer;
    }
}

impl Default for AuditLayerBuilder {
    fn default() -> Self {
        AuditLayerBuilder::new(AuditOptions::default())
    }
}

impl AuditLayerBuilder {
    /// The layer's contribution, for [`merge`].
    pub fn finish(self) -> AuditLayer {
        self.layer
    }
}

fn is_account_file(path: &str) -> bool {
    matches!(path, PASSWD | SHADOW | GROUP)
}

/// Streams layer `index` of `image` through a fresh [`AuditLayerBuilder`].
pub fn scan_layer(
    image: &careen_image::Image,
    index: usize,
    options: AuditOptions,
) -> Result<AuditLayer, careen_image::ImageError> {
    let mut builder = AuditLayerBuilder::new(options);
    image.for_each_entry(index, &mut |entry, data| {
        builder.visit(entry, data);
        Ok(())
    })?;
    Ok(builder.finish())
}

/// Audits a whole image, layer after layer (callers that stream layers in parallel use
/// [`scan_layer`] or [`AuditLayerBuilder`] and [`merge`]). `raw_config` is the config blob
/// (for `Healthcheck`, see [`super::config::check`]).
pub fn audit_image(
    image: &careen_image::Image,
    raw_config: Option<&[u8]>,
    options: AuditOptions,
) -> Result<Audit, careen_image::ImageError> {
    let layers = (0..image.layers.len())
        .map(|index| scan_layer(image, index, options))
        .collect::<Result<Vec<_>, _>>()?;
    let instructions: Vec<Option<String>> =
        image.layers.iter().map(|l| l.created_by.clone()).collect();
    let format = image
        .layers
        .first()
        .map_or(super::ImageFormat::Unknown, |l| {
            super::ImageFormat::from_media_type(&l.media_type)
        });
    let mut audit = merge(layers, &instructions, &options);
    audit
        .findings
        .extend(super::config::check(&image.config, raw_config, format));
    audit
        .findings
        .extend(super::config::check_tags(&image.tags));
    sort_findings(&mut audit.findings);
    Ok(audit)
}

/// The image-level findings of the layers' contributions (bottom layer first);
/// `instructions[i]` is layer `i`'s history `created_by`.
pub fn merge(
    layers: Vec<AuditLayer>,
    instructions: &[Option<String>],
    options: &AuditOptions,
) -> Audit {
    let instructions: Vec<Option<String>> = (0..layers.len())
        .map(|i| {
            instructions
                .get(i)
                .cloned()
                .flatten()
                .map(|text| super::config::redact_instruction(&text))
        })
        .collect();
    let mut stats = ScanStats::default();
    let mut findings: Vec<Finding> = Vec::new();
    // The first layer above `index` that hides `path`.
    let hidden_by = |index: usize, path: &str| -> Option<(usize, &'static str)> {
        layers
            .iter()
            .enumerate()
            .skip(index + 1)
            .find_map(|(j, layer)| layer.hides(path).map(|how| (j, how)))
    };
    let at = |mut finding: Finding, index: usize| {
        finding.layer = Some(index);
        finding.instruction = instructions.get(index).cloned().flatten();
        finding
    };

    for (index, layer) in layers.iter().enumerate() {
        stats.add(&layer.stats);
        let mut per_code: BTreeMap<String, usize> = BTreeMap::new();
        let mut overflow: BTreeMap<String, usize> = BTreeMap::new();
        let mut emit = |finding: Finding, findings: &mut Vec<Finding>| {
            let count = per_code.entry(finding.code.clone()).or_default();
            *count += 1;
            if *count > options.max_findings_per_code {
                *overflow.entry(finding.code).or_default() += 1;
            } else {
                findings.push(finding);
            }
        };
        for raw in &layer.findings {
            let mut finding = at(raw.finding.clone(), index);
            match (hidden_by(index, &raw.path), raw.persistence) {
                (Some(_), Persistence::Visible) => continue,
                (Some((upper, how)), Persistence::Shipped) => {
                    finding.message.push_str(&format!(
                        "; {how} in layer {upper}, but layer {index} still ships it"
                    ));
                    finding.hint = Some(format!(
                        "Deleting a file in a later layer does not remove it from the image. {}",
                        finding.hint.unwrap_or_default()
                    ));
                }
                (None, _) => {}
            }
            emit(finding, &mut findings);
        }
        for root in &layer.vcs {
            let mut finding = at(
                Finding::new("CI2007", "version-control directory ships in the image")
                    .with_path(root),
                index,
            );
            if let Some((upper, how)) = hidden_by(index, root) {
                finding.message.push_str(&format!(
                    "; {how} in layer {upper}, but layer {index} still ships it"
                ));
            }
            emit(finding, &mut findings);
        }
        let visible_clutter: Vec<&String> = layer
            .clutter
            .iter()
            .filter(|p| hidden_by(index, p).is_none())
            .collect();
        if let Some(first) = visible_clutter.first() {
            let mut finding = at(
                Finding::new(
                    "CI2008",
                    format!(
                        "{} editor/OS clutter file(s): {}",
                        visible_clutter.len(),
                        sample(&visible_clutter)
                    ),
                ),
                index,
            );
            finding.path = Some(format!("/{first}"));
            emit(finding, &mut findings);
        }
        let visible_setuid: Vec<&String> = layer
            .distro_setuid
            .iter()
            .filter(|p| hidden_by(index, p).is_none())
            .collect();
        if !visible_setuid.is_empty() {
            emit(
                at(
                    Finding::new(
                        "CI2002",
                        format!(
                            "{} setuid/setgid program(s) of the base distribution: {}",
                            visible_setuid.len(),
                            sample(&visible_setuid)
                        ),
                    ),
                    index,
                ),
                &mut findings,
            );
        }
        for (cache, files) in &layer.caches {
            let removed = files
                .paths
                .iter()
                .filter(|p| hidden_by(index, p).is_some())
                .count();
            let mut message = format!(
                "{}: {} file(s), {} bytes",
                cache.describe(),
                files.paths.len(),
                files.bytes
            );
            if removed == files.paths.len() {
                message.push_str(&format!(
                    "; removed by a later layer, but layer {index} still ships them (clean up in the same RUN)"
                ));
            }
            let mut finding = at(Finding::new("CI2009", message), index);
            finding.related = [cache.related()]
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            emit(finding, &mut findings);
        }
        for (code, extra) in overflow {
            let severity = super::check(&code).map_or(Severity::Warning, |c| c.severity);
            findings.push(at(
                Finding::new(
                    &code,
                    format!("{extra} more {code} finding(s) in this layer not listed"),
                )
                .with_severity(severity),
                index,
            ));
        }
    }

    findings.extend(final_state(&layers, &instructions));
    sort_findings(&mut findings);
    Audit { findings, stats }
}

/// Up to 5 paths, as `/a, /b, … and N more`.
fn sample(paths: &[&String]) -> String {
    let mut text: Vec<String> = paths.iter().take(5).map(|p| format!("/{p}")).collect();
    if paths.len() > 5 {
        text.push(format!("and {} more", paths.len() - 5));
    }
    text.join(", ")
}

/// Programs and account files as the final filesystem has them.
fn final_state(layers: &[AuditLayer], instructions: &[Option<String>]) -> Vec<Finding> {
    // path -> (layer, kind, name)
    let mut programs: BTreeMap<String, (usize, Program, String)> = BTreeMap::new();
    let mut accounts: BTreeMap<&'static str, (usize, &[u8])> = BTreeMap::new();
    for (index, layer) in layers.iter().enumerate() {
        programs.retain(|path, _| layer.hides(path).is_none());
        accounts.retain(|path, _| layer.hides(path).is_none());
        for (path, kind, name) in &layer.programs {
            programs.insert(path.clone(), (index, *kind, name.clone()));
        }
        for (path, data) in &layer.accounts {
            accounts.insert(path, (index, data.as_slice()));
        }
    }
    let mut findings = Vec::new();
    let mut by_kind: BTreeMap<Program, Vec<(&String, usize, &String)>> = BTreeMap::new();
    for (path, (layer, kind, name)) in &programs {
        by_kind.entry(*kind).or_default().push((path, *layer, name));
    }
    for (kind, found) in by_kind {
        let mut names: Vec<&str> = found.iter().map(|(_, _, n)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let Some(&(first_path, first_layer, _)) = found.first() else {
            continue;
        };
        let (code, message) = match kind {
            Program::Shell => (
                "CI2010",
                format!("shells in the image: {}", names.join(", ")),
            ),
            Program::PackageManager => (
                "CI2011",
                format!("package managers in the image: {}", names.join(", ")),
            ),
            Program::Sudo => ("CI2014", "sudo is installed".to_owned()),
        };
        let mut finding = Finding::new(code, message)
            .with_path(first_path)
            .with_layer(first_layer);
        finding.instruction = instructions.get(first_layer).cloned().flatten();
        findings.push(finding);
    }
    let get = |path: &str| accounts.get(path).map(|(layer, data)| (*data, *layer));
    for mut finding in accounts::check(get(PASSWD), get(SHADOW), get(GROUP)) {
        if let Some(layer) = finding.layer {
            finding.instruction = instructions.get(layer).cloned().flatten();
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64, mode: u32) -> LayerEntry {
        LayerEntry {
            path: path.to_owned(),
            kind: EntryKind::File,
            size,
            mode,
            uid: 0,
            gid: 0,
            link_target: None,
            whiteout: None,
        }
    }

    fn entry(path: &str, kind: EntryKind, mode: u32) -> LayerEntry {
        LayerEntry {
            kind,
            ..file(path, 0, mode)
        }
    }

    fn whiteout(path: &str) -> LayerEntry {
        LayerEntry {
            whiteout: Some(Whiteout::File(path.to_owned())),
            ..file(path, 0, 0o644)
        }
    }

    /// One layer from (entry, contents) pairs.
    fn layer(entries: &[(LayerEntry, &[u8])]) -> AuditLayer {
        let mut builder = AuditLayerBuilder::default();
        for (entry, data) in entries {
            let mut entry = entry.clone();
            if entry.kind == EntryKind::File && entry.whiteout.is_none() && entry.size == 0 {
                entry.size = data.len() as u64;
            }
            builder.visit(&entry, &mut &data[..]);
        }
        builder.finish()
    }

    fn codes(audit: &Audit) -> Vec<(String, Option<String>, Option<usize>)> {
        audit
            .findings
            .iter()
            .map(|f| (f.code.clone(), f.path.clone(), f.layer))
            .collect()
    }

    fn run(layers: Vec<AuditLayer>) -> Audit {
        let instructions: Vec<Option<String>> = (0..layers.len())
            .map(|i| Some(format!("RUN step {i}")))
            .collect();
        merge(layers, &instructions, &AuditOptions::default())
    }

    #[test]
    fn modes() {
        let audit = run(vec![layer(&[
            (file("usr/bin/passwd", 0, 0o4755), b"\x7fELF"),
            (file("usr/bin/su", 0, 0o4755), b"\x7fELF"),
            (file("usr/local/bin/tool", 0, 0o6755), b"\x7fELF"),
            (file("app/data.txt", 0, 0o666), b"x"),
            (entry("tmp", EntryKind::Dir, 0o1777), b""),
            (entry("app/uploads", EntryKind::Dir, 0o777), b""),
            (entry("app/link", EntryKind::Symlink, 0o777), b""),
        ])]);
        assert_eq!(
            codes(&audit),
            [
                ("CI2001".into(), Some("/usr/local/bin/tool".into()), Some(0)),
                ("CI2003".into(), Some("/app/data.txt".into()), Some(0)),
                ("CI2003".into(), Some("/app/uploads".into()), Some(0)),
                ("CI2002".into(), None, Some(0)),
            ]
        );
        assert!(audit.findings[3].message.contains("/usr/bin/passwd"));
        assert_eq!(audit.findings[0].instruction.as_deref(), Some("RUN step 0"));
    }

    #[test]
    fn mode_findings_of_deleted_files_are_dropped() {
        let audit = run(vec![
            layer(&[(file("usr/local/bin/tool", 0, 0o4755), b"\x7fELF")]),
            layer(&[(whiteout("usr/local/bin/tool"), b"")]),
        ]);
        assert!(audit.findings.is_empty(), "{:?}", audit.findings);
    }

    #[test]
    fn credentials_only_when_held() {
        let audit = run(vec![layer(&[
            (
                file("root/.npmrc", 0, 0o600),
                b"//registry.npmjs.org/:_authToken=abcd1234-ef56-7890\n",
            ),
            (
                file("home/a/.npmrc", 0, 0o600),
                b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nsave-exact=true\n",
            ),
            (
                file("root/.netrc", 0, 0o600),
                b"machine example.com login me password Zq8-vLm-2pX\n",
            ),
            (
                file("root/.git-credentials", 0, 0o600),
                b"https://me:Zq8vLm2pXw@github.com\n",
            ),
            (
                file("root/.docker/config.json", 0, 0o600),
                br#"{"auths":{"r.io":{"auth":"bWU6cGFzcw=="}}}"#,
            ),
            (
                file("home/b/.docker/config.json", 0, 0o600),
                br#"{"credHelpers":{"r.io":"ecr-login"}}"#,
            ),
            (
                file("root/.pypirc", 0, 0o600),
                b"[pypi]\nusername = __token__\n",
            ),
        ])]);
        let paths: Vec<&str> = audit
            .findings
            .iter()
            .filter(|f| f.code == "CI2006")
            .filter_map(|f| f.path.as_deref())
            .collect();
        assert_eq!(
            paths,
            [
                "/root/.docker/config.json",
                "/root/.git-credentials",
                "/root/.netrc",
                "/root/.npmrc"
            ]
        );
    }

    #[test]
    fn final_state_programs_and_accounts() {
        let audit = run(vec![
            layer(&[
                (entry("bin/sh", EntryKind::Symlink, 0o777), b""),
                (file("bin/dash", 0, 0o755), b"\x7fELF"),
                (file("usr/bin/apt-get", 0, 0o755), b"\x7fELF"),
                (file("usr/bin/sudo", 0, 0o4755), b"\x7fELF"),
                (file("etc/shadow", 0, 0o640), b"root::1::::::\n"),
            ]),
            layer(&[
                (whiteout("usr/bin/sudo"), b""),
                (
                    file("etc/shadow", 0, 0o640),
                    b"root:*:1::::::\napp::1::::::\n",
                ),
                (
                    file("etc/passwd", 0, 0o644),
                    b"root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n",
                ),
            ]),
        ]);
        let got = codes(&audit);
        assert!(got.contains(&("CI2012".into(), Some("/etc/shadow".into()), Some(1))));
        assert!(got.contains(&("CI2013".into(), Some("/etc/passwd".into()), Some(1))));
        assert!(got.contains(&("CI2010".into(), Some("/bin/dash".into()), Some(0))));
        assert!(got.contains(&("CI2011".into(), Some("/usr/bin/apt-get".into()), Some(0))));
        assert!(
            !got.iter().any(|(c, _, _)| c == "CI2014" || c == "CI2001"),
            "{got:?}"
        );
        let empty: Vec<&Finding> = audit
            .findings
            .iter()
            .filter(|f| f.code == "CI2012")
            .collect();
        assert_eq!(empty.len(), 1);
        assert!(empty[0].message.contains("`app`"));
    }

    #[test]
    fn caches_vcs_clutter() {
        let audit = run(vec![
            layer(&[
                (
                    file("var/lib/apt/lists/deb.debian.org_dists_Packages", 0, 0o644),
                    b"Package: x\n",
                ),
                (file("var/lib/apt/lists/lock", 0, 0o640), b""),
                (file("root/.cache/pip/http/a/b", 0, 0o644), b"\0\0"),
                (entry("app/.git", EntryKind::Dir, 0o755), b""),
                (file("app/.git/config", 0, 0o644), b"[core]\n"),
                (file("app/.DS_Store", 0, 0o644), b"\0\0\0\x01Bud1"),
            ]),
            layer(&[(
                whiteout("var/lib/apt/lists/deb.debian.org_dists_Packages"),
                b"",
            )]),
        ]);
        let got = codes(&audit);
        assert!(got.contains(&("CI2007".into(), Some("/app/.git".into()), Some(0))));
        assert!(got.contains(&("CI2008".into(), Some("/app/.DS_Store".into()), Some(0))));
        let caches: Vec<&Finding> = audit
            .findings
            .iter()
            .filter(|f| f.code == "CI2009")
            .collect();
        assert_eq!(caches.len(), 2);
        let apt = caches.iter().find(|f| f.message.contains("apt"));
        assert!(
            apt.is_some_and(|f| f.message.contains("still ships") && f.related == ["DKL-DI-0005"])
        );
    }

    #[test]
    fn finding_caps() {
        let entries: Vec<(LayerEntry, &[u8])> = (0..120)
            .map(|i| (file(&format!("data/f{i}"), 1, 0o666), &b"x"[..]))
            .collect();
        let audit = run(vec![layer(&entries)]);
        let ww: Vec<&Finding> = audit
            .findings
            .iter()
            .filter(|f| f.code == "CI2003")
            .collect();
        assert_eq!(ww.len(), 51);
        assert!(ww.iter().any(|f| f.message.starts_with("70 more")));
    }

    #[test]
    fn binary_and_large_files_are_not_scanned() {
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5");
        let mut binary = b"\0ELF".to_vec();
        binary.extend_from_slice(token.as_bytes());
        let mut big = vec![b'a'; 2 * 1024 * 1024];
        big.extend_from_slice(token.as_bytes());
        let audit = run(vec![layer(&[
            (file("app/blob", 0, 0o644), &binary),
            (file("app/big.txt", 0, 0o644), &big),
            (file("usr/share/doc/x/README", 0, 0o644), token.as_bytes()),
            (file("app/ok.txt", 0, 0o644), token.as_bytes()),
        ])]);
        let got = codes(&audit);
        assert_eq!(
            got,
            [("CS1003".into(), Some("/app/ok.txt".into()), Some(0))]
        );
        assert_eq!(audit.stats.files_scanned, 1);
        assert_eq!(audit.stats.skipped_binary, 1);
        assert_eq!(audit.stats.skipped_large, 1);
        assert_eq!(audit.stats.skipped_noise, 1);
    }

    #[test]
    fn hides() {
        let mut upper = AuditLayer::default();
        upper.deleted.insert("a/b".into());
        upper.opaque.insert("c".into());
        assert_eq!(upper.hides("a/b"), Some("deleted"));
        assert_eq!(upper.hides("a/b/c"), Some("deleted"));
        assert_eq!(upper.hides("a/bc"), None);
        assert_eq!(upper.hides("c"), None);
        assert_eq!(upper.hides("c/d"), Some("deleted"));
        assert_eq!(vcs_root("x/.git/objects/a"), Some("x/.git"));
        assert_eq!(vcs_root(".git"), Some(".git"));
        assert_eq!(vcs_root("x/.github/a"), None);
        assert!(is_env_file(".env") && is_env_file(".env.production"));
        assert!(!is_env_file(".env.example") && !is_env_file(".envrc"));
    }
}
