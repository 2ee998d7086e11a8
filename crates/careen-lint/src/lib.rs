//! careen-lint
