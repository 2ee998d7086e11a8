use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `EXPOSE` of remote-login ports: 22 (SSH), 23 (Telnet) and
    /// 3389 (RDP).
    ///
    /// ## Why is this bad?
    /// A container is not a virtual machine: you get a shell with
    /// `docker exec` or `kubectl exec`, which goes through the container
    /// runtime's access control. An SSH or Telnet daemon in the image is
    /// another service to patch, another set of credentials or keys baked
    /// into a layer, and a login port published to the network.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 22 8080
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    pub(crate) struct RemoteAccessPort {
        code: "CR1005",
        name: "remote-access-port",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

fn service(port: &str) -> Option<&'static str> {
    let number = port.split('/').next().unwrap_or(port);
    let protocol = port.split('/').nth(1).unwrap_or("tcp");
    if !protocol.eq_ignore_ascii_case("tcp") {
        return None;
    }
    match number {
        "22" => Some("SSH"),
        "23" => Some("Telnet"),
        "3389" => Some("RDP"),
        _ => None,
    }
}

impl Rule for RemoteAccessPort {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            let InstructionKind::Expose(ports) = &instruction.kind else {
                continue;
            };
            for port in ports {
                let value = port.value.trim_matches(|c| c == '"' || c == '\'');
                let Some(name) = service(value) else { continue };
                out.push(
                    Diagnostic::new(
                        &Self::INFO,
                        port.span,
                        format!("port `{value}` ({name}) is exposed"),
                    )
                    .with_help("remove it; use `docker exec` or `kubectl exec` to get a shell"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(service("22"), Some("SSH"));
        assert_eq!(service("22/tcp"), Some("SSH"));
        assert_eq!(service("22/udp"), None);
        assert_eq!(service("2222"), None);
        assert_eq!(service("3389"), Some("RDP"));
    }
}
