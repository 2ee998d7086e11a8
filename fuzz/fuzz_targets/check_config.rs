#![no_main]
//! Any text as `careen.toml`: `Config::parse` returns a config or an error that names a line and
//! column inside the text, never panics; a parsed config's budgets evaluate over empty facts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match careen_check::Config::parse(text, "careen.toml") {
        Ok(config) => {
            let _ = careen_check::evaluate(&config.budgets(), &careen_check::Facts::default());
        }
        Err(careen_check::ConfigError::Invalid { line, column, .. }) => {
            assert!(line >= 1 && column >= 1, "position {line}:{column}");
            assert!(line <= text.lines().count().max(1) + 1, "line {line} past the end");
        }
        Err(_) => {}
    }
});
