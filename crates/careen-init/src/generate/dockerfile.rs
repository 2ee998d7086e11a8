//! The Dockerfile: `builder` (dependencies first, then the source),
//! `development` (builder plus dev dependencies) and `runtime` (last, so a
//! plain build gives it: no build tools, non-root, tini as PID 1).
//!
//! Written for BuildKit and buildah 1.28 alike: no heredocs, no `COPY --link`
//! or `--chmod`, no required secrets; only `RUN --mount=type=cache`, which
//! both support.

use super::{exec_form, health_command, quote, APP_UID};
use crate::detect::{
    Kind, Language, NodeManager, NodeProject, Project, PythonManager, PythonProject,
};

/// Debian's tini in bookworm is 0.19.0; the glob keeps the pin across rebuilds
/// of the package (`0.19.0-1+b3`).
const TINI_VERSION: &str = "0.19.*";

const PIP_CACHE: &str = "--mount=type=cache,target=/root/.cache/pip";
const NPM_CACHE: &str = "--mount=type=cache,target=/root/.npm";

struct Out(String);

impl Out {
    fn line(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }
    fn blank(&mut self) {
        self.0.push('\n');
    }
}

pub(crate) fn render(project: &Project) -> String {
    let mut out = Out(String::new());
    header(&mut out, project);
    match (project.language, &project.python, &project.node) {
        (Language::Python, Some(python), _) => python_stages(&mut out, project, python),
        (Language::Node, _, Some(node)) => node_stages(&mut out, project, node),
        // The detectors always fill the language's section.
        _ => out.line("# careen init: no project model for this language"),
    }
    out.0
}

fn header(out: &mut Out, project: &Project) {
    let tool = match (&project.python, &project.node) {
        (Some(python), _) => python.manager.name().to_string(),
        (_, Some(node)) => node.manager.as_str().to_string(),
        _ => String::new(),
    };
    let what = match project.kind {
        Kind::Http => "HTTP service",
        Kind::McpStdio => "MCP server (stdio)",
        Kind::Worker => "worker",
    };
    let framework = if project.framework == "none" {
        String::new()
    } else {
        format!("{}, ", project.framework)
    };
    out.line(&format!(
        "# {} — {what} ({framework}{tool}). Written by `careen init`; edit freely.",
        project.name
    ));
    out.line("#");
    out.line("# Targets (the last stage, runtime, is the default):");
    out.line(&format!(
        "#   docker build -t {} .                          production image",
        project.name
    ));
    out.line(&format!(
        "#   docker build --target development -t {}:dev .  with development dependencies",
        project.name
    ));
    out.line("# OCI labels come from build arguments:");
    out.line("#   --build-arg VERSION=1.2.3 --build-arg VCS_REF=\"$(git rev-parse HEAD)\" \\");
    out.line("#   --build-arg BUILD_DATE=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"");
    out.blank();
}

fn version_args(out: &mut Out, project: &Project) {
    let (var, image_var, default_image) = match project.language {
        Language::Python => (
            "PYTHON_VERSION",
            "PYTHON_IMAGE",
            "python:${PYTHON_VERSION}-slim-bookworm".to_string(),
        ),
        Language::Node => (
            "NODE_VERSION",
            "NODE_IMAGE",
            "node:${NODE_VERSION}-bookworm-slim".to_string(),
        ),
    };
    out.line("# The base image: a Debian bookworm slim image of the language version.");
    out.line(&format!(
        "# Pin it by digest for repeatable builds (`{image_var}=…@sha256:…`)."
    ));
    out.line(&format!("ARG {var}={}", project.language_version));
    let image = project.base_image.clone().unwrap_or(default_image);
    out.line(&format!("ARG {image_var}={image}"));
    out.blank();
}

fn runtime_base(out: &mut Out, project: &Project, image_var: &str) {
    let pid1 = match project.language {
        Language::Node => "node does not reap zombie processes or handle SIGTERM by default",
        Language::Python => match project.command.first().map(String::as_str) {
            Some("gunicorn") => {
                "gunicorn's arbiter reaps its workers, but tini keeps signal handling the same for every command"
            }
            Some("uvicorn") => "uvicorn does not reap zombie processes",
            _ => "python does not reap zombie processes or handle SIGTERM by default",
        },
    };
    out.line("# ---- runtime: the app and its production dependencies, non-root ----");
    out.line(&format!("FROM ${{{image_var}}} AS runtime"));
    out.line(&format!("ARG TINI_VERSION={TINI_VERSION}"));
    out.line(&format!(
        "# tini runs as PID 1: it forwards signals and reaps zombies ({pid1})."
    ));
    out.line(&format!(
        "# The app user has a fixed uid/gid ({APP_UID}) that volumes and runAsUser policies can rely on."
    ));
    out.line("RUN apt-get update \\");
    out.line("    && apt-get install -y --no-install-recommends \"tini=${TINI_VERSION}\" \\");
    out.line("    && rm -rf /var/lib/apt/lists/* \\");
    out.line(&format!("    && groupadd --system --gid {APP_UID} app \\"));
    out.line(&format!(
        "    && useradd --system --uid {APP_UID} --gid app --no-log-init --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app"
    ));
}

fn labels(out: &mut Out, project: &Project) {
    out.line("# Labels last: a new BUILD_DATE or VCS_REF does not invalidate the layers above.");
    out.line("ARG BUILD_DATE");
    out.line("ARG VCS_REF");
    out.line("ARG VERSION=0.1.0");
    out.line(&format!(
        "ARG SOURCE_URL={}",
        project.source_url.as_deref().unwrap_or("")
    ));
    let mut pairs = vec![("title", quote(&project.name))];
    if let Some(description) = &project.description {
        pairs.push(("description", quote(description)));
    }
    pairs.extend([
        ("source", "\"${SOURCE_URL}\"".to_string()),
        ("created", "\"${BUILD_DATE}\"".to_string()),
        ("revision", "\"${VCS_REF}\"".to_string()),
        ("version", "\"${VERSION}\"".to_string()),
    ]);
    let mcp = matches!(project.framework.as_str(), "fastmcp" | "mcp-sdk");
    if mcp {
        out.line("# The MCP registry matches this label with the server's registry name;");
        out.line("# `careen test` talks MCP over stdio to images that carry it.");
        out.line(&format!("ARG MCP_SERVER_NAME={}", project.name));
    }
    let mut lines: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("org.opencontainers.image.{key}={value}"))
        .collect();
    if mcp {
        lines.push("io.modelcontextprotocol.server.name=\"${MCP_SERVER_NAME}\"".to_string());
    }
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        let lead = if i == 0 { "LABEL " } else { "      " };
        let tail = if i == last { "" } else { " \\" };
        out.line(&format!("{lead}{line}{tail}"));
    }
}

fn serve(out: &mut Out, project: &Project) {
    out.line(&format!("USER {APP_UID}:{APP_UID}"));
    match project.kind {
        Kind::Http => {
            if let Some(port) = project.port {
                out.line(&format!("EXPOSE {port}"));
            }
            if let Some(check) = health_command(project) {
                out.line(
                    "# Any HTTP answer below 500 counts as healthy; no curl needed in the image.",
                );
                out.line(
                    "HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\",
                );
                out.line(&format!("    CMD {}", exec_form(&check)));
            }
        }
        Kind::McpStdio => {
            out.line(
                "# An MCP server over stdio has no port to probe: it lives as long as its client",
            );
            out.line("# keeps stdin open (`docker run -i`), and the client sees it exit.");
            out.line("HEALTHCHECK NONE");
        }
        Kind::Worker => {
            out.line(
                "# A worker serves nothing to probe; add a HEALTHCHECK that fits what it does.",
            );
            out.line("HEALTHCHECK NONE");
        }
    }
    out.line("ENTRYPOINT [\"/usr/bin/tini\", \"--\"]");
    out.line(&format!("CMD {}", exec_form(&project.command)));
}

// ---------------------------------------------------------------- Python

const PYTHON_ENV: &[&str] = &[
    "ENV PYTHONDONTWRITEBYTECODE=1 \\",
    "    PYTHONUNBUFFERED=1 \\",
    "    VIRTUAL_ENV=/opt/venv \\",
    "    PATH=/opt/venv/bin:$PATH",
];

/// Reads `[project.dependencies]` out of pyproject.toml so they install
/// before the source is copied (tomllib: Python 3.11+).
const PEP621_DEPENDENCIES: &str = "python -c \"import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb')).get('project', {}).get('dependencies', [])))\" > /tmp/requirements.txt";

fn python_stages(out: &mut Out, project: &Project, python: &PythonProject) {
    version_args(out, project);
    let tool_version = python.tool_version.as_deref().unwrap_or("");
    let extras = python.extra_packages.join(" ");

    out.line("# ---- builder: a virtual environment with the dependencies, then the app ----");
    out.line("FROM ${PYTHON_IMAGE} AS builder");
    out.line("# Passed through when the build network needs them (a CA bundle, a package mirror):");
    out.line("# pip reads PIP_CERT, requests-based tools (poetry, pipenv) REQUESTS_CA_BUNDLE, uv SSL_CERT_FILE.");
    out.line("ARG PIP_CERT");
    out.line("ARG REQUESTS_CA_BUNDLE");
    out.line("ARG SSL_CERT_FILE");
    out.line("ARG PIP_INDEX_URL");
    for line in PYTHON_ENV {
        if line.starts_with("    PATH") {
            out.line("    PIP_DISABLE_PIP_VERSION_CHECK=1 \\");
        }
        out.line(line);
    }
    out.line("WORKDIR /app");

    // The tool, in a venv of its own so it stays out of the app's.
    let tool = match &python.manager {
        PythonManager::Poetry => Some(("poetry", "/opt/poetry")),
        PythonManager::Uv => Some(("uv", "/opt/uv")),
        PythonManager::Pdm => Some(("pdm", "/opt/pdm")),
        PythonManager::Pipenv => Some(("pipenv", "/opt/pipenv")),
        PythonManager::Pip { .. } | PythonManager::Pep621 => None,
    };
    let app_venv = !matches!(python.manager, PythonManager::Uv);
    match tool {
        Some((name, home)) => {
            out.line(&format!("RUN {PIP_CACHE} \\"));
            if app_venv {
                out.line("    python3 -m venv /opt/venv \\");
                out.line(&format!("    && python3 -m venv {home} \\"));
            } else {
                out.line(&format!("    python3 -m venv {home} \\"));
            }
            out.line(&format!(
                "    && {home}/bin/pip install {name}=={tool_version}"
            ));
        }
        None => {
            // No pip, setuptools or wheel in the venv the runtime copies (~20 MB that
            // install nothing there): the image's own pip installs into it.
            out.line("# The app's venv gets no pip of its own (the runtime installs nothing):");
            out.line("# PIP_PYTHON points the base image's pip at it.");
            out.line("RUN python3 -m venv --without-pip /opt/venv");
            out.line("ENV PIP_PYTHON=/opt/venv/bin/python");
        }
    }
    if matches!(python.manager, PythonManager::Uv) {
        out.line("ENV UV_PROJECT_ENVIRONMENT=/opt/venv \\");
        out.line("    UV_PYTHON_DOWNLOADS=never \\");
        out.line("    UV_LINK_MODE=copy");
    }
    if matches!(python.manager, PythonManager::Pdm) {
        out.line("ENV PDM_CHECK_UPDATE=false");
    }
    if matches!(python.manager, PythonManager::Pipenv) {
        out.line("ENV PIPENV_VERBOSITY=-1");
    }

    if !python.dependency_files.is_empty() {
        out.line("# Dependencies first: this layer is rebuilt only when they change.");
        let files = python.dependency_files.join(" ");
        out.line(&format!("COPY {files} ./"));
    }
    let extra_install = |out: &mut Out| {
        if !extras.is_empty() {
            out.line(&format!("    && pip install {extras}"));
        }
    };
    match &python.manager {
        PythonManager::Pip { requirements, .. } => {
            out.line(&format!("RUN {PIP_CACHE} \\"));
            let tail = if extras.is_empty() {
                String::new()
            } else {
                format!(" {extras}")
            };
            out.line(&format!("    pip install -r {requirements}{tail}"));
        }
        PythonManager::Poetry => {
            out.line(&format!(
                "RUN {PIP_CACHE} --mount=type=cache,target=/root/.cache/pypoetry \\"
            ));
            out.line("    /opt/poetry/bin/poetry install --only main --no-root --no-interaction --no-ansi");
            extra_install(out);
        }
        PythonManager::Uv => {
            out.line(&format!(
                "RUN {PIP_CACHE} --mount=type=cache,target=/root/.cache/uv \\"
            ));
            out.line("    /opt/uv/bin/uv sync --frozen --no-dev --no-install-project");
            extra_install(out);
        }
        PythonManager::Pdm => {
            out.line(&format!(
                "RUN {PIP_CACHE} --mount=type=cache,target=/root/.cache/pdm \\"
            ));
            out.line("    /opt/pdm/bin/pdm sync --prod --no-self --no-editable");
            extra_install(out);
        }
        PythonManager::Pipenv => {
            let has_lock = python.dependency_files.iter().any(|f| f == "Pipfile.lock");
            out.line(&format!("RUN {PIP_CACHE} \\"));
            if has_lock {
                out.line("    /opt/pipenv/bin/pipenv sync");
            } else {
                out.line("    /opt/pipenv/bin/pipenv install --skip-lock");
            }
            extra_install(out);
        }
        PythonManager::Pep621 => {
            if python.dependency_files.is_empty() {
                if !extras.is_empty() {
                    out.line(&format!("RUN {PIP_CACHE} pip install {extras}"));
                }
            } else {
                out.line(
                    "# The dependencies of [project] in pyproject.toml (tomllib: Python 3.11+).",
                );
                out.line(&format!("RUN {PIP_CACHE} \\"));
                out.line(&format!("    {PEP621_DEPENDENCIES} \\"));
                out.line("    && pip install -r /tmp/requirements.txt");
                extra_install(out);
            }
        }
    }
    out.line("COPY . .");
    if python.install_project {
        out.line("# The project itself, for its console scripts.");
        match &python.manager {
            PythonManager::Poetry => {
                out.line("RUN --mount=type=cache,target=/root/.cache/pypoetry \\");
                out.line(
                    "    /opt/poetry/bin/poetry install --only main --no-interaction --no-ansi",
                );
            }
            PythonManager::Uv => {
                out.line("RUN --mount=type=cache,target=/root/.cache/uv \\");
                out.line("    /opt/uv/bin/uv sync --frozen --no-dev --no-editable");
            }
            PythonManager::Pdm => {
                out.line("RUN --mount=type=cache,target=/root/.cache/pdm \\");
                out.line("    /opt/pdm/bin/pdm sync --prod --no-editable");
            }
            _ => {
                out.line(&format!("RUN {PIP_CACHE} \\"));
                out.line("    pip install --no-deps .");
            }
        }
    }
    out.blank();

    out.line("# ---- development: the builder plus development dependencies ----");
    out.line("# Runs as root so a bind-mounted source tree stays writable; not for production.");
    out.line("FROM builder AS development");
    match &python.manager {
        PythonManager::Pip {
            dev_requirements: Some(dev),
            ..
        } => {
            out.line(&format!("RUN {PIP_CACHE} \\"));
            out.line(&format!("    pip install -r {dev}"));
        }
        PythonManager::Poetry => {
            out.line("RUN --mount=type=cache,target=/root/.cache/pypoetry \\");
            out.line("    /opt/poetry/bin/poetry install --no-root --no-interaction --no-ansi");
        }
        PythonManager::Uv => {
            out.line("RUN --mount=type=cache,target=/root/.cache/uv \\");
            out.line("    /opt/uv/bin/uv sync --frozen --no-install-project");
        }
        PythonManager::Pdm => {
            out.line("RUN --mount=type=cache,target=/root/.cache/pdm \\");
            out.line("    /opt/pdm/bin/pdm sync --dev --no-self");
        }
        PythonManager::Pipenv => {
            out.line(&format!("RUN {PIP_CACHE} \\"));
            out.line("    /opt/pipenv/bin/pipenv sync --dev");
        }
        _ => {}
    }
    if let (Kind::Http, Some(port)) = (project.kind, project.port) {
        out.line(&format!("EXPOSE {port}"));
    }
    out.line(&format!("CMD {}", exec_form(&project.dev_command)));
    out.blank();

    runtime_base(out, project, "PYTHON_IMAGE");
    for line in PYTHON_ENV {
        out.line(line);
    }
    out.line("WORKDIR /app");
    out.line("COPY --from=builder /opt/venv /opt/venv");
    out.line("COPY --from=builder /app /app");
    labels(out, project);
    serve(out, project);
}

// ---------------------------------------------------------------- Node

/// The install commands of one manager: (cache mount, production install, full install).
fn node_install(node: &NodeProject) -> (String, String, String) {
    let locked = node.lockfile.is_some();
    let berry = node
        .manager_version
        .as_deref()
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.parse::<u32>().ok())
        .is_some_and(|major| major >= 2);
    match node.manager {
        NodeManager::Npm if locked => (
            NPM_CACHE.to_string(),
            "npm ci --omit=dev".to_string(),
            "npm ci".to_string(),
        ),
        NodeManager::Npm => (
            NPM_CACHE.to_string(),
            "npm install --omit=dev".to_string(),
            "npm install".to_string(),
        ),
        NodeManager::Pnpm => (
            "--mount=type=cache,target=/root/.local/share/pnpm/store".to_string(),
            format!(
                "pnpm install --prod{}",
                if locked { " --frozen-lockfile" } else { "" }
            ),
            format!(
                "pnpm install{}",
                if locked { " --frozen-lockfile" } else { "" }
            ),
        ),
        NodeManager::Yarn if berry => (
            "--mount=type=cache,target=/root/.yarn/berry/cache".to_string(),
            "yarn workspaces focus --all --production".to_string(),
            format!("yarn install{}", if locked { " --immutable" } else { "" }),
        ),
        NodeManager::Yarn => (
            "--mount=type=cache,target=/usr/local/share/.cache/yarn".to_string(),
            format!(
                "yarn install --production{}",
                if locked { " --frozen-lockfile" } else { "" }
            ),
            format!(
                "yarn install{}",
                if locked { " --frozen-lockfile" } else { "" }
            ),
        ),
    }
}

/// Lines that make the package manager available (npm ships with Node).
fn node_manager_setup(out: &mut Out, node: &NodeProject) {
    match node.manager {
        NodeManager::Npm => {}
        NodeManager::Pnpm => {
            let version = node.manager_version.as_deref().unwrap_or("9");
            out.line(&format!("RUN {NPM_CACHE} npm install -g pnpm@{version}"));
        }
        NodeManager::Yarn => {
            let version = node.manager_version.as_deref().unwrap_or("1");
            if version.starts_with('1') {
                out.line("# Yarn 1 ships with the official Node images.");
            } else {
                out.line(&format!(
                    "# Yarn {version} through corepack (packageManager in package.json)."
                ));
                out.line("RUN corepack enable");
            }
        }
    }
}

fn node_stages(out: &mut Out, project: &Project, node: &NodeProject) {
    version_args(out, project);
    let (cache, prod_install, full_install) = node_install(node);
    let mut manifest = vec!["package.json".to_string()];
    manifest.extend(node.lockfile.clone());
    // `.npmrc` stays out: it often holds registry tokens (.dockerignore drops it).
    for extra in [".yarnrc.yml", "pnpm-workspace.yaml"] {
        if project.entries.iter().any(|e| e == extra) {
            manifest.push(extra.to_string());
        }
    }
    let manifest = manifest.join(" ");
    let copy_manifest = format!("COPY {manifest} ./");
    let passthrough = |out: &mut Out| {
        out.line(
            "# Passed through when the build network needs them (a CA bundle, a registry mirror).",
        );
        // Lower case: the names npm documents for its environment and the ones
        // `careen build --ca-bundle` passes; a build arg reaches RUN only under
        // the exact name its ARG declares.
        out.line("ARG npm_config_cafile");
        out.line("ARG npm_config_registry");
    };

    out.line("# ---- deps: production dependencies only ----");
    out.line("FROM ${NODE_IMAGE} AS deps");
    passthrough(out);
    out.line("WORKDIR /app");
    node_manager_setup(out, node);
    out.line(&copy_manifest);
    out.line(&format!("RUN {cache} \\"));
    out.line(&format!("    {prod_install}"));
    out.blank();

    out.line("# ---- builder: all dependencies, then the source and the build ----");
    out.line("FROM ${NODE_IMAGE} AS builder");
    passthrough(out);
    out.line("WORKDIR /app");
    node_manager_setup(out, node);
    out.line("# Dependencies first: this layer is rebuilt only when they change.");
    out.line(&copy_manifest);
    out.line(&format!("RUN {cache} \\"));
    out.line(&format!("    {full_install}"));
    out.line("COPY . .");
    if node.build {
        let run = match node.manager {
            NodeManager::Npm => "npm run build",
            NodeManager::Yarn => "yarn build",
            NodeManager::Pnpm => "pnpm build",
        };
        out.line(&format!("RUN {run}"));
    }
    out.blank();

    out.line("# ---- development: all dependencies and the source ----");
    out.line("# Runs as root so a bind-mounted source tree stays writable; not for production.");
    out.line("FROM builder AS development");
    out.line("ENV NODE_ENV=development");
    if let (Kind::Http, Some(port)) = (project.kind, project.port) {
        out.line(&format!("EXPOSE {port}"));
    }
    out.line(&format!("CMD {}", exec_form(&project.dev_command)));
    out.blank();

    runtime_base(out, project, "NODE_IMAGE");
    out.line("ENV NODE_ENV=production");
    out.line("WORKDIR /app");
    out.line("COPY --from=deps /app/node_modules ./node_modules");
    match (&node.out_dir, node.build) {
        (Some(dir), true) => {
            out.line("COPY package.json ./");
            out.line(&format!("COPY --from=builder /app/{dir} ./{dir}"));
        }
        _ => out.line("COPY . ."),
    }
    labels(out, project);
    serve(out, project);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(manager: NodeManager, version: Option<&str>, lock: bool) -> NodeProject {
        NodeProject {
            manager,
            manager_version: version.map(str::to_string),
            lockfile: lock.then(|| "x.lock".to_string()),
            build: false,
            out_dir: None,
            dev_script: false,
        }
    }

    #[test]
    fn installs() {
        assert_eq!(
            node_install(&node(NodeManager::Npm, None, true)).1,
            "npm ci --omit=dev"
        );
        assert_eq!(
            node_install(&node(NodeManager::Pnpm, Some("9.1.0"), true)).1,
            "pnpm install --prod --frozen-lockfile"
        );
        assert_eq!(
            node_install(&node(NodeManager::Yarn, Some("4.5.0"), true)).2,
            "yarn install --immutable"
        );
        assert_eq!(
            node_install(&node(NodeManager::Yarn, None, true)).1,
            "yarn install --production --frozen-lockfile"
        );
    }
}
