//! `careen rule` arguments.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule code (`DL3008`, `CR1001`) or name.
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,

    /// List every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
    Markdown,
}
