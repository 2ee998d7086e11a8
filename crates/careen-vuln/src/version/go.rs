//! Go module version ordering: semantic versions with a `v` prefix.
//!
//! Pseudo-versions (`v0.0.0-20210101000000-abcdef123456`, `vX.Y.(Z+1)-0.yyyymmddhhmmss-hash`,
//! `vX.Y.Z-pre.0.yyyymmddhhmmss-hash`) are pre-releases by construction, so plain
//! semver precedence already orders them below the release they lead up to and by
//! their timestamp among themselves. `+incompatible` is build metadata and ignored.
//! The Go standard library (`stdlib`, `toolchain`) is versioned the same way in OSV.

use std::cmp::Ordering;

/// Compares two Go module versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::semver::compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_versions_order_by_time_and_before_release() {
        assert_eq!(
            compare(
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                "v0.0.0-20210101000000-bbbbbbbbbbbb"
            ),
            Ordering::Less
        );
        assert_eq!(
            compare("v1.2.4-0.20200101000000-aaaaaaaaaaaa", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(
            compare("v1.2.4-0.20200101000000-aaaaaaaaaaaa", "v1.2.3"),
            Ordering::Greater
        );
    }

    #[test]
    fn incompatible_is_build_metadata() {
        assert_eq!(compare("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert_eq!(compare("v2.0.1+incompatible", "v2.0.0"), Ordering::Greater);
    }
}
