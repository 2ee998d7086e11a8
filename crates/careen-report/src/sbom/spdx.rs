//! SPDX 2.3 JSON.
//!
//! * the image is a package (`primaryPackagePurpose: CONTAINER`) that the
//!   document `DESCRIBES` and that `CONTAINS` every other package;
//! * each package: `SPDXID` `SPDXRef-Package-<type>-<name>-<id>`,
//!   `versionInfo`, `supplier` (`Person: name (email)`, rpm vendors as
//!   `Organization:`), `licenseDeclared` (SPDX expressions kept, free text as
//!   `LicenseRef-…` with its text in `hasExtractedLicensingInfos`),
//!   `externalRefs` with the purl (`PACKAGE-MANAGER` / `purl`), and a
//!   `sourceInfo` naming the layer and path it was found at;
//! * the distro as an `OPERATING_SYSTEM` package.

use super::SbomRenderOptions;
use super::{classify_license, document_seed, image_name, package_id, uuid_from, License};
use careen_inspect::sbom::{Distro, Package, PackageKind, Sbom};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

const NOASSERTION: &str = "NOASSERTION";

/// Keeps the characters an SPDX ID may hold (`[A-Za-z0-9.-]`).
fn id_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `Name <mail>` → `Person: Name (mail)`; rpm vendors are organizations.
fn supplier(package: &Package) -> String {
    let Some(text) = package
        .supplier
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return NOASSERTION.to_owned();
    };
    let kind = if package.kind == PackageKind::Rpm {
        "Organization"
    } else {
        "Person"
    };
    let text = match text.split_once('<') {
        Some((name, rest)) => {
            let mail = rest.trim_end().trim_end_matches('>').trim();
            format!("{} ({mail})", name.trim())
        }
        None => text.to_owned(),
    };
    format!("{kind}: {text}")
}

/// The declared license expression; free-text licenses become
/// `LicenseRef-…` entries collected in `extracted`.
fn declared(package: &Package, extracted: &mut BTreeMap<String, String>) -> String {
    let parts: Vec<String> = package
        .licenses
        .iter()
        .map(|text| match classify_license(text) {
            License::Id(id) => id,
            License::Expression(expression) if package.licenses.len() > 1 => {
                format!("({expression})")
            }
            License::Expression(expression) => expression,
            License::Name(name) => {
                let id = format!("LicenseRef-{}", id_part(&name));
                extracted.insert(id.clone(), name);
                id
            }
        })
        .collect();
    if parts.is_empty() {
        NOASSERTION.to_owned()
    } else {
        parts.join(" AND ")
    }
}

/// The `SPDXID` of a package.
pub fn spdx_id(package: &Package) -> String {
    format!(
        "SPDXRef-Package-{}-{}-{}",
        package.kind.as_str(),
        id_part(&package.name),
        package_id(package)
    )
}

fn package_value(package: &Package, extracted: &mut BTreeMap<String, String>) -> Value {
    let mut value = json!({
        "name": package.name,
        "SPDXID": spdx_id(package),
        "versionInfo": package.version,
        "supplier": supplier(package),
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "sourceInfo": format!(
            "found by careen ({}) in layer {} at {}",
            package.found_by(),
            package.location.layer,
            package.location.path
        ),
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": declared(package, extracted),
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "LIBRARY",
    });
    if !package.purl.is_empty() {
        value["externalRefs"] = json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": package.purl,
        }]);
    }
    value
}

fn os_value(distro: &Distro) -> Value {
    let version = distro.version_id.clone().unwrap_or_default();
    let mut value = json!({
        "name": distro.id,
        "SPDXID": format!("SPDXRef-OperatingSystem-{}-{}", id_part(&distro.id), id_part(&version)),
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "sourceInfo": format!("found by careen in {}", distro.path),
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "OPERATING_SYSTEM",
    });
    if !version.is_empty() {
        value["versionInfo"] = version.into();
    }
    if let Some(pretty) = &distro.pretty_name {
        value["description"] = pretty.clone().into();
    }
    value
}

/// The SPDX 2.3 document of `sbom`.
pub fn to_value(sbom: &Sbom, options: &SbomRenderOptions) -> Value {
    let name = image_name(sbom);
    let root_id = format!("SPDXRef-DocumentRoot-Image-{}", id_part(&name));
    let mut root = json!({
        "name": name,
        "SPDXID": root_id,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "CONTAINER",
    });
    if let Some(id) = &sbom.image.id {
        root["versionInfo"] = id.clone().into();
        if let Some(hex) = id.strip_prefix("sha256:") {
            root["checksums"] = json!([{ "algorithm": "SHA256", "checksumValue": hex }]);
        }
    }
    let mut extracted = BTreeMap::new();
    let mut packages = vec![root];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relatedSpdxElement": root_id,
        "relationshipType": "DESCRIBES",
    })];
    let mut contain = |id: String| {
        relationships.push(json!({
            "spdxElementId": root_id,
            "relatedSpdxElement": id,
            "relationshipType": "CONTAINS",
        }));
    };
    for package in &sbom.packages {
        packages.push(package_value(package, &mut extracted));
        contain(spdx_id(package));
    }
    if let Some(distro) = &sbom.distro {
        let value = os_value(distro);
        contain(value["SPDXID"].as_str().unwrap_or_default().to_owned());
        packages.push(value);
    }
    let uuid = uuid_from(&document_seed(sbom, options));
    let mut document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://careen.dev/spdxdocs/{}-{uuid}", id_part(&name)),
        "creationInfo": {
            "licenseListVersion": ::spdx::license_version(),
            "creators": [
                format!("Organization: {}", options.tool_name),
                format!("Tool: {}-{}", options.tool_name, options.tool_version),
            ],
            "created": options.timestamp,
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.is_empty() {
        document["hasExtractedLicensingInfos"] = extracted
            .into_iter()
            .map(|(id, text)| json!({ "licenseId": id, "extractedText": text, "name": text }))
            .collect();
    }
    document
}

/// Writes the SPDX 2.3 JSON of `sbom` (pretty, with a final newline).
pub fn write(sbom: &Sbom, options: &SbomRenderOptions, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(sbom, options))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{options, sample_sbom};
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn snapshot() {
        insta::assert_json_snapshot!(to_value(&sample_sbom(), &options()));
    }

    #[test]
    fn structure_per_spdx_2_3() {
        let value = to_value(&sample_sbom(), &options());
        assert_eq!(value["spdxVersion"], "SPDX-2.3");
        assert_eq!(value["dataLicense"], "CC0-1.0");
        let packages = value["packages"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = packages
            .iter()
            .filter_map(|p| p["SPDXID"].as_str())
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "SPDX IDs must be unique");
        for id in &ids {
            assert!(id.starts_with("SPDXRef-"));
            assert!(id["SPDXRef-".len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
        }
        // Every relationship names elements that exist.
        for relationship in value["relationships"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            for key in ["spdxElementId", "relatedSpdxElement"] {
                let id = relationship[key].as_str().unwrap_or_default();
                assert!(id == "SPDXRef-DOCUMENT" || ids.contains(&id), "{id}");
            }
        }
        let zope = packages
            .iter()
            .find(|p| p["name"] == "zope-interface")
            .cloned()
            .unwrap_or_default();
        assert_eq!(zope["licenseDeclared"], "LicenseRef-ZPL-2.1");
        assert_eq!(
            value["hasExtractedLicensingInfos"][0]["extractedText"],
            "ZPL 2.1"
        );
        assert_eq!(
            zope["externalRefs"][0]["referenceLocator"],
            "pkg:pypi/zope-interface@6.1"
        );
        let gcc = packages
            .iter()
            .find(|p| p["name"] == "libgcc-s1")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            gcc["supplier"],
            "Person: Debian GCC Maintainers (debian-gcc@lists.debian.org)"
        );
    }

    /// Validates against the SPDX 2.3 JSON schema when it is present at
    /// `target/test-data/spdx-schema-2.3.json` (no package registry ships it;
    /// the structural test above runs always).
    #[test]
    fn output_is_valid_spdx_2_3_when_the_schema_is_present() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/test-data/spdx-schema-2.3.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "note: {} absent; SPDX schema validation skipped",
                path.display()
            );
            return;
        };
        let schema: Value = serde_json::from_str(&text).unwrap_or_default();
        let Ok(validator) = jsonschema::validator_for(&schema) else {
            panic!("SPDX schema does not compile");
        };
        let instance = to_value(&sample_sbom(), &options());
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "SPDX output invalid:\n{}",
            errors.join("\n")
        );
        let mut broken = instance.clone();
        broken["packages"][0]["filesAnalyzed"] = json!("maybe");
        assert!(!validator.is_valid(&broken));
    }
}
