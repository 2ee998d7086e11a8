//! careen-vuln: vulnerabilities from OSV data on disk.
//!
//! - [`import`] turns OSV JSON files or `all.zip` exports into a compact index
//!   (format in [`index`](crate) docs: `osv.idx`), [`Database::open`] opens it and
//!   [`Database::query`] matches installed packages ([`PackageQuery`] → [`Match`]).
//! - [`Database::load`] also accepts raw OSV data (indexed into a cache dir or memory).
//! - [`version`]: ordering per ecosystem; [`cvss`]: v3.x / v4.0 base scores;
//!   [`severity`]: bands and `--fail-on`; [`ignore`]: `.trivyignore`; [`vex`]: OpenVEX.

pub mod cvss;
mod database;
mod ecosystem;
mod error;
pub mod ignore;
mod import;
mod index;
mod matcher;
mod osv;
pub mod severity;
pub mod version;
pub mod vex;

pub use database::{Database, LoadedFrom};
pub use ecosystem::Ecosystem;
pub use error::{Result, VulnError};
pub use import::{import, import_with, ImportLimits, ImportStats, ImportWarning};
pub use matcher::{Match, PackageQuery};
pub use severity::{any_at_or_above, Severity};

/// `--fail-on`: whether any match is at or above `threshold`.
pub fn fails_on(matches: &[Match], threshold: Severity) -> bool {
    any_at_or_above(matches.iter().map(|m| m.severity), threshold)
}
