//! Installed Python packages: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`
//! and `*.egg-info` files (core metadata: RFC 822-style headers, then the
//! description after the first blank line).

use super::purl::normalize_python_name;
use super::{Package, PackageKind};

/// The package one metadata file describes; `None` (with a warning) when it
/// names no package or version.
pub(crate) fn parse(data: &[u8], warn: &mut dyn FnMut(String)) -> Option<Package> {
    let text = String::from_utf8_lossy(data);
    let mut name = None;
    let mut version = None;
    let mut license: Option<String> = None;
    let mut expression = None;
    let mut author = None;
    let mut last_key = "";
    let mut seen_field = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            if seen_field {
                break; // the description follows
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            // A continuation line; only License is kept whole.
            if last_key == "License" {
                if let Some(license) = license.as_mut() {
                    license.push('\n');
                    license.push_str(line.trim());
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        seen_field = true;
        let key = key.trim();
        let value = value.trim();
        last_key = match key {
            "Name" => {
                name = Some(value.to_owned());
                "Name"
            }
            "Version" => {
                version = Some(value.to_owned());
                "Version"
            }
            "License" => {
                license = Some(value.to_owned());
                "License"
            }
            "License-Expression" => {
                expression = Some(value.to_owned());
                "License-Expression"
            }
            "Author" => {
                author = Some(value.to_owned());
                "Author"
            }
            _ => "",
        };
    }
    let (Some(name), Some(version)) = (
        name.filter(|n| !n.is_empty()),
        version.filter(|v| !v.is_empty()),
    ) else {
        warn("Python metadata without Name and Version; skipped".to_owned());
        return None;
    };
    let mut package = Package::new(PackageKind::Python, &normalize_python_name(&name), &version);
    // syft: License-Expression wins over License; no classifiers.
    if let Some(license) = expression
        .filter(|e| !e.is_empty())
        .or(license.filter(|l| !l.is_empty()))
    {
        package.licenses.push(license);
    }
    package.supplier = author.filter(|a| !a.is_empty());
    Some(package)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_fields() {
        let data = b"Metadata-Version: 2.1\nName: Flask_Cors\nVersion: 4.0.0\nLicense: MIT\nAuthor: Cory\n\nName: not-this\n";
        let package = parse(data, &mut |_| {});
        let package = package.unwrap_or_else(|| Package::new(PackageKind::Python, "", ""));
        assert_eq!(package.name, "flask-cors");
        assert_eq!(package.version, "4.0.0");
        assert_eq!(package.licenses, vec!["MIT"]);
        assert_eq!(package.supplier.as_deref(), Some("Cory"));
    }

    #[test]
    fn expression_wins_and_continuations_join() {
        let data =
            b"Name: a\nVersion: 1\nLicense: Long text\n  more text\nLicense-Expression: MIT OR Apache-2.0\n";
        let package = parse(data, &mut |_| {}).map(|p| p.licenses);
        assert_eq!(package, Some(vec!["MIT OR Apache-2.0".to_owned()]));
        let data = b"Name: a\nVersion: 1\nLicense: Long text\n  more text\n";
        let package = parse(data, &mut |_| {}).map(|p| p.licenses);
        assert_eq!(package, Some(vec!["Long text\nmore text".to_owned()]));
    }

    #[test]
    fn malformed_metadata_warns() {
        let mut warnings = Vec::new();
        assert_eq!(parse(b"\x00\x01garbage", &mut |w| warnings.push(w)), None);
        assert_eq!(parse(b"Name: x\n", &mut |w| warnings.push(w)), None);
        assert_eq!(warnings.len(), 2);
    }
}
