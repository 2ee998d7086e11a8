//! Rules of the `careen` topic.

mod copy_sources;
mod secrets;
mod secrets_in_arg_or_env;

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[
    &secrets_in_arg_or_env::SecretsInArgOrEnv,
];
