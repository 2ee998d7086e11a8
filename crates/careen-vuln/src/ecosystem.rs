//! OSV ecosystems: names, releases (`Debian:12`, `Alpine:v3.19`), package-name
//! normalisation and the version scheme each one uses.

use std::fmt;

use crate::version::{pep440, Scheme};

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    Debian,
    Ubuntu,
    Alpine,
    Wolfi,
    Chainguard,
    RedHat,
    RockyLinux,
    AlmaLinux,
    OpenSuse,
    Suse,
    PyPI,
    Npm,
    Go,
    CratesIo,
    Maven,
    RubyGems,
    NuGet,
    Packagist,
    Hex,
    /// Any other OSV ecosystem name (matched by exact name; versions only by
    /// explicit `versions` lists, since careen has no ordering for it).
    Other(String),
}

const NAMED: [(Ecosystem, &str); 19] = [
    (Ecosystem::Debian, "Debian"),
    (Ecosystem::Ubuntu, "Ubuntu"),
    (Ecosystem::Alpine, "Alpine"),
    (Ecosystem::Wolfi, "Wolfi"),
    (Ecosystem::Chainguard, "Chainguard"),
    (Ecosystem::RedHat, "Red Hat"),
    (Ecosystem::RockyLinux, "Rocky Linux"),
    (Ecosystem::AlmaLinux, "AlmaLinux"),
    (Ecosystem::OpenSuse, "openSUSE"),
    (Ecosystem::Suse, "SUSE"),
    (Ecosystem::PyPI, "PyPI"),
    (Ecosystem::Npm, "npm"),
    (Ecosystem::Go, "Go"),
    (Ecosystem::CratesIo, "crates.io"),
    (Ecosystem::Maven, "Maven"),
    (Ecosystem::RubyGems, "RubyGems"),
    (Ecosystem::NuGet, "NuGet"),
    (Ecosystem::Packagist, "Packagist"),
    (Ecosystem::Hex, "Hex"),
];

impl Ecosystem {
    /// Parses an OSV ecosystem string into the ecosystem and its release suffix
    /// (`"Debian:12"` → `(Debian, Some("12"))`, `"PyPI"` → `(PyPI, None)`).
    pub fn parse_osv(text: &str) -> (Ecosystem, Option<&str>) {
        let (base, release) = match text.split_once(':') {
            Some((base, release)) => (base, Some(release)),
            None => (text, None),
        };
        (
            Ecosystem::from_name(base),
            release.filter(|r| !r.is_empty()),
        )
    }

    /// The ecosystem for an OSV base name (no release suffix). Unknown names are kept.
    pub fn from_name(base: &str) -> Ecosystem {
        NAMED
            .iter()
            .find(|(_, name)| *name == base)
            .map(|(eco, _)| eco.clone())
            .unwrap_or_else(|| Ecosystem::Other(base.to_string()))
    }

    /// The ecosystem of a package URL type (and namespace, for OS packages):
    /// `deb/debian`, `deb/ubuntu`, `apk/alpine`, `rpm/redhat`, `pypi`, `npm`, `golang`,
    /// `cargo`, `maven`, `gem`, `nuget`, `composer`, `hex`.
    pub fn from_purl_type(purl_type: &str, namespace: Option<&str>) -> Option<Ecosystem> {
        let namespace = namespace.unwrap_or("").to_ascii_lowercase();
        Some(match purl_type {
            "deb" if namespace == "ubuntu" => Ecosystem::Ubuntu,
            "deb" => Ecosystem::Debian,
            "apk" if namespace == "wolfi" => Ecosystem::Wolfi,
            "apk" if namespace == "chainguard" => Ecosystem::Chainguard,
            "apk" => Ecosystem::Alpine,
            "rpm" if namespace == "rocky" || namespace == "rocky-linux" => Ecosystem::RockyLinux,
            "rpm" if namespace == "almalinux" => Ecosystem::AlmaLinux,
            "rpm" if namespace == "opensuse" => Ecosystem::OpenSuse,
            "rpm" if namespace == "suse" || namespace == "sles" => Ecosystem::Suse,
            "rpm" => Ecosystem::RedHat,
            "pypi" => Ecosystem::PyPI,
            "npm" => Ecosystem::Npm,
            "golang" => Ecosystem::Go,
            "cargo" => Ecosystem::CratesIo,
            "maven" => Ecosystem::Maven,
            "gem" => Ecosystem::RubyGems,
            "nuget" => Ecosystem::NuGet,
            "composer" => Ecosystem::Packagist,
            "hex" => Ecosystem::Hex,
            _ => return None,
        })
    }

    /// The OSV base name (`"Debian"`, `"crates.io"`, ...).
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::Other(name) => name,
            known => NAMED
                .iter()
                .find(|(eco, _)| eco == known)
                .map(|(_, name)| *name)
                .unwrap_or(""),
        }
    }

    /// The package URL type careen's SBOM uses for this ecosystem.
    pub fn purl_type(&self) -> &str {
        match self {
            Ecosystem::Debian | Ecosystem::Ubuntu => "deb",
            Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => "apk",
            Ecosystem::RedHat
            | Ecosystem::RockyLinux
            | Ecosystem::AlmaLinux
            | Ecosystem::OpenSuse
            | Ecosystem::Suse => "rpm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "golang",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Packagist => "composer",
            Ecosystem::Hex => "hex",
            Ecosystem::Other(name) => name,
        }
    }

    /// The version ordering for `ECOSYSTEM` ranges, when careen has one.
    pub fn scheme(&self) -> Option<Scheme> {
        Some(match self {
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Deb,
            Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => Scheme::Apk,
            Ecosystem::RedHat
            | Ecosystem::RockyLinux
            | Ecosystem::AlmaLinux
            | Ecosystem::OpenSuse
            | Ecosystem::Suse => Scheme::Rpm,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Hex => Scheme::Semver,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Maven => Scheme::Maven,
            _ => return None,
        })
    }

    /// Whether OSV names this ecosystem's packages by their source package (Debian,
    /// Ubuntu: the source package; Alpine: the `origin` package).
    pub fn advisories_name_source_package(&self) -> bool {
        matches!(
            self,
            Ecosystem::Debian | Ecosystem::Ubuntu | Ecosystem::Alpine
        )
    }

    /// The name as the index keys it: PyPI names per PEP 503; others as given.
    pub fn normalize_name(&self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => pep440::normalize_name(name),
            _ => name.trim().to_string(),
        }
    }

    /// Whether an OSV release suffix (the part after the first `:`) is the distro
    /// release the caller gave. An OSV entry without a release matches any release;
    /// a query without a release matches any OSV release.
    pub fn release_matches(&self, osv_release: Option<&str>, query_release: Option<&str>) -> bool {
        let (Some(osv), Some(query)) = (osv_release, query_release) else {
            return true;
        };
        let query = normalize_release(self, query);
        match self {
            // `Ubuntu:22.04:LTS`; `Ubuntu:Pro:...` needs an Ubuntu Pro subscription.
            Ecosystem::Ubuntu => {
                !osv.split(':').any(|p| p.eq_ignore_ascii_case("pro"))
                    && osv.split(':').any(|p| release_part_matches(p, &query))
            }
            _ => osv
                .split(':')
                .any(|p| release_part_matches(&normalize_release(self, p), &query)),
        }
    }
}

/// Release spellings to a comparable form: Alpine `v3.19` / `3.19.1` → `3.19`, Debian
/// code names to numbers.
fn normalize_release(eco: &Ecosystem, release: &str) -> String {
    let release = release.trim();
    match eco {
        Ecosystem::Alpine => {
            let bare = release.trim_start_matches('v');
            let mut parts = bare.split('.');
            match (parts.next(), parts.next()) {
                (Some(major), Some(minor)) => format!("{major}.{minor}"),
                _ => bare.to_string(),
            }
        }
        Ecosystem::Debian => {
            let number = match release.to_ascii_lowercase().as_str() {
                "jessie" => "8",
                "stretch" => "9",
                "buster" => "10",
                "bullseye" => "11",
                "bookworm" => "12",
                "trixie" => "13",
                "forky" => "14",
                _ => release,
            };
            number.split('.').next().unwrap_or(number).to_string()
        }
        _ => release.trim_start_matches('v').to_string(),
    }
}

/// `12` matches `12` and `12.5`; `9` does not match `9.4` the other way round.
fn release_part_matches(osv_part: &str, query: &str) -> bool {
    !osv_part.is_empty()
        && (osv_part == query
            || query
                .strip_prefix(osv_part)
                .is_some_and(|rest| rest.starts_with('.')))
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl serde::Serialize for Ecosystem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.osv_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_osv_names_with_releases() {
        assert_eq!(
            Ecosystem::parse_osv("Debian:12"),
            (Ecosystem::Debian, Some("12"))
        );
        assert_eq!(Ecosystem::parse_osv("PyPI"), (Ecosystem::PyPI, None));
        assert_eq!(
            Ecosystem::parse_osv("Red Hat:enterprise_linux:9"),
            (Ecosystem::RedHat, Some("enterprise_linux:9"))
        );
        assert_eq!(
            Ecosystem::parse_osv("GHC").0,
            Ecosystem::Other("GHC".into())
        );
        assert_eq!(Ecosystem::CratesIo.osv_name(), "crates.io");
    }

    #[test]
    fn releases_must_agree() {
        let d = Ecosystem::Debian;
        assert!(d.release_matches(Some("12"), Some("12")));
        assert!(d.release_matches(Some("12"), Some("12.5")));
        assert!(d.release_matches(Some("12"), Some("bookworm")));
        assert!(!d.release_matches(Some("11"), Some("12")));
        let a = Ecosystem::Alpine;
        assert!(a.release_matches(Some("v3.19"), Some("3.19.1")));
        assert!(!a.release_matches(Some("v3.19"), Some("3.18.4")));
        assert!(!a.release_matches(Some("v3.1"), Some("3.19")));
        let u = Ecosystem::Ubuntu;
        assert!(u.release_matches(Some("22.04:LTS"), Some("22.04")));
        assert!(!u.release_matches(Some("Pro:22.04:LTS"), Some("22.04")));
        assert!(!u.release_matches(Some("20.04:LTS"), Some("22.04")));
    }

    #[test]
    fn purl_types_round_trip() {
        for eco in [
            Ecosystem::Debian,
            Ecosystem::PyPI,
            Ecosystem::Npm,
            Ecosystem::Go,
            Ecosystem::CratesIo,
        ] {
            assert_eq!(Ecosystem::from_purl_type(eco.purl_type(), None), Some(eco));
        }
        assert_eq!(
            Ecosystem::from_purl_type("deb", Some("ubuntu")),
            Some(Ecosystem::Ubuntu)
        );
    }
}
