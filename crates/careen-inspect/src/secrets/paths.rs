//! Which files the secret scan reads: not the noise paths (distribution docs, locales,
//! certificate bundles, test suites of installed packages, which are full of example keys),
//! not files whose name says they are binary, and not files whose first bytes are binary.

/// Directory prefixes (image paths, no leading `/`) that are never scanned for secrets.
///
/// Why each: distribution documentation, man pages, locales and timezone data are text
/// written by the distribution, not the image's author; `ca-certificates` and `etc/ssl/certs`
/// hold public certificates only; `usr/share/perl*` and `usr/lib/python3*/test` are the
/// language's own test data and POD.
const NOISE_PREFIXES: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/i18n/",
    "usr/share/zoneinfo/",
    "usr/share/ca-certificates/",
    "usr/share/mime/",
    "usr/share/common-licenses/",
    "usr/share/perl/",
    "usr/share/perl5/",
    "usr/share/lintian/",
    "usr/share/bash-completion/",
    "usr/share/zsh/",
    "usr/share/vim/",
    "usr/share/X11/",
    "usr/share/terminfo/",
    "usr/lib/terminfo/",
    "etc/ssl/certs/",
    "etc/pki/ca-trust/",
    "etc/ca-certificates/",
    "var/lib/dpkg/",
    "var/lib/apt/lists/",
    "var/cache/",
    "lib/apk/db/",
    "usr/include/",
    "proc/",
    "sys/",
];

/// Directory names anywhere in a path below which files are test data of an installed
/// package (`site-packages/x/tests/…`, `node_modules/x/test/…`, `testdata/`): those ship fake
/// keys on purpose. Only skipped when the path also runs through `site-packages`,
/// `dist-packages`, `node_modules`, a Go module cache, or a Python standard library, so an
/// application's own `tests/` directory is still scanned.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "__tests__",
    "fixtures",
];

const PACKAGE_ROOTS: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "vendor",
    "pkg/mod",
];

/// Is `path` (image path without a leading `/`) one the secret scan skips?
pub fn is_noise_path(path: &str) -> bool {
    if NOISE_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return true;
    }
    // Package metadata embeds the package's README, examples included.
    if path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") {
        return true;
    }
    let components: Vec<&str> = path.split('/').collect();
    let Some((_, dirs)) = components.split_last() else {
        return false;
    };
    let is_python_stdlib = components.len() > 3
        && matches!(components.first(), Some(&"usr"))
        && components
            .get(1..3)
            .is_some_and(|c| (c[0] == "lib" || c[0] == "local") && c[1].starts_with("python"))
        || path.starts_with("usr/local/lib/python");
    let below_package = PACKAGE_ROOTS.iter().any(|root| path.contains(root)) || is_python_stdlib;
    below_package && dirs.iter().any(|d| TEST_DIRS.contains(d))
}

/// Is `path` installed library code (Python packages and standard library, `node_modules`,
/// Ruby gems, Go's toolchain, `usr/share`)? The generic `password = "…"` rule is not run there:
/// libraries are full of example values in docstrings and code, and they do not hold the
/// image author's secrets. The detectors for tokens of a known shape still run.
pub fn is_library_path(path: &str) -> bool {
    [
        "/site-packages/",
        "/dist-packages/",
        "/node_modules/",
        "/gems/",
    ]
    .iter()
    .any(|p| path.contains(p))
        || [
            "usr/lib/python",
            "usr/local/lib/python",
            "usr/share/",
            "usr/local/go/",
            "usr/lib/go",
            "usr/lib/ruby",
            "usr/lib/node_modules/",
        ]
        .iter()
        .any(|p| path.starts_with(p))
}

/// File extensions (lower case) of formats that are binary or compressed: never read.
const BINARY_EXTENSIONS: &[&str] = &[
    "so",
    "a",
    "o",
    "ko",
    "pyc",
    "pyo",
    "whl",
    "egg",
    "zip",
    "jar",
    "war",
    "ear",
    "class",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zst",
    "lz4",
    "7z",
    "rar",
    "tar",
    "deb",
    "rpm",
    "apk",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "bmp",
    "ico",
    "webp",
    "tif",
    "tiff",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "eot",
    "pdf",
    "mo",
    "db",
    "sqlite",
    "sqlite3",
    "wasm",
    "node",
    "pack",
    "idx",
    "bin",
    "dat",
    "cache",
    "mp3",
    "mp4",
    "wav",
    "ogg",
    "avi",
    "mov",
    "pickle",
    "pkl",
    "npy",
    "npz",
    "pt",
    "onnx",
    "safetensors",
    "h5",
    "gguf",
    "dll",
    "exe",
    "dylib",
    "rlib",
    "rmeta",
    "lib",
];

/// Does `path`'s name say it is binary (`libssl.so.3`, `x.pyc`, `font.woff2`)?
pub fn is_binary_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains(".so.") {
        return true;
    }
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    BINARY_EXTENSIONS.contains(&ext.as_str())
}

/// Magic numbers of binary formats that can look like text in their first bytes.
const MAGIC: &[&[u8]] = &[
    b"\x7fELF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
    b"BZh",
    b"\xfd7zXZ",
    b"%PDF",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
    b"SQLite format 3",
    b"!<arch>",
    b"RIFF",
    b"wOFF",
    b"wOF2",
];

/// How many first bytes [`is_binary`] looks at.
pub const SNIFF_BYTES: usize = 8192;

/// Is `head` (the first bytes of a file, up to [`SNIFF_BYTES`]) binary: a known magic number
/// or a NUL byte?
pub fn is_binary(head: &[u8]) -> bool {
    MAGIC.iter().any(|m| head.starts_with(m))
        || memchr::memchr(0, &head[..head.len().min(SNIFF_BYTES)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_paths() {
        assert!(is_noise_path("usr/share/doc/openssl/README"));
        assert!(is_noise_path("etc/ssl/certs/ca-certificates.crt"));
        assert!(is_noise_path(
            "usr/lib/python3/dist-packages/cryptography/tests/x.pem"
        ));
        assert!(is_noise_path(
            "usr/local/lib/python3.12/site-packages/jwt/tests/keys/priv.pem"
        ));
        assert!(is_noise_path("usr/lib/python3.11/test/keycert.pem"));
        assert!(is_noise_path(
            "usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO"
        ));
        assert!(is_noise_path("app/node_modules/jsonwebtoken/test/priv.pem"));
        // An application's own files and tests are scanned.
        assert!(!is_noise_path("app/tests/settings.py"));
        assert!(!is_noise_path("app/.env"));
        assert!(!is_noise_path("root/.ssh/id_rsa"));
        assert!(!is_noise_path(
            "usr/local/lib/python3.12/site-packages/app/settings.py"
        ));
    }

    #[test]
    fn library_paths() {
        assert!(is_library_path("usr/lib/python3.11/email/x.py"));
        assert!(is_library_path("app/node_modules/a/index.js"));
        assert!(!is_library_path("app/settings.py"));
        assert!(!is_library_path("app/.env"));
    }

    #[test]
    fn binary_names_and_heads() {
        assert!(is_binary_name("usr/lib/x86_64-linux-gnu/libssl.so.3"));
        assert!(is_binary_name("a/b.PYC"));
        assert!(!is_binary_name("app/config.yaml"));
        assert!(!is_binary_name("Makefile"));
        assert!(is_binary(b"\x7fELF\x02\x01\x01"));
        assert!(is_binary(b"password=abc\0def"));
        assert!(!is_binary(b"password=abc"));
        assert!(!is_binary(b""));
    }
}
