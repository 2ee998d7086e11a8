//! container-structure-test v2 suites.
