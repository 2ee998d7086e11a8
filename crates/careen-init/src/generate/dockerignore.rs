//! `.dockerignore`: what `COPY . .` must never send — version control,
//! secrets, dependency trees and virtual environments rebuilt in the image,
//! caches, build output, tests and docs. Nothing the build reads is listed:
//! the dependency manifests and lockfiles, `README` (pyproject builds read
//! it) and the source stay.

use crate::detect::{Language, Project};

const COMMON: &[&str] = &[
    "# Keeps the build context small and free of secrets. Written by `careen init`.",
    "",
    "# Version control and editors",
    ".git",
    ".github",
    ".idea",
    ".vscode",
    "**/.DS_Store",
    "",
    "# Secrets: give them to the container at run time (env_file, secrets), never to the build",
    ".env",
    ".env.*",
    "**/*.pem",
    "**/*.key",
    ".npmrc",
    ".pypirc",
    "",
    "# Container files (the builder reads the Dockerfile and this file anyway)",
    "Dockerfile*",
    ".dockerignore",
    "compose*.y*ml",
    "docker-compose*.y*ml",
];

const PYTHON: &[&str] = &[
    "",
    "# Python: the image builds its own virtual environment",
    ".venv",
    "venv",
    "**/__pycache__",
    "**/*.py[cod]",
    "**/*.egg-info",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".coverage",
    "htmlcov",
    "build",
    "dist",
];

const NODE: &[&str] = &[
    "",
    "# Node: the image installs its own node_modules",
    "**/node_modules",
    "npm-debug.log*",
    "yarn-error.log*",
    ".pnpm-store",
    ".yarn/cache",
    "coverage",
    ".nyc_output",
];

pub(crate) fn render(project: &Project) -> String {
    let mut lines: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
    match project.language {
        Language::Python => lines.extend(PYTHON.iter().map(|s| s.to_string())),
        Language::Node => {
            lines.extend(NODE.iter().map(|s| s.to_string()));
            if let Some(node) = &project.node {
                if let (true, Some(dir)) = (node.build, &node.out_dir) {
                    lines.push(dir.clone());
                }
            }
        }
    }
    let present: Vec<&str> = ["tests", "test", "__tests__", "docs"]
        .into_iter()
        .filter(|d| project.entries.iter().any(|e| e == d))
        .collect();
    if !present.is_empty() {
        lines.push(String::new());
        lines.push("# Tests and docs: not needed to run the app".to_string());
        lines.extend(present.iter().map(|d| d.to_string()));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Kind, NodeManager, NodeProject};

    fn project(language: Language, entries: &[&str]) -> Project {
        Project {
            dir: ".".into(),
            name: "x".into(),
            language,
            kind: Kind::Worker,
            framework: "none".into(),
            command: vec!["node".into(), "x.js".into()],
            dev_command: vec![],
            port: None,
            health_path: "/".into(),
            language_version: "22".into(),
            base_image: None,
            source_url: None,
            description: None,
            python: None,
            node: Some(NodeProject {
                manager: NodeManager::Npm,
                manager_version: None,
                lockfile: None,
                build: false,
                out_dir: Some("dist".into()),
                dev_script: false,
            }),
            entries: entries.iter().map(|s| s.to_string()).collect(),
            notes: vec![],
        }
    }

    #[test]
    fn build_output_only_when_built_here() {
        // `main` may point into a committed dist/ when there is no build script.
        let text = render(&project(Language::Node, &["tests"]));
        assert!(!text.lines().any(|l| l == "dist"), "{text}");
        assert!(text.lines().any(|l| l == "tests"));
        assert!(!text.lines().any(|l| l == "docs"));
        assert!(text.contains("**/node_modules"));
        assert!(!text.contains("__pycache__"));
    }
}
