//! The distribution, from `os-release(5)`.

use serde::Serialize;

/// The image's Linux distribution, as `os-release` states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Distro {
    /// `ID` (`debian`, `alpine`, `rhel`).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    /// `ID_LIKE`, split on spaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug_report_url: Option<String>,
    /// Where it was read (`/etc/os-release`), set when merging.
    pub path: String,
}

/// One value: unquoted, `"…"` (with `\` escapes) or `'…'`.
fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.to_owned();
    }
    raw.to_owned()
}

/// Parses an os-release file; `None` when it names no `ID`.
pub(crate) fn parse(data: &[u8]) -> Option<Distro> {
    let text = String::from_utf8_lossy(data);
    let mut distro = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value);
        let some = (!value.is_empty()).then(|| value.clone());
        match key.trim() {
            "ID" => distro.id = value.to_lowercase(),
            "VERSION_ID" => distro.version_id = some,
            "BUILD_ID" => distro.build_id = some,
            "NAME" => distro.name = some,
            "PRETTY_NAME" => distro.pretty_name = some,
            "VERSION_CODENAME" => distro.version_codename = some,
            "ID_LIKE" => {
                distro.id_like = value.split_whitespace().map(str::to_lowercase).collect();
            }
            "HOME_URL" => distro.home_url = some,
            "BUG_REPORT_URL" => distro.bug_report_url = some,
            _ => {}
        }
    }
    (!distro.id.is_empty()).then_some(distro)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debian_and_quotes() {
        let distro = parse(
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n# c\nID_LIKE='rhel fedora'\nNAME=\"a \\\"b\\\"\"\n",
        )
        .unwrap_or_default();
        assert_eq!(distro.id, "debian");
        assert_eq!(distro.version_id.as_deref(), Some("12"));
        assert_eq!(distro.id_like, vec!["rhel", "fedora"]);
        assert_eq!(distro.name.as_deref(), Some("a \"b\""));
        assert_eq!(
            distro.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    #[test]
    fn no_id_is_no_distro() {
        assert_eq!(parse(b"NAME=x\n"), None);
        assert_eq!(parse(&[0xff, 0xfe, 0x00]), None);
    }
}
