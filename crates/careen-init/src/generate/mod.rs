//! Writing the three files from a [`Project`]. Plain string building: the
//! output must be byte-for-byte deterministic and every line is a decision
//! worth reading, which a template engine would only hide.

mod compose;
mod dockerfile;
mod dockerignore;

use crate::detect::Project;

/// The non-root user and group every image runs as.
pub const APP_UID: u32 = 10001;

/// A file `careen init` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name relative to the project directory.
    pub name: &'static str,
    pub contents: String,
}

/// The Dockerfile, `.dockerignore` and `compose.yaml` for `project`, in that order.
pub fn generate(project: &Project) -> Vec<GeneratedFile> {
    vec![
        GeneratedFile {
            name: "Dockerfile",
            contents: dockerfile::render(project),
        },
        GeneratedFile {
            name: ".dockerignore",
            contents: dockerignore::render(project),
        },
        GeneratedFile {
            name: "compose.yaml",
            contents: compose::render(project),
        },
    ]
}

/// A JSON string literal (for exec-form arrays and YAML flow sequences, which
/// accept JSON strings).
pub(crate) fn quote(word: &str) -> String {
    serde_json::Value::String(word.to_string()).to_string()
}

/// `["a", "b"]`: exec form.
pub(crate) fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| quote(w)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The health probe's command: a one-liner in the image's own runtime, so no
/// curl or wget is needed. Any answer below 500 counts as healthy: a 404 on
/// the probed path still proves the server accepts and answers requests.
pub(crate) fn health_command(project: &Project) -> Option<Vec<String>> {
    let port = project.port?;
    let path = &project.health_path;
    let words = match project.language {
        crate::Language::Python => vec![
            "python".to_string(),
            "-c".to_string(),
            format!(
                "import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', {port}, timeout=4); c.request('GET', '{path}'); sys.exit(c.getresponse().status >= 500)"
            ),
        ],
        crate::Language::Node => vec![
            "node".to_string(),
            "-e".to_string(),
            format!(
                "require('http').get('http://127.0.0.1:{port}{path}', (r) => process.exit(r.statusCode < 500 ? 0 : 1)).on('error', () => process.exit(1))"
            ),
        ],
    };
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_forms() {
        assert_eq!(
            exec_form(&["a".into(), "b \"c\"".into()]),
            r#"["a", "b \"c\""]"#
        );
    }
}
