//! SBOM renderers: CycloneDX 1.5 JSON ([`cyclonedx`]) and SPDX 2.3 JSON
//! ([`spdx`]) of a [`careen_inspect::sbom::Sbom`].
//!
//! Both carry syft's names where syft has one (component properties
//! `syft:package:foundBy`, `syft:location:0:path`, …) so tools that read
//! syft's SBOMs read careen's, plus careen's own `careen:…` properties (the
//! layer index and the instruction that installed a package).
//!
//! Output is deterministic for a given SBOM and [`SbomRenderOptions`]: the
//! serial number and document namespace are derived from the image ID, the
//! tool version and the timestamp.

pub mod cyclonedx;
pub mod spdx;

use careen_inspect::sbom::{Package, Sbom};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// What the documents say about their making.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomRenderOptions {
    pub tool_name: String,
    pub tool_version: String,
    /// RFC 3339 UTC timestamp (`2024-01-02T03:04:05Z`); see [`rfc3339_utc`].
    pub timestamp: String,
}

impl Default for SbomRenderOptions {
    fn default() -> Self {
        SbomRenderOptions {
            tool_name: "careen".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            timestamp: rfc3339_utc(SystemTime::now()),
        }
    }
}

/// `time` as `YYYY-MM-DDTHH:MM:SSZ`. Hand-written (civil-from-days): the one
/// format both SBOM standards need does not justify a date-time crate.
pub fn rfc3339_utc(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// A UUID (version 5 layout, variant RFC 4122) derived from `seed`, so a
/// document's identity is stable for the same input.
pub(crate) fn uuid_from(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The seed for a document's identity.
pub(crate) fn document_seed(sbom: &Sbom, options: &SbomRenderOptions) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        sbom.image.reference,
        sbom.image.id.as_deref().unwrap_or(""),
        options.tool_name,
        options.tool_version,
        options.timestamp
    )
}

/// A short stable ID of a package (its kind, name, version and location),
/// like syft's `package-id`.
pub(crate) fn package_id(package: &Package) -> String {
    let seed = format!(
        "{}|{}|{}|{}|{}",
        package.kind.as_str(),
        package.name,
        package.version,
        package.location.layer,
        package.location.path
    );
    let digest = Sha256::digest(seed.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The name shown for the image: its first tag, else the reference.
pub(crate) fn image_name(sbom: &Sbom) -> String {
    sbom.image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| sbom.image.reference.clone())
}

/// How a license string is best written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum License {
    /// A single SPDX license id (`MIT`).
    Id(String),
    /// A compound SPDX expression (`MIT OR Apache-2.0`).
    Expression(String),
    /// Free text (`ZPL 2.1`, `GPLv2+`).
    Name(String),
}

pub(crate) fn classify_license(text: &str) -> License {
    let text = text.trim();
    if let Some(id) = ::spdx::license_id(text) {
        return License::Id(id.name.to_owned());
    }
    if text.contains(' ') && ::spdx::Expression::parse(text).is_ok() {
        return License::Expression(text.to_owned());
    }
    License::Name(text.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use careen_inspect::sbom::{merge, ImageInfo, LayerInfo, SbomLayerBuilder};
    use careen_inspect::{FileRecord, LayerVisitor};
    use std::time::Duration;

    /// A small image with one package of each kind careen reads from text.
    pub(crate) fn sample_sbom() -> Sbom {
        let files: &[(&str, &[u8])] = &[
            ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_CODENAME=bookworm\nHOME_URL=\"https://www.debian.org/\"\n"),
            ("var/lib/dpkg/status", b"Package: libgcc-s1\nStatus: install ok installed\nInstalled-Size: 147\nMaintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n"),
            ("usr/lib/python3/dist-packages/zope.interface-6.1.dist-info/METADATA", b"Name: zope.interface\nVersion: 6.1\nLicense: ZPL 2.1\n"),
            ("usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", b"Name: requests\nVersion: 2.31.0\nLicense-Expression: Apache-2.0\n"),
            ("app/node_modules/@types/node/package.json", br#"{"name":"@types/node","version":"20.10.5","license":"MIT OR Apache-2.0"}"#),
        ];
        let mut builder = SbomLayerBuilder::new(0);
        for (path, data) in files {
            let record = FileRecord::file(*path, data.len() as u64);
            builder
                .read_entry(&record, &mut &data[..])
                .unwrap_or_default();
        }
        let image = ImageInfo {
            reference: "docker-archive:app.tar".into(),
            id: Some("sha256:0123456789abcdef".into()),
            tags: vec!["app:latest".into()],
            layers: vec![LayerInfo {
                index: 0,
                diff_id: Some("sha256:aaaa".into()),
                created_by: Some("RUN apt-get install -y bash".into()),
                ..LayerInfo::default()
            }],
            ..ImageInfo::default()
        };
        merge(vec![builder.finish()], image)
    }

    pub(crate) fn options() -> SbomRenderOptions {
        SbomRenderOptions {
            tool_name: "careen".into(),
            tool_version: "0.1.0".into(),
            timestamp: "2024-01-02T03:04:05Z".into(),
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(1_704_164_645)),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = uuid_from("x");
        assert_eq!(a, uuid_from("x"));
        assert_ne!(a, uuid_from("y"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'5');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn licenses_are_classified() {
        assert_eq!(classify_license("MIT"), License::Id("MIT".into()));
        assert_eq!(
            classify_license("MIT OR Apache-2.0"),
            License::Expression("MIT OR Apache-2.0".into())
        );
        assert_eq!(classify_license("ZPL 2.1"), License::Name("ZPL 2.1".into()));
        assert_eq!(classify_license("GPLv2+"), License::Name("GPLv2+".into()));
    }
}
