use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks that an image serving HTTP declares a `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Docker, Compose and Swarm only know a container is *running*; without a
    /// health check they cannot tell a server that is up from one that is
    /// stuck, still starting, or crashed in a way that kept the process alive.
    /// `depends_on: condition: service_healthy`, rolling updates and restarts
    /// of unhealthy services all need one.
    ///
    /// The final image counts as a service when it `EXPOSE`s a port, or when
    /// its `CMD`/`ENTRYPOINT` starts a known server (uvicorn, gunicorn,
    /// hypercorn, `flask run`, `manage.py runserver`, `node server.js`,
    /// `npm start`, `next start`, nginx, puma, …); an `EXPOSE` of UDP ports
    /// only does not count. A stdio MCP server (a
    /// command mentioning `mcp` with no port and no HTTP transport) is not a
    /// service. A `HEALTHCHECK` in a stage the final stage is built `FROM`
    /// counts, and so does `HEALTHCHECK NONE` (an explicit choice).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// EXPOSE 8000
    /// CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// EXPOSE 8000
    /// HEALTHCHECK --interval=30s --timeout=3s \
    ///   CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
    /// CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint's DL3057 (off by default) asks for a `HEALTHCHECK` in every
    /// image; this rule asks only where a server runs.
    pub(crate) struct HttpServiceWithoutHealthcheck {
        code: "CR1002",
        name: "http-service-without-healthcheck",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

/// Does this argv (literal words of a CMD/ENTRYPOINT) start a network server?
pub(crate) fn runs_server(words: &[String]) -> Option<String> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    for (i, word) in lower.iter().enumerate() {
        let name = practice::basename(word);
        let next = lower.get(i + 1).map(String::as_str).unwrap_or("");
        let next_base = practice::basename(next);
        let found = match name {
            "uvicorn" | "gunicorn" | "hypercorn" | "daphne" | "waitress-serve" | "granian"
            | "puma" | "unicorn" | "nginx" | "httpd" | "apache2-foreground" | "caddy"
            | "http-server" | "traefik" | "envoy" => true,
            "flask" | "streamlit" | "fastapi" => next == "run" || next == "dev",
            "rails" => next == "server" || next == "s",
            "next" | "nuxt" | "remix-serve" | "astro" => next == "start" || name == "remix-serve",
            "npm" | "yarn" | "pnpm" => next == "start",
            "node" | "nodejs" | "bun" | "deno" => {
                let stem = next_base.split('.').next().unwrap_or("");
                (name == "bun" && next == "start")
                    || matches!(stem, "server" | "app")
                        && next_base.ends_with("js")
                        && !lower.iter().any(|w| w.contains("mcp"))
            }
            "python" | "python3" => {
                next == "manage.py" && lower.get(i + 2).is_some_and(|w| w == "runserver")
                    || next == "-m" && lower.get(i + 2).is_some_and(|w| w == "http.server")
            }
            "manage.py" => next == "runserver",
            _ => false,
        };
        if found {
            return Some(words.get(i).cloned().unwrap_or_default());
        }
    }
    None
}

/// A stdio MCP server: mentions `mcp` and nothing that points to HTTP.
fn stdio_mcp(words: &[String]) -> bool {
    let text = words.join(" ").to_ascii_lowercase();
    text.contains("mcp")
        && !["http", "sse", "--port", "streamable"]
            .iter()
            .any(|w| text.contains(w))
}

impl Rule for HttpServiceWithoutHealthcheck {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let instructions = practice::final_image_instructions(ctx);
        let mut expose = None;
        for &index in &instructions {
            match ctx.instructions().get(index).map(|i| &i.kind) {
                Some(InstructionKind::Healthcheck(_)) => return,
                Some(InstructionKind::Expose(ports)) => {
                    // A UDP-only port cannot be probed over HTTP.
                    if let Some(tcp) = ports
                        .iter()
                        .find(|p| !p.value.to_ascii_lowercase().ends_with("/udp"))
                    {
                        expose = Some(tcp.clone());
                    }
                }
                _ => {}
            }
        }
        let (cmd, entrypoint) = practice::final_cmd_entrypoint(ctx);
        let mut words = Vec::new();
        let mut anchor = None;
        for (index, command) in [entrypoint, cmd].into_iter().flatten() {
            words.extend(practice::all_command_text(command));
            anchor = anchor.or(ctx.instructions().get(index).map(|i| i.keyword_span));
        }
        if let Some(server) = runs_server(&words) {
            if stdio_mcp(&words) && expose.is_none() {
                return;
            }
            if let Some(span) = anchor {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        span,
                        format!("the image runs `{server}` but declares no `HEALTHCHECK`"),
                    )
                    .with_help("add a `HEALTHCHECK CMD …` that probes the server"),
                );
            }
            return;
        }
        if let Some(port) = expose {
            if stdio_mcp(&words) {
                return;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    port.span,
                    format!(
                        "the image exposes port `{}` but declares no `HEALTHCHECK`",
                        port.value
                    ),
                )
                .with_help("add a `HEALTHCHECK CMD …` that probes the service"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn servers() {
        assert!(runs_server(&words("uvicorn app:app")).is_some());
        assert!(runs_server(&words("/venv/bin/gunicorn -b :80 app")).is_some());
        assert!(runs_server(&words("node dist/server.js")).is_some());
        assert!(runs_server(&words("python manage.py runserver 0.0.0.0:8000")).is_some());
        assert!(runs_server(&words("npm start")).is_some());
        assert!(runs_server(&words("node build/index.js")).is_none());
        assert!(runs_server(&words("node cli.js")).is_none());
        assert!(runs_server(&words("python main.py")).is_none());
        assert!(runs_server(&words("node /app/mcp-server/index.js")).is_none());
        assert!(stdio_mcp(&words(
            "npx -y @modelcontextprotocol/server-filesystem mcp"
        )));
    }
}

#[cfg(test)]
mod whole_file_tests {
    use crate::rules::careen::practice::fired_lines;

    #[test]
    fn healthcheck_or_no_service() {
        for source in [
            "FROM python:3.12\nEXPOSE 80\nHEALTHCHECK CMD curl -f http://localhost/\n",
            "FROM python:3.12 AS base\nHEALTHCHECK NONE\nFROM base\nEXPOSE 80\n",
            "FROM python:3.12\nCMD [\"python\", \"main.py\"]\n",
            "FROM node:22\nCMD [\"node\", \"dist/index.js\"]\n",
            "FROM node:22\nCMD [\"npx\", \"-y\", \"@acme/mcp-server-notes\"]\n",
            "FROM alpine\nEXPOSE 53/udp\n",
        ] {
            assert!(fired_lines("CR1002", source).is_empty(), "{source}");
        }
    }

    #[test]
    fn services() {
        assert_eq!(fired_lines("CR1002", "FROM nginx:1\nEXPOSE 80\n"), [2]);
        assert_eq!(
            fired_lines("CR1002", "FROM python:3\nCMD uvicorn app:app --port 80\n"),
            [2]
        );
        assert_eq!(
            fired_lines("CR1002", "FROM node:22\nCMD [\"node\", \"mcp.js\", \"--transport\", \"http\"]\nEXPOSE 3000\n"),
            [3]
        );
    }
}
