//! Every rule, in one table, sorted by code.

use crate::rule::{Rule, RuleInfo};
use std::sync::LazyLock;

static ALL: LazyLock<Vec<&'static dyn Rule>> = LazyLock::new(|| {
    let mut rules: Vec<&'static dyn Rule> = Vec::new();
    rules.extend_from_slice(crate::rules::packages::RULES);
    rules.extend_from_slice(crate::rules::instructions::RULES);
    rules.extend_from_slice(crate::rules::careen::RULES);
    rules.sort_by_key(|r| r.info().code);
    rules
});

/// Every rule careen has, sorted by code.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    &ALL
}

/// Look a rule up by code (case-insensitive) or by name.
pub fn rule_by_code(code: &str) -> Option<&'static dyn Rule> {
    all_rules().iter().copied().find(|r| {
        r.info().code.eq_ignore_ascii_case(code) || r.info().name.eq_ignore_ascii_case(code)
    })
}

/// Metadata of every rule.
pub fn all_infos() -> impl Iterator<Item = &'static RuleInfo> {
    all_rules().iter().map(|r| r.info())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = BTreeSet::new();
        let mut names = BTreeSet::new();
        for info in all_infos() {
            assert!(codes.insert(info.code), "duplicate code {}", info.code);
            assert!(names.insert(info.name), "duplicate name {}", info.name);
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for info in all_infos() {
            let code = info.code;
            assert!(
                code.len() == 6
                    && (code.starts_with("DL") || code.starts_with("CR"))
                    && code[2..].chars().all(|c| c.is_ascii_digit()),
                "bad code {code}"
            );
            assert!(
                info.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{code}: name must be kebab-case"
            );
            for heading in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(info.doc.contains(heading), "{code}: doc lacks `{heading}`");
            }
            assert!(!info.summary().is_empty(), "{code}: empty summary");
        }
    }
}
