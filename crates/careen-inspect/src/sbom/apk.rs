//! apk: `lib/apk/db/installed` (one `X:value` line per field, packages
//! separated by blank lines).

use super::{Package, PackageKind};

/// Most packages accepted from one database.
const MAX_PACKAGES: usize = 100_000;

#[derive(Default)]
struct Record<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    origin: Option<&'a str>,
    license: Option<&'a str>,
    maintainer: Option<&'a str>,
    installed_size: Option<&'a str>,
    line: usize,
}

fn finish(record: &Record<'_>, out: &mut Vec<Package>, warn: &mut dyn FnMut(String)) {
    let (Some(name), Some(version)) = (
        record.name.filter(|n| !n.is_empty()),
        record.version.filter(|v| !v.is_empty()),
    ) else {
        warn(format!(
            "record at line {} lacks a P: or V: field; skipped",
            record.line
        ));
        return;
    };
    if out.len() >= MAX_PACKAGES {
        return;
    }
    let mut package = Package::new(PackageKind::Apk, name, version);
    package.architecture = record.arch.map(str::to_owned);
    // syft names the origin only when it differs from the package.
    package.upstream = record
        .origin
        .filter(|o| !o.is_empty() && *o != name)
        .map(str::to_owned);
    package.licenses = record
        .license
        .map(|l| vec![l.to_owned()])
        .unwrap_or_default();
    package.supplier = record.maintainer.map(str::to_owned);
    package.installed_size = record.installed_size.and_then(|s| s.parse().ok());
    out.push(package);
}

/// The packages of an apk database; malformed records are skipped with a
/// warning.
pub(crate) fn parse(data: &[u8], warn: &mut dyn FnMut(String)) -> Vec<Package> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut record = Record::default();
    let mut started = false;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if started {
                finish(&record, &mut out, warn);
            }
            record = Record::default();
            started = false;
            continue;
        }
        if !started {
            record.line = number + 1;
            started = true;
        }
        let Some((key, value)) = line.split_once(':') else {
            warn(format!(
                "line {} is not a `X:value` line; ignored",
                number + 1
            ));
            continue;
        };
        match key {
            "P" => record.name = Some(value),
            "V" => record.version = Some(value),
            "A" => record.arch = Some(value),
            "o" => record.origin = Some(value),
            "L" => record.license = Some(value),
            "m" => record.maintainer = Some(value),
            "I" => record.installed_size = Some(value),
            _ => {}
        }
    }
    if started {
        finish(&record, &mut out, warn);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_db() {
        let data = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/sbom/testdata/alpine/lib/apk/db/installed"),
        )
        .unwrap_or_default();
        let mut warnings = Vec::new();
        let packages = parse(&data, &mut |w| warnings.push(w));
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<_> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.upstream.as_deref()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("musl", "1.2.4_git20230717-r4", None),
                ("libcrypto3", "3.1.4-r5", Some("openssl")),
                ("busybox", "1.36.1-r15", None),
            ]
        );
        assert_eq!(packages[0].licenses, vec!["MIT"]);
        assert_eq!(packages[0].architecture.as_deref(), Some("x86_64"));
        assert_eq!(packages[0].installed_size, Some(655_360));
    }

    #[test]
    fn broken_records_warn() {
        let mut warnings = Vec::new();
        let packages = parse(b"P:a\n\nV:1\nnonsense\n\n", &mut |w| warnings.push(w));
        assert!(packages.is_empty());
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }
}
