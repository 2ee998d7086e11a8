//! careen-vuln: vulnerabilities from OSV data on disk.
pub mod version;
