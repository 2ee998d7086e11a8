//! Platforms (`os/arch[/variant]`) for picking one image out of a multi-platform index.

use std::fmt;

use crate::error::ImageError;

/// An image platform, e.g. `linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`; common aliases (`x86_64`, `aarch64`) are normalized.
    pub fn parse(text: &str) -> Result<Self, ImageError> {
        let invalid = || ImageError::InvalidPlatform {
            platform: text.to_owned(),
        };
        let mut parts = text.trim().split('/');
        let os = parts.next().filter(|s| !s.is_empty()).ok_or_else(invalid)?;
        let architecture = parts.next().filter(|s| !s.is_empty()).ok_or_else(invalid)?;
        let variant = match parts.next() {
            Some("") => return Err(invalid()),
            Some(variant) => Some(variant.to_ascii_lowercase()),
            None => None,
        };
        if parts.next().is_some() {
            return Err(invalid());
        }
        Ok(Self {
            os: os.to_ascii_lowercase(),
            architecture: normalize_architecture(&architecture.to_ascii_lowercase()),
            variant,
        })
    }

    /// The platform of the machine careen runs on, in OCI terms (containers are Linux).
    pub fn host() -> Self {
        Self {
            os: "linux".to_owned(),
            architecture: normalize_architecture(std::env::consts::ARCH),
            variant: None,
        }
    }

    /// Whether an image for `os`/`architecture`/`variant` runs on this platform. A platform
    /// without a variant accepts any variant.
    pub(crate) fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        if !self.os.eq_ignore_ascii_case(os)
            || self.architecture != normalize_architecture(&architecture.to_ascii_lowercase())
        {
            return false;
        }
        match (&self.variant, variant) {
            (None, _) => true,
            (Some(wanted), Some(found)) => wanted.eq_ignore_ascii_case(found),
            // `arm64` images often omit the default `v8` variant.
            (Some(wanted), None) => self.architecture == "arm64" && wanted == "v8",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

fn normalize_architecture(architecture: &str) -> String {
    match architecture {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "x86" | "i386" | "i686" => "386",
        "powerpc64" => "ppc64",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes() {
        let platform = Platform::parse("linux/aarch64/v8").unwrap();
        assert_eq!(platform.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux/amd64/v1/extra").is_err());
        assert!(Platform::parse("/amd64").is_err());
    }

    #[test]
    fn matching_respects_variant() {
        let any_arm = Platform::parse("linux/arm").unwrap();
        assert!(any_arm.matches("linux", "arm", Some("v7")));
        let v6 = Platform::parse("linux/arm/v6").unwrap();
        assert!(!v6.matches("linux", "arm", Some("v7")));
        let arm64 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64.matches("linux", "arm64", None));
        assert!(!arm64.matches("windows", "arm64", None));
    }

    #[test]
    fn host_is_linux() {
        assert_eq!(Platform::host().os, "linux");
        assert!(!Platform::host().architecture.is_empty());
    }
}
