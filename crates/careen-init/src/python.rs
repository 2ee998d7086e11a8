//! Python projects: the dependency manager (pip with `requirements.txt`,
//! poetry, uv, pdm, pipenv, plain PEP 621), the framework and the command
//! that starts the app.

use crate::detect::{
    read_optional, sanitize_name, source_files, Kind, Language, Overrides, Project, PythonManager,
    PythonProject, SourceFile, DEFAULT_PYTHON_VERSION,
};
use crate::error::{line_column, InitError};
use std::collections::BTreeSet;
use std::path::Path;

/// Versions pinned where the project does not say which to use.
pub const POETRY_VERSION: &str = "2.2.1";
pub const UV_VERSION: &str = "0.9.5";
pub const PDM_VERSION: &str = "2.26.1";
pub const PIPENV_VERSION: &str = "2025.0.4";
pub const GUNICORN_VERSION: &str = "23.0.0";
pub const UVICORN_VERSION: &str = "0.38.0";

fn parse_toml(path: &Path, text: &str) -> Result<toml::Table, InitError> {
    text.parse::<toml::Table>().map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        InitError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().to_string(),
        }
    })
}

/// `a.b.c` in a TOML table.
fn lookup<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a toml::Value> {
    let (first, rest) = keys.split_first()?;
    let mut value = table.get(*first)?;
    for key in rest {
        value = value.as_table()?.get(*key)?;
    }
    Some(value)
}

/// PEP 503 normalized name of a requirement string (`Flask[async]>=3` → `flask`).
fn requirement_name(line: &str) -> Option<String> {
    let line = line.split('#').next().unwrap_or("").trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let name = line.get(..end)?;
    if name.is_empty() {
        return None;
    }
    Some(name.to_ascii_lowercase().replace(['_', '.'], "-"))
}

/// Whether a requirement string asks for an extra (`fastapi[standard]`).
fn has_extra(lines: &[String], name: &str, extra: &str) -> bool {
    lines.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        requirement_name(&l).as_deref() == Some(name) && l.contains(extra)
    })
}

struct Manifest {
    pyproject: Option<toml::Table>,
    pipfile: Option<toml::Table>,
    /// Raw requirement strings (requirements.txt lines, PEP 621 dependencies, …).
    requirements: Vec<String>,
    /// Normalized dependency names.
    names: BTreeSet<String>,
}

impl Manifest {
    fn depends_on(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn project_str(&self, keys: &[&str]) -> Option<String> {
        let pyproject = self.pyproject.as_ref()?;
        lookup(pyproject, keys)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    }

    /// `[project.scripts]` or `[tool.poetry.scripts]`, first by name.
    fn first_script(&self) -> Option<String> {
        let pyproject = self.pyproject.as_ref()?;
        [
            &["project", "scripts"][..],
            &["tool", "poetry", "scripts"][..],
        ]
        .iter()
        .filter_map(|keys| lookup(pyproject, keys)?.as_table())
        .flat_map(|t| t.keys())
        .next()
        .cloned()
    }

    fn source_url(&self) -> Option<String> {
        let pyproject = self.pyproject.as_ref()?;
        if let Some(urls) = lookup(pyproject, &["project", "urls"]).and_then(|v| v.as_table()) {
            for key in [
                "Source",
                "source",
                "Repository",
                "repository",
                "Homepage",
                "homepage",
            ] {
                if let Some(url) = urls.get(key).and_then(|v| v.as_str()) {
                    return Some(url.to_string());
                }
            }
        }
        ["repository", "homepage"]
            .iter()
            .find_map(|key| self.project_str(&["tool", "poetry", key]))
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest, InitError> {
    let mut manifest = Manifest {
        pyproject: None,
        pipfile: None,
        requirements: Vec::new(),
        names: BTreeSet::new(),
    };
    if let Some(text) = read_optional(dir, "pyproject.toml")? {
        let table = parse_toml(&dir.join("pyproject.toml"), &text)?;
        if let Some(deps) = lookup(&table, &["project", "dependencies"]).and_then(|v| v.as_array())
        {
            manifest
                .requirements
                .extend(deps.iter().filter_map(|d| d.as_str()).map(str::to_string));
        }
        if let Some(deps) =
            lookup(&table, &["tool", "poetry", "dependencies"]).and_then(|v| v.as_table())
        {
            for (name, spec) in deps {
                let extras = spec
                    .get("extras")
                    .and_then(|e| e.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|e| e.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                manifest.requirements.push(format!("{name}[{extras}]"));
            }
        }
        manifest.pyproject = Some(table);
    }
    if let Some(text) = read_optional(dir, "Pipfile")? {
        let table = parse_toml(&dir.join("Pipfile"), &text)?;
        if let Some(packages) = table.get("packages").and_then(|v| v.as_table()) {
            manifest.requirements.extend(packages.keys().cloned());
        }
        manifest.pipfile = Some(table);
    }
    if let Some(text) = read_optional(dir, "requirements.txt")? {
        manifest
            .requirements
            .extend(text.lines().map(|l| l.trim().to_string()));
    }
    manifest.names = manifest
        .requirements
        .iter()
        .filter_map(|r| requirement_name(r))
        .filter(|n| n != "python")
        .collect();
    Ok(manifest)
}

fn choose_manager(
    dir: &Path,
    entries: &[String],
    manifest: &Manifest,
) -> Result<(PythonManager, Vec<String>), InitError> {
    let has = |name: &str| entries.iter().any(|e| e == name);
    let with_lock = |files: &[&str]| -> Vec<String> {
        files
            .iter()
            .filter(|f| has(f))
            .map(|f| f.to_string())
            .collect()
    };
    let pyproject = manifest.pyproject.as_ref();
    let section = |keys: &[&str]| pyproject.is_some_and(|t| lookup(t, keys).is_some());
    if section(&["tool", "poetry"]) && (has("poetry.lock") || !has("uv.lock")) {
        return Ok((
            PythonManager::Poetry,
            with_lock(&["pyproject.toml", "poetry.lock"]),
        ));
    }
    if has("uv.lock") && pyproject.is_some() {
        return Ok((PythonManager::Uv, with_lock(&["pyproject.toml", "uv.lock"])));
    }
    if pyproject.is_some() && (has("pdm.lock") || section(&["tool", "pdm"])) {
        return Ok((
            PythonManager::Pdm,
            with_lock(&["pyproject.toml", "pdm.lock"]),
        ));
    }
    if has("requirements.txt") {
        let dev = [
            "requirements-dev.txt",
            "dev-requirements.txt",
            "requirements_dev.txt",
        ]
        .iter()
        .find(|f| has(f))
        .map(|f| f.to_string());
        return Ok((
            PythonManager::Pip {
                requirements: "requirements.txt".to_string(),
                dev_requirements: dev,
            },
            vec!["requirements.txt".to_string()],
        ));
    }
    if manifest.pipfile.is_some() {
        return Ok((
            PythonManager::Pipenv,
            with_lock(&["Pipfile", "Pipfile.lock"]),
        ));
    }
    if section(&["project"]) {
        return Ok((PythonManager::Pep621, vec!["pyproject.toml".to_string()]));
    }
    if has("setup.py") {
        return Ok((PythonManager::Pep621, Vec::new()));
    }
    Err(InitError::MissingForLanguage {
        dir: dir.to_path_buf(),
        language: "Python",
        hint:
            "no requirements.txt, pyproject.toml ([project] or [tool.poetry]), Pipfile or setup.py",
    })
}

/// The poetry version that wrote `poetry.lock` (`@generated by Poetry 1.8.3`).
fn poetry_lock_version(dir: &Path) -> Option<String> {
    let text = read_optional(dir, "poetry.lock").ok()??;
    let first = text.lines().next()?;
    let at = first.find("by Poetry ")?;
    let version = first
        .get(at + "by Poetry ".len()..)?
        .split_whitespace()
        .next()
        .unwrap_or("");
    let valid = !version.is_empty()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.');
    valid.then(|| version.to_string())
}

/// The dotted module of a `.py` path (`app/main.py` → `app.main`), with a
/// leading `src/` dropped.
fn module_of(path: &str) -> String {
    let path = path.strip_prefix("src/").unwrap_or(path);
    let path = path.strip_suffix(".py").unwrap_or(path);
    let path = path.strip_suffix("/__init__").unwrap_or(path);
    path.replace('/', ".")
}

/// `name = Constructor(` in a file: the variable name.
fn assigned_instance(text: &str, constructors: &[&str]) -> Option<String> {
    for line in text.lines() {
        let Some((left, right)) = line.split_once('=') else {
            continue;
        };
        let variable = left.trim();
        let right = right.trim_start();
        let is_identifier = !variable.is_empty()
            && !line.starts_with([' ', '\t'])
            && variable
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_identifier {
            continue;
        }
        let called = constructors.iter().any(|c| {
            right.starts_with(&format!("{c}("))
                || right
                    .split_once('(')
                    .is_some_and(|(callee, _)| callee.ends_with(&format!(".{c}")))
        });
        if called {
            return Some(variable.to_string());
        }
    }
    None
}

/// The first file (preferring conventional names) that assigns an instance of one of `constructors`.
fn find_app(files: &[SourceFile], constructors: &[&str]) -> Option<(String, String)> {
    let preferred = |p: &str| {
        let base = p.rsplit('/').next().unwrap_or(p);
        let rank = [
            "main.py",
            "app.py",
            "server.py",
            "api.py",
            "__init__.py",
            "wsgi.py",
        ]
        .iter()
        .position(|n| *n == base)
        .unwrap_or(99);
        (p.matches('/').count(), rank)
    };
    let mut hits: Vec<(&SourceFile, String)> = files
        .iter()
        .filter_map(|f| assigned_instance(&f.text, constructors).map(|v| (f, v)))
        .collect();
    hits.sort_by_key(|(f, _)| preferred(&f.path));
    hits.first()
        .map(|(f, variable)| (f.path.clone(), variable.clone()))
}

/// The package that holds `path` and has a `__main__.py`, for `python -m`.
fn runnable_package(files: &[SourceFile], path: &str) -> Option<String> {
    let dir = path.rsplit_once('/')?.0;
    let main = format!("{dir}/__main__.py");
    files
        .iter()
        .any(|f| f.path == main)
        .then(|| module_of(&format!("{dir}/__init__.py")))
}

/// The transport an MCP server's `run(...)` call asks for.
fn mcp_http_transport(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    ["sse", "streamable-http", "http"].iter().any(|t| {
        compact.contains(&format!("transport=\"{t}\""))
            || compact.contains(&format!("transport='{t}'"))
    })
}

fn python_version(dir: &Path, overrides: &Overrides, manifest: &Manifest) -> String {
    if let Some(version) = &overrides.python_version {
        return version.clone();
    }
    if let Ok(Some(text)) = read_optional(dir, ".python-version") {
        let version = text.lines().next().unwrap_or("").trim();
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() >= 2 && parts.iter().take(2).all(|p| p.parse::<u32>().is_ok()) {
            return format!("{}.{}", parts[0], parts[1]);
        }
    }
    // `requires-python = ">=3.13"` above the default raises it.
    if let Some(requires) = manifest.project_str(&["project", "requires-python"]) {
        if let Some(minimum) = requires.trim().strip_prefix(">=") {
            let minor = minimum
                .trim()
                .strip_prefix("3.")
                .and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|m| m.parse::<u32>().ok());
            if let Some(minor) = minor {
                if minor > 12 {
                    return format!("3.{minor}");
                }
            }
        }
    }
    DEFAULT_PYTHON_VERSION.to_string()
}

pub(crate) fn detect(
    dir: &Path,
    entries: &[String],
    overrides: &Overrides,
) -> Result<Project, InitError> {
    let manifest = read_manifest(dir)?;
    let (manager, dependency_files) = choose_manager(dir, entries, &manifest)?;
    let files = source_files(dir, &["py"]);
    let has = |name: &str| entries.iter().any(|e| e == name);
    let mut notes = Vec::new();
    let mut extra_packages = Vec::new();
    let mut install_project = false;
    let port = overrides.port.unwrap_or(8000);
    let port_text = port.to_string();
    let bind = format!("0.0.0.0:{port}");

    let imports_mcp = files.iter().any(|f| {
        f.text.contains("mcp.server.fastmcp")
            || f.text.contains("from fastmcp")
            || f.text.contains("import fastmcp")
    });
    let (framework, kind, command, dev_command): (&str, Kind, Vec<String>, Vec<String>);
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    if imports_mcp || manifest.depends_on("mcp") || manifest.depends_on("fastmcp") {
        let server = find_app(&files, &["FastMCP"]).map(|(path, _)| path);
        let http = server
            .as_ref()
            .and_then(|p| files.iter().find(|f| &f.path == p))
            .is_some_and(|f| mcp_http_transport(&f.text));
        framework = "fastmcp";
        kind = if http { Kind::Http } else { Kind::McpStdio };
        let script = manifest.first_script();
        command = if let Some(script) = script {
            install_project = true;
            vec![script]
        } else if let Some(package) = server.as_deref().and_then(|p| runnable_package(&files, p)) {
            words(&["python", "-m", &package])
        } else if let Some(path) = server {
            words(&["python", &path])
        } else {
            Vec::new()
        };
        dev_command = command.clone();
        if http {
            notes.push(format!(
                "MCP server over HTTP: FastMCP listens on port 8000 by default; set its host to 0.0.0.0 so the port is reachable (port {port})"
            ));
        }
    } else if manifest.depends_on("fastapi") || files.iter().any(|f| f.text.contains("FastAPI(")) {
        framework = "fastapi";
        kind = Kind::Http;
        let app = find_app(&files, &["FastAPI"])
            .map(|(path, var)| format!("{}:{var}", module_of(&path)))
            .unwrap_or_else(|| "main:app".to_string());
        if !manifest.depends_on("uvicorn")
            && !has_extra(&manifest.requirements, "fastapi", "standard")
        {
            extra_packages.push(format!("uvicorn=={UVICORN_VERSION}"));
            notes.push(format!(
                "uvicorn is not among the dependencies; the image installs uvicorn=={UVICORN_VERSION}"
            ));
        }
        command = words(&["uvicorn", &app, "--host", "0.0.0.0", "--port", &port_text]);
        dev_command = words(&[
            "uvicorn", &app, "--host", "0.0.0.0", "--port", &port_text, "--reload",
        ]);
    } else if manifest.depends_on("django") || has("manage.py") {
        framework = "django";
        kind = Kind::Http;
        let wsgi = files
            .iter()
            .filter(|f| f.path.ends_with("wsgi.py") && f.text.contains("get_wsgi_application"))
            .min_by_key(|f| f.path.matches('/').count())
            .map(|f| format!("{}:application", module_of(&f.path)))
            .unwrap_or_else(|| "config.wsgi:application".to_string());
        if !manifest.depends_on("gunicorn") {
            extra_packages.push(format!("gunicorn=={GUNICORN_VERSION}"));
            notes.push(format!(
                "gunicorn is not among the dependencies; the image installs gunicorn=={GUNICORN_VERSION}"
            ));
        }
        command = words(&[
            "gunicorn",
            &wsgi,
            "--bind",
            &bind,
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ]);
        dev_command = words(&["python", "manage.py", "runserver", &bind]);
        notes.push("Django: run `python manage.py collectstatic` and migrations as part of your release, not in the image build".to_string());
    } else if manifest.depends_on("flask") || files.iter().any(|f| f.text.contains("Flask(")) {
        framework = "flask";
        kind = Kind::Http;
        let app = find_app(&files, &["Flask"])
            .map(|(path, var)| format!("{}:{var}", module_of(&path)))
            .unwrap_or_else(|| "app:app".to_string());
        if !manifest.depends_on("gunicorn") {
            extra_packages.push(format!("gunicorn=={GUNICORN_VERSION}"));
            notes.push(format!(
                "gunicorn is not among the dependencies; the image installs gunicorn=={GUNICORN_VERSION}"
            ));
        }
        command = words(&[
            "gunicorn",
            &app,
            "--bind",
            &bind,
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ]);
        dev_command = words(&[
            "flask", "--app", &app, "run", "--debug", "--host", "0.0.0.0", "--port", &port_text,
        ]);
    } else {
        framework = "none";
        kind = Kind::Worker;
        let main_package = files
            .iter()
            .filter(|f| f.path.ends_with("/__main__.py"))
            .min_by_key(|f| f.path.matches('/').count())
            .map(|f| module_of(f.path.trim_end_matches("/__main__.py")));
        command = if let Some(script) = manifest.first_script() {
            install_project = true;
            vec![script]
        } else if let Some(package) = main_package {
            words(&["python", "-m", &package])
        } else if let Some(file) = ["main.py", "app.py", "server.py", "run.py"]
            .iter()
            .find(|f| has(f))
        {
            words(&["python", file])
        } else {
            Vec::new()
        };
        dev_command = command.clone();
    }

    if command.is_empty() && overrides.entrypoint.is_none() {
        return Err(InitError::NoEntrypoint {
            dir: dir.to_path_buf(),
            language: "Python",
            example: "--entrypoint \"python -m mypkg\"",
        });
    }
    if matches!(manager, PythonManager::Pep621) && dependency_files.is_empty() {
        install_project = true;
    }
    let tool_version = match manager {
        PythonManager::Poetry => {
            Some(poetry_lock_version(dir).unwrap_or_else(|| POETRY_VERSION.to_string()))
        }
        PythonManager::Uv => Some(UV_VERSION.to_string()),
        PythonManager::Pdm => Some(PDM_VERSION.to_string()),
        PythonManager::Pipenv => Some(PIPENV_VERSION.to_string()),
        PythonManager::Pip { .. } | PythonManager::Pep621 => None,
    };
    let name = manifest
        .project_str(&["project", "name"])
        .or_else(|| manifest.project_str(&["tool", "poetry", "name"]))
        .or_else(|| {
            dir.canonicalize()
                .ok()?
                .file_name()?
                .to_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "app".to_string());
    let description = manifest
        .project_str(&["project", "description"])
        .or_else(|| manifest.project_str(&["tool", "poetry", "description"]))
        .filter(|d| !d.trim().is_empty());
    // A route literal: `"/health"` (FastAPI, Flask) or `"health"` (Django's `path()`).
    let route = |name: &str| {
        files.iter().any(|f| {
            [
                format!("\"/{name}\""),
                format!("'/{name}'"),
                format!("\"{name}\""),
                format!("'{name}'"),
            ]
            .iter()
            .any(|literal| f.text.contains(literal.as_str()))
        })
    };
    let health_path = if route("healthz") {
        "/healthz"
    } else if route("health") {
        "/health"
    } else {
        "/"
    };
    Ok(Project {
        dir: dir.to_path_buf(),
        name: sanitize_name(&name),
        language: Language::Python,
        kind,
        framework: framework.to_string(),
        command,
        dev_command,
        port: (kind == Kind::Http).then_some(port),
        health_path: health_path.to_string(),
        language_version: python_version(dir, overrides, &manifest),
        base_image: None,
        source_url: manifest.source_url(),
        description,
        python: Some(PythonProject {
            manager,
            dependency_files,
            install_project,
            extra_packages,
            tool_version,
        }),
        node: None,
        entries: Vec::new(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_names() {
        assert_eq!(requirement_name("Flask[async]>=3"), Some("flask".into()));
        assert_eq!(
            requirement_name("zope.interface==1"),
            Some("zope-interface".into())
        );
        assert_eq!(requirement_name("-r base.txt"), None);
        assert_eq!(requirement_name("# x"), None);
    }

    #[test]
    fn instances() {
        assert_eq!(
            assigned_instance("app = FastAPI()\n", &["FastAPI"]),
            Some("app".into())
        );
        assert_eq!(
            assigned_instance("api = fastapi.FastAPI(title='x')\n", &["FastAPI"]),
            Some("api".into())
        );
        assert_eq!(
            assigned_instance("    app = FastAPI()\n", &["FastAPI"]),
            None
        );
        assert_eq!(assigned_instance("x == FastAPI()\n", &["FastAPI"]), None);
    }

    #[test]
    fn poetry_versions() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("poetry.lock"),
            "# This file is automatically @generated by Poetry 1.8.5 and should not be changed by hand.\n",
        )
        .unwrap();
        assert_eq!(poetry_lock_version(tmp.path()), Some("1.8.5".into()));
    }

    #[test]
    fn modules() {
        assert_eq!(module_of("app/main.py"), "app.main");
        assert_eq!(module_of("src/pkg/__init__.py"), "pkg");
    }

    #[test]
    fn transports() {
        assert!(mcp_http_transport("mcp.run(transport = \"sse\")"));
        assert!(mcp_http_transport("mcp.run(transport='streamable-http')"));
        assert!(!mcp_http_transport("mcp.run()"));
        assert!(!mcp_http_transport("mcp.run(transport=\"stdio\")"));
    }

    #[test]
    fn toml_errors_have_positions() {
        let err = parse_toml(Path::new("pyproject.toml"), "[project]\nname = \n").unwrap_err();
        match err {
            InitError::Parse { line, .. } => assert_eq!(line, 2),
            other => panic!("{other}"),
        }
    }
}
