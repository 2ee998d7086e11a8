//! Merging the layers' findings in layer order into the image's SBOM.

use super::{npm, path_hash, purl, Distro, Found, Package, Sbom, SbomLayer};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// What the caller knows of the image, for the SBOM's metadata and the
/// packages' locations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    /// The reference as given (`docker-archive:app.tar`).
    pub reference: String,
    /// The image ID (`sha256:` digest of the config).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Digest of the manifest, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Per layer, in order; may be empty.
    pub layers: Vec<LayerInfo>,
}

/// One layer's identity and the instruction that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl ImageInfo {
    /// What an opened image says of itself.
    pub fn of(image: &careen_image::Image) -> Self {
        ImageInfo {
            reference: image.reference.clone(),
            id: Some(image.config_digest.clone()),
            manifest_digest: image.manifest_digest.clone(),
            tags: image.tags.clone(),
            architecture: Some(image.config.architecture().to_string()),
            os: Some(image.config.os().to_string()),
            layers: image
                .layers
                .iter()
                .map(|layer| LayerInfo {
                    index: layer.index,
                    digest: Some(layer.digest.clone()),
                    diff_id: layer.diff_id.clone(),
                    created_by: layer.created_by.clone(),
                })
                .collect(),
        }
    }
}

/// Whether `path` is `prefix` or below it.
fn at_or_below(path: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// Whether `layer` removes or replaces the lower file at `path`.
fn hides(layer: &SbomLayer, path: &str) -> bool {
    if layer.whiteouts.iter().any(|w| at_or_below(path, w)) {
        return true;
    }
    if layer.opaque.iter().any(|dir| {
        dir.is_empty()
            || (path.starts_with(dir.as_str()) && path.as_bytes().get(dir.len()) == Some(&b'/'))
    }) {
        return true;
    }
    if layer.paths.contains(&path_hash(path)) {
        return true;
    }
    // A file, link or other non-directory at a parent path hides it.
    path.match_indices('/')
        .any(|(i, _)| layer.non_dirs.contains(&path_hash(&path[..i])))
}

/// Merges the layers (any order; sorted by index here) into the image's
/// SBOM: whiteouts and replacements applied in layer order, purls made with
/// the distro of the final image, npm dev flags from the final lockfiles.
pub fn merge(mut layers: Vec<SbomLayer>, image: ImageInfo) -> Sbom {
    layers.sort_by_key(|l| l.index);
    let mut live: BTreeMap<String, Found> = BTreeMap::new();
    let mut warnings = Vec::new();
    for mut layer in layers {
        live.retain(|path, _| !hides(&layer, path));
        for source in std::mem::take(&mut layer.sources) {
            live.insert(source.path, source.found);
        }
        warnings.append(&mut layer.warnings);
    }

    let distro = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|path| match live.get(*path) {
            Some(Found::Distro(distro)) => Some(Distro {
                path: format!("/{path}"),
                ..distro.clone()
            }),
            _ => None,
        });
    let lockfiles: BTreeMap<&str, &HashSet<String>> = live
        .iter()
        .filter_map(|(path, found)| match found {
            Found::NpmLock(dev) => Some((path.as_str(), dev)),
            _ => None,
        })
        .collect();

    let mut packages: Vec<Package> = Vec::new();
    for found in live.values() {
        let Found::Packages(found) = found else {
            continue;
        };
        for package in found {
            let mut package = package.clone();
            package.purl = purl::for_package(&package, distro.as_ref());
            if package.kind == super::PackageKind::Npm {
                if let Some((locks, key)) = npm::lock_key(&package.location.path) {
                    package.dev = locks.iter().any(|lock| {
                        lockfiles
                            .get(lock.as_str())
                            .is_some_and(|dev| dev.contains(&key))
                    });
                }
            }
            if let Some(layer) = image.layers.get(package.location.layer) {
                package.location.layer_diff_id = layer.diff_id.clone();
                package.location.created_by = layer.created_by.clone();
            }
            packages.push(package);
        }
    }
    packages.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, &a.location).cmp(&(b.kind, &b.name, &b.version, &b.location))
    });
    warnings.sort();
    Sbom {
        image,
        distro,
        packages,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::layer_from_dir;
    use super::super::{PackageKind, SbomLayerBuilder};
    use super::*;
    use crate::{FileRecord, LayerVisitor};

    fn names(sbom: &Sbom) -> Vec<(PackageKind, &str, &str)> {
        sbom.packages
            .iter()
            .map(|p| (p.kind, p.name.as_str(), p.version.as_str()))
            .collect()
    }

    fn layer(index: usize, files: &[(&str, &[u8])], markers: &[FileRecord]) -> SbomLayer {
        let mut builder = SbomLayerBuilder::new(index);
        for record in markers {
            builder.visit(record);
        }
        for (path, data) in files {
            let record = FileRecord::file(*path, data.len() as u64);
            builder
                .read_entry(&record, &mut &data[..])
                .unwrap_or_default();
        }
        builder.finish()
    }

    #[test]
    fn debian_fixture_matches_syft() {
        let sbom = merge(vec![layer_from_dir(0, "debian")], ImageInfo::default());
        let purls: Vec<_> = sbom.packages.iter().map(|p| p.purl.as_str()).collect();
        // syft 1.18.1 on the same tree (`--override-default-catalogers
        // image`), but tzdata-old (`deinstall ok config-files`), which syft
        // lists and careen does not.
        assert_eq!(
            purls,
            vec![
                "pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12",
                "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
                "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
                "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
                "pkg:pypi/flask-cors@4.0.0",
                "pkg:pypi/pyyaml@6.0.1",
                "pkg:pypi/six@1.16.0",
                "pkg:pypi/zope-interface@6.1",
                "pkg:npm/%40types/node@20.10.5",
                "pkg:npm/debug@2.6.9",
                "pkg:npm/demo-app@1.0.0",
                "pkg:npm/express@4.18.2",
            ]
        );
        assert_eq!(
            sbom.distro.as_ref().map(|d| d.path.as_str()),
            Some("/etc/os-release")
        );
        assert!(sbom.warnings.is_empty(), "{:?}", sbom.warnings);
        let dev: Vec<_> = sbom
            .packages
            .iter()
            .filter(|p| p.dev)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(dev, vec!["@types/node"]);
        let six = sbom.packages.iter().find(|p| p.name == "six");
        assert_eq!(
            six.map(|p| p.location.path.as_str()),
            Some("/usr/lib/python3/dist-packages/six-1.16.0.egg-info")
        );
    }

    #[test]
    fn alpine_fixture_matches_syft() {
        let sbom = merge(vec![layer_from_dir(0, "alpine")], ImageInfo::default());
        let purls: Vec<_> = sbom.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            vec![
                "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1",
                "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl",
                "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1",
            ]
        );
    }

    const STATUS_A: &[u8] = b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n";
    const STATUS_B: &[u8] =
        b"Package: a\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n";
    const OS: &[u8] = b"ID=debian\nVERSION_ID=12\n";

    #[test]
    fn a_later_status_replaces_the_earlier_one() {
        let layers = vec![
            layer(1, &[("var/lib/dpkg/status", STATUS_B)], &[]),
            layer(
                0,
                &[("var/lib/dpkg/status", STATUS_A), ("etc/os-release", OS)],
                &[],
            ),
        ];
        let image = ImageInfo {
            layers: vec![
                LayerInfo {
                    index: 0,
                    created_by: Some("debootstrap".into()),
                    ..LayerInfo::default()
                },
                LayerInfo {
                    index: 1,
                    diff_id: Some("sha256:11".into()),
                    created_by: Some("RUN apt-get install a".into()),
                    ..LayerInfo::default()
                },
            ],
            ..ImageInfo::default()
        };
        let sbom = merge(layers, image);
        assert_eq!(names(&sbom), vec![(PackageKind::Deb, "a", "2")]);
        let location = &sbom.packages[0].location;
        assert_eq!(location.layer, 1);
        assert_eq!(
            location.created_by.as_deref(),
            Some("RUN apt-get install a")
        );
        assert_eq!(location.layer_diff_id.as_deref(), Some("sha256:11"));
        assert_eq!(
            sbom.packages[0].purl,
            "pkg:deb/debian/a@2?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn whiteouts_remove_packages() {
        let metadata: &[u8] = b"Name: requests\nVersion: 2.31.0\n";
        let base = layer(
            0,
            &[
                ("var/lib/dpkg/status", STATUS_A),
                (
                    "usr/lib/python3/site-packages/requests-2.31.0.dist-info/METADATA",
                    metadata,
                ),
                (
                    "opt/app/node_modules/x/package.json",
                    br#"{"name":"x","version":"1"}"#,
                ),
                ("etc/os-release", OS),
            ],
            &[],
        );
        assert_eq!(
            names(&merge(vec![base.clone()], ImageInfo::default())).len(),
            4
        );
        let deleted = layer(
            1,
            &[],
            &[
                FileRecord::whiteout("var/lib/dpkg/status"),
                FileRecord::whiteout("usr/lib/python3/site-packages/requests-2.31.0.dist-info"),
                FileRecord::opaque("opt/app"),
            ],
        );
        let sbom = merge(vec![base, deleted], ImageInfo::default());
        assert_eq!(names(&sbom), vec![]);
        assert!(sbom.distro.is_some());
    }

    #[test]
    fn a_non_directory_at_a_parent_path_hides_what_is_below() {
        let base = layer(
            0,
            &[(
                "opt/app/node_modules/x/package.json",
                br#"{"name":"x","version":"1"}"#,
            )],
            &[],
        );
        let link = layer(
            1,
            &[],
            &[FileRecord::new("opt/app", crate::RecordKind::Symlink, 0)],
        );
        assert_eq!(
            names(&merge(vec![base.clone(), link], ImageInfo::default())),
            vec![]
        );
        // A directory entry at a parent path hides nothing.
        let dir = layer(1, &[], &[FileRecord::dir("opt/app")]);
        assert_eq!(
            names(&merge(vec![base, dir], ImageInfo::default())).len(),
            1
        );
    }

    #[test]
    fn an_overwriting_non_package_file_removes_the_package() {
        let base = layer(
            0,
            &[(
                "app/node_modules/x/package.json",
                br#"{"name":"x","version":"1"}"#,
            )],
            &[],
        );
        let over = layer(1, &[("app/node_modules/x/package.json", b"{}")], &[]);
        assert_eq!(
            names(&merge(vec![base, over], ImageInfo::default())),
            vec![]
        );
    }

    #[test]
    fn lockfile_in_another_layer_marks_dev() {
        let lock: &[u8] = br#"{"lockfileVersion":3,"packages":{"node_modules/x":{"dev":true}}}"#;
        let first = layer(0, &[("app/package-lock.json", lock)], &[]);
        let second = layer(
            1,
            &[(
                "app/node_modules/x/package.json",
                br#"{"name":"x","version":"1"}"#,
            )],
            &[],
        );
        let sbom = merge(vec![first, second], ImageInfo::default());
        assert!(sbom.packages[0].dev);
    }
}
