//! careen-lint: Dockerfile, `.dockerignore` and build-context rules with fixes.
//!
//! Data flows one way: [`careen_dockerfile::parse`] → [`Context`] (stages,
//! parsed RUN scripts, build context, settings) → every enabled [`Rule`] →
//! [`Diagnostic`]s (each with an optional [`Fix`]) → pragmas and config
//! filter them → the caller renders them (see `careen-report`).
//!
//! Adding a rule: write `rules/<topic>/<rule_name>.rs` with [`rule!`] and an
//! `impl Rule`, list it in that topic's `mod.rs` `RULES`, add fixtures. The
//! registry test checks every rule has a unique code and documentation.

#[macro_use]
pub mod rule;
pub mod build_context;
pub mod buildkit_checks;
pub mod context;
pub mod diagnostic;
pub mod fix;
pub mod linter;
pub mod pragma;
pub mod registry;
pub mod rules;
pub mod settings;
pub mod util;

pub use build_context::{BuildContext, ContextError, ContextFile};
pub use context::{Context, ParsedScript};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};
pub use fix::{apply_fixes, FixOutcome};
pub use linter::{lint_file, lint_source, LintError, LintOptions, LintResult};
pub use registry::{all_rules, rule_by_code};
pub use rule::{Rule, RuleInfo};
pub use settings::{ConfigError, Settings};
