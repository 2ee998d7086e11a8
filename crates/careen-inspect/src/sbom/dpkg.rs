//! dpkg: `var/lib/dpkg/status` and distroless `var/lib/dpkg/status.d/*`
//! (deb822 paragraphs; one package per paragraph).

use super::{Package, PackageKind};

/// Most packages accepted from one status file (a real one has a few
/// thousand).
const MAX_PACKAGES: usize = 100_000;

/// The fields of one paragraph that the catalog needs.
#[derive(Default)]
struct Paragraph<'a> {
    package: Option<&'a str>,
    version: Option<&'a str>,
    architecture: Option<&'a str>,
    source: Option<&'a str>,
    status: Option<&'a str>,
    installed_size: Option<&'a str>,
    maintainer: Option<&'a str>,
    /// Line the paragraph starts on (1-based), for warnings.
    line: usize,
}

/// `Source: name` or `Source: name (version)` → syft's `upstream` value:
/// `name`, or `name@version` when a version is given.
fn upstream(source: &str) -> Option<String> {
    let source = source.trim();
    if source.is_empty() {
        return None;
    }
    match source.split_once('(') {
        Some((name, rest)) => {
            let version = rest.trim_end().trim_end_matches(')').trim();
            let name = name.trim();
            if version.is_empty() {
                Some(name.to_owned())
            } else {
                Some(format!("{name}@{version}"))
            }
        }
        None => Some(source.to_owned()),
    }
}

/// Whether dpkg's `Status` (`want flag status`) says the package is
/// installed. Distroless status.d files carry no `Status`: installed.
fn installed(status: Option<&str>) -> bool {
    match status {
        None => true,
        Some(status) => status.split_whitespace().nth(2) == Some("installed"),
    }
}

fn finish(paragraph: &Paragraph<'_>, out: &mut Vec<Package>, warn: &mut dyn FnMut(String)) {
    let Some(name) = paragraph.package.filter(|n| !n.is_empty()) else {
        if paragraph.version.is_some() {
            warn(format!(
                "paragraph at line {} has no Package field; skipped",
                paragraph.line
            ));
        }
        return;
    };
    let Some(version) = paragraph.version.filter(|v| !v.is_empty()) else {
        warn(format!(
            "package `{name}` (line {}) has no Version; skipped",
            paragraph.line
        ));
        return;
    };
    if !installed(paragraph.status) {
        return;
    }
    if out.len() >= MAX_PACKAGES {
        return;
    }
    let mut package = Package::new(PackageKind::Deb, name, version);
    package.architecture = paragraph.architecture.map(str::to_owned);
    package.upstream = paragraph.source.and_then(upstream);
    package.supplier = paragraph.maintainer.map(str::to_owned);
    package.installed_size = paragraph.installed_size.and_then(|s| s.parse().ok());
    out.push(package);
}

/// The installed packages of a status file; malformed paragraphs are
/// skipped with a warning.
pub(crate) fn parse(data: &[u8], warn: &mut dyn FnMut(String)) -> Vec<Package> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut paragraph = Paragraph::default();
    let mut started = false;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if started {
                finish(&paragraph, &mut out, warn);
            }
            paragraph = Paragraph::default();
            started = false;
            continue;
        }
        if !started {
            paragraph.line = number + 1;
            started = true;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue; // continuation of a multi-line field
        }
        let Some((key, value)) = line.split_once(':') else {
            warn(format!(
                "line {} is not a `Field: value` line; ignored",
                number + 1
            ));
            continue;
        };
        let value = value.trim();
        match key {
            "Package" => paragraph.package = Some(value),
            "Version" => paragraph.version = Some(value),
            "Architecture" => paragraph.architecture = Some(value),
            "Source" => paragraph.source = Some(value),
            "Status" => paragraph.status = Some(value),
            "Installed-Size" => paragraph.installed_size = Some(value),
            "Maintainer" => paragraph.maintainer = Some(value),
            _ => {}
        }
    }
    if started {
        finish(&paragraph, &mut out, warn);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/sbom/testdata/debian")
                .join(path),
        )
        .unwrap_or_default()
    }

    #[test]
    fn status_with_source_lines() {
        let mut warnings = Vec::new();
        let packages = parse(&fixture("var/lib/dpkg/status"), &mut |w| warnings.push(w));
        let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
        // tzdata-old is `deinstall ok config-files`: not installed.
        assert_eq!(names, vec!["libc6", "libgcc-s1", "bash", "libssl3"]);
        assert!(warnings.is_empty(), "{warnings:?}");
        let libc = &packages[0];
        assert_eq!(libc.version, "2.36-9+deb12u4");
        assert_eq!(libc.upstream.as_deref(), Some("glibc"));
        assert_eq!(libc.architecture.as_deref(), Some("amd64"));
        assert_eq!(libc.installed_size, Some(12986));
        assert_eq!(
            libc.supplier.as_deref(),
            Some("GNU Libc Maintainers <debian-glibc@lists.debian.org>")
        );
        assert_eq!(packages[1].upstream.as_deref(), Some("gcc-12@12.2.0-14"));
        assert_eq!(packages[2].upstream, None);
    }

    #[test]
    fn distroless_status_d_has_no_status_field() {
        let packages = parse(&fixture("var/lib/dpkg/status.d/tzdata"), &mut |_| {});
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "tzdata");
        assert_eq!(packages[0].architecture.as_deref(), Some("all"));
    }

    #[test]
    fn malformed_paragraphs_are_skipped_with_a_warning() {
        let mut warnings = Vec::new();
        let data = b"Package: a\nStatus: install ok installed\n\nPackage: b\nVersion: 1\ngarbage line\n\nVersion: 2\n\n\xff\xfe\x00\n";
        let packages = parse(data, &mut |w| warnings.push(w));
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "b");
        assert_eq!(warnings.len(), 4, "{warnings:?}");
    }
}
