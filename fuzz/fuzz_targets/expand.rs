#![no_main]
//! Any text: BuildKit word expansion must return Ok or Err, never panic or
//! hang, with both escape tokens and every lexer option, against a small
//! fixed environment.
//!
//! The first byte picks the options; the rest is the word.

use careen_dockerfile::expand::Lexer;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static ENV: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    [
        ("A", "a"),
        ("EMPTY", ""),
        ("SPACES", " a  b\tc "),
        ("X", "0123456789"),
        ("Q", "'\"\\`$"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("U", "héllo wörld ✓"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&opts, rest)) = data.split_first() else {
        return;
    };
    let Ok(word) = std::str::from_utf8(rest) else {
        return;
    };
    let lexer = Lexer {
        escape: if opts & 1 == 0 { '\\' } else { '`' },
        raw_quotes: opts & 2 != 0,
        raw_escapes: opts & 4 != 0,
        skip_process_quotes: opts & 8 != 0,
        skip_unset_env: opts & 16 != 0,
    };
    let env: &BTreeMap<String, String> = &ENV;
    let one = lexer.process_word(word, env);
    let many = lexer.process_words(word, env);
    // Both entry points scan the same way, so they fail together.
    assert_eq!(one.is_ok(), many.is_ok(), "{one:?} / {many:?}");
    if let Ok(e) = &one {
        for name in e.matched.iter() {
            assert!(env.contains_key(name), "{name} matched but unset");
        }
        for name in e.unmatched.iter() {
            assert!(!env.contains_key(name), "{name} unmatched but set");
        }
    }
    let _ = lexer.process_word(word, &());
    let _ = careen_dockerfile::expand::unquote(word, lexer.escape);
});
