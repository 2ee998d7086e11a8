//! Package URLs exactly as syft 1.18 writes them.
//!
//! Hand-written rather than with the `packageurl` crate: syft's encoder (its
//! fork of packageurl-go) percent-encodes only `@`, `+`, `?`, `#`, space and
//! non-ASCII in every component, keeps `~`, `:`, `/` in qualifier values as
//! they are, and sorts the qualifiers by key; matching that byte for byte is
//! the point, and a general-purpose encoder differs in those corners.
//!
//! The per-ecosystem rules, as syft applies them:
//! * deb: namespace = distro ID; qualifiers `arch`, `upstream` (`src` or
//!   `src@ver` when the status names the source's version), `distro`
//!   (`ID-VERSION_ID`); no purl when the distro is not Debian-like.
//! * apk: namespace = distro ID lowercased; `upstream` only when the origin
//!   differs from the name; no purl without a distro.
//! * rpm: namespace = distro ID (`rhel` → `redhat`); version
//!   `version-release`; qualifiers `arch`, `epoch`, `upstream` (source RPM).
//! * pypi: the name normalised (PEP 503: lowercase, runs of `-_.` → `-`).
//! * npm: `@scope/name` → namespace `@scope`.
//! * golang: the module path split into namespace (first two segments), name
//!   (third) and subpath (the rest).
//! * cargo: `pkg:cargo/name@version`.

use super::{Distro, Package, PackageKind};

/// Percent-encodes one purl component the way syft's encoder does.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '@' => out.push_str("%40"),
            '+' => out.push_str("%2B"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            ' ' => out.push_str("%20"),
            c if !c.is_ascii() => {
                let mut buffer = [0_u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Builds `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH`; empty
/// qualifier values are dropped, the rest sorted by key.
pub fn build(
    kind: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
    subpath: &str,
) -> String {
    let mut out = format!("pkg:{kind}");
    for segment in namespace.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(&escape(segment));
    }
    out.push('/');
    out.push_str(&escape(name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&escape(version));
    }
    let mut qualifiers: Vec<_> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qualifiers.sort_by_key(|(k, _)| *k);
    for (i, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&escape(key));
        out.push('=');
        out.push_str(&escape(value));
    }
    if !subpath.is_empty() {
        out.push('#');
        out.push_str(subpath);
    }
    out
}

/// PEP 503 name normalisation, as syft applies it to Python packages.
pub fn normalize_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// `ID-VERSION_ID` (or `ID` alone), syft's `distro` qualifier.
fn distro_qualifier(distro: &Distro) -> String {
    if distro.id.is_empty() {
        return String::new();
    }
    match distro.version_id.as_deref().or(distro.build_id.as_deref()) {
        Some(version) if !version.is_empty() => format!("{}-{version}", distro.id),
        _ => distro.id.clone(),
    }
}

/// The purl of `package` in an image whose distro is `distro`; empty where
/// syft writes none.
pub fn for_package(package: &Package, distro: Option<&Distro>) -> String {
    let arch = package.architecture.as_deref().unwrap_or("");
    let upstream = package.upstream.as_deref().unwrap_or("");
    match package.kind {
        PackageKind::Deb => {
            let Some(distro) = distro else {
                return String::new();
            };
            if distro.id != "debian" && !distro.id_like.iter().any(|id| id == "debian") {
                return String::new();
            }
            let distro_value = distro_qualifier(distro);
            build(
                "deb",
                &distro.id,
                &package.name,
                &package.version,
                &[
                    ("arch", arch),
                    ("upstream", upstream),
                    ("distro", &distro_value),
                ],
                "",
            )
        }
        PackageKind::Apk => {
            let Some(distro) = distro else {
                return String::new();
            };
            let distro_value = distro_qualifier(distro);
            build(
                "apk",
                &distro.id.to_lowercase(),
                &package.name,
                &package.version,
                &[
                    ("arch", arch),
                    ("upstream", upstream),
                    ("distro", &distro_value),
                ],
                "",
            )
        }
        PackageKind::Rpm => {
            let namespace = match distro.map(|d| d.id.as_str()) {
                Some("rhel") => "redhat",
                Some(id) => id,
                None => "",
            };
            let distro_value = distro.map(distro_qualifier).unwrap_or_default();
            let epoch = package.epoch.map(|e| e.to_string()).unwrap_or_default();
            // The purl carries the epoch as a qualifier, not in the version.
            let version = match package.epoch {
                Some(epoch) => package
                    .version
                    .strip_prefix(&format!("{epoch}:"))
                    .unwrap_or(&package.version),
                None => &package.version,
            };
            build(
                "rpm",
                namespace,
                &package.name,
                version,
                &[
                    ("arch", arch),
                    ("epoch", &epoch),
                    ("upstream", upstream),
                    ("distro", &distro_value),
                ],
                "",
            )
        }
        PackageKind::Python => build("pypi", "", &package.name, &package.version, &[], ""),
        PackageKind::Npm => {
            let (namespace, name) = match package.name.split_once('/') {
                Some((scope, name)) if scope.starts_with('@') => (scope, name),
                _ => ("", package.name.as_str()),
            };
            build("npm", namespace, name, &package.version, &[], "")
        }
        PackageKind::GoModule => golang(&package.name, &package.version),
        PackageKind::RustCrate => build("cargo", "", &package.name, &package.version, &[], ""),
    }
}

/// syft's Go purl: namespace = the first two path segments, name = the
/// third, subpath = the rest (`github.com/a/b/v2` → `…/a/b@v#v2`).
pub fn golang(module: &str, version: &str) -> String {
    let fields: Vec<&str> = module.split('/').collect();
    let (namespace, name, subpath) = match fields.as_slice() {
        [name] => (String::new(), *name, String::new()),
        [namespace, name] => ((*namespace).to_owned(), *name, String::new()),
        [first, second, name, rest @ ..] => (format!("{first}/{second}"), *name, rest.join("/")),
        [] => (String::new(), "", String::new()),
    };
    build("golang", &namespace, name, version, &[], &subpath)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debian() -> Distro {
        Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..Distro::default()
        }
    }

    #[test]
    fn deb_qualifiers_sorted_and_encoded_like_syft() {
        let mut package = Package::new(PackageKind::Deb, "libgcc-s1", "12.2.0-14");
        package.architecture = Some("amd64".into());
        package.upstream = Some("gcc-12@12.2.0-14".into());
        assert_eq!(
            for_package(&package, Some(&debian())),
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14"
        );
        let mut bash = Package::new(PackageKind::Deb, "bash", "5.2.15-2+b2");
        bash.architecture = Some("amd64".into());
        assert_eq!(
            for_package(&bash, Some(&debian())),
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"
        );
        assert_eq!(for_package(&bash, None), "");
        let alpine = Distro {
            id: "alpine".into(),
            ..Distro::default()
        };
        assert_eq!(for_package(&bash, Some(&alpine)), "");
    }

    #[test]
    fn ubuntu_is_debian_like() {
        let ubuntu = Distro {
            id: "ubuntu".into(),
            version_id: Some("22.04".into()),
            id_like: vec!["debian".into()],
            ..Distro::default()
        };
        let mut package = Package::new(PackageKind::Deb, "libssl3", "3.0.2-0ubuntu1.10");
        package.architecture = Some("amd64".into());
        package.upstream = Some("openssl".into());
        assert_eq!(
            for_package(&package, Some(&ubuntu)),
            "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04&upstream=openssl"
        );
    }

    #[test]
    fn rpm_epoch_is_a_qualifier() {
        let rhel = Distro {
            id: "rhel".into(),
            version_id: Some("9.3".into()),
            ..Distro::default()
        };
        let mut package = Package::new(PackageKind::Rpm, "openssl-libs", "1:3.0.7-24.el9");
        package.architecture = Some("x86_64".into());
        package.epoch = Some(1);
        package.upstream = Some("openssl-3.0.7-24.el9.src.rpm".into());
        assert_eq!(
            for_package(&package, Some(&rhel)),
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm"
        );
    }

    #[test]
    fn language_purls() {
        let npm = Package::new(PackageKind::Npm, "@types/node", "20.10.5");
        assert_eq!(for_package(&npm, None), "pkg:npm/%40types/node@20.10.5");
        let pypi = Package::new(PackageKind::Python, "zope-interface", "6.1");
        assert_eq!(for_package(&pypi, None), "pkg:pypi/zope-interface@6.1");
        assert_eq!(normalize_python_name("Flask_Cors"), "flask-cors");
        assert_eq!(normalize_python_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_python_name("a__-.B"), "a-b");
        assert_eq!(
            golang("github.com/klauspost/compress/v2", "v2.1.0"),
            "pkg:golang/github.com/klauspost/compress@v2.1.0#v2"
        );
        assert_eq!(golang("stdlib", "1.22.2"), "pkg:golang/stdlib@1.22.2");
        assert_eq!(
            golang("golang.org/x/sys", "v0.1.0"),
            "pkg:golang/golang.org/x/sys@v0.1.0"
        );
        let cargo = Package::new(PackageKind::RustCrate, "serde", "1.0.0+x");
        assert_eq!(for_package(&cargo, None), "pkg:cargo/serde@1.0.0%2Bx");
    }

    #[test]
    fn escape_matches_syft() {
        assert_eq!(escape("1:2.3~rc1+b1"), "1:2.3~rc1%2Bb1");
        assert_eq!(escape("a b?#é"), "a%20b%3F%23%C3%A9");
    }
}
