#![no_main]
//! Any text: the RUN-script shell parser must never panic or hang, every
//! range must lie in the script on char boundaries with `raw` equal to the
//! text it covers, and the command-view helpers must not panic either.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let script = careen_dockerfile::shell::parse(src);
    for c in &script.commands {
        assert!(c.range.start <= c.range.end && src.get(c.range.clone()).is_some());
        assert!(c.depth <= 65);
        for w in c.assignments.iter().chain(&c.words).chain(&c.redirects) {
            assert_eq!(src.get(w.range.clone()), Some(w.raw.as_str()), "{w:?}");
        }
        assert_eq!(c.redirects.len() % 2, 0);
        let e = c.effective();
        let _ = e.has_option(&['y', 'q'], &["yes"]);
        let _ = e.positional_args(&["-o", "--output"]);
        let _ = e.subcommand();
        let _ = e.option_value(&["-o", "--output"]);
        let _ = c.shell_c_script();
    }
    for p in &script.pipes {
        assert!(src.get(p.clone()).is_some_and(|t| t.starts_with('|')));
    }
    let _ = script.commands_named("apt-get").count();
});
