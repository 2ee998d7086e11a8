//! FROM image references split the way hadolint's parser splits them.
//!
//! This differs from [`crate::util::ImageRef`] on purpose, for parity: a
//! registry is only recognised when the text has a `.` followed later by a
//! `/` (`localhost:5000/app` is the image `localhost` with tag `5000/app`),
//! and `${…}` expansions are opaque (the `:` of `${TAG:-1}` is not a tag
//! separator).

/// Parts of a FROM image reference, as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HlImage {
    pub(crate) registry: Option<String>,
    pub(crate) name: String,
    pub(crate) tag: Option<String>,
    pub(crate) digest: Option<String>,
}

/// Split `text` at the first char matching `stop` that is outside `${…}`.
fn split_outside_braces(text: &str, stop: impl Fn(char) -> bool) -> (&str, &str) {
    let mut depth = 0usize;
    let mut previous = '\0';
    for (i, c) in text.char_indices() {
        match c {
            '{' if previous == '$' || depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 && stop(c) => return (&text[..i], &text[i..]),
            _ => {}
        }
        previous = c;
    }
    (text, "")
}

impl HlImage {
    pub(crate) fn parse(reference: &str) -> HlImage {
        let mut rest = reference.trim();
        let mut registry = None;
        // `domain.tld/…`: a `.`, then a `/` later on.
        let (domain, after_domain) = split_outside_braces(rest, |c| c == '.');
        if !domain.is_empty() {
            if let Some(after_dot) = after_domain.strip_prefix('.') {
                let (tld, after_tld) = split_outside_braces(after_dot, |c| c == '/');
                if !tld.is_empty() && after_tld.starts_with('/') {
                    registry = Some(format!("{domain}.{tld}"));
                    rest = &after_tld[1..];
                }
            }
        }
        let (name, after_name) = split_outside_braces(rest, |c| c == ':' || c == '@');
        let mut tag = None;
        let mut after = after_name;
        if let Some(tail) = after_name.strip_prefix(':') {
            let (t, more) = split_outside_braces(tail, |c| c == ':' || c == '@');
            tag = Some(t.to_string());
            after = more;
        }
        let digest = after.strip_prefix('@').map(str::to_string);
        HlImage {
            registry,
            name: name.to_string(),
            tag,
            digest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HlImage;

    #[test]
    fn splits_like_hadolint() {
        let i = HlImage::parse("localhost:5000/x");
        assert_eq!(
            (i.name.as_str(), i.tag.as_deref()),
            ("localhost", Some("5000/x"))
        );
        let i = HlImage::parse("reg.io:5000/team/x:latest");
        assert_eq!(i.registry.as_deref(), Some("reg.io:5000"));
        assert_eq!(i.name, "team/x");
        assert_eq!(i.tag.as_deref(), Some("latest"));
        let i = HlImage::parse("x@sha256:abc");
        assert_eq!(i.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(i.tag, None);
        let i = HlImage::parse("${IMG:-debian}");
        assert_eq!(
            (i.name.as_str(), i.tag.as_deref()),
            ("${IMG:-debian}", None)
        );
        let i = HlImage::parse("python:3.12.1");
        assert_eq!(i.registry, None);
        assert_eq!(i.tag.as_deref(), Some("3.12.1"));
    }
}
