//! Executables: Go build info and Rust `cargo auditable` data in ELF files.
//!
//! * Go (1.18+) writes a 32-byte header starting `\xff Go buildinf:` at the
//!   start of the `.go.buildinfo` section: pointer size, a flags byte (bit 1:
//!   the strings follow inline), then two varint-length strings: the Go
//!   version and the module info (`path`, `mod`, `dep`, `=>` replacement and
//!   `build` lines between two 16-byte sentinels). Older binaries (flags bit 1
//!   unset) hold pointers instead, resolved here through the ELF segments.
//!   Without section headers (a stripped or cut file) the header is looked
//!   for at 16-byte alignment, as Go's own `debug/buildinfo` does.
//! * `cargo auditable` stores zlib-compressed JSON in the `.dep-v0` section:
//!   `{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`.
//!
//! ELF parsing is the `object` crate's; the build-info format is read by hand
//! (Go's `debug/buildinfo` is the reference; no Rust crate reads it).

use super::purl;
use super::{Package, PackageKind};
use flate2::read::ZlibDecoder;
use object::{Object, ObjectSection, ObjectSegment};
use std::io::Read;
use std::sync::OnceLock;

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// Most bytes of module info or audit JSON accepted.
const MAX_INFO_BYTES: u64 = 16 * 1024 * 1024;
/// Most packages taken from one binary.
const MAX_PACKAGES: usize = 20_000;
const DEVEL: &str = "(devel)";

/// Whether `header` starts an ELF executable or shared object (PIE
/// executables are shared objects).
pub(crate) fn is_elf_executable(header: &[u8]) -> bool {
    if header.len() < 18 || !header.starts_with(b"\x7fELF") {
        return false;
    }
    let e_type = match header[5] {
        1 => u16::from_le_bytes([header[16], header[17]]),
        2 => u16::from_be_bytes([header[16], header[17]]),
        _ => return false,
    };
    matches!(header[4], 1 | 2) && matches!(e_type, 2 | 3)
}

/// The Go and Rust packages of an ELF file (maybe cut at the read bound).
pub(crate) fn parse(data: &[u8], warn: &mut dyn FnMut(String)) -> Vec<Package> {
    let file = object::File::parse(data).ok();
    let mut packages = Vec::new();
    if let Some(info) = go_build_info(data, file.as_ref(), warn) {
        packages.extend(go_packages(&info, data));
    }
    if let Some(file) = &file {
        if let Some(section) = file.section_by_name(".dep-v0") {
            match section.data() {
                Ok(compressed) => packages.extend(rust_packages(compressed, warn)),
                Err(_) => warn("cargo auditable section cannot be read".to_owned()),
            }
        }
    }
    packages.truncate(MAX_PACKAGES);
    packages
}

/// A module as the build info lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Module {
    pub(crate) path: String,
    pub(crate) version: String,
}

/// What a Go binary's build info says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildInfo {
    pub(crate) go_version: String,
    pub(crate) path: String,
    pub(crate) main: Option<Module>,
    pub(crate) deps: Vec<Module>,
    pub(crate) settings: Vec<(String, String)>,
}

fn uvarint(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0_u64;
    for (i, &byte) in data.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A varint-length string at the start of `data`, and the bytes it used.
fn varint_string(data: &[u8]) -> Option<(&[u8], usize)> {
    let (len, used) = uvarint(data)?;
    if len > MAX_INFO_BYTES {
        return None;
    }
    let end = used.checked_add(usize::try_from(len).ok()?)?;
    Some((data.get(used..end)?, end))
}

/// Finds and decodes the build info.
fn go_build_info(
    data: &[u8],
    file: Option<&object::File<'_>>,
    warn: &mut dyn FnMut(String),
) -> Option<BuildInfo> {
    let start = file
        .and_then(|f| f.section_by_name(".go.buildinfo"))
        .and_then(|s| s.file_range())
        .and_then(|(offset, _)| usize::try_from(offset).ok())
        .filter(|&offset| {
            data.get(offset..)
                .is_some_and(|d| d.starts_with(BUILDINFO_MAGIC))
        })
        .or_else(|| {
            // Go's fallback: the magic at 16-byte alignment.
            (0..data.len())
                .step_by(16)
                .find(|&at| data[at..].starts_with(BUILDINFO_MAGIC))
        })?;
    let header = data.get(start..start.checked_add(32)?)?;
    let pointer_size = usize::from(header[14]);
    let flags = header[15];
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = data.get(start + 32..)?;
        let (version, used) = varint_string(rest)?;
        let (modinfo, _) = varint_string(rest.get(used..)?)?;
        (version.to_vec(), modinfo.to_vec())
    } else {
        match file.and_then(|f| old_format_strings(f, header, pointer_size, flags & 1 != 0)) {
            Some(strings) => strings,
            None => {
                warn("Go build info in the pre-1.18 format could not be resolved".to_owned());
                return None;
            }
        }
    };
    let mut modinfo: &[u8] = &modinfo;
    // The module info sits between two 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo.get(modinfo.len() - 17) == Some(&b'\n') {
        modinfo = &modinfo[16..modinfo.len() - 16];
    }
    let mut info = parse_modinfo(&String::from_utf8_lossy(modinfo));
    info.go_version = String::from_utf8_lossy(&version).into_owned();
    if info.go_version.is_empty() && info.main.is_none() && info.deps.is_empty() {
        return None;
    }
    Some(info)
}

/// Pre-1.18 build info: two pointers to Go string headers (`{ptr, len}`).
fn old_format_strings(
    file: &object::File<'_>,
    header: &[u8],
    pointer_size: usize,
    big_endian: bool,
) -> Option<(Vec<u8>, Vec<u8>)> {
    let read_pointer = |bytes: &[u8]| -> Option<u64> {
        match (pointer_size, big_endian) {
            (4, false) => Some(u64::from(u32::from_le_bytes(
                bytes.get(..4)?.try_into().ok()?,
            ))),
            (4, true) => Some(u64::from(u32::from_be_bytes(
                bytes.get(..4)?.try_into().ok()?,
            ))),
            (8, false) => Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)),
            (8, true) => Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?)),
            _ => None,
        }
    };
    let read_at = |address: u64, size: u64| -> Option<&[u8]> {
        file.segments()
            .find_map(|segment| segment.data_range(address, size).ok().flatten())
    };
    let read_string = |address: u64| -> Option<Vec<u8>> {
        let string_header = read_at(address, 2 * pointer_size as u64)?;
        let pointer = read_pointer(string_header)?;
        let len = read_pointer(string_header.get(pointer_size..)?)?;
        if len > MAX_INFO_BYTES {
            return None;
        }
        Some(read_at(pointer, len)?.to_vec())
    };
    let version = read_string(read_pointer(header.get(16..)?)?)?;
    let modinfo = read_string(read_pointer(header.get(16 + pointer_size..)?)?)?;
    Some((version, modinfo))
}

/// A Go-quoted value (`"a b"`) or a bare one.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Parses the text of the module info.
pub(crate) fn parse_modinfo(text: &str) -> BuildInfo {
    let mut info = BuildInfo::default();
    // Which module a `=>` line replaces: None = main, Some(i) = deps[i].
    let mut last: Option<Option<usize>> = None;
    for line in text.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        let path = fields.next().unwrap_or_default().to_owned();
        let version = fields.next().unwrap_or_default().to_owned();
        match kind {
            "path" => info.path = path,
            "mod" => {
                info.main = Some(Module { path, version });
                last = Some(None);
            }
            "dep" if info.deps.len() < MAX_PACKAGES => {
                info.deps.push(Module { path, version });
                last = Some(Some(info.deps.len() - 1));
            }
            "=>" => {
                let replacement = Module { path, version };
                match last {
                    Some(None) => info.main = Some(replacement),
                    Some(Some(index)) => {
                        if let Some(dep) = info.deps.get_mut(index) {
                            *dep = replacement;
                        }
                    }
                    None => {}
                }
            }
            "build" => {
                let setting = line.strip_prefix("build\t").unwrap_or_default();
                if let Some((key, value)) = setting.split_once('=') {
                    info.settings.push((unquote(key), unquote(value)));
                }
            }
            _ => {}
        }
    }
    info
}

fn setting<'a>(info: &'a BuildInfo, key: &str) -> Option<&'a str> {
    info.settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// syft's version for a `(devel)` main module: from `-ldflags -X …version=`,
/// else a semver-looking string between NUL bytes in the binary, else a
/// pseudo-version from the VCS build settings.
fn main_version(info: &BuildInfo, main_path: &str, data: &[u8]) -> Option<String> {
    if let Some(ldflags) = setting(info, "-ldflags") {
        let module = regex::escape(main_path).replace('/', "\\/");
        for pattern in [
            r"\.[a-zA-Z0-9]*([rR]elease)?([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)",
            r"\.[a-zA-Z0-9]*([tT]ag)=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)",
        ] {
            let full = format!(r"(?m)(main|{module}/[^\s]*){pattern}");
            if let Ok(regex) = regex::Regex::new(&full) {
                if let Some(found) = regex.captures(ldflags).and_then(|c| c.name("version")) {
                    return Some(found.as_str().to_owned());
                }
            }
        }
    }
    static CONTENTS: OnceLock<Option<regex::bytes::Regex>> = OnceLock::new();
    let contents = CONTENTS.get_or_init(|| {
        regex::bytes::Regex::new(
            r"(?-u)(\x00|\xef\xbf\xbd)(.L)?(?P<version>v?(\d+\.\d+\.\d+[-\w]*[+\w]*))\x00",
        )
        .ok()
    });
    if let Some(found) = contents
        .as_ref()
        .and_then(|r| r.captures(data))
        .and_then(|c| c.name("version"))
    {
        return Some(String::from_utf8_lossy(found.as_bytes()).into_owned());
    }
    let revision = setting(info, "vcs.revision")?;
    let time = setting(info, "vcs.time")?;
    let stamp: String = time.chars().take(19).filter(char::is_ascii_digit).collect();
    let stamp = if stamp.len() == 14 {
        stamp
    } else {
        "00010101000000".to_owned()
    };
    let short: String = revision.chars().take(12).collect();
    Some(format!("v0.0.0-{stamp}-{short}"))
}

fn go_package(module: &Module) -> Package {
    let mut package = Package::new(PackageKind::GoModule, &module.path, &module.version);
    package.purl = purl::golang(&module.path, &module.version);
    package
}

/// syft's packages for a Go binary: every dependency, the main module (its
/// `(devel)` version resolved), and the standard library.
pub(crate) fn go_packages(info: &BuildInfo, data: &[u8]) -> Vec<Package> {
    let mut deps = info.deps.clone();
    let mut main = info.main.clone().filter(|m| !m.path.is_empty());
    if main
        .as_ref()
        .is_none_or(|m| m.path == "command-line-arguments")
        && !info.path.is_empty()
    {
        // No main module: one `(devel)` dependency is it, else the path.
        let devel: Vec<usize> = (0..deps.len())
            .filter(|&i| deps[i].version == DEVEL)
            .collect();
        main = Some(if let [only] = devel.as_slice() {
            deps.remove(*only)
        } else {
            Module {
                path: info.path.clone(),
                version: DEVEL.to_owned(),
            }
        });
    }
    let mut packages: Vec<Package> = deps
        .iter()
        .filter(|d| !d.path.is_empty())
        .map(go_package)
        .collect();
    if let Some(mut main) = main {
        if main.version == DEVEL {
            if let Some(version) = main_version(info, &main.path, data) {
                main.version = if version.starts_with('v') {
                    version
                } else {
                    format!("v{version}")
                };
            }
        }
        packages.push(go_package(&main));
    }
    let go_version = info.go_version.split(' ').next().unwrap_or_default();
    if let Some(number) = go_version.strip_prefix("go") {
        if number.starts_with(|c: char| c.is_ascii_digit()) {
            let mut stdlib = Package::new(PackageKind::GoModule, "stdlib", go_version);
            stdlib.purl = purl::golang("stdlib", number);
            stdlib.licenses = vec!["BSD-3-Clause".to_owned()];
            packages.push(stdlib);
        }
    }
    packages
}

/// The runtime crates of a `.dep-v0` section.
pub(crate) fn rust_packages(compressed: &[u8], warn: &mut dyn FnMut(String)) -> Vec<Package> {
    let mut json = Vec::new();
    let read = ZlibDecoder::new(compressed)
        .take(MAX_INFO_BYTES)
        .read_to_end(&mut json);
    if read.is_err() {
        warn("cargo auditable data is not valid zlib; skipped".to_owned());
        return Vec::new();
    }
    let value: serde_json::Value = match serde_json::from_slice(&json) {
        Ok(value) => value,
        Err(error) => {
            warn(format!(
                "cargo auditable data is not valid JSON ({error}); skipped"
            ));
            return Vec::new();
        }
    };
    let Some(list) = value.get("packages").and_then(|p| p.as_array()) else {
        warn("cargo auditable data has no package list; skipped".to_owned());
        return Vec::new();
    };
    list.iter()
        .filter(|p| p.get("kind").and_then(|k| k.as_str()).unwrap_or("runtime") == "runtime")
        .filter_map(|p| {
            let name = p.get("name")?.as_str().filter(|n| !n.is_empty())?;
            let version = p.get("version")?.as_str().unwrap_or_default();
            let mut package = Package::new(PackageKind::RustCrate, name, version);
            package.purl = purl::build("cargo", "", name, version, &[], "");
            Some(package)
        })
        .take(MAX_PACKAGES)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write as _;

    fn varint(mut value: usize, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    /// A Go 1.18+ build-info blob (header + inline strings).
    pub(crate) fn buildinfo_blob(go_version: &str, modinfo: &str) -> Vec<u8> {
        let mut blob = BUILDINFO_MAGIC.to_vec();
        blob.push(8); // pointer size
        blob.push(2); // flags: inline strings, little-endian
        blob.resize(32, 0);
        varint(go_version.len(), &mut blob);
        blob.extend_from_slice(go_version.as_bytes());
        let mut wrapped = b"0123456789abcdef".to_vec();
        wrapped.extend_from_slice(modinfo.as_bytes());
        wrapped.extend_from_slice(b"fedcba9876543210");
        varint(wrapped.len(), &mut blob);
        blob.extend(wrapped);
        blob
    }

    const MODINFO: &str = "path\texample.com/app/cmd/app\nmod\texample.com/app\t(devel)\t\ndep\tgithub.com/spf13/cobra\tv1.8.0\th1:abc=\ndep\tgolang.org/x/sys\tv0.15.0\th1:def=\n=>\tgolang.org/x/sys\tv0.16.0\th1:ghi=\ndep\tgithub.com/klauspost/compress/v2\tv2.1.0\th1:x=\nbuild\t-ldflags=\"-s -w -X main.version=1.4.2\"\nbuild\tvcs.revision=0123456789abcdef0123\nbuild\tvcs.time=2024-01-02T03:04:05Z\n";

    /// A minimal little-endian ELF64 executable header followed by `body`.
    pub(crate) fn elf_with(body: &[u8]) -> Vec<u8> {
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(16, 0);
        elf.extend_from_slice(&2_u16.to_le_bytes()); // ET_EXEC
        elf.resize(64, 0);
        while !elf.len().is_multiple_of(16) {
            elf.push(0);
        }
        elf.extend_from_slice(body);
        elf
    }

    fn summary(packages: &[Package]) -> Vec<(String, String, String)> {
        packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.purl.clone()))
            .collect()
    }

    #[test]
    fn elf_sniffing() {
        assert!(is_elf_executable(&elf_with(b"")));
        let mut object_file = elf_with(b"");
        object_file[16] = 1; // ET_REL
        assert!(!is_elf_executable(&object_file));
        assert!(!is_elf_executable(b"\x7fELF"));
        assert!(!is_elf_executable(b"#!/bin/sh\nexec true\n"));
    }

    #[test]
    fn go_buildinfo_from_a_synthetic_blob() {
        let mut body = vec![0_u8; 48];
        body.extend(buildinfo_blob("go1.21.5 X:boringcrypto", MODINFO));
        let data = elf_with(&body);
        let mut warnings = Vec::new();
        let packages = parse(&data, &mut |w| warnings.push(w));
        assert!(warnings.is_empty(), "{warnings:?}");
        let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(
            summary(&packages),
            vec![
                s(
                    "github.com/spf13/cobra",
                    "v1.8.0",
                    "pkg:golang/github.com/spf13/cobra@v1.8.0"
                ),
                s(
                    "golang.org/x/sys",
                    "v0.16.0",
                    "pkg:golang/golang.org/x/sys@v0.16.0"
                ),
                s(
                    "github.com/klauspost/compress/v2",
                    "v2.1.0",
                    "pkg:golang/github.com/klauspost/compress@v2.1.0#v2"
                ),
                s(
                    "example.com/app",
                    "v1.4.2",
                    "pkg:golang/example.com/app@v1.4.2"
                ),
                s("stdlib", "go1.21.5", "pkg:golang/stdlib@1.21.5"),
            ]
        );
    }

    #[test]
    fn devel_main_version_from_vcs_settings() {
        let info = parse_modinfo(
            "mod\texample.com/app\t(devel)\t\nbuild\tvcs.revision=0123456789abcdef0123\nbuild\tvcs.time=2024-01-02T03:04:05Z\n",
        );
        let packages = go_packages(&info, b"");
        assert_eq!(packages[0].version, "v0.0.0-20240102030405-0123456789ab");
        // Without any hint the version stays (devel).
        let info = parse_modinfo("mod\texample.com/app\t(devel)\t\n");
        assert_eq!(go_packages(&info, b"")[0].version, "(devel)");
        // A version string between NULs in the binary wins over VCS data.
        let info = parse_modinfo("mod\texample.com/app\t(devel)\t\n");
        assert_eq!(
            go_packages(&info, b"abc\x00v2.3.4\x00def")[0].version,
            "v2.3.4"
        );
    }

    #[test]
    fn missing_main_module_is_taken_from_a_devel_dependency() {
        let info = parse_modinfo(
            "path\tcommand-line-arguments\nmod\tcommand-line-arguments\t\t\ndep\texample.com/x\t(devel)\t\ndep\texample.com/y\tv1.0.0\t\n",
        );
        let names: Vec<_> = go_packages(&info, b"")
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            names,
            vec![
                ("example.com/y".to_owned(), "v1.0.0".to_owned()),
                ("example.com/x".to_owned(), "(devel)".to_owned())
            ]
        );
    }

    #[test]
    fn broken_buildinfo_is_skipped() {
        let mut blob = buildinfo_blob("go1.21.5", MODINFO);
        blob.truncate(40);
        let data = elf_with(&blob);
        assert!(parse(&data, &mut |_| {}).is_empty());
        // Huge varint lengths are refused.
        let mut blob = BUILDINFO_MAGIC.to_vec();
        blob.extend_from_slice(&[8, 2]);
        blob.resize(32, 0);
        blob.extend_from_slice(&[0xff; 12]);
        assert!(parse(&elf_with(&blob), &mut |_| {}).is_empty());
    }

    pub(crate) fn audit_json() -> Vec<u8> {
        let json = br#"{"packages":[
            {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
            {"name":"serde","version":"1.0.193","source":"crates.io"},
            {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"}]}"#;
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(json).unwrap_or_default();
        encoder.finish().unwrap_or_default()
    }

    /// A real ELF file (written by the `object` crate) with the given
    /// sections, its type patched to a PIE executable (`ET_DYN`).
    fn elf_with_sections(sections: &[(&[u8], &[u8])]) -> Vec<u8> {
        use object::write::Object;
        use object::{Architecture, BinaryFormat, Endianness, SectionKind};
        let mut elf = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        for (name, data) in sections {
            let id = elf.add_section(Vec::new(), name.to_vec(), SectionKind::ReadOnlyData);
            elf.append_section_data(id, data, 16);
        }
        let mut bytes = elf.write().unwrap_or_default();
        if bytes.len() > 17 {
            bytes[16] = 3; // ET_DYN
            bytes[17] = 0;
        }
        bytes
    }

    #[test]
    fn sections_are_found_in_a_real_elf_file() {
        let buildinfo = buildinfo_blob("go1.22.2", "mod\texample.com/tool\tv1.0.0\t\n");
        let audit = audit_json();
        let data = elf_with_sections(&[(b".go.buildinfo", &buildinfo), (b".dep-v0", &audit)]);
        assert!(is_elf_executable(&data));
        // Through the layer builder, as a caller streams it.
        let mut builder = super::super::SbomLayerBuilder::new(0);
        let record = crate::FileRecord::file("usr/local/bin/tool", data.len() as u64);
        builder
            .read_entry(&record, &mut data.as_slice())
            .unwrap_or_default();
        let layer = crate::LayerVisitor::finish(builder);
        let names: Vec<_> = layer
            .packages()
            .map(|p| (p.kind, p.name.as_str(), p.location.path.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    PackageKind::GoModule,
                    "example.com/tool",
                    "/usr/local/bin/tool"
                ),
                (PackageKind::GoModule, "stdlib", "/usr/local/bin/tool"),
                (PackageKind::RustCrate, "app", "/usr/local/bin/tool"),
                (PackageKind::RustCrate, "serde", "/usr/local/bin/tool"),
            ]
        );
        // A shell script of the same size is not read as a binary.
        assert!(!super::super::SbomLayerBuilder::wants_binary(
            b"#!/bin/sh\n"
        ));
    }

    #[test]
    fn rust_audit_data() {
        let packages = rust_packages(&audit_json(), &mut |_| {});
        let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(
            summary(&packages),
            vec![
                s("app", "0.1.0", "pkg:cargo/app@0.1.0"),
                s("serde", "1.0.193", "pkg:cargo/serde@1.0.193"),
            ]
        );
        let mut warnings = Vec::new();
        assert!(rust_packages(b"not zlib", &mut |w| warnings.push(w)).is_empty());
        assert_eq!(warnings.len(), 1);
    }
}
