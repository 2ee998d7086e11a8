//! `careen check`'s library: the `careen.toml` schema ([`Config`]), budgets
//! checked against plain facts ([`evaluate`] over [`Facts`] → [`BudgetResult`]),
//! and the report in text, JSON (`careen.check/v1`) and Markdown for a
//! pull-request comment ([`markdown::render`]).
//!
//! It opens no image and runs no tool: the `careen` binary runs lint, build,
//! inspect, scan and test, and hands their outcome over as [`Facts`].

pub mod budget;
pub mod config;
pub mod facts;
pub mod markdown;
pub mod report;
pub mod units;

pub use budget::{evaluate, BudgetResult};
pub use config::{Budgets, Config, ConfigError};
pub use facts::{BaseImage, Facts, ImageFacts, Item, TestFacts};
pub use report::{Report, Step};
pub use units::{PinLevel, Ratio, Size};
