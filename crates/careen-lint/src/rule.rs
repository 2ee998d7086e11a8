//! The rule trait and the `rule!` declaration macro.

use crate::context::Context;
use crate::diagnostic::{Diagnostic, FixAvailability, Severity};
use serde::Serialize;

/// Everything known about a rule besides its check. `doc` is the rule's doc
/// comment (Markdown) and is the only documentation of the rule: `careen rule`,
/// `docs/rules/*.md` and the SARIF help text come from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// `DL3008` (same check as the hadolint rule of that code) or `CR0001` (careen's own).
    pub code: &'static str,
    /// kebab-case name, e.g. `apt-get-pin-versions`.
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Runs unless the config selects it off; `false` for opt-in rules
    /// (e.g. ones that need `label-schema` or `trusted-registries`).
    pub enabled: bool,
    pub doc: &'static str,
}

impl RuleInfo {
    /// The doc's first paragraph (after a leading `## What it does`), joined
    /// into one line: the rule's one-sentence summary.
    pub fn summary(&self) -> String {
        let mut lines = self
            .doc
            .lines()
            .map(str::trim)
            .skip_while(|line| line.is_empty() || line.starts_with('#'));
        let mut summary = String::new();
        for line in lines.by_ref() {
            if line.is_empty() || line.starts_with('#') {
                break;
            }
            if !summary.is_empty() {
                summary.push(' ');
            }
            summary.push_str(line);
        }
        summary
    }

    /// True for rules that carry a hadolint code.
    pub fn is_hadolint(&self) -> bool {
        self.code.starts_with("DL")
    }
}

/// A lint rule. Implementations are unit structs declared with [`rule!`].
pub trait Rule: Send + Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Push findings for the file in `ctx` onto `out`.
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Declare a rule struct and its [`RuleInfo`] (as `Self::INFO`) from a doc
/// comment and metadata:
///
/// ```ignore
/// rule! {
///     /// ## What it does
///     /// Checks that ...
///     pub(crate) struct AptGetPinVersions {
///         code: "DL3008",
///         name: "apt-get-pin-versions",
///         severity: Warning,
///         fix: None,
///         enabled: true,
///     }
/// }
/// impl Rule for AptGetPinVersions {
///     fn info(&self) -> &'static RuleInfo { &Self::INFO }
///     fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) { ... }
/// }
/// ```
#[macro_export]
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $slug:literal,
            severity: $severity:ident,
            fix: $fix:ident,
            enabled: $enabled:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            pub const INFO: $crate::rule::RuleInfo = $crate::rule::RuleInfo {
                code: $code,
                name: $slug,
                severity: $crate::diagnostic::Severity::$severity,
                fix: $crate::diagnostic::FixAvailability::$fix,
                enabled: $enabled,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
