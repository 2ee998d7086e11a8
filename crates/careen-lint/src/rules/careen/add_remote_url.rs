use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `ADD` of a remote URL or Git repository without
    /// `--checksum`.
    ///
    /// ## Why is this bad?
    /// `ADD https://…` downloads whatever the server returns at build time:
    /// nothing checks that it is the file you reviewed, a compromised or
    /// changed download ends up in the image, and the layer cache cannot
    /// tell that the remote file changed. `ADD --checksum=sha256:…` (or, for
    /// Git, a commit checksum) makes BuildKit verify it; alternatively
    /// download with `curl` and check the digest with `sha256sum -c` in the
    /// same `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://example.com/tool.tar.gz /tmp/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    ///     https://example.com/tool.tar.gz /tmp/
    /// ```
    pub(crate) struct AddRemoteUrl {
        code: "CR1006",
        name: "add-remote-url",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
}

impl Rule for AddRemoteUrl {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Add(add) = &instruction.kind else {
                continue;
            };
            if instruction.flag("checksum").is_some() {
                continue;
            }
            for source in &add.sources {
                let value = source.value.trim_matches(|c| c == '"' || c == '\'');
                if !is_remote(value) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        source.span,
                        format!("`ADD {value}` downloads without checking a checksum"),
                    )
                    .with_help(
                        "add `--checksum=sha256:<digest>`, or download with curl and verify with `sha256sum -c`",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes() {
        assert!(is_remote("https://example.com/a.tgz"));
        assert!(is_remote("git@github.com:o/r.git"));
        assert!(!is_remote("./app"));
        assert!(!is_remote("httpd.conf"));
    }
}
