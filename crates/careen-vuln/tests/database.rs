//! Import real-format OSV records (a directory and an `all.zip` made here), then match.

use std::io::Write;
use std::path::{Path, PathBuf};

use careen_vuln::{import, Database, Ecosystem, LoadedFrom, PackageQuery, Severity, VulnError};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn debian(name: &str, version: &str, source: Option<(&str, &str)>, release: &str) -> PackageQuery {
    let mut q = PackageQuery::new(Ecosystem::Debian, name, version);
    q.source_name = source.map(|s| s.0.to_string());
    q.source_version = source.map(|s| s.1.to_string());
    q.distro = Some(("debian".into(), release.into()));
    q.purl = Some(format!(
        "pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-{release}"
    ));
    q
}

fn open_imported(dir: &Path) -> Database {
    Database::open(dir).unwrap_or_else(|e| panic!("open: {e}"))
}

#[test]
fn import_directory_counts_and_skips_bad_records() {
    let db = tempdir();
    let stats = import(&fixtures(), db.path()).unwrap_or_else(|e| panic!("import: {e}"));
    assert_eq!(stats.documents, 7);
    assert_eq!(stats.advisories, 5);
    assert_eq!(stats.withdrawn, 1);
    assert_eq!(stats.malformed, 1);
    assert_eq!(stats.warnings.len(), 1);
    assert!(stats.warnings[0].source.ends_with("broken.json"));
    let database = open_imported(db.path());
    assert_eq!(database.advisory_count(), 5);
    // openssl, zlib, requests, semver, golang.org/x/net, stdlib
    assert_eq!(database.package_count(), 6);
}

#[test]
fn debian_matches_by_source_package_and_release() {
    let db = tempdir();
    import(&fixtures(), db.path()).unwrap_or_else(|e| panic!("import: {e}"));
    let database = open_imported(db.path());

    // libssl3 is built from openssl; the advisory names the source package.
    let q = debian(
        "libssl3",
        "3.0.11-1~deb12u2",
        Some(("openssl", "3.0.11-1~deb12u2")),
        "12",
    );
    let found = database.query(&q).unwrap_or_default();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, "DSA-5678-1");
    assert_eq!(found[0].fixed, vec!["3.0.13-1~deb12u1".to_string()]);
    assert_eq!(found[0].affected_ecosystem, "Debian:12");
    assert_eq!(found[0].package.name, "libssl3");

    // fixed version: clean
    let q = debian(
        "libssl3",
        "3.0.13-1~deb12u1",
        Some(("openssl", "3.0.13-1~deb12u1")),
        "12",
    );
    assert!(database.query(&q).unwrap_or_default().is_empty());

    // Debian 11's fix applies on 11 only: the same version on 11 is past the 11 fix.
    let q = debian(
        "libssl1.1",
        "1.1.1w-0+deb11u2",
        Some(("openssl", "1.1.1w-0+deb11u2")),
        "11",
    );
    assert!(database.query(&q).unwrap_or_default().is_empty());
    let q = debian(
        "libssl1.1",
        "1.1.1w-0+deb11u1",
        Some(("openssl", "1.1.1w-0+deb11u1")),
        "11.9",
    );
    let found = database.query(&q).unwrap_or_default();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fixed, vec!["1.1.1w-0+deb11u2".to_string()]);

    // binary name alone does not find the source-package advisory
    let q = debian("libssl3", "3.0.11-1~deb12u2", None, "12");
    assert!(database.query(&q).unwrap_or_default().is_empty());

    // unfixed, with Debian urgency as severity
    let q = debian(
        "zlib1g",
        "1:1.2.13.dfsg-1",
        Some(("zlib", "1:1.2.13.dfsg-1")),
        "12",
    );
    let found = database.query(&q).unwrap_or_default();
    assert_eq!(found.len(), 1);
    assert!(found[0].fixed.is_empty());
    assert_eq!(found[0].severity, Severity::Low);
}

#[test]
fn pypi_npm_go_ranges_versions_and_severity() {
    let db = tempdir();
    import(&fixtures(), db.path()).unwrap_or_else(|e| panic!("import: {e}"));
    let database = open_imported(db.path());

    // PyPI name normalisation and a CVSS v3.1 score
    let found = database
        .query(&PackageQuery::new(Ecosystem::PyPI, "Requests", "2.28.1"))
        .unwrap_or_default();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "PYSEC-2023-100");
    assert_eq!(found[0].score, Some(6.1));
    assert_eq!(found[0].severity, Severity::Medium);
    assert_eq!(found[0].fixed, vec!["2.31.0".to_string()]);
    assert!(database
        .query(&PackageQuery::new(Ecosystem::PyPI, "requests", "2.31.0"))
        .unwrap_or_default()
        .is_empty());

    // npm: three intervals; the fix reported is the one closing the version's interval
    let semver = |v: &str| {
        database
            .query(&PackageQuery::new(Ecosystem::Npm, "semver", v))
            .unwrap_or_default()
    };
    assert_eq!(semver("6.3.0")[0].fixed, vec!["6.3.1".to_string()]);
    assert_eq!(semver("7.5.1")[0].fixed, vec!["7.5.2".to_string()]);
    assert_eq!(semver("7.5.1")[0].score, Some(5.3));
    assert!(semver("6.3.1").is_empty());
    assert!(semver("7.6.0").is_empty());
    assert_eq!(
        semver("5.0.0").len(),
        1,
        "the withdrawn advisory must not match"
    );

    // Go: module with pseudo-version, stdlib with two intervals, CVSS v4 score
    let go = |name: &str, v: &str| {
        database
            .query(&PackageQuery::new(Ecosystem::Go, name, v))
            .unwrap_or_default()
    };
    let found = go("golang.org/x/net", "v0.0.0-20230101000000-abcdefabcdef");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].score, Some(8.7));
    assert_eq!(found[0].severity, Severity::High);
    assert!(go("golang.org/x/net", "v0.23.0").is_empty());
    assert_eq!(go("stdlib", "1.22.1")[0].fixed, vec!["1.22.2".to_string()]);
    assert!(go("stdlib", "1.21.9").is_empty());
    // no cross-ecosystem leak
    assert!(database
        .query(&PackageQuery::new(Ecosystem::PyPI, "semver", "1.0.0"))
        .unwrap_or_default()
        .is_empty());
}

fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipWriter::new(file);
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn all_zip_export_imports_and_raw_db_is_indexed_on_load() {
    let work = tempdir();
    let export = work.path().join("Debian");
    std::fs::create_dir_all(&export).unwrap_or_else(|e| panic!("{e}"));
    let zip_path = export.join("all.zip");
    let read = |p: &str| std::fs::read(fixtures().join(p)).unwrap_or_else(|e| panic!("{e}"));
    write_zip(
        &zip_path,
        &[
            ("DSA-5678-1.json", read("debian/DSA-5678-1.json")),
            (
                "DEBIAN-CVE-2023-0001.json",
                read("debian/DEBIAN-CVE-2023-0001.json"),
            ),
            ("README.txt", b"not json".to_vec()),
        ],
    );
    let db = work.path().join("db");
    let stats = import(&zip_path, &db).unwrap_or_else(|e| panic!("import zip: {e}"));
    assert_eq!(
        (stats.documents, stats.advisories, stats.malformed),
        (2, 2, 0)
    );
    let q = debian(
        "openssl",
        "3.0.11-1~deb12u2",
        Some(("openssl", "3.0.11-1~deb12u2")),
        "12",
    );
    assert_eq!(open_imported(&db).query(&q).unwrap_or_default().len(), 1);

    // --db pointing at the raw export: built into a cache, then reused
    let cache = work.path().join("cache");
    let (database, from) =
        Database::load(&export, Some(&cache)).unwrap_or_else(|e| panic!("load: {e}"));
    assert!(matches!(from, LoadedFrom::CacheBuilt(..)), "{from:?}");
    assert_eq!(database.query(&q).unwrap_or_default().len(), 1);
    let (_, from) = Database::load(&export, Some(&cache)).unwrap_or_else(|e| panic!("load: {e}"));
    assert!(matches!(from, LoadedFrom::CacheReused(..)), "{from:?}");
    // ... or in memory
    let (database, from) = Database::load(&export, None).unwrap_or_else(|e| panic!("load: {e}"));
    assert!(matches!(from, LoadedFrom::Memory(..)));
    assert_eq!(database.query(&q).unwrap_or_default().len(), 1);
    // ... and an index directory is opened as is
    let (_, from) = Database::load(&db, None).unwrap_or_else(|e| panic!("load: {e}"));
    assert!(matches!(from, LoadedFrom::Index(..)));
}

#[test]
fn zip_bomb_and_oversized_entries_are_bounded() {
    let work = tempdir();
    let zip_path = work.path().join("all.zip");
    // 64 MiB of zeros compresses to ~64 KiB
    let big = vec![b' '; 64 * 1024 * 1024];
    write_zip(
        &zip_path,
        &[
            ("huge.json", big.clone()),
            (
                "ok.json",
                std::fs::read(fixtures().join("npm/GHSA-c2qf-rxjj-qqgw.json")).unwrap_or_default(),
            ),
        ],
    );
    let limits = careen_vuln::ImportLimits {
        max_record_bytes: 1024 * 1024,
        ..Default::default()
    };
    let stats = careen_vuln::import_with(&zip_path, &work.path().join("db"), &limits)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((stats.oversized, stats.advisories), (1, 1));

    let limits = careen_vuln::ImportLimits {
        max_record_bytes: 128 * 1024 * 1024,
        max_zip_expanded_bytes: 16 * 1024 * 1024,
        ..Default::default()
    };
    let err = careen_vuln::import_with(&zip_path, &work.path().join("db2"), &limits);
    assert!(matches!(err, Err(VulnError::ZipTooLarge { .. })), "{err:?}");
}

#[test]
fn corrupt_index_is_a_typed_one_line_error() {
    let work = tempdir();
    let db = work.path().join("db");
    import(&fixtures(), &db).unwrap_or_else(|e| panic!("{e}"));
    let index = db.join("osv.idx");
    let bytes = std::fs::read(&index).unwrap_or_default();

    // truncated
    std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let err = Database::open(&db)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("corrupt") && !err.contains('\n'), "{err}");

    // garbage
    std::fs::write(&index, b"hello world, this is not an index at all..........................................................").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        Database::open(&db),
        Err(VulnError::CorruptIndex { .. })
    ));

    // a damaged record: header intact, JSON bytes flipped
    let mut damaged = bytes.clone();
    for b in damaged.iter_mut().skip(96).take(200) {
        *b = b'#';
    }
    std::fs::write(&index, &damaged).unwrap_or_else(|e| panic!("{e}"));
    let database = open_imported(&db);
    let mut any_error = false;
    for (eco, name) in [
        (Ecosystem::Debian, "openssl"),
        (Ecosystem::Debian, "zlib"),
        (Ecosystem::Go, "stdlib"),
        (Ecosystem::Npm, "semver"),
        (Ecosystem::PyPI, "requests"),
    ] {
        if let Err(e) = database.query(&PackageQuery::new(eco, name, "1")) {
            assert!(matches!(e, VulnError::CorruptIndex { .. }), "{e}");
            any_error = true;
        }
    }
    assert!(any_error);

    // missing
    assert!(matches!(
        Database::open(&work.path().join("nope")),
        Err(VulnError::NoSource { .. })
    ));
}

#[test]
fn ignore_file_and_vex_filter_matches() {
    let db = tempdir();
    import(&fixtures(), db.path()).unwrap_or_else(|e| panic!("import: {e}"));
    let database = open_imported(db.path());
    let queries = [
        debian(
            "libssl3",
            "3.0.11-1~deb12u2",
            Some(("openssl", "3.0.11-1~deb12u2")),
            "12",
        ),
        PackageQuery::new(Ecosystem::Npm, "semver", "7.5.1"),
    ];
    let matches = database.query_all(&queries).unwrap_or_default();
    assert_eq!(matches.len(), 2);
    assert!(careen_vuln::fails_on(&matches, Severity::Medium));
    assert!(!careen_vuln::fails_on(&matches, Severity::High));

    let (ignore, _) = careen_vuln::ignore::IgnoreList::parse("CVE-2022-25883\n");
    let today = careen_vuln::ignore::Date::today_utc();
    let (kept, ignored) = ignore.apply(matches.clone(), today);
    assert_eq!((kept.len(), ignored.len()), (1, 1));
    assert_eq!(ignored[0].id, "GHSA-c2qf-rxjj-qqgw");

    let mut vex = careen_vuln::vex::VexSet::default();
    vex.add_json(
        r#"{"statements":[{"vulnerability":{"name":"CVE-2024-2511"},"products":[{"@id":"pkg:deb/debian/libssl3"}],"status":"not_affected"}]}"#,
        Path::new("test.vex.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (kept, suppressed) = vex.apply(kept);
    assert!(kept.is_empty());
    assert_eq!(suppressed[0].id, "DSA-5678-1");

    let json = serde_json::to_value(&suppressed[0]).unwrap_or_default();
    assert_eq!(json["package"]["type"], "deb");
    assert_eq!(json["severity"], "UNKNOWN");
    assert_eq!(json["fixed"][0], "3.0.13-1~deb12u1");
}
