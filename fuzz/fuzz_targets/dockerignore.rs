#![no_main]
//! Any text as a `.dockerignore`: parsing must return Ok or Err, and matching
//! paths derived from the input (each line, its pieces, its parents) must
//! never panic or hang.

use careen_dockerfile::dockerignore::DockerIgnore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ignore) = DockerIgnore::parse(text) else {
        return;
    };
    let _ = ignore.has_exclusions();
    let mut paths: Vec<String> = vec![
        String::new(),
        ".".into(),
        "Dockerfile".into(),
        ".dockerignore".into(),
        "a/b/c.txt".into(),
        "node_modules/x/y.js".into(),
    ];
    for line in text.lines().take(16) {
        let trimmed = line.trim().trim_start_matches('!').trim_matches('/');
        paths.push(trimmed.to_string());
        paths.push(trimmed.replace(['*', '?', '[', ']'], "x"));
        let mut parent = trimmed;
        while let Some((head, _)) = parent.rsplit_once('/') {
            paths.push(head.to_string());
            parent = head;
        }
        paths.push(format!("{trimmed}/child"));
    }
    for path in &paths {
        let ignored = ignore.is_ignored(path);
        let decided = ignore.matching_pattern(path);
        assert_eq!(ignored, decided.is_some_and(|p| !p.exclusion), "{path:?}");
    }
});
