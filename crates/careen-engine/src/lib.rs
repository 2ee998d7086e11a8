//! Running container images daemonless: careen's own layer unpacker ([`bundle`]), OCI runtime
//! bundles run under runc ([`runtime`]) and container-structure-test v2 suites ([`structure`]).

pub mod bundle;
pub mod checks;
pub mod error;
pub mod probe;
pub mod runtime;
pub mod structure;

pub use error::EngineError;
