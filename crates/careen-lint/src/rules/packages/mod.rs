//! Rules of the `packages` topic.

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[];
