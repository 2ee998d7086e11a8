//! The outcome of `careen check` as one value, and its text rendering.

use crate::budget::BudgetResult;
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::fmt::Write as _;

/// A pipeline step and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `lint`, `build`, `inspect`, `scan`, `test`.
    pub name: String,
    /// Ran (`true`) or skipped (`false`).
    pub ran: bool,
    /// What it did or why it was skipped.
    pub detail: String,
}

/// Everything `careen check` reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The image inspected.
    pub image: Option<String>,
    /// The Dockerfile linted.
    pub dockerfile: Option<String>,
    /// Where the budgets came from: a file, or `None` for the defaults.
    pub config: Option<String>,
    pub steps: Vec<Step>,
    pub results: Vec<BudgetResult>,
}

/// How many budgets were met, broken and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub met: usize,
    pub broken: usize,
    pub skipped: usize,
}

impl Report {
    /// True when no budget is broken.
    pub fn pass(&self) -> bool {
        !self.results.iter().any(BudgetResult::failed)
    }

    pub fn counts(&self) -> Counts {
        let skipped = self.results.iter().filter(|r| r.skipped).count();
        let broken = self.results.iter().filter(|r| r.failed()).count();
        Counts {
            met: self.results.len() - skipped - broken,
            broken,
            skipped,
        }
    }

    /// `2 of 11 budgets broken` / `all 11 budgets met`, and skipped ones.
    pub fn headline(&self) -> String {
        let counts = self.counts();
        let checked = counts.met + counts.broken;
        let mut text = if counts.broken > 0 {
            format!("{} of {checked} budgets broken", counts.broken)
        } else if checked == 0 {
            "no budget checked".to_owned()
        } else if checked == 1 {
            "the 1 budget met".to_owned()
        } else {
            format!("all {checked} budgets met")
        };
        if counts.skipped > 0 {
            let _ = write!(text, ", {} skipped", counts.skipped);
        }
        text
    }

    /// The `careen.check/v1` JSON document.
    pub fn to_json(&self) -> serde_json::Value {
        let counts = self.counts();
        serde_json::json!({
            "schema": "careen.check/v1",
            "pass": self.pass(),
            "image": self.image,
            "dockerfile": self.dockerfile,
            "config": self.config,
            "summary": counts,
            "steps": self.steps,
            "budgets": self.results,
        })
    }

    /// An aligned table of the budgets; `color` for a terminal.
    pub fn render_text(&self, color: bool) -> String {
        let paint = |style: Style, text: &str| {
            if color {
                format!("{}{text}{}", style.render(), style.render_reset())
            } else {
                text.to_owned()
            }
        };
        let green = AnsiColor::Green.on_default().bold();
        let red = AnsiColor::Red.on_default().bold();
        let dim = Style::new().dimmed();
        let bold = Style::new().bold();

        let mut out = String::new();
        for step in &self.steps {
            let mark = if step.ran { "ran " } else { "skip" };
            let mark = if step.ran {
                paint(green, mark)
            } else {
                paint(dim, mark)
            };
            let _ = writeln!(out, "{mark} {:<8} {}", step.name, step.detail);
        }
        if !self.steps.is_empty() {
            out.push('\n');
        }
        let headers = ["budget", "limit", "actual", "result"];
        let rows: Vec<[String; 4]> = self
            .results
            .iter()
            .map(|r| {
                let verdict = if r.skipped {
                    "skip"
                } else if r.pass {
                    "pass"
                } else {
                    "FAIL"
                };
                [
                    r.name.clone(),
                    r.limit.clone(),
                    r.actual.clone(),
                    verdict.to_owned(),
                ]
            })
            .collect();
        let mut widths = headers.map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let pad = |text: &str, width: usize| {
            let fill = width.saturating_sub(text.chars().count());
            format!("{text}{}", " ".repeat(fill))
        };
        let header: Vec<String> = headers.iter().zip(widths).map(|(h, w)| pad(h, w)).collect();
        let _ = writeln!(out, "{}", paint(bold, header.join("  ").trim_end()));
        for (row, result) in rows.iter().zip(&self.results) {
            let style = if result.skipped {
                dim
            } else if result.pass {
                green
            } else {
                red
            };
            let mut line = format!(
                "{}  {}  {}  {}",
                pad(&row[0], widths[0]),
                pad(&row[1], widths[1]),
                pad(&row[2], widths[2]),
                paint(style, &row[3]),
            );
            if !result.pass || result.skipped {
                let _ = write!(line, "  {}", result.detail);
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let style = if self.pass() { green } else { red };
        let _ = writeln!(out, "\n{}", paint(style, &self.headline()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, pass: bool, skipped: bool) -> BudgetResult {
        BudgetResult {
            name: name.into(),
            limit: "≤ 1".into(),
            actual: "2".into(),
            pass,
            skipped,
            detail: if pass { String::new() } else { "why".into() },
            limit_value: None,
            actual_value: None,
            items: Vec::new(),
        }
    }

    #[test]
    fn text_is_aligned_and_plain_without_color() {
        let report = Report {
            results: vec![
                result("max-image-size", false, false),
                result("lint.error", true, false),
                result("vulnerabilities.critical", true, true),
            ],
            ..Report::default()
        };
        let text = report.render_text(false);
        assert!(!text.contains('\u{1b}'));
        insta::assert_snapshot!(text, @r"
        budget                    limit  actual  result
        max-image-size            ≤ 1    2       FAIL  why
        lint.error                ≤ 1    2       pass
        vulnerabilities.critical  ≤ 1    2       skip

        1 of 2 budgets broken, 1 skipped
        ");
        assert!(report.render_text(true).contains('\u{1b}'));
        assert!(!report.pass());
    }

    #[test]
    fn headline_counts() {
        let mut report = Report {
            results: vec![result("a", true, false)],
            ..Report::default()
        };
        assert_eq!(report.headline(), "the 1 budget met");
        report.results.push(result("b", true, false));
        assert_eq!(report.headline(), "all 2 budgets met");
        assert!(report.pass());
        assert_eq!(report.to_json()["schema"], "careen.check/v1");
    }
}
