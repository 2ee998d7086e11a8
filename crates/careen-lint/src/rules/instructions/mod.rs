//! Rules of the `instructions` topic.

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[];
