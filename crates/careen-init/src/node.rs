//! Node projects: the package manager (`packageManager` field first, then the
//! lockfile), a build step (TypeScript → `dist/`), the start command, and
//! whether it is an HTTP service or an MCP server over stdio.

use crate::detect::{
    read_optional, sanitize_name, source_files, Kind, Language, NodeManager, NodeProject,
    Overrides, Project, SourceFile, DEFAULT_NODE_VERSION,
};
use crate::error::InitError;
use serde_json::Value;
use std::path::Path;

/// HTTP frameworks by package name, with the name reported.
const HTTP_FRAMEWORKS: &[(&str, &str)] = &[
    ("express", "express"),
    ("fastify", "fastify"),
    ("koa", "koa"),
    ("@hapi/hapi", "hapi"),
    ("hono", "hono"),
    ("@nestjs/core", "nestjs"),
    ("restify", "restify"),
    ("polka", "polka"),
];

fn parse_package_json(path: &Path, text: &str) -> Result<Value, InitError> {
    let value: Value = serde_json::from_str(text).map_err(|e| InitError::Parse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if !value.is_object() {
        return Err(InitError::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "expected a JSON object".to_string(),
        });
    }
    Ok(value)
}

/// `pnpm@9.12.0+sha512.…` → (pnpm, 9.12.0).
fn package_manager_field(value: &str) -> Option<(NodeManager, Option<String>)> {
    let (name, version) = value.split_once('@').unwrap_or((value, ""));
    let manager = match name.trim() {
        "npm" => NodeManager::Npm,
        "yarn" => NodeManager::Yarn,
        "pnpm" => NodeManager::Pnpm,
        _ => return None,
    };
    let version = version.split('+').next().unwrap_or("").trim();
    let valid = !version.is_empty()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    Some((manager, valid.then(|| version.to_string())))
}

/// The words of a `start` script that runs `node` directly (env assignments
/// dropped), or `None` when it runs something else.
fn node_command_of_script(script: &str) -> Option<Vec<String>> {
    if script.contains(['&', '|', ';', '$', '`', '>']) {
        return None;
    }
    let words: Vec<String> = script
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .map(str::to_string)
        .collect();
    (words.first().map(String::as_str) == Some("node") && words.len() >= 2).then_some(words)
}

/// `compilerOptions.outDir` of a `tsconfig.json` (read loosely: tsconfig
/// allows comments and trailing commas, which JSON parsers reject).
fn ts_out_dir(text: &str) -> Option<String> {
    let at = text.find("\"outDir\"")?;
    let rest = text.get(at + "\"outDir\"".len()..)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value = rest.get(..rest.find('"')?)?;
    let value = value.trim_start_matches("./").trim_end_matches('/');
    let safe = !value.is_empty()
        && !value.starts_with('/')
        && !value.split('/').any(|p| p == "..")
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    safe.then(|| value.to_string())
}

/// A port number written after `.listen(` or as a `PORT` fallback.
fn port_in_sources(files: &[SourceFile]) -> Option<u16> {
    let patterns = [".listen(", "PORT ||", "PORT ??", "port:", "PORT) ||"];
    for file in files {
        for pattern in patterns {
            for (at, _) in file.text.match_indices(pattern) {
                let rest = file.text.get(at + pattern.len()..).unwrap_or("");
                let digits: String = rest
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(port) = digits.parse::<u16>() {
                    if port >= 80 {
                        return Some(port);
                    }
                }
            }
        }
    }
    None
}

fn repository_url(package: &Value) -> Option<String> {
    let raw = match package.get("repository")? {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("url")?.as_str()?.to_string(),
        _ => return None,
    };
    let url = raw.trim_start_matches("git+");
    let url = url.strip_suffix(".git").unwrap_or(url);
    if let Some(path) = url.strip_prefix("github:") {
        return Some(format!("https://github.com/{path}"));
    }
    url.starts_with("https://").then(|| url.to_string())
}

fn node_version(dir: &Path, overrides: &Overrides, package: &Value) -> String {
    if let Some(version) = &overrides.node_version {
        return version.clone();
    }
    for file in [".nvmrc", ".node-version"] {
        if let Ok(Some(text)) = read_optional(dir, file) {
            let major: String = text
                .trim()
                .trim_start_matches('v')
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !major.is_empty() {
                return major;
            }
        }
    }
    if let Some(engines) = package.pointer("/engines/node").and_then(Value::as_str) {
        let minimum: String = engines
            .trim()
            .trim_start_matches(">=")
            .trim_start_matches('^')
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let (Ok(minimum), Ok(default)) =
            (minimum.parse::<u32>(), DEFAULT_NODE_VERSION.parse::<u32>())
        {
            if minimum > default {
                return minimum.to_string();
            }
        }
    }
    DEFAULT_NODE_VERSION.to_string()
}

pub(crate) fn detect(
    dir: &Path,
    entries: &[String],
    overrides: &Overrides,
) -> Result<Project, InitError> {
    let has = |name: &str| entries.iter().any(|e| e == name);
    let path = dir.join("package.json");
    let Some(text) = read_optional(dir, "package.json")? else {
        return Err(InitError::MissingForLanguage {
            dir: dir.to_path_buf(),
            language: "Node",
            hint: "no package.json",
        });
    };
    let package = parse_package_json(&path, &text)?;
    let mut notes = Vec::new();

    let lockfile = [
        ("package-lock.json", NodeManager::Npm),
        ("npm-shrinkwrap.json", NodeManager::Npm),
        ("pnpm-lock.yaml", NodeManager::Pnpm),
        ("yarn.lock", NodeManager::Yarn),
    ]
    .into_iter()
    .find(|(file, _)| has(file));
    let field = package
        .get("packageManager")
        .and_then(Value::as_str)
        .and_then(package_manager_field);
    let (manager, manager_version) = match (field, lockfile) {
        (Some((manager, version)), _) => (manager, version),
        (None, Some((_, manager))) => (manager, None),
        (None, None) => (NodeManager::Npm, None),
    };
    // The lockfile that belongs to the chosen manager.
    let lockfile = lockfile
        .filter(|(_, m)| *m == manager)
        .map(|(file, _)| file.to_string());
    if lockfile.is_none() {
        notes.push(format!(
            "no {} lockfile: installs are not reproducible; commit one",
            manager.as_str()
        ));
    }
    if has("bun.lockb") || has("bun.lock") {
        notes.push("bun lockfile ignored: the image uses Node".to_string());
    }

    let dependency = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|section| package.get(section).and_then(|d| d.get(name)).is_some())
    };
    let runtime_dependency = |name: &str| {
        package
            .pointer(&format!("/dependencies/{}", name.replace('/', "~1")))
            .is_some()
    };
    let script = |name: &str| {
        package
            .get("scripts")
            .and_then(|s| s.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let typescript = dependency("typescript") || has("tsconfig.json");
    let build = script("build").is_some();
    let out_dir = if build {
        let configured = read_optional(dir, "tsconfig.json")?
            .as_deref()
            .and_then(ts_out_dir);
        configured.or_else(|| typescript.then(|| "dist".to_string()))
    } else {
        None
    };
    let files = source_files(dir, &["js", "mjs", "cjs", "ts", "mts", "cts"]);

    // The command: `node …` from `start`, else `main`, else `bin`, else a conventional file.
    let main = package
        .get("main")
        .and_then(Value::as_str)
        .map(str::to_string);
    let bin = match package.get("bin") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.values().find_map(Value::as_str).map(str::to_string),
        _ => None,
    };
    let conventional = ["server.js", "index.js", "app.js", "main.js"]
        .iter()
        .find(|f| has(f))
        .map(|f| f.to_string());
    let from_out_dir = out_dir.as_ref().map(|d| format!("{d}/index.js"));
    let mut command = script("start")
        .and_then(|s| node_command_of_script(&s))
        .or_else(|| {
            main.or(bin).or(conventional).or(from_out_dir).map(|file| {
                vec![
                    "node".to_string(),
                    file.trim_start_matches("./").to_string(),
                ]
            })
        })
        .unwrap_or_default();
    if command.is_empty() && overrides.entrypoint.is_none() {
        return Err(InitError::NoEntrypoint {
            dir: dir.to_path_buf(),
            language: "Node",
            example: "--entrypoint \"node dist/server.js\"",
        });
    }
    if let Some(first) = command.get_mut(1) {
        *first = first.trim_start_matches("./").to_string();
    }

    let (framework, kind) = if runtime_dependency("@modelcontextprotocol/sdk")
        || dependency("@modelcontextprotocol/sdk")
    {
        let http = files.iter().any(|f| {
            f.text.contains("StreamableHTTPServerTransport")
                || f.text.contains("SSEServerTransport")
        });
        (
            "mcp-sdk".to_string(),
            if http { Kind::Http } else { Kind::McpStdio },
        )
    } else if let Some((_, name)) = HTTP_FRAMEWORKS.iter().find(|(p, _)| dependency(p)) {
        (name.to_string(), Kind::Http)
    } else if files
        .iter()
        .any(|f| f.text.contains("createServer(") && f.text.contains(".listen("))
    {
        ("node:http".to_string(), Kind::Http)
    } else {
        ("none".to_string(), Kind::Worker)
    };
    let port = overrides
        .port
        .or_else(|| {
            (kind == Kind::Http)
                .then(|| port_in_sources(&files))
                .flatten()
        })
        .unwrap_or(3000);
    let dev_script = script("dev").is_some();
    let dev_command = if dev_script {
        let run: &[&str] = match manager {
            NodeManager::Npm => &["npm", "run", "dev"],
            NodeManager::Yarn => &["yarn", "dev"],
            NodeManager::Pnpm => &["pnpm", "dev"],
        };
        run.iter().map(|s| s.to_string()).collect()
    } else {
        command.clone()
    };
    let health_path = if files.iter().any(|f| f.text.contains("/healthz")) {
        "/healthz"
    } else if files
        .iter()
        .any(|f| f.text.contains("'/health'") || f.text.contains("\"/health\""))
    {
        "/health"
    } else {
        "/"
    };
    let name = package
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            dir.canonicalize()
                .ok()?
                .file_name()?
                .to_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "app".to_string());
    Ok(Project {
        dir: dir.to_path_buf(),
        name: sanitize_name(&name),
        language: Language::Node,
        kind,
        framework,
        command,
        dev_command,
        port: (kind == Kind::Http).then_some(port),
        health_path: health_path.to_string(),
        language_version: node_version(dir, overrides, &package),
        base_image: None,
        source_url: repository_url(&package),
        description: package
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string),
        python: None,
        node: Some(NodeProject {
            manager,
            manager_version,
            lockfile,
            build,
            out_dir,
            dev_script,
        }),
        entries: Vec::new(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_manager() {
        assert_eq!(
            package_manager_field("pnpm@9.12.0+sha512.abc"),
            Some((NodeManager::Pnpm, Some("9.12.0".into())))
        );
        assert_eq!(
            package_manager_field("yarn"),
            Some((NodeManager::Yarn, None))
        );
        assert_eq!(package_manager_field("bun@1"), None);
    }

    #[test]
    fn start_scripts() {
        assert_eq!(
            node_command_of_script("NODE_ENV=production node dist/server.js"),
            Some(vec!["node".into(), "dist/server.js".into()])
        );
        assert_eq!(node_command_of_script("tsx src/index.ts"), None);
        assert_eq!(node_command_of_script("node a.js && node b.js"), None);
    }

    #[test]
    fn out_dirs() {
        assert_eq!(
            ts_out_dir("{ // c\n \"compilerOptions\": { \"outDir\": \"./build/\", } }"),
            Some("build".into())
        );
        assert_eq!(ts_out_dir("{\"outDir\": \"../x\"}"), None);
        assert_eq!(ts_out_dir("{}"), None);
    }

    #[test]
    fn ports() {
        let files = vec![SourceFile {
            path: "a.ts".into(),
            text: "const port = Number(process.env.PORT ?? 8080);".into(),
        }];
        assert_eq!(port_in_sources(&files), Some(8080));
    }

    #[test]
    fn json_errors_have_positions() {
        let err = parse_package_json(Path::new("package.json"), "{\n  \"name\": ,\n}").unwrap_err();
        match err {
            InitError::Parse { line, column, .. } => assert_eq!((line, column), (2, 11)),
            other => panic!("{other}"),
        }
    }
}
