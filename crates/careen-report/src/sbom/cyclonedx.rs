//! CycloneDX 1.5 JSON.
//!
//! * `metadata.component`: the image (`type: container`, version = image ID).
//! * one `library` component per package: `bom-ref` = purl plus a
//!   `package-id` qualifier (syft's form; unique even when two copies of a
//!   package sit at different paths), `publisher` = maintainer/vendor/author,
//!   `licenses` (SPDX ids as `id`, a compound expression alone as
//!   `expression`, anything else as `name`), `purl`, and properties:
//!   syft's `syft:package:foundBy|language|type`, `syft:location:0:path`,
//!   `syft:location:0:layerID` (the layer's diff ID) and careen's
//!   `careen:layer:index`, `careen:layer:createdBy`, `careen:npm:dev`.
//! * one `operating-system` component for the distro (`bom-ref`
//!   `os:ID@VERSION_ID`, as syft writes it).

use super::SbomRenderOptions;
use super::{classify_license, document_seed, image_name, package_id, uuid_from, License};
use careen_inspect::sbom::{Distro, Package, Sbom};
use serde_json::{json, Value};
use std::io::{self, Write};

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.5.schema.json";

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

fn licenses(package: &Package) -> Option<Value> {
    if package.licenses.is_empty() {
        return None;
    }
    // CycloneDX allows either licenses or one expression, not both.
    if let [only] = package.licenses.as_slice() {
        if let License::Expression(expression) = classify_license(only) {
            return Some(json!([{ "expression": expression }]));
        }
    }
    let items: Vec<Value> = package
        .licenses
        .iter()
        .map(|text| match classify_license(text) {
            License::Id(id) => json!({ "license": { "id": id } }),
            License::Expression(text) | License::Name(text) => {
                json!({ "license": { "name": text } })
            }
        })
        .collect();
    Some(Value::Array(items))
}

/// The `bom-ref` of a package: its purl with syft's `package-id` qualifier.
pub fn bom_ref(package: &Package) -> String {
    let id = package_id(package);
    if package.purl.is_empty() {
        return format!("pkg-{id}");
    }
    let separator = if package.purl.contains('?') { '&' } else { '?' };
    format!("{}{separator}package-id={id}", package.purl)
}

fn component(package: &Package) -> Value {
    let mut component = serde_json::Map::new();
    component.insert("bom-ref".into(), bom_ref(package).into());
    component.insert("type".into(), "library".into());
    if let Some(supplier) = &package.supplier {
        component.insert("publisher".into(), supplier.clone().into());
    }
    component.insert("name".into(), package.name.clone().into());
    component.insert("version".into(), package.version.clone().into());
    if let Some(licenses) = licenses(package) {
        component.insert("licenses".into(), licenses);
    }
    if !package.purl.is_empty() {
        component.insert("purl".into(), package.purl.clone().into());
    }
    let mut properties = vec![property("syft:package:foundBy", package.found_by())];
    if let Some(language) = package.kind.language() {
        properties.push(property("syft:package:language", language));
    }
    properties.push(property("syft:package:type", package.kind.as_str()));
    if let Some(diff_id) = &package.location.layer_diff_id {
        properties.push(property("syft:location:0:layerID", diff_id.clone()));
    }
    properties.push(property(
        "syft:location:0:path",
        package.location.path.clone(),
    ));
    if let Some(size) = package.installed_size {
        properties.push(property("syft:metadata:installedSize", size.to_string()));
    }
    properties.push(property(
        "careen:layer:index",
        package.location.layer.to_string(),
    ));
    if let Some(created_by) = &package.location.created_by {
        properties.push(property("careen:layer:createdBy", created_by.clone()));
    }
    if package.dev {
        properties.push(property("careen:npm:dev", "true"));
    }
    component.insert("properties".into(), Value::Array(properties));
    Value::Object(component)
}

fn os_component(distro: &Distro) -> Value {
    let version = distro.version_id.clone().unwrap_or_default();
    let mut component = serde_json::Map::new();
    component.insert(
        "bom-ref".into(),
        format!("os:{}@{version}", distro.id).into(),
    );
    component.insert("type".into(), "operating-system".into());
    component.insert("name".into(), distro.id.clone().into());
    if !version.is_empty() {
        component.insert("version".into(), version.into());
    }
    if let Some(pretty) = &distro.pretty_name {
        component.insert("description".into(), pretty.clone().into());
    }
    let mut properties = vec![property("syft:distro:id", distro.id.clone())];
    if let Some(pretty) = &distro.pretty_name {
        properties.push(property("syft:distro:prettyName", pretty.clone()));
    }
    if let Some(codename) = &distro.version_codename {
        properties.push(property("syft:distro:versionCodename", codename.clone()));
    }
    if let Some(version) = &distro.version_id {
        properties.push(property("syft:distro:versionID", version.clone()));
    }
    component.insert("properties".into(), Value::Array(properties));
    Value::Object(component)
}

/// The CycloneDX 1.5 document of `sbom`.
pub fn to_value(sbom: &Sbom, options: &SbomRenderOptions) -> Value {
    let image_ref = sbom
        .image
        .id
        .clone()
        .unwrap_or_else(|| format!("image-{}", uuid_from(&sbom.image.reference)));
    let mut image = json!({
        "bom-ref": image_ref,
        "type": "container",
        "name": image_name(sbom),
    });
    if let Some(id) = &sbom.image.id {
        image["version"] = id.clone().into();
    }
    let mut components: Vec<Value> = sbom.packages.iter().map(component).collect();
    if let Some(distro) = &sbom.distro {
        components.push(os_component(distro));
    }
    json!({
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&document_seed(sbom, options))),
        "version": 1,
        "metadata": {
            "timestamp": options.timestamp,
            "tools": {
                "components": [{
                    "type": "application",
                    "author": options.tool_name,
                    "name": options.tool_name,
                    "version": options.tool_version,
                }]
            },
            "component": image,
        },
        "components": components,
    })
}

/// Writes the CycloneDX 1.5 JSON of `sbom` (pretty, with a final newline).
pub fn write(sbom: &Sbom, options: &SbomRenderOptions, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(sbom, options))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{options, sample_sbom};
    use super::*;
    use std::path::Path;

    #[test]
    fn snapshot() {
        insta::assert_json_snapshot!(to_value(&sample_sbom(), &options()));
    }

    #[test]
    fn components_carry_purl_licenses_and_locations() {
        let value = to_value(&sample_sbom(), &options());
        let components = value["components"].as_array().cloned().unwrap_or_default();
        let find = |name: &str| {
            components
                .iter()
                .find(|c| c["name"] == name)
                .cloned()
                .unwrap_or_default()
        };
        let gcc = find("libgcc-s1");
        assert_eq!(
            gcc["purl"],
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14"
        );
        assert!(gcc["bom-ref"]
            .as_str()
            .is_some_and(|r| r.contains("&package-id=")));
        assert_eq!(
            find("@types/node")["licenses"][0]["expression"],
            "MIT OR Apache-2.0"
        );
        assert_eq!(
            find("zope-interface")["licenses"][0]["license"]["name"],
            "ZPL 2.1"
        );
        assert_eq!(
            find("requests")["licenses"][0]["license"]["id"],
            "Apache-2.0"
        );
        assert_eq!(find("debian")["type"], "operating-system");
        let properties = gcc["properties"].as_array().cloned().unwrap_or_default();
        assert!(properties
            .contains(&json!({"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"})));
        assert!(properties.contains(
            &json!({"name": "careen:layer:createdBy", "value": "RUN apt-get install -y bash"})
        ));
    }

    fn schema_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/cyclonedx")
    }

    /// Validates against the official CycloneDX 1.5 schema (and the SPDX
    /// license-id and JSF schemas it refers to), fetched by
    /// `scripts/fetch-test-data.sh` from the `cyclonedx-python-lib` wheel.
    #[test]
    fn output_is_valid_cyclonedx_1_5() {
        let read = |name: &str| -> Value {
            let path = schema_dir().join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "CycloneDX schema missing at {}: {e}; run `bash scripts/fetch-test-data.sh` first",
                    path.display()
                )
            });
            serde_json::from_str(&text).unwrap_or_default()
        };
        let bom = read("bom-1.5.schema.json");
        let spdx = jsonschema::Resource::from_contents(read("spdx.schema.json"));
        let jsf = jsonschema::Resource::from_contents(read("jsf-0.82.schema.json"));
        let (Ok(spdx), Ok(jsf)) = (spdx, jsf) else {
            panic!("referenced schemas do not load");
        };
        let validator = jsonschema::options()
            // The schema as packaged refers to its siblings by SNAPSHOT names.
            .with_resource(
                "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
                spdx,
            )
            .with_resource(
                "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
                jsf,
            )
            .build(&bom);
        let Ok(validator) = validator else {
            panic!("CycloneDX schema does not compile: {:?}", validator.err());
        };
        let mut out = Vec::new();
        write(&sample_sbom(), &options(), &mut out).unwrap_or_default();
        let instance: Value = serde_json::from_slice(&out).unwrap_or_default();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "CycloneDX output invalid:\n{}",
            errors.join("\n")
        );
        // The validator rejects a broken document (the test can fail).
        let mut broken = instance.clone();
        broken["components"][0]["type"] = json!("gadget");
        assert!(!validator.is_valid(&broken));
    }
}
