//! npm: every `package.json` with a name and a version (as syft's
//! javascript-package-cataloger: those under `node_modules` are installed
//! packages, one outside is a project root), and the lockfiles
//! (`package-lock.json`, `node_modules/.package-lock.json`) for which
//! installed packages are `dev` only.

use super::{Package, PackageKind};
use serde_json::Value;
use std::collections::HashSet;

/// Deepest lockfile v1 `dependencies` nesting followed.
const MAX_LOCK_DEPTH: usize = 64;

/// `license` as a string or `{type}`; else the deprecated `licenses` array.
fn licenses(manifest: &Value) -> Vec<String> {
    match manifest.get("license") {
        Some(Value::String(license)) => return vec![license.clone()],
        Some(Value::Object(object)) => {
            if let Some(Value::String(kind)) = object.get("type") {
                return vec![kind.clone()];
            }
        }
        _ => {}
    }
    match manifest.get("licenses") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `author` as `"Name <mail> (url)"` or `{name, email}`.
fn author(manifest: &Value) -> Option<String> {
    match manifest.get("author")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => {
            let name = o.get("name").and_then(Value::as_str)?;
            match o.get("email").and_then(Value::as_str) {
                Some(email) => Some(format!("{name} <{email}>")),
                None => Some(name.to_owned()),
            }
        }
        _ => None,
    }
}

/// The package a `package.json` describes; `None` when it has no name or
/// version (syft drops those too), with a warning when it is not JSON.
pub(crate) fn parse_package_json(data: &[u8], warn: &mut dyn FnMut(String)) -> Option<Package> {
    let manifest: Value = match serde_json::from_slice(data) {
        Ok(value) => value,
        Err(error) => {
            warn(format!("package.json is not valid JSON ({error}); skipped"));
            return None;
        }
    };
    let name = manifest.get("name")?.as_str().filter(|n| !n.is_empty())?;
    let version = manifest
        .get("version")?
        .as_str()
        .filter(|v| !v.is_empty())?;
    let mut package = Package::new(PackageKind::Npm, name, version);
    package.licenses = licenses(&manifest);
    package.supplier = author(&manifest);
    Some(package)
}

/// v1 lockfiles nest `dependencies`; each level is one `node_modules/`.
fn collect_v1(
    dependencies: &serde_json::Map<String, Value>,
    prefix: &str,
    depth: usize,
    out: &mut HashSet<String>,
) {
    if depth > MAX_LOCK_DEPTH {
        return;
    }
    for (name, entry) in dependencies {
        let key = format!("{prefix}node_modules/{name}");
        if entry.get("dev").and_then(Value::as_bool) == Some(true) {
            out.insert(key.clone());
        }
        if let Some(Value::Object(nested)) = entry.get("dependencies") {
            collect_v1(nested, &format!("{key}/"), depth + 1, out);
        }
    }
}

/// The `node_modules/…` keys a lockfile marks `dev`.
pub(crate) fn parse_lockfile(data: &[u8], warn: &mut dyn FnMut(String)) -> Option<HashSet<String>> {
    let lock: Value = match serde_json::from_slice(data) {
        Ok(value) => value,
        Err(error) => {
            warn(format!("npm lockfile is not valid JSON ({error}); skipped"));
            return None;
        }
    };
    let mut dev = HashSet::new();
    if let Some(Value::Object(packages)) = lock.get("packages") {
        for (key, entry) in packages {
            if key.starts_with("node_modules/")
                && entry.get("dev").and_then(Value::as_bool) == Some(true)
            {
                dev.insert(key.clone());
            }
        }
    } else if let Some(Value::Object(dependencies)) = lock.get("dependencies") {
        collect_v1(dependencies, "", 0, &mut dev);
    }
    Some(dev)
}

/// For an installed package's `package.json` path, the lockfiles that may
/// describe it and its key in them: `app/node_modules/a/node_modules/b/package.json`
/// → (`app/package-lock.json`, `app/node_modules/.package-lock.json`),
/// `node_modules/a/node_modules/b`.
pub(crate) fn lock_key(path: &str) -> Option<([String; 2], String)> {
    let path = path.trim_start_matches('/');
    let dir = path.strip_suffix("/package.json")?;
    let (root, key) = if let Some(rest) = dir.strip_prefix("node_modules/") {
        ("", format!("node_modules/{rest}"))
    } else {
        let index = dir.find("/node_modules/")?;
        (&dir[..index], dir[index + 1..].to_owned())
    };
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    Some((
        [
            format!("{prefix}package-lock.json"),
            format!("{prefix}node_modules/.package-lock.json"),
        ],
        key,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_json_fields() {
        let data = br#"{"name":"@types/node","version":"20.1.0","license":{"type":"MIT"},"author":{"name":"A","email":"a@x"}}"#;
        let package = parse_package_json(data, &mut |_| {});
        let package = package.unwrap_or_else(|| Package::new(PackageKind::Npm, "", ""));
        assert_eq!(package.name, "@types/node");
        assert_eq!(package.licenses, vec!["MIT"]);
        assert_eq!(package.supplier.as_deref(), Some("A <a@x>"));
        let old = br#"{"name":"x","version":"1","licenses":[{"type":"MIT"},{"type":"GPL-2.0"}]}"#;
        let package = parse_package_json(old, &mut |_| {}).map(|p| p.licenses);
        assert_eq!(package, Some(vec!["MIT".to_owned(), "GPL-2.0".to_owned()]));
    }

    #[test]
    fn nameless_or_broken_package_json() {
        let mut warnings = Vec::new();
        assert_eq!(
            parse_package_json(br#"{"type":"module"}"#, &mut |w| warnings.push(w)),
            None
        );
        assert!(warnings.is_empty());
        assert_eq!(
            parse_package_json(b"{nope", &mut |w| warnings.push(w)),
            None
        );
        assert_eq!(
            parse_package_json(br#"{"name":1,"version":[]}"#, &mut |w| warnings.push(w)),
            None
        );
        assert_eq!(warnings.len(), 1);
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse_package_json(deep.as_bytes(), &mut |w| warnings.push(w)),
            None
        );
    }

    #[test]
    fn lockfile_dev_flags_v3_and_v1() {
        let v3 = br#"{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"dev":true},"node_modules/b":{}}}"#;
        let dev = parse_lockfile(v3, &mut |_| {}).unwrap_or_default();
        assert_eq!(dev, HashSet::from(["node_modules/a".to_owned()]));
        let v1 = br#"{"lockfileVersion":1,"dependencies":{"a":{"dev":true,"dependencies":{"c":{"dev":true}}},"b":{}}}"#;
        let dev = parse_lockfile(v1, &mut |_| {}).unwrap_or_default();
        assert_eq!(
            dev,
            HashSet::from([
                "node_modules/a".to_owned(),
                "node_modules/a/node_modules/c".to_owned()
            ])
        );
    }

    #[test]
    fn lock_keys() {
        assert_eq!(
            lock_key("/app/node_modules/express/node_modules/debug/package.json"),
            Some((
                [
                    "app/package-lock.json".to_owned(),
                    "app/node_modules/.package-lock.json".to_owned()
                ],
                "node_modules/express/node_modules/debug".to_owned()
            ))
        );
        assert_eq!(
            lock_key("node_modules/@types/node/package.json").map(|k| k.1),
            Some("node_modules/@types/node".to_owned())
        );
        assert_eq!(lock_key("app/package.json"), None);
    }
}
