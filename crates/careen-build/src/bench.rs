//! `--bench`: the source file a warm build is timed against, touched and
//! restored.

use crate::BuildError;
use careen_dockerfile::dockerignore::DockerIgnore;
use std::fs::{File, FileTimes};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The most recently modified regular file of `context` that is sent to the
/// builder (not matched by its `.dockerignore`, not under `.git`). The
/// `.dockerignore` itself and an unreadable one count as no patterns.
pub fn newest_source_file(context: &Path) -> Option<PathBuf> {
    let ignore = std::fs::read_to_string(context.join(".dockerignore"))
        .ok()
        .and_then(|text| DockerIgnore::parse(&text).ok());
    walkdir::WalkDir::new(context)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| entry.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| {
            let Ok(rel) = entry.path().strip_prefix(context) else {
                return false;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            ignore
                .as_ref()
                .is_none_or(|ignore| !ignore.is_ignored(&rel))
        })
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.into_path()))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
        .map(|(_, path)| path)
}

/// A file whose modification time was set to now; the old time is put back
/// when this is dropped.
#[derive(Debug)]
pub struct Touched {
    path: PathBuf,
    accessed: SystemTime,
    modified: SystemTime,
}

/// Sets `path`'s modification time to now.
pub fn touch(path: &Path) -> Result<Touched, BuildError> {
    let io = |source| BuildError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let touched = Touched {
        path: path.to_owned(),
        accessed: meta.accessed().map_err(io)?,
        modified: meta.modified().map_err(io)?,
    };
    let now = SystemTime::now();
    set_times(path, now, now).map_err(io)?;
    Ok(touched)
}

fn set_times(path: &Path, accessed: SystemTime, modified: SystemTime) -> std::io::Result<()> {
    let file = File::options().write(true).open(path)?;
    file.set_times(
        FileTimes::new()
            .set_accessed(accessed)
            .set_modified(modified),
    )
}

impl Drop for Touched {
    fn drop(&mut self) {
        let _ = set_times(&self.path, self.accessed, self.modified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn set_mtime(path: &Path, seconds: u64) {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        set_times(path, t, t).unwrap();
    }

    #[test]
    fn newest_non_ignored_file_touched_and_restored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for (name, time) in [
            ("Dockerfile", 1_000),
            ("src/app.py", 2_000),
            ("build.log", 9_000),
            (".git/index", 9_500),
            (".dockerignore", 500),
        ] {
            std::fs::write(root.join(name), name).unwrap();
            set_mtime(&root.join(name), time);
        }
        std::fs::write(root.join(".dockerignore"), "*.log\n").unwrap();
        set_mtime(&root.join(".dockerignore"), 500);
        let newest = newest_source_file(root).unwrap();
        assert_eq!(newest, root.join("src/app.py"));
        {
            let _touched = touch(&newest).unwrap();
            let now = std::fs::metadata(&newest).unwrap().modified().unwrap();
            assert!(now > SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        }
        let restored = std::fs::metadata(&newest).unwrap().modified().unwrap();
        assert_eq!(
            restored,
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_000)
        );
        assert!(touch(&root.join("missing")).is_err());
        assert_eq!(newest_source_file(&root.join("missing")), None);
    }
}
