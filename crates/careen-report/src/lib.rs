//! careen-report
