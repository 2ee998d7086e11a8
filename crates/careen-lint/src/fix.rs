//! Applying fixes: non-overlapping edits, re-lint, repeat until nothing changes.

use crate::build_context::BuildContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::linter::lint_source;
use crate::settings::Settings;
use careen_dockerfile::ParseError;
use std::path::Path;

/// Passes of fix-and-relint before giving up on convergence.
pub const MAX_FIX_PASSES: usize = 10;

#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub source: String,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// Codes of fixes applied, in order.
    pub applied_codes: Vec<&'static str>,
    /// Findings left after fixing.
    pub remaining: Vec<Diagnostic>,
    /// Codes whose fix produced a file that no longer parses; such fixes are
    /// rolled back. Always empty unless a rule has a bug.
    pub broken: Vec<&'static str>,
    /// True when the last pass still had fixes to apply.
    pub did_not_converge: bool,
}

/// Apply the fixes careen may apply (`Safe`, plus `Unsafe` when
/// `allow_unsafe`) until the file settles.
pub fn apply_fixes(
    path: &Path,
    source: &str,
    settings: &Settings,
    context: Option<&BuildContext>,
    allow_unsafe: bool,
) -> Result<FixOutcome, ParseError> {
    let mut current = source.to_string();
    let mut outcome = FixOutcome {
        source: String::new(),
        applied: 0,
        applied_codes: Vec::new(),
        remaining: Vec::new(),
        broken: Vec::new(),
        did_not_converge: false,
    };
    let mut diagnostics = lint_source(path, &current, settings, context)?;
    for pass in 0..MAX_FIX_PASSES {
        let fixes: Vec<(&'static str, &Fix)> = diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref().map(|f| (d.code, f)))
            .filter(|(_, f)| allow_unsafe || f.applicability == Applicability::Safe)
            .filter(|(code, _)| !outcome.broken.contains(code))
            .collect();
        if fixes.is_empty() {
            break;
        }
        let (next, applied) = apply_edits(&current, &fixes);
        if applied.is_empty() || next == current {
            break;
        }
        match lint_source(path, &next, settings, context) {
            Ok(next_diagnostics) => {
                outcome.applied += applied.len();
                outcome.applied_codes.extend(applied);
                current = next;
                diagnostics = next_diagnostics;
            }
            Err(_) => {
                // Find the culprit by applying each fix alone.
                for (code, fix) in &fixes {
                    let (alone, _) = apply_edits(&current, &[(code, fix)]);
                    if careen_dockerfile::parse(&alone).is_err() && !outcome.broken.contains(code) {
                        outcome.broken.push(code);
                    }
                }
                if outcome.broken.is_empty() {
                    break;
                }
                continue;
            }
        }
        if pass + 1 == MAX_FIX_PASSES {
            outcome.did_not_converge = diagnostics.iter().any(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| allow_unsafe || f.applicability == Applicability::Safe)
            });
        }
    }
    outcome.source = current;
    outcome.remaining = diagnostics;
    Ok(outcome)
}

/// Apply as many fixes as possible without overlapping edits, in order of
/// their first edit. Returns the new text and the codes of fixes applied.
pub fn apply_edits(source: &str, fixes: &[(&'static str, &Fix)]) -> (String, Vec<&'static str>) {
    let mut ordered: Vec<&(&'static str, &Fix)> = fixes.iter().collect();
    ordered
        .sort_by_key(|(code, fix)| (fix.edits.iter().map(|e| e.start).min().unwrap_or(0), *code));
    let mut accepted: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut seen_fixes: Vec<&Fix> = Vec::new();
    for (code, fix) in ordered {
        if seen_fixes.contains(fix) {
            continue;
        }
        let valid = fix.edits.iter().all(|e| {
            e.start <= e.end
                && e.end <= source.len()
                && source.is_char_boundary(e.start)
                && source.is_char_boundary(e.end)
        });
        let overlaps = fix.edits.iter().any(|e| {
            accepted
                .iter()
                .any(|a| e.start < a.end.max(a.start + 1) && a.start < e.end.max(e.start + 1))
        });
        if !valid || overlaps || fix.edits.is_empty() {
            continue;
        }
        accepted.extend(fix.edits.iter());
        applied.push(*code);
        seen_fixes.push(fix);
    }
    accepted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut cursor = 0;
    for edit in accepted {
        if edit.start < cursor {
            continue;
        }
        out.push_str(&source[cursor..edit.start]);
        out.push_str(&edit.content);
        cursor = edit.end;
    }
    out.push_str(&source[cursor..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_without_overlap() {
        let a = Fix::safe("a", vec![Edit::replace(0..3, "xyz")]);
        let b = Fix::safe("b", vec![Edit::replace(1..2, "q")]);
        let c = Fix::safe("c", vec![Edit::insert(5, "!")]);
        let (out, applied) = apply_edits("abcdef", &[("A", &a), ("B", &b), ("C", &c)]);
        assert_eq!(out, "xyzde!f");
        assert_eq!(applied, vec!["A", "C"]);
    }

    #[test]
    fn out_of_range_edits_are_skipped() {
        let a = Fix::safe("a", vec![Edit::replace(2..99, "x")]);
        let (out, applied) = apply_edits("abc", &[("A", &a)]);
        assert_eq!(out, "abc");
        assert!(applied.is_empty());
    }
}
