use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for EXPOSE with a port number above 65535.
    ///
    /// ## Why is this bad?
    /// TCP and UDP ports are 16-bit numbers; a larger one is a typo and the
    /// port cannot be published.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80800
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: both ends of a range (`8000-70000/udp`) are checked;
    /// variables are not.
    pub(crate) struct ExposePortRange {
        code: "DL3011",
        name: "expose-port-range",
        severity: Error,
        fix: None,
        enabled: true,
    }
}

/// A port number written in `spec` that is out of range.
fn out_of_range(spec: &str) -> Option<&str> {
    let ports = spec.split('/').next().unwrap_or(spec);
    ports.split('-').find(|p| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.trim_start_matches('0').len() > 5
            || p.parse::<u32>().is_ok_and(|n| n > 65535)
    })
}

impl Rule for ExposePortRange {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Expose(ports) = &instruction.kind else {
                continue;
            };
            if let Some((word, port)) = ports
                .iter()
                .find_map(|w| out_of_range(&w.value).map(|p| (w, p)))
            {
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        word.span,
                        format!("port `{port}` is above 65535"),
                    )
                    .with_help("use a port between 0 and 65535"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::out_of_range;

    #[test]
    fn ports() {
        assert_eq!(out_of_range("70000"), Some("70000"));
        assert_eq!(out_of_range("1-70000/udp"), Some("70000"));
        assert_eq!(out_of_range("65535/tcp"), None);
        assert_eq!(out_of_range("$PORT"), None);
        assert_eq!(
            out_of_range("99999999999999999999"),
            Some("99999999999999999999")
        );
    }
}
