use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `CMD`/`ENTRYPOINT` that start the application through a
    /// package manager: `npm start`, `npm run …`, `yarn start`, `pnpm start`.
    ///
    /// ## Why is this bad?
    /// The package manager stays between the container runtime and your
    /// program: it starts the script in a shell, does not reliably pass
    /// SIGTERM on, so `docker stop` ends in a SIGKILL after the grace period
    /// instead of a clean shutdown, and it costs an extra process and tens of
    /// megabytes of memory. Run the command the `start` script runs directly.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["npm", "start"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    pub(crate) struct NpmStartCommand {
        code: "CR1008",
        name: "npm-start-command",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// `npm start`, `npm run x`, `npm run-script x`, `yarn start`, `yarn x`
/// (a script), `pnpm start`, `pnpm run x`: the runner word and the
/// subcommand's index.
fn runs_script(words: &[String]) -> Option<usize> {
    let runner = practice::basename(words.first()?);
    if !matches!(runner, "npm" | "yarn" | "pnpm") {
        return None;
    }
    let (index, sub) = words
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| !w.starts_with('-'))?;
    match sub.as_str() {
        "start" | "run" | "run-script" => Some(index),
        _ => None,
    }
}

impl Rule for NpmStartCommand {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for index in practice::final_image_instructions(ctx) {
            let Some(instruction) = ctx.instructions().get(index) else {
                continue;
            };
            let command = match &instruction.kind {
                InstructionKind::Cmd(c) | InstructionKind::Entrypoint(c) => c,
                _ => continue,
            };
            let words = practice::command_words(ctx, command);
            let mut argv: Vec<(String, careen_dockerfile::Span)> = words.words;
            if argv.first().is_some_and(|(w, _)| w == "exec") {
                argv.remove(0);
            }
            let values: Vec<String> = argv.iter().map(|(w, _)| w.clone()).collect();
            let Some(sub) = runs_script(&values) else {
                continue;
            };
            // `npm run NAME`: include the script's name.
            let last_index = if argv.get(sub).is_some_and(|(w, _)| w != "start") {
                sub + 1
            } else {
                sub
            };
            let (Some((runner, first)), Some((_, last))) =
                (argv.first(), argv.get(last_index).or(argv.get(sub)))
            else {
                continue;
            };
            let span = careen_dockerfile::Span::new(first.start, last.end);
            let shown = values
                .get(1..=last_index.min(values.len().saturating_sub(1)))
                .map(|rest| format!("{} {}", practice::basename(runner), rest.join(" ")))
                .unwrap_or_default();
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    span,
                    format!("`{shown}` keeps the package manager as the container's main process"),
                )
                .with_help("run the program directly, e.g. `CMD [\"node\", \"server.js\"]`"),
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
    fn scripts() {
        assert_eq!(runs_script(&words("npm start")), Some(1));
        assert_eq!(runs_script(&words("npm run start:prod")), Some(1));
        assert_eq!(runs_script(&words("yarn --silent start")), Some(2));
        assert_eq!(runs_script(&words("npm ci")), None);
        assert_eq!(runs_script(&words("node server.js")), None);
    }
}
