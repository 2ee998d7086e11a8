//! BuildKit's `# check=` parser directive (`# check=skip=JSONArgsRecommended;error=true`),
//! honoured for the careen rules that check what a BuildKit build check checks,
//! so a Dockerfile tuned for `docker build --check` lints the same under careen.

use careen_dockerfile::Dockerfile;

/// BuildKit check name → the careen rule with the same check.
pub const BUILDKIT_CHECKS: &[(&str, &str)] = &[
    ("ConsistentInstructionCasing", "CR0007"),
    ("CopyIgnoredFile", "CR3002"),
    ("DuplicateStageName", "DL3024"),
    ("FromAsCasing", "CR0003"),
    ("JSONArgsRecommended", "DL3025"),
    ("LegacyKeyValueFormat", "CR0005"),
    ("MaintainerDeprecated", "DL4000"),
    ("MultipleInstructionsDisallowed", "DL4003"),
    ("RedundantTargetPlatform", "DL3065"),
    ("ReservedStageName", "DL3063"),
    ("SecretsUsedInArgOrEnv", "CR3001"),
    ("StageNameCasing", "CR0004"),
    ("UndefinedArgInFrom", "CR0006"),
    ("UnknownInstruction", "CR0001"),
    ("WorkdirRelativePath", "DL3000"),
];

/// What a `# check=` directive asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckDirective {
    /// careen codes of the skipped checks.
    pub skip: Vec<&'static str>,
    /// `skip=all`.
    pub skip_all: bool,
    /// `error=true`: findings of BuildKit-mapped rules become errors.
    pub error: bool,
}

impl CheckDirective {
    pub fn from_dockerfile(dockerfile: &Dockerfile) -> CheckDirective {
        dockerfile
            .directives
            .iter()
            .find(|d| d.name == "check")
            .map(|d| CheckDirective::parse(&d.value))
            .unwrap_or_default()
    }

    pub fn parse(value: &str) -> CheckDirective {
        let mut directive = CheckDirective::default();
        for part in value.split(';') {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "skip" => {
                    for name in value.split(',').map(str::trim) {
                        if name.eq_ignore_ascii_case("all") {
                            directive.skip_all = true;
                        } else if let Some((_, code)) = BUILDKIT_CHECKS
                            .iter()
                            .find(|(check, _)| check.eq_ignore_ascii_case(name))
                        {
                            directive.skip.push(code);
                        }
                    }
                }
                "error" => directive.error = value.trim().eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        directive
    }

    /// Whether `code` is a BuildKit check's counterpart.
    pub fn is_buildkit_check(code: &str) -> bool {
        BUILDKIT_CHECKS.iter().any(|(_, c)| *c == code)
    }

    /// Whether findings of `code` are skipped.
    pub fn skips(&self, code: &str) -> bool {
        (self.skip_all && Self::is_buildkit_check(code)) || self.skip.contains(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_directive() {
        let d = CheckDirective::parse("skip=JSONArgsRecommended,stagenamecasing;error=true");
        assert_eq!(d.skip, vec!["DL3025", "CR0004"]);
        assert!(d.error && !d.skip_all);
        assert!(d.skips("DL3025") && !d.skips("DL3008"));
        let d = CheckDirective::parse("skip=all");
        assert!(d.skips("CR0003") && !d.skips("DL3008"));
        assert_eq!(
            CheckDirective::parse("error=false;bogus"),
            CheckDirective::default()
        );
    }
}
