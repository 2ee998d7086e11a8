//! `.dockerignore` matching checked against the expectations of
//! moby/patternmatcher's own tests (re-expressed as tables here) and against
//! typical real-world files.

use careen_dockerfile::dockerignore::{DockerIgnore, IgnoreError};

fn rules(patterns: &[&str]) -> DockerIgnore {
    DockerIgnore::from_patterns(patterns)
        .unwrap_or_else(|error| panic!("patterns {patterns:?} refused: {error}"))
}

/// moby's deprecated `Matches(file, patterns)` entry point cleans the path
/// and never ignores the context root; the checks below use that framing.
fn matches_cleaned(path: &str, patterns: &[&str]) -> Result<bool, IgnoreError> {
    let rules = DockerIgnore::from_patterns(patterns)?;
    let cleaned = clean(path);
    Ok(cleaned != "." && rules.is_ignored(&cleaned))
}

fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// `TestMatches` in patternmatcher_test.go: one pattern, one raw path, matched
/// with `MatchesOrParentMatches` (paths are not cleaned: `file/` and `/` occur).
#[test]
fn moby_single_pattern_table() {
    let table: &[(&str, &str, bool)] = &[
        ("**", "file", true),
        ("**", "file/", true),
        ("**/", "file", true),
        ("**/", "file/", true),
        ("**", "/", true),
        ("**/", "/", true),
        ("**", "dir/file", true),
        ("**/", "dir/file", true),
        ("**", "dir/file/", true),
        ("**/", "dir/file/", true),
        ("**/**", "dir/file", true),
        ("**/**", "dir/file/", true),
        ("dir/**", "dir/file", true),
        ("dir/**", "dir/file/", true),
        ("dir/**", "dir/dir2/file", true),
        ("dir/**", "dir/dir2/file/", true),
        ("**/dir", "dir", true),
        ("**/dir", "dir/file", true),
        ("**/dir2/*", "dir/dir2/file", true),
        ("**/dir2/*", "dir/dir2/file/", true),
        ("**/dir2/**", "dir/dir2/dir3/file", true),
        ("**/dir2/**", "dir/dir2/dir3/file/", true),
        ("**file", "file", true),
        ("**file", "dir/file", true),
        ("**/file", "dir/file", true),
        ("**file", "dir/dir/file", true),
        ("**/file", "dir/dir/file", true),
        ("**/file*", "dir/dir/file", true),
        ("**/file*", "dir/dir/file.txt", true),
        ("**/file*txt", "dir/dir/file.txt", true),
        ("**/file*.txt", "dir/dir/file.txt", true),
        ("**/file*.txt*", "dir/dir/file.txt", true),
        ("**/**/*.txt", "dir/dir/file.txt", true),
        ("**/**/*.txt2", "dir/dir/file.txt", false),
        ("**/*.txt", "file.txt", true),
        ("**/**/*.txt", "file.txt", true),
        ("a**/*.txt", "a/file.txt", true),
        ("a**/*.txt", "a/dir/file.txt", true),
        ("a**/*.txt", "a/dir/dir/file.txt", true),
        ("a/*.txt", "a/dir/file.txt", false),
        ("a/*.txt", "a/file.txt", true),
        ("a/*.txt**", "a/file.txt", true),
        ("a[b-d]e", "ae", false),
        ("a[b-d]e", "ace", true),
        ("a[b-d]e", "aae", false),
        ("a[^b-d]e", "aze", true),
        (".*", ".foo", true),
        (".*", "foo", false),
        ("abc.def", "abcdef", false),
        ("abc.def", "abc.def", true),
        ("abc.def", "abcZdef", false),
        ("abc?def", "abcZdef", true),
        ("abc?def", "abcdef", false),
        ("a\\\\", "a\\", true),
        ("**/foo/bar", "foo/bar", true),
        ("**/foo/bar", "dir/foo/bar", true),
        ("**/foo/bar", "dir/dir2/foo/bar", true),
        ("abc/**", "abc", false),
        ("abc/**", "abc/def", true),
        ("abc/**", "abc/def/ghi", true),
        ("**/.foo", ".foo", true),
        ("**/.foo", "bar.foo", false),
        ("a(b)c/def", "a(b)c/def", true),
        ("a(b)c/def", "a(b)c/xyz", false),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
        (
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            true,
        ),
        (
            "dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            true,
        ),
        ("a\\*b", "a*b", true),
    ];
    let mut failures = Vec::new();
    for &(pattern, path, expected) in table {
        match DockerIgnore::from_patterns(&[pattern]) {
            Ok(rules) if rules.is_ignored(path) == expected => {}
            Ok(_) => failures.push(format!("{pattern:?} on {path:?} should be {expected}")),
            Err(error) => failures.push(format!("{pattern:?} refused: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn moby_multi_pattern_table() {
    let wheel = "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl";
    let exact_exception = format!("!{wheel}");
    let table: &[(&[&str], &str, bool)] = &[
        (&["**", "!util/docker/web"], "util/docker/web/foo", false),
        (
            &["**", "!util/docker/web", "util/docker/web/foo"],
            "util/docker/web/foo",
            true,
        ),
        (&["**", exact_exception.as_str()], wheel, false),
        (&["**", "!dist/*.whl"], wheel, false),
    ];
    for &(patterns, path, expected) in table {
        assert_eq!(
            rules(patterns).is_ignored(path),
            expected,
            "{patterns:?} on {path:?}"
        );
    }
}

/// The small `Test*` functions at the top of patternmatcher_test.go.
#[test]
fn moby_simple_cases() {
    assert_eq!(matches_cleaned("fileutils.go", &["*"]), Ok(true));
    assert_eq!(matches_cleaned("fileutils.go", &["*.go"]), Ok(true));
    assert_eq!(
        matches_cleaned("fileutils.go", &["!fileutils.go", "*.go"]),
        Ok(true)
    );
    assert_eq!(
        matches_cleaned("docs/README.md", &["docs", "!docs/README.md"]),
        Ok(false)
    );
    assert_eq!(
        matches_cleaned("docs/README.md", &["docs/", "!docs/README.md"]),
        Ok(false)
    );
    assert_eq!(
        matches_cleaned("docs/README.md", &["docs/*", "!docs/README.md"]),
        Ok(false)
    );
    assert_eq!(
        matches_cleaned("fileutils.go", &["*.go", "!fileutils.go"]),
        Ok(false)
    );
    assert_eq!(matches_cleaned(".", &["*.go"]), Ok(false));
    assert!(matches_cleaned("fileutils.go", &["!"]).is_err());
    assert_eq!(matches_cleaned("/any/path/there", &[]), Ok(false));
    assert!(matches_cleaned("/any/path/there", &["["]).is_err());
}

#[test]
fn moby_pattern_cleaning() {
    let parsed = rules(&["docs", "config", ""]);
    assert_eq!(parsed.patterns.len(), 2);
    let parsed = rules(&["docs", "  !docs/README.md"]);
    assert!(parsed.has_exclusions());
    let parsed = rules(&["docs", "!docs/README.md  "]);
    assert!(parsed.has_exclusions());
    assert_eq!(parsed.patterns[1].text, "docs/README.md");
}

/// Go's filepath.Match cases that patternmatcher_test.go reuses (`TestMatch`):
/// pattern, path, expected match, expected syntax error.
#[test]
fn moby_filepath_match_table() {
    let table: &[(&str, &str, bool, bool)] = &[
        ("abc", "abc", true, false),
        ("*", "abc", true, false),
        ("*c", "abc", true, false),
        ("a*", "a", true, false),
        ("a*", "abc", true, false),
        ("a*", "ab/c", true, false),
        ("a*/b", "abc/b", true, false),
        ("a*/b", "a/c/b", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true, false),
        ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
        ("ab[c]", "abc", true, false),
        ("ab[b-d]", "abc", true, false),
        ("ab[e-g]", "abc", false, false),
        ("ab[^c]", "abc", false, false),
        ("ab[^b-d]", "abc", false, false),
        ("ab[^e-g]", "abc", true, false),
        ("a\\*b", "a*b", true, false),
        ("a\\*b", "ab", false, false),
        ("a?b", "a☺b", true, false),
        ("a[^a]b", "a☺b", true, false),
        ("a???b", "a☺b", false, false),
        ("a[^a][^a][^a]b", "a☺b", false, false),
        ("[a-ζ]*", "α", true, false),
        ("*[a-ζ]", "A", false, false),
        ("a?b", "a/b", false, false),
        ("a*b", "a/b", false, false),
        ("[\\]a]", "]", true, false),
        ("[\\-]", "-", true, false),
        ("[x\\-]", "x", true, false),
        ("[x\\-]", "-", true, false),
        ("[x\\-]", "z", false, false),
        ("[\\-x]", "x", true, false),
        ("[\\-x]", "-", true, false),
        ("[\\-x]", "a", false, false),
        ("[]a]", "]", false, true),
        ("[-]", "-", false, true),
        ("[x-]", "x", false, true),
        ("[x-]", "-", false, true),
        ("[x-]", "z", false, true),
        ("[-x]", "x", false, true),
        ("[-x]", "-", false, true),
        ("[-x]", "a", false, true),
        ("\\", "a", false, true),
        ("[a-b-c]", "a", false, true),
        ("[", "a", false, true),
        ("[^", "a", false, true),
        ("[^bc", "a", false, true),
        ("a[", "a", false, true),
        ("a[", "ab", false, true),
        ("*x", "xxx", true, false),
    ];
    let mut failures = Vec::new();
    for &(pattern, path, expected, syntax_error) in table {
        match (matches_cleaned(path, &[pattern]), syntax_error) {
            (Err(IgnoreError::BadPattern { .. }), true) => {}
            (Ok(got), false) if got == expected => {}
            (got, _) => failures.push(format!(
                "{pattern:?} on {path:?}: got {got:?}, want match={expected} error={syntax_error}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// `TestReadAll` in ignorefile_test.go, plus the lone `!` BuildKit then refuses.
#[test]
fn moby_read_all() {
    let text =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
    let parsed = DockerIgnore::parse(text).unwrap();
    let got: Vec<String> = parsed
        .patterns
        .iter()
        .map(|p| format!("{}{}", if p.exclusion { "!" } else { "" }, p.text))
        .collect();
    assert_eq!(
        got,
        [
            "test1",
            "test2",
            "a/file/here",
            "lastfile",
            "!inverted/abs/path"
        ]
    );
    assert_eq!(
        DockerIgnore::parse(&format!("{text}!\n! ")).unwrap_err(),
        IgnoreError::LoneExclamation { line: 8 }
    );
}

#[test]
fn typical_node_project() {
    let parsed = DockerIgnore::parse(
        "# deps\nnode_modules\nnpm-debug.log*\n.git\n.env*\n!.env.example\ndist/\ncoverage\n*.md\n!README.md\n",
    )
    .unwrap();
    for (path, ignored) in [
        ("node_modules", true),
        ("node_modules/lodash/index.js", true),
        ("packages/a/node_modules/x", false), // not anchored anywhere but the root
        ("npm-debug.log.1", true),
        (".git/HEAD", true),
        (".gitignore", false),
        (".env", true),
        (".env.local", true),
        (".env.example", false),
        ("dist/main.js", true),
        ("coverage/lcov.info", true),
        ("CHANGELOG.md", true),
        ("README.md", false),
        ("docs/guide.md", false), // `*` does not cross `/`
        ("src/index.js", false),
        ("package.json", false),
    ] {
        assert_eq!(parsed.is_ignored(path), ignored, "{path}");
    }
    let decided = parsed.matching_pattern("README.md").unwrap();
    assert!(decided.exclusion);
    assert_eq!(decided.text, "README.md");
    assert_eq!(decided.line, 10);
}

#[test]
fn typical_python_project() {
    let parsed = DockerIgnore::parse(
        "**/__pycache__\n**/*.pyc\n/.venv\n.pytest_cache/\n*.egg-info\n**/.DS_Store\n",
    )
    .unwrap();
    for (path, ignored) in [
        ("__pycache__/a.cpython-312.pyc", true),
        ("pkg/sub/__pycache__/x.pyc", true),
        ("app.pyc", true),
        ("pkg/mod.pyc", true),
        ("pkg/mod.py", false),
        (".venv/bin/python", true),
        ("sub/.venv/bin/python", false),
        (".pytest_cache/v/cache", true),
        ("mypkg.egg-info/PKG-INFO", true),
        ("a/b/.DS_Store", true),
    ] {
        assert_eq!(parsed.is_ignored(path), ignored, "{path}");
    }
}

#[test]
fn exclude_everything_but() {
    let parsed = DockerIgnore::parse("*\n!src\n!package.json\nsrc/**/*.test.js\n").unwrap();
    for (path, ignored) in [
        ("Dockerfile", true),
        ("secrets/key", true),
        ("src", false),
        ("src/index.js", false),
        ("src/lib/a.test.js", true),
        ("src/a.test.js", true),
        ("package.json", false),
    ] {
        assert_eq!(parsed.is_ignored(path), ignored, "{path}");
    }
}

#[test]
fn buildkit_pattern_quirks() {
    // `a**b` is `a(.*/)?b`: it crosses directories but not within a name.
    let parsed = rules(&["a**b"]);
    assert!(parsed.is_ignored("ab"));
    assert!(parsed.is_ignored("a/x/b"));
    assert!(!parsed.is_ignored("axb"));
    // A leading `**` without `/` is a plain suffix test.
    assert!(rules(&["**file"]).is_ignored("xfile"));
    // `..` in a pattern is cleaned away; a leading `/` is dropped.
    assert!(rules(&["a/../b"]).is_ignored("b"));
    assert!(DockerIgnore::parse("/abs/x\n")
        .unwrap()
        .is_ignored("abs/x/y"));
}

#[test]
fn many_paths_are_fast() {
    let parsed = DockerIgnore::parse("**/node_modules\n**/*.log\n!keep.log\nbuild/**\n").unwrap();
    let deep = (0..50)
        .map(|i| format!("d{i}"))
        .collect::<Vec<_>>()
        .join("/");
    let start = std::time::Instant::now();
    for i in 0..20_000 {
        let _ = parsed.is_ignored(&format!("{deep}/f{i}.txt"));
    }
    assert!(
        start.elapsed().as_secs() < 20,
        "too slow: {:?}",
        start.elapsed()
    );
}
