use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{Command, Span};

rule! {
    /// ## What it does
    /// Checks for a final image whose PID 1 is a shell or a language runtime
    /// (`node`, `python`, `bun`, `deno`) started without an init process.
    ///
    /// ## Why is this bad?
    /// The kernel treats PID 1 specially: signals it has no handler for are
    /// dropped, so `docker stop`'s SIGTERM does nothing to a Node.js or Python
    /// program that does not handle it, and the container is killed after the
    /// ten-second grace period without a clean shutdown. PID 1 must also reap
    /// orphaned child processes, which these runtimes do not do, so zombies
    /// pile up. A shell as PID 1 (`CMD cd /app && node server.js`,
    /// `sh -c "…"`) does not forward signals to its child at all.
    ///
    /// An init such as `tini` or `dumb-init` as the `ENTRYPOINT` fixes both;
    /// so does starting the container with `docker run --init` or Compose's
    /// `init: true`, which this rule cannot see — ignore the rule when you do.
    /// An `ENTRYPOINT` script is assumed to `exec` its command and is not
    /// reported. `npm start` and friends are reported by CR1008.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends tini \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ENTRYPOINT ["tini", "--"]
    /// CMD ["node", "server.js"]
    /// ```
    pub(crate) struct Pid1WithoutInit {
        code: "CR1003",
        name: "pid1-without-init",
        severity: Info,
        fix: None,
        enabled: true,
    }
}

const INITS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "init",
    "docker-init",
    "s6-svscan",
    "supervisord",
    "runsvdir",
    "pid1",
    "systemd",
];

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];

/// Programs that run as a Python or Node process themselves (server
/// launchers included) and so neither reap orphans nor forward signals the
/// way an init does. gunicorn is not here: its arbiter reaps children.
fn is_runtime(name: &str) -> bool {
    matches!(
        name,
        "node"
            | "nodejs"
            | "bun"
            | "deno"
            | "npx"
            | "tsx"
            | "ts-node"
            | "uvicorn"
            | "hypercorn"
            | "daphne"
            | "flask"
            | "fastapi"
            | "streamlit"
    ) || name
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

enum Pid1 {
    /// Fine, or not ours to judge (an init, a script, another program).
    Unknown,
    /// A process that neither forwards signals nor reaps: (name, span).
    Bare(String, Span),
}

fn pid1_of(ctx: &Context<'_>, command: &Command, keyword: Span) -> Pid1 {
    let words = practice::command_words(ctx, command);
    if words.shell_form && words.compound {
        return Pid1::Bare("/bin/sh".to_string(), keyword);
    }
    let mut iter = words.words.iter().skip_while(|(w, _)| w == "exec");
    let Some((program, span)) = iter.next() else {
        return Pid1::Unknown;
    };
    let name = practice::basename(program);
    if INITS.contains(&name) {
        return Pid1::Unknown;
    }
    if SHELLS.contains(&name) {
        let rest: Vec<&String> = iter.map(|(w, _)| w).collect();
        if let Some(position) = rest
            .iter()
            .position(|w| w.starts_with('-') && w.contains('c'))
        {
            let script = rest.get(position + 1).map(|s| s.as_str()).unwrap_or("");
            let parsed = careen_dockerfile::shell::parse(script);
            let top: Vec<_> = parsed.commands.iter().filter(|c| c.depth == 0).collect();
            if let [single] = top.as_slice() {
                // The shell execs a lone command: that command is PID 1.
                let view = single.effective();
                let program = view.name().map(practice::basename).unwrap_or("");
                if is_runtime(program) && !view.args().is_empty() {
                    return Pid1::Bare(program.to_string(), *span);
                }
                return Pid1::Unknown;
            }
            return Pid1::Bare(name.to_string(), *span);
        }
        // `sh script.sh`: a script; assume it execs.
        return Pid1::Unknown;
    }
    // A bare interpreter (`CMD ["python3"]`) is a base image's REPL default.
    if is_runtime(name) && iter.next().is_some() {
        return Pid1::Bare(name.to_string(), *span);
    }
    Pid1::Unknown
}

impl Rule for Pid1WithoutInit {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if practice::root_base(ctx).is_some_and(|s| practice::is_windows_image(&s.base)) {
            return;
        }
        let (cmd, entrypoint) = practice::final_cmd_entrypoint(ctx);
        let chosen = match (entrypoint, cmd) {
            (Some(entrypoint), _) => entrypoint,
            (None, Some(cmd)) => cmd,
            (None, None) => return,
        };
        let Some(instruction) = ctx.instructions().get(chosen.0) else {
            return;
        };
        if let Pid1::Bare(name, span) = pid1_of(ctx, chosen.1, instruction.keyword_span) {
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    format!(
                        "`{name}` runs as PID 1 with no init to forward signals and reap zombie processes"
                    ),
                )
                .with_help(
                    "use `ENTRYPOINT [\"tini\", \"--\"]` (or dumb-init), or run the container with `--init`",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes() {
        assert!(is_runtime("python3.12"));
        assert!(is_runtime("node"));
        assert!(is_runtime("uvicorn"));
        assert!(!is_runtime("gunicorn"));
        assert!(!is_runtime("python-app"));
        assert!(!is_runtime("gunicorn"));
    }
}

#[cfg(test)]
mod whole_file_tests {
    use crate::rules::careen::practice::fired_lines;

    #[test]
    fn init_scripts_and_repls_are_fine() {
        for source in [
            "FROM node:22\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"node\", \"s.js\"]\n",
            "FROM node:22\nENTRYPOINT [\"/usr/bin/dumb-init\", \"--\"]\nCMD node s.js\n",
            "FROM node:22\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\", \"s.js\"]\n",
            "FROM python:3\nCMD [\"python3\"]\n",
            "FROM python:3\nCMD [\"gunicorn\", \"app:app\"]\n",
            "FROM python:3\nCMD [\"sh\", \"-c\", \"exec gunicorn app:app\"]\n",
            "FROM python:3\n",
        ] {
            assert!(fired_lines("CR1003", source).is_empty(), "{source}");
        }
    }

    #[test]
    fn bare_pid1() {
        assert_eq!(
            fired_lines("CR1003", "FROM node:22\nCMD node server.js\n"),
            [2]
        );
        assert_eq!(
            fired_lines("CR1003", "FROM python:3\nCMD cd /app && gunicorn app:app\n"),
            [2]
        );
        assert_eq!(
            fired_lines(
                "CR1003",
                "FROM python:3\nCMD [\"sh\", \"-c\", \"python a.py\"]\n"
            ),
            [2]
        );
        assert_eq!(
            fired_lines("CR1003", "FROM python:3\nCMD [\"sh\", \"-c\", \"x; y\"]\n"),
            [2]
        );
    }
}
