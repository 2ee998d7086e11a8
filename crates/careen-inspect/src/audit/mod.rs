//! Image audit checks (config, history and filesystem).
