//! `compose.yaml`: one service built from the runtime target, locked down
//! (read-only root, no capabilities, no privilege gain), with resource
//! limits, an optional `.env`, and ports and a health check for HTTP services
//! or an open stdin for a stdio MCP server.

use super::{exec_form, health_command, quote};
use crate::detect::{Kind, Project};

pub(crate) fn render(project: &Project) -> String {
    let name = &project.name;
    let mut y = String::new();
    let mut line = |text: &str| {
        y.push_str(text);
        y.push('\n');
    };
    line("# Written by `careen init`. `docker compose up --build` runs the production image;");
    line("# `docker compose build --build-arg VERSION=…` fills the image labels.");
    if project.kind == Kind::McpStdio {
        line("# A stdio MCP server talks over stdin/stdout: start it from the client with");
        line(&format!("#   docker compose run --rm -T {name}"));
    }
    line("services:");
    line(&format!("  {name}:"));
    line("    build:");
    line("      context: .");
    line("      target: runtime");
    line(&format!("    image: {name}:local"));
    if let (Kind::Http, Some(port)) = (project.kind, project.port) {
        line("    ports:");
        line(&format!("      - {}", quote(&format!("{port}:{port}"))));
    }
    if project.kind == Kind::McpStdio {
        line("    stdin_open: true");
    }
    line("    env_file:");
    line("      - path: .env");
    line("        required: false");
    line("    read_only: true");
    line("    tmpfs:");
    line("      - /tmp");
    line("    cap_drop:");
    line("      - ALL");
    line("    security_opt:");
    line("      - no-new-privileges:true");
    if let Some(check) = health_command(project) {
        let mut test = vec!["CMD".to_string()];
        test.extend(check);
        line("    healthcheck:");
        line(&format!("      test: {}", exec_form(&test)));
        line("      interval: 30s");
        line("      timeout: 5s");
        line("      start_period: 15s");
        line("      retries: 3");
    }
    if project.kind != Kind::McpStdio {
        line("    restart: unless-stopped");
    }
    line("    deploy:");
    line("      resources:");
    line("        limits:");
    line("          cpus: \"1.0\"");
    line("          memory: 512M");
    line("        reservations:");
    line("          cpus: \"0.25\"");
    line("          memory: 128M");
    y
}
