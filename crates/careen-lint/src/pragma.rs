//! Inline ignore pragmas: `# careen ignore=CODE[,CODE]` and hadolint's
//! `# hadolint ignore=CODE`, on the comment lines right above an instruction;
//! `# careen global ignore=…` / `# hadolint global ignore=…` for the whole file.

use careen_dockerfile::Dockerfile;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, Clone)]
pub struct Pragmas {
    /// Codes ignored in the whole file.
    pub global: BTreeSet<String>,
    /// Codes ignored per instruction index.
    pub per_instruction: BTreeMap<usize, BTreeSet<String>>,
    /// Every pragma comment: (1-based line, tool, codes), for DL1001.
    pub comments: Vec<PragmaComment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PragmaComment {
    pub line: u32,
    pub tool: String,
    pub global: bool,
    pub codes: Vec<String>,
    pub span: careen_dockerfile::Span,
}

/// Parse one comment's text (after `#`). Returns (tool, global, codes).
pub fn parse_pragma(text: &str) -> Option<(String, bool, Vec<String>)> {
    let text = text.trim();
    let (tool, rest) = text.split_once(char::is_whitespace)?;
    let tool = tool.to_ascii_lowercase();
    if tool != "hadolint" && tool != "careen" {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut global = false;
    if let Some(after) = rest.strip_prefix("global") {
        global = true;
        rest = after.trim_start();
    }
    let rest = rest.strip_prefix("ignore")?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let codes: Vec<String> = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .take_while(|c| !c.starts_with('#'))
        .filter(|c| !c.is_empty())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if codes.is_empty() {
        return None;
    }
    Some((tool, global, codes))
}

impl Pragmas {
    pub fn collect(dockerfile: &Dockerfile) -> Pragmas {
        let mut pragmas = Pragmas::default();
        for comment in &dockerfile.comments {
            let Some((tool, global, codes)) = parse_pragma(&comment.text) else {
                continue;
            };
            let line = comment.span.start.line;
            pragmas.comments.push(PragmaComment {
                line,
                tool,
                global,
                codes: codes.clone(),
                span: comment.span,
            });
            if global {
                pragmas.global.extend(codes);
                continue;
            }
            // The next instruction that starts after the comment, with only
            // comments or blank lines in between.
            let next = dockerfile
                .instructions
                .iter()
                .position(|i| i.span.start.line > line);
            if let Some(index) = next {
                let start = dockerfile.instructions[index].span.start.line;
                let between_clean = (line + 1..start).all(|l| {
                    line_text(dockerfile, l)
                        .map(|t| {
                            let t = t.trim();
                            t.is_empty() || t.starts_with('#')
                        })
                        .unwrap_or(true)
                });
                if between_clean {
                    pragmas
                        .per_instruction
                        .entry(index)
                        .or_default()
                        .extend(codes);
                }
            }
        }
        pragmas
    }

    /// Whether a finding of `code` on 1-based `line` is suppressed.
    pub fn suppresses(&self, dockerfile: &Dockerfile, code: &str, line: u32) -> bool {
        if self.global.contains(code) {
            return true;
        }
        let index = dockerfile
            .instructions
            .iter()
            .position(|i| i.span.start.line <= line && line <= i.span.end.line);
        index
            .and_then(|i| self.per_instruction.get(&i))
            .is_some_and(|codes| codes.contains(code))
    }
}

fn line_text(dockerfile: &Dockerfile, line: u32) -> Option<&str> {
    let start = dockerfile.line_index.line_start(line)?;
    let rest = dockerfile.source.get(start..)?;
    Some(rest.split('\n').next().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pragmas() {
        assert_eq!(
            parse_pragma(" hadolint ignore=DL3008,DL3009"),
            Some((
                "hadolint".into(),
                false,
                vec!["DL3008".into(), "DL3009".into()]
            ))
        );
        assert_eq!(
            parse_pragma("careen global ignore = cr0001"),
            Some(("careen".into(), true, vec!["CR0001".into()]))
        );
        assert_eq!(parse_pragma("just a comment"), None);
        assert_eq!(parse_pragma("hadolint shell=bash"), None);
    }
}
