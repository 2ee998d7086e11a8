//! Helpers shared by rules.

/// An image reference as written in FROM, split into its parts.
/// `docker.io/library/python:3.12-slim@sha256:…` →
/// registry `docker.io`, repository `library/python`, tag `3.12-slim`, digest `sha256:…`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRef {
    /// Registry host if the first path component looks like one
    /// (contains `.` or `:`, or is `localhost`).
    pub registry: Option<String>,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (reference, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), path.to_string())
            }
            _ => (None, name.to_string()),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Registry with Docker Hub made explicit (`docker.io`).
    pub fn registry_or_default(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }

    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository.eq_ignore_ascii_case("scratch")
    }
}

/// True when the text contains a variable reference (`$x`, `${x}`).
pub fn has_variable(text: &str) -> bool {
    text.contains('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("python:3.12-slim");
        assert_eq!(r.repository, "python");
        assert_eq!(r.tag.as_deref(), Some("3.12-slim"));
        assert_eq!(r.registry, None);
        let r = ImageRef::parse("localhost:5000/team/app@sha256:abc");
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("ghcr.io/o/r:1.0@sha256:x");
        assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        assert!(ImageRef::parse("scratch").is_scratch());
    }
}
