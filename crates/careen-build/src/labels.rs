//! The OCI annotations careen adds to every build: revision and source from
//! git (when git is installed and the context is in a repository), and the
//! creation time.

use crate::BuildError;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const REVISION: &str = "org.opencontainers.image.revision";
pub const CREATED: &str = "org.opencontainers.image.created";
pub const SOURCE: &str = "org.opencontainers.image.source";

/// `org.opencontainers.image.created`: `source_date_epoch` (the value of
/// `SOURCE_DATE_EPOCH`) when given, else `now`, as RFC 3339 UTC to the second.
pub fn created(source_date_epoch: Option<&str>, now: SystemTime) -> Result<String, BuildError> {
    let time = match source_date_epoch.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let seconds: u64 = text
                .parse()
                .map_err(|_| BuildError::InvalidSourceDateEpoch(text.to_owned()))?;
            UNIX_EPOCH
                .checked_add(Duration::from_secs(seconds))
                .ok_or_else(|| BuildError::InvalidSourceDateEpoch(text.to_owned()))?
        }
        None => now,
    };
    Ok(humantime::format_rfc3339_seconds(time).to_string())
}

/// A remote URL without credentials: the `user:password@` of a URL with a
/// scheme is dropped (`https://token@host/x` → `https://host/x`). scp-like
/// addresses (`git@host:x`) carry a login name, not a secret, and are kept.
pub fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{path}", &authority[at + 1..]),
        None => url.to_owned(),
    }
}

/// Runs `git -C dir args…`; its trimmed stdout when it exits 0.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Revision (`-dirty` when tracked files changed) and source labels for a
/// context in a git repository; none when git is missing or it is not one.
pub fn git_labels(context: &Path) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let Some(head) = git(context, &["rev-parse", "HEAD"]).filter(|h| !h.is_empty()) else {
        return labels;
    };
    let dirty = git(context, &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    let revision = if dirty { format!("{head}-dirty") } else { head };
    labels.push((REVISION.to_owned(), revision));
    if let Some(url) = git(context, &["remote", "get-url", "origin"]).filter(|u| !u.is_empty()) {
        labels.push((SOURCE.to_owned(), strip_credentials(&url)));
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_times() {
        assert_eq!(
            created(Some("0"), SystemTime::now()).unwrap(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            created(Some("1700000000"), SystemTime::now()).unwrap(),
            "2023-11-14T22:13:20Z"
        );
        let now = UNIX_EPOCH + Duration::from_secs(86_400);
        assert_eq!(created(None, now).unwrap(), "1970-01-02T00:00:00Z");
        assert_eq!(created(Some(" "), now).unwrap(), "1970-01-02T00:00:00Z");
        assert!(created(Some("-5"), now).is_err());
        assert!(created(Some("yesterday"), now).is_err());
    }

    #[test]
    fn credentials_stripped() {
        assert_eq!(
            strip_credentials("https://user:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("https://tok@en@host/x@y"),
            "https://host/x@y"
        );
        assert_eq!(
            strip_credentials("https://github.com/o/r"),
            "https://github.com/o/r"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(strip_credentials("ssh://git@host:22/r"), "ssh://host:22/r");
    }

    #[test]
    fn git_repository_labels() {
        let dir = tempfile::tempdir().unwrap();
        assert!(git_labels(dir.path()).is_empty() || which_git_sees_parent(dir.path()));
        let run = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@t")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@t")
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "git {args:?}");
        };
        if Command::new("git").arg("--version").output().is_err() {
            return; // no git: nothing to label
        }
        run(&["init", "-q"]);
        std::fs::write(dir.path().join("f"), "1").unwrap();
        run(&["add", "f"]);
        run(&["commit", "-q", "-m", "x"]);
        run(&[
            "remote",
            "add",
            "origin",
            "https://me:secret@example.com/r.git",
        ]);
        let labels = git_labels(dir.path());
        let head = git(dir.path(), &["rev-parse", "HEAD"]).unwrap();
        assert_eq!(labels[0], (REVISION.to_owned(), head.clone()));
        assert_eq!(
            labels[1],
            (SOURCE.to_owned(), "https://example.com/r.git".to_owned())
        );
        std::fs::write(dir.path().join("f"), "2").unwrap();
        assert_eq!(git_labels(dir.path())[0].1, format!("{head}-dirty"));
    }

    fn which_git_sees_parent(dir: &Path) -> bool {
        git(dir, &["rev-parse", "--show-toplevel"]).is_some()
    }
}
