//! The Markdown summary for a pull-request comment: a table of the budgets
//! with ✅/❌, and the broken ones' details in collapsible sections. It
//! always fits in one GitHub comment: details are cut to stay under
//! [`COMMENT_LIMIT`], the table first.

use crate::budget::BudgetResult;
use crate::facts::Item;
use crate::report::Report;
use std::fmt::Write as _;

/// GitHub refuses comments longer than 65 536 characters. Bytes are counted
/// here, which is never fewer than characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Most items listed under one broken budget before "… and N more".
const ITEMS_PER_BUDGET: usize = 50;

/// Room kept for the closing lines and the truncation note.
const RESERVE: usize = 400;

/// The summary, at most `COMMENT_LIMIT` bytes.
pub fn render(report: &Report) -> String {
    render_with_limit(report, COMMENT_LIMIT)
}

/// The summary in at most `limit` bytes (`limit` ≥ 1 KiB to say anything useful).
pub fn render_with_limit(report: &Report, limit: usize) -> String {
    let budget = limit.saturating_sub(RESERVE);
    let mut out = String::new();
    let mark = if report.pass() { "✅" } else { "❌" };
    let _ = writeln!(out, "## {mark} careen check: {}\n", report.headline());
    let mut about = Vec::new();
    if let Some(image) = &report.image {
        about.push(format!("image {}", code(image)));
    }
    if let Some(dockerfile) = &report.dockerfile {
        about.push(format!("Dockerfile {}", code(dockerfile)));
    }
    about.push(match &report.config {
        Some(config) => format!("budgets from {}", code(config)),
        None => "default budgets".to_owned(),
    });
    let _ = writeln!(out, "{}\n", about.join(" · "));

    out.push_str("| | Budget | Limit | Actual |\n|:-:|---|--:|--:|\n");
    let mut truncated = false;
    for result in &report.results {
        let mark = if result.skipped {
            "⏭️"
        } else if result.pass {
            "✅"
        } else {
            "❌"
        };
        let mut actual = cell(&result.actual);
        if result.skipped {
            actual = format!("skipped: {}", cell(&result.detail));
        }
        let row = format!(
            "| {mark} | `{}` | {} | {actual} |\n",
            result.name,
            cell(&result.limit)
        );
        if out.len() + row.len() > budget {
            truncated = true;
            break;
        }
        out.push_str(&row);
    }

    let broken: Vec<&BudgetResult> = report.results.iter().filter(|r| r.failed()).collect();
    if !broken.is_empty() && !truncated {
        out.push('\n');
        for result in broken {
            match details(&mut out, result, budget) {
                Some(cut) => truncated |= cut,
                None => {
                    truncated = true;
                    break;
                }
            }
        }
    }
    if truncated {
        out.push_str(
            "\n_The summary was cut to fit in one comment; the full report is in the job log (`careen check --format json`)._\n",
        );
    }
    // The reserve covers the note; never exceed the limit even so.
    if out.len() > limit {
        let mut end = limit;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// Appends one broken budget's collapsible section: `None` when not even its
/// summary line fits, `Some(true)` when items were left out for room.
fn details(out: &mut String, result: &BudgetResult, budget: usize) -> Option<bool> {
    if result.items.is_empty() {
        // Nothing to unfold: one line says it all.
        let line = format!("❌ `{}`: {}\n\n", result.name, html(&result.detail));
        if out.len() + line.len() > budget {
            return None;
        }
        out.push_str(&line);
        return Some(false);
    }
    let open = format!(
        "<details><summary>❌ <code>{}</code>: {}</summary>\n\n",
        html(&result.name),
        html(&result.detail)
    );
    let close = "\n</details>\n\n";
    if out.len() + open.len() + close.len() > budget {
        return None;
    }
    out.push_str(&open);
    let mut listed = 0;
    let mut cut = false;
    for item in result.items.iter().take(ITEMS_PER_BUDGET) {
        let line = item_line(item);
        // Leave room for "… and N more" and the close.
        if out.len() + line.len() + close.len() + 40 > budget {
            cut = true;
            break;
        }
        out.push_str(&line);
        listed += 1;
    }
    let more = result.items.len() - listed;
    if more > 0 {
        let _ = writeln!(out, "- … and {more} more");
    }
    out.push_str(close);
    Some(cut)
}

fn item_line(item: &Item) -> String {
    let mut line = String::from("- ");
    if !item.code.is_empty() {
        let _ = write!(line, "**{}** ", html(&item.code));
    }
    if !item.severity.is_empty() && item.severity != "fail" {
        let _ = write!(line, "({}) ", html(&item.severity));
    }
    if let Some(location) = &item.location {
        let _ = write!(line, "{} ", code(location));
    }
    let _ = writeln!(line, "{}", html(&one_line(&item.message, 300)));
    line
}

/// Text inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    html(&one_line(text, 200)).replace('|', "\\|")
}

/// Inline code that survives backticks in the text.
fn code(text: &str) -> String {
    let text = one_line(text, 200);
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// `<`, `>` and `&` escaped so text from images never turns into HTML.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whitespace collapsed, cut at `max` characters with `…`.
fn one_line(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::evaluate;
    use crate::config::{Budgets, LintLimits, Require};
    use crate::facts::{BaseImage, Facts, ImageFacts};
    use crate::report::Step;
    use crate::units::{PinLevel, Ratio, Size};

    fn sample() -> Report {
        let budgets = Budgets {
            max_image_size: Some(Size(100_000_000)),
            min_efficiency: Some(Ratio(0.9)),
            lint: Some(LintLimits {
                error: Some(0),
                warning: Some(0),
                ..LintLimits::default()
            }),
            require: Require {
                non_root: true,
                pinned_base: PinLevel::Tag,
                ..Require::default()
            },
            vulnerabilities: Some(Default::default()),
            ..Budgets::default()
        };
        let facts = Facts {
            image: Some(ImageFacts {
                reference: "oci-archive:app.tar".into(),
                size_bytes: 150_000_000,
                efficiency: 0.97,
                user: "app".into(),
                layers: vec![
                    Item::new("", "layer 2", "RUN apt-get install -y build-essential")
                        .at("120 MiB"),
                    Item::new("", "layer 0", "debian:bookworm").at("23 MiB"),
                ],
                ..ImageFacts::default()
            }),
            lint: Some(vec![
                Item::new("warning", "DL3008", "Pin versions in `apt-get install`")
                    .at("Dockerfile:3"),
                Item::new("warning", "DL3059", "Multiple consecutive RUN <a|b>").at("Dockerfile:4"),
            ]),
            bases: Some(vec![BaseImage {
                reference: "debian:bookworm".into(),
                line: 1,
            }]),
            ..Facts::default()
        };
        Report {
            image: Some("oci-archive:app.tar".into()),
            dockerfile: Some("Dockerfile".into()),
            config: Some("careen.toml".into()),
            steps: vec![Step {
                name: "lint".into(),
                ran: true,
                detail: "2 findings".into(),
            }],
            results: evaluate(&budgets, &facts),
        }
    }

    #[test]
    fn summary_snapshot() {
        insta::assert_snapshot!(render(&sample()));
    }

    #[test]
    fn long_details_are_cut_to_the_limit() {
        let mut report = sample();
        let many: Vec<Item> = (0..5000)
            .map(|i| Item::new("warning", "DL3008", "x".repeat(200)).at(format!("Dockerfile:{i}")))
            .collect();
        for result in &mut report.results {
            if result.name == "lint.warning" {
                result.items = many.clone();
            }
        }
        let text = render(&report);
        assert!(text.len() <= COMMENT_LIMIT);
        assert!(text.contains("- … and 4950 more"), "capped per budget");

        let small = render_with_limit(&report, 2000);
        assert!(small.len() <= 2000, "{}", small.len());
        assert!(small.contains("| ❌ | `max-image-size`"));
        assert!(small.contains("was cut to fit"));
        // Every section opened is closed.
        assert_eq!(
            small.matches("<details>").count(),
            small.matches("</details>").count()
        );
    }

    #[test]
    fn passing_report_has_no_details() {
        let report = Report {
            results: evaluate(&Budgets::default(), &Facts::default()),
            ..Report::default()
        };
        let text = render(&report);
        assert!(text.starts_with("## ✅ careen check: no budget checked"));
        assert!(!text.contains("<details>"));
    }
}
