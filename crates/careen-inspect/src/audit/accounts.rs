//! `/etc/passwd`, `/etc/shadow` and `/etc/group` as the final image has them: accounts with
//! an empty password (DKL-LI-0001) and duplicate UIDs / GIDs (DKL-LI-0002).

use super::Finding;

/// Accounts of `/etc/shadow` whose password field is empty: anyone may log in (or `su`) as
/// them without a password. `!`, `*`, `!!` and hashes are locked or set.
pub(crate) fn empty_passwords(shadow: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(shadow)
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let password = fields.next()?;
            (!name.is_empty() && password.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

/// IDs (third field) shared by more than one entry of a passwd or group file:
/// `(id, names)`, in order of first appearance.
pub(crate) fn duplicate_ids(file: &[u8]) -> Vec<(String, Vec<String>)> {
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for line in String::from_utf8_lossy(file).lines() {
        if line.trim_start().starts_with('#') || line.starts_with('+') || line.starts_with('-') {
            continue;
        }
        let fields: Vec<&str> = line.split(':').collect();
        let (Some(name), Some(id)) = (fields.first(), fields.get(2)) else {
            continue;
        };
        let id = id.trim();
        if id.is_empty() || name.is_empty() {
            continue;
        }
        match seen.iter_mut().find(|(i, _)| i == id) {
            Some((_, names)) => names.push((*name).to_owned()),
            None => seen.push((id.to_owned(), vec![(*name).to_owned()])),
        }
    }
    seen.retain(|(_, names)| names.len() > 1);
    seen
}

/// The findings for the final versions of the account files.
pub(crate) fn check(
    passwd: Option<(&[u8], usize)>,
    shadow: Option<(&[u8], usize)>,
    group: Option<(&[u8], usize)>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((shadow, layer)) = shadow {
        for name in empty_passwords(shadow) {
            findings.push(
                Finding::new(
                    "CI2012",
                    format!("account `{name}` has an empty password in /etc/shadow"),
                )
                .with_path("etc/shadow")
                .with_layer(layer),
            );
        }
    }
    for (file, path, what) in [(passwd, "etc/passwd", "UID"), (group, "etc/group", "GID")] {
        let Some((file, layer)) = file else { continue };
        for (id, names) in duplicate_ids(file) {
            findings.push(
                Finding::new(
                    "CI2013",
                    format!("{what} {id} is shared by {}", names.join(", ")),
                )
                .with_path(path)
                .with_layer(layer),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_password_fields() {
        let shadow = b"root::19000:0:99999:7:::\ndaemon:*:19000::::::\nbin:!:1::::::\napp:$6$salt$hash:1::::::\nbroken\n\n";
        assert_eq!(empty_passwords(shadow), ["root"]);
        assert!(empty_passwords(b"\xff\xfe:\x00").is_empty());
    }

    #[test]
    fn duplicates() {
        let passwd = b"root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n+nis\n";
        assert_eq!(
            duplicate_ids(passwd),
            [("0".to_owned(), vec!["root".to_owned(), "toor".to_owned()])]
        );
        let group = b"root:x:0:\napp:x:1000:\n";
        assert!(duplicate_ids(group).is_empty());
        let findings = check(
            Some((passwd, 2)),
            Some((b"root::1::::::\n", 0)),
            Some((group, 1)),
        );
        let got: Vec<(&str, Option<usize>)> = findings
            .iter()
            .map(|f| (f.code.as_str(), f.layer))
            .collect();
        assert_eq!(got, [("CI2012", Some(0)), ("CI2013", Some(2))]);
    }
}
