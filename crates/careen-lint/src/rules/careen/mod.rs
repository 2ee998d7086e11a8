//! Rules of the `careen` topic.

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[];
