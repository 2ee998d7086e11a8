use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::{shell, Command, Healthcheck, InstructionKind};

rule! {
    /// ## What it does
    /// Checks for CMD, ENTRYPOINT and HEALTHCHECK CMD in shell form.
    ///
    /// ## Why is this bad?
    /// The shell form runs the command under `/bin/sh -c`, so the shell is the
    /// container's main process: it does not pass on SIGTERM, the program is
    /// killed after the stop timeout instead of shutting down cleanly, and an
    /// ENTRYPOINT in shell form ignores the arguments given to `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Rewrites a command made of plain words (no variables, globs, quotes with
    /// expansions, redirections or shell operators) in JSON form. Unsafe: the
    /// program then gets signals directly and no shell runs, which changes how
    /// the container behaves.
    ///
    /// ## Differences from hadolint
    /// None known: `ONBUILD CMD` is not checked, as in hadolint.
    pub(crate) struct JsonFormCmd {
        code: "DL3025",
        name: "json-form-cmd",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

/// The command's argv as a JSON array when the script is plain words.
fn as_json(script: &str) -> Option<String> {
    let parsed = shell::parse(script);
    let [command] = parsed.commands.as_slice() else {
        return None;
    };
    let plain = parsed.pipes.is_empty()
        && command.depth == 0
        && command.assignments.is_empty()
        && command.redirects.is_empty()
        && command.connector.is_none()
        && !command.words.is_empty()
        && command.words.iter().all(|w| {
            !w.has_expansion
                && !w.value.is_empty()
                && !w
                    .raw
                    .contains(['*', '?', '[', '~', '$', '`', '{', '}', '#', '\\'])
        });
    if !plain || script.trim() != script.get(command.range.clone())?.trim() {
        return None;
    }
    let words: Vec<String> = command
        .words
        .iter()
        .map(|w| serde_json::to_string(&w.value))
        .collect::<Result<_, _>>()
        .ok()?;
    Some(format!("[{}]", words.join(", ")))
}

impl Rule for JsonFormCmd {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let (keyword, command) = match &instruction.kind {
                InstructionKind::Cmd(command) => ("CMD", command),
                InstructionKind::Entrypoint(command) => ("ENTRYPOINT", command),
                InstructionKind::Healthcheck(Healthcheck::Cmd(command)) => {
                    ("HEALTHCHECK CMD", command)
                }
                _ => continue,
            };
            let Command::Shell { script, span, .. } = command else {
                continue;
            };
            let mut diagnostic =
                Diagnostic::new(&Self::INFO, *span, format!("{keyword} is in shell form"))
                    .with_help("write it as a JSON array, e.g. `[\"program\", \"arg\"]`");
            // Only when the script is one source line, so the span is the script.
            let source_text = ctx.source().get(span.range());
            if let (Some(json), Some(true)) = (as_json(script), source_text.map(|t| t == script)) {
                diagnostic = diagnostic.with_fix(Fix::unsafe_(
                    "Convert to JSON form",
                    vec![Edit::replace(span.range(), json)],
                ));
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::as_json;

    #[test]
    fn converts_plain_commands_only() {
        assert_eq!(
            as_json("node server.js --port 80").as_deref(),
            Some(r#"["node", "server.js", "--port", "80"]"#)
        );
        assert_eq!(as_json("'a b' c").as_deref(), Some(r#"["a b", "c"]"#));
        assert_eq!(as_json("node $APP"), None);
        assert_eq!(as_json("a && b"), None);
        assert_eq!(as_json("a > log"), None);
        assert_eq!(as_json("ls *.txt"), None);
    }
}
