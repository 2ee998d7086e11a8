//! OpenVEX documents: statements that a vulnerability does or does not affect a product.
//!
//! A statement applies to a finding when one of its vulnerability ids (`name`, `@id`,
//! `aliases`; or the older plain-string form) is the finding's id or alias, and one of
//! its products (or their subcomponents) names the finding's package by purl. A
//! statement purl without a version matches any version; without qualifiers, any
//! qualifiers. `not_affected` and `fixed` suppress the finding; `affected` and
//! `under_investigation` keep it. When several statements apply, the last one in
//! document order (documents in the order given) decides.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::matcher::Match;

/// A VEX document that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("cannot read VEX document `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("VEX document `{path}` is not OpenVEX JSON: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("VEX document `{path}` has no `statements` array")]
    NoStatements { path: PathBuf },
}

/// VEX status of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    fn parse(text: &str) -> Option<VexStatus> {
        Some(match text {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            _ => return None,
        })
    }

    /// Whether this status hides the finding.
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// One usable statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    pub vulnerabilities: Vec<String>,
    /// Product and subcomponent purls; empty means every product.
    pub products: Vec<String>,
    pub status: VexStatus,
    pub justification: Option<String>,
}

/// Statements from one or more OpenVEX documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VexSet {
    pub statements: Vec<VexStatement>,
}

fn strings_of(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn product_ids(product: &Value, out: &mut Vec<String>) {
    match product {
        Value::String(s) => out.push(s.clone()),
        Value::Object(object) => {
            out.extend(strings_of(object.get("@id")));
            if let Some(ids) = object.get("identifiers").and_then(Value::as_object) {
                out.extend(strings_of(ids.get("purl")));
            }
            if let Some(Value::Array(subs)) = object.get("subcomponents") {
                for sub in subs {
                    if let Value::Object(sub) = sub {
                        out.extend(strings_of(sub.get("@id")));
                        if let Some(ids) = sub.get("identifiers").and_then(Value::as_object) {
                            out.extend(strings_of(ids.get("purl")));
                        }
                    } else if let Value::String(s) = sub {
                        out.push(s.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

impl VexSet {
    /// Adds the statements of one document (`path` is only used in errors).
    pub fn add_json(&mut self, text: &str, path: &Path) -> Result<(), VexError> {
        let doc: Value = serde_json::from_str(text).map_err(|source| VexError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        let Some(Value::Array(statements)) = doc.get("statements") else {
            return Err(VexError::NoStatements {
                path: path.to_path_buf(),
            });
        };
        for statement in statements {
            let Some(status) = statement
                .get("status")
                .and_then(Value::as_str)
                .and_then(VexStatus::parse)
            else {
                continue;
            };
            let mut vulnerabilities = Vec::new();
            match statement.get("vulnerability") {
                Some(Value::String(s)) => vulnerabilities.push(s.clone()),
                Some(Value::Object(v)) => {
                    vulnerabilities.extend(strings_of(v.get("name")));
                    vulnerabilities.extend(strings_of(v.get("@id")));
                    vulnerabilities.extend(strings_of(v.get("aliases")));
                }
                _ => {}
            }
            if vulnerabilities.is_empty() {
                continue;
            }
            let mut products = Vec::new();
            if let Some(Value::Array(items)) = statement.get("products") {
                for product in items {
                    product_ids(product, &mut products);
                }
            }
            self.statements.push(VexStatement {
                vulnerabilities,
                products,
                status,
                justification: statement
                    .get("justification")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
        Ok(())
    }

    /// Reads and adds one document from a file.
    pub fn add_path(&mut self, path: &Path) -> Result<(), VexError> {
        let text = std::fs::read_to_string(path).map_err(|source| VexError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_json(&text, path)
    }

    /// The deciding statement for a finding, if any applies.
    pub fn statement_for(&self, finding: &Match) -> Option<&VexStatement> {
        self.statements.iter().rev().find(|s| {
            s.vulnerabilities
                .iter()
                .any(|v| finding.ids().any(|id| id.eq_ignore_ascii_case(v)))
                && (s.products.is_empty()
                    || finding
                        .package
                        .purl
                        .as_deref()
                        .is_some_and(|purl| s.products.iter().any(|p| purl_matches(p, purl))))
        })
    }

    /// Splits matches into (kept, suppressed).
    pub fn apply(&self, matches: Vec<Match>) -> (Vec<Match>, Vec<Match>) {
        matches
            .into_iter()
            .partition(|m| !self.statement_for(m).is_some_and(|s| s.status.suppresses()))
    }
}

/// A parsed purl: type, namespace, name, version, qualifiers (sorted).
#[derive(Debug, PartialEq, Eq)]
struct Purl {
    kind: String,
    namespace: String,
    name: String,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_purl(text: &str) -> Option<Purl> {
    let rest = text.trim().strip_prefix("pkg:")?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (path, version) = match path.rsplit_once('@') {
        Some((p, v)) if !p.is_empty() && p.contains('/') => (p, Some(percent_decode(v))),
        _ => (path, None),
    };
    let (kind, rest) = path.trim_start_matches('/').split_once('/')?;
    let (namespace, name) = match rest.rsplit_once('/') {
        Some((ns, name)) => (ns, name),
        None => ("", rest),
    };
    let mut qualifiers: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), percent_decode(v)))
        .collect();
    qualifiers.sort();
    Some(Purl {
        kind: kind.to_ascii_lowercase(),
        namespace: percent_decode(namespace),
        name: percent_decode(name),
        version,
        qualifiers,
    })
}

/// Whether `candidate` is the package `statement` names (see module docs).
fn purl_matches(statement: &str, candidate: &str) -> bool {
    let (Some(s), Some(c)) = (parse_purl(statement), parse_purl(candidate)) else {
        return statement == candidate;
    };
    s.kind == c.kind
        && s.namespace == c.namespace
        && s.name == c.name
        && s.version
            .as_ref()
            .is_none_or(|v| Some(v) == c.version.as_ref())
        && s.qualifiers.iter().all(|q| c.qualifiers.contains(q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ecosystem, PackageQuery, Severity};

    fn finding(id: &str, aliases: &[&str], purl: &str) -> Match {
        let mut package = PackageQuery::new(Ecosystem::Debian, "openssl", "3.0.11-1~deb12u2");
        package.purl = Some(purl.to_string());
        Match {
            id: id.to_string(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            summary: None,
            severity: Severity::High,
            score: None,
            vector: None,
            package,
            fixed: vec![],
            affected_ecosystem: "Debian:12".into(),
            affected_package: "openssl".into(),
        }
    }

    const DOC: &str = r#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "statements": [
        {"vulnerability": {"name": "CVE-2024-0001"},
         "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:deb/debian/openssl"}]}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "CVE-2024-0002"},
         "products": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:deb/debian/openssl"}], "status": "not_affected"},
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:deb/debian/openssl"}], "status": "under_investigation"}
      ]}"#;

    #[test]
    fn statuses_products_and_aliases() {
        let mut set = VexSet::default();
        assert!(set.add_json(DOC, Path::new("x.vex.json")).is_ok());
        let purl = "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";
        let suppressed = |m: &Match| set.statement_for(m).is_some_and(|s| s.status.suppresses());
        assert!(suppressed(&finding("DSA-1", &["CVE-2024-0001"], purl)));
        assert!(suppressed(&finding("CVE-2024-0002", &[], purl)));
        assert!(!suppressed(&finding(
            "CVE-2024-0002",
            &[],
            "pkg:deb/debian/openssl@3.0.9-1?arch=amd64"
        )));
        assert!(
            !suppressed(&finding("CVE-2024-0003", &[], purl)),
            "the later statement decides"
        );
        assert!(!suppressed(&finding(
            "CVE-2024-0001",
            &[],
            "pkg:deb/debian/curl@1"
        )));
    }

    #[test]
    fn bad_documents_are_typed_errors() {
        let mut set = VexSet::default();
        assert!(matches!(
            set.add_json("{", Path::new("a")),
            Err(VexError::Parse { .. })
        ));
        assert!(matches!(
            set.add_json("{}", Path::new("a")),
            Err(VexError::NoStatements { .. })
        ));
    }
}
