use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::InstructionKind;

rule! {
    /// ## What it does
    /// Checks for `FROM --platform` with a fixed platform.
    ///
    /// ## Why is this bad?
    /// A fixed platform makes the image build for that platform whatever the user
    /// asks for with `--platform`, and on other hosts it runs under emulation or
    /// not at all. `$BUILDPLATFORM` or `$TARGETPLATFORM` keep the choice with
    /// the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 debian:12
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM debian:12
    /// ```
    ///
    /// ## Differences from hadolint
    /// None known: any value mentioning `BUILDPLATFORM` or `TARGETPLATFORM` is
    /// accepted; other variables (`$TARGETOS/$TARGETARCH`) are flagged.
    pub(crate) struct FromPlatform {
        code: "DL3029",
        name: "from-platform",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

impl Rule for FromPlatform {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx.instructions() {
            if !matches!(instruction.kind, InstructionKind::From(_)) {
                continue;
            }
            let Some(flag) = instruction.flag("platform") else {
                continue;
            };
            let value = flag.value.as_deref().unwrap_or("");
            if value.contains("BUILDPLATFORM") || value.contains("TARGETPLATFORM") {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::INFO,
                    flag.span,
                    format!("FROM pins the platform to `{value}`"),
                )
                .with_help("drop `--platform` or use `$BUILDPLATFORM`/`$TARGETPLATFORM`"),
            );
        }
    }
}
