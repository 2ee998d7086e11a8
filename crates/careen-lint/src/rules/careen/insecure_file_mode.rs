use super::practice;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `chmod` modes that make files writable by every user
    /// (`777`, `a+rwx`, `o+w`) or set the setuid/setgid bit (`u+s`, `4755`).
    ///
    /// ## Why is this bad?
    /// A world-writable file or directory lets any process in the container,
    /// whatever its user, replace programs, configuration or data — the usual
    /// reason is a permission error that `chown` to the runtime user fixes
    /// properly. A setuid or setgid program runs with its owner's or group's
    /// rights whoever starts it; in an image it is a ready-made privilege
    /// escalation and image scanners report it. World-writable directories
    /// with the sticky bit (`chmod 1777 /tmp`) are the standard for shared
    /// temporary directories and are not reported.
    /// A setgid directory (`chmod g+s /srv/shared`, so new files inherit the
    /// group) is reported too, since the rule cannot tell directories from
    /// files; silence it there with `# careen ignore=CR1004`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chmod -R 777 /app
    /// RUN chmod u+s /usr/local/bin/helper
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN chown -R app:app /app && chmod -R u+rwX,go-w /app
    /// ```
    pub(crate) struct InsecureFileMode {
        code: "CR1004",
        name: "insecure-file-mode",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct ModeRisk {
    world_writable: bool,
    setuid: bool,
    setgid: bool,
}

fn classify(mode: &str) -> ModeRisk {
    let mut risk = ModeRisk::default();
    if !mode.is_empty() && mode.len() <= 5 && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let Ok(bits) = u32::from_str_radix(mode, 8) else {
            return risk;
        };
        risk.world_writable = bits & 0o002 != 0 && bits & 0o1000 == 0;
        risk.setuid = bits & 0o4000 != 0;
        risk.setgid = bits & 0o2000 != 0;
        return risk;
    }
    let mut sticky = false;
    for clause in mode.split(',') {
        let who: String = clause.chars().take_while(|c| "ugoa".contains(*c)).collect();
        let rest = &clause[who.len()..];
        let mut op = None;
        for c in rest.chars() {
            match c {
                '+' | '-' | '=' => op = Some(c),
                _ if op == Some('-') || op.is_none() => {}
                'w' if who.contains('o') || who.contains('a') => risk.world_writable = true,
                's' => {
                    if who.is_empty() || who.contains('u') || who.contains('a') {
                        risk.setuid = true;
                    }
                    if who.is_empty() || who.contains('g') || who.contains('a') {
                        risk.setgid = true;
                    }
                }
                't' => sticky = true,
                _ => {}
            }
        }
    }
    if sticky {
        risk.world_writable = false;
    }
    risk
}

impl Rule for InsecureFileMode {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (_, script, command) in ctx.all_commands() {
            let view = command.effective();
            if view.name().map(practice::basename) != Some("chmod") {
                continue;
            }
            let positional = view.positional_args(&["--reference"]);
            let Some(mode) = positional.first() else {
                continue;
            };
            if mode.has_expansion {
                continue;
            }
            let risk = classify(&mode.value);
            let what =
                if risk.setuid && risk.setgid && !mode.value.chars().all(|c| c.is_ascii_digit()) {
                    Some("sets the setuid and setgid bits")
                } else if risk.setuid {
                    Some("sets the setuid bit")
                } else if risk.setgid {
                    Some("sets the setgid bit")
                } else if risk.world_writable {
                    Some("makes files writable by every user")
                } else {
                    None
                };
            let Some(what) = what else { continue };
            let help = if risk.world_writable && !(risk.setuid || risk.setgid) {
                "give the files to the runtime user with `chown` and keep others read-only"
            } else {
                "drop the special bit; use capabilities or run the program as the right user"
            };
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    ctx.script_span(script, mode.range.clone()),
                    format!("`chmod {}` {what}", mode.value),
                )
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert!(classify("777").world_writable);
        assert!(classify("0666").world_writable);
        assert!(!classify("1777").world_writable);
        assert!(!classify("755").world_writable);
        assert!(classify("4755").setuid);
        assert!(classify("2755").setgid);
        assert!(classify("a+rwx").world_writable);
        assert!(classify("o+w").world_writable);
        assert!(!classify("+w").world_writable);
        assert!(!classify("go-w").world_writable);
        assert!(!classify("u+x,o+r").world_writable);
        assert!(classify("u+s").setuid);
        assert!(!classify("u+s").setgid);
        assert!(classify("g+s").setgid);
        assert!(!classify("u-s").setuid);
        assert!(!classify("a+rwxt").world_writable);
        assert_eq!(classify("u=rwx,go=rx"), ModeRisk::default());
    }
}
