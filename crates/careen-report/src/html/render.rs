//! Report → one self-contained HTML document.
//!
//! The page is built as a string (no template engine: the markup is small and every
//! interpolation goes through [`esc`], which is easier to audit than a template's
//! auto-escaping rules). Rows are rendered on the server side so the tables work, print
//! and can be searched without JavaScript; the inline script only sorts and filters.
//! A Content-Security-Policy forbids every network load and runs only our script (by hash).

use super::{Report, SourceRef};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Longest instruction shown in tables (the full text is in the `title`).
const INSTRUCTION_CHARS: usize = 300;
/// Longest instruction in the chart's labels.
const CHART_LABEL_CHARS: usize = 54;
/// Longest text put in a `title` attribute.
const TITLE_CHARS: usize = 2000;
/// How many rows the package-changes table of the before/after view lists.
const CHANGES_SHOWN: usize = 500;

/// Render `report` (with a before/after comparison against `baseline` when given) as one
/// self-contained HTML document.
pub fn render(report: &Report, baseline: Option<&Report>) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.packages.len() * 220);
    // Writing into a String cannot fail.
    let _ = document(&mut out, report, baseline);
    out
}

type Res = std::fmt::Result;

/// Escape text for HTML content and double- or single-quoted attributes. Control characters
/// (other than tab and newline) become U+FFFD so hostile file names cannot smuggle anything.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Sizes the way people read them (SI, as dive prints them).
fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

fn percent(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{:.1} %", ratio * 100.0)
    } else {
        "–".to_owned()
    }
}

/// The history entry without the shell prefix docker puts in front of it.
fn short_instruction(instruction: &str) -> &str {
    instruction
        .trim()
        .trim_start_matches("/bin/sh -c #(nop) ")
        .trim_start_matches("/bin/sh -c ")
        .trim()
}

/// Severity rank for sorting: higher is worse.
fn rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => 6,
        "high" | "error" => 5,
        "medium" | "warning" => 4,
        "low" => 3,
        "info" | "none" | "style" => 2,
        _ => 1,
    }
}

/// The CSS class of a severity badge (only known names; anything else is neutral).
fn sev_class(severity: &str) -> &'static str {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => "sev-critical",
        "high" => "sev-high",
        "error" => "sev-error",
        "medium" => "sev-medium",
        "warning" => "sev-warning",
        "low" => "sev-low",
        _ => "sev-info",
    }
}

fn badge(severity: &str) -> String {
    format!(
        "<span class=\"sev {}\">{}</span>",
        sev_class(severity),
        esc(severity)
    )
}

/// Which way is better for a number.
#[derive(Clone, Copy)]
enum Better {
    Lower,
    Higher,
}

/// A signed change, with an arrow and a word-free colour class (the arrow and sign carry the
/// meaning, the colour only repeats it).
fn delta_html(diff: f64, shown: &str, better: Better) -> String {
    if diff == 0.0 || !diff.is_finite() {
        return "<span class=\"delta same\">= no change</span>".to_owned();
    }
    let improved = match better {
        Better::Lower => diff < 0.0,
        Better::Higher => diff > 0.0,
    };
    let (arrow, sign) = if diff > 0.0 {
        ("▲", "+")
    } else {
        ("▼", "−")
    };
    format!(
        "<span class=\"delta {}\">{arrow} {sign}{shown}</span>",
        if improved { "good" } else { "bad" }
    )
}

fn delta_bytes(after: u64, before: u64) -> String {
    let diff = i128::from(after) - i128::from(before);
    delta_html(
        diff as f64,
        &human(diff.unsigned_abs().try_into().unwrap_or(u64::MAX)),
        Better::Lower,
    )
}

fn delta_count(after: u64, before: u64) -> String {
    let diff = i128::from(after) - i128::from(before);
    delta_html(diff as f64, &diff.unsigned_abs().to_string(), Better::Lower)
}

/// Every Dockerfile line the report points at, numbered for anchors (`#src-3`).
struct Sources {
    lines: BTreeMap<(String, usize), (usize, Option<String>)>,
}

impl Sources {
    fn of(report: &Report) -> Sources {
        let mut all: Vec<&SourceRef> = Vec::new();
        all.extend(report.layers.iter().filter_map(|l| l.source.as_ref()));
        all.extend(report.reclaimable.iter().filter_map(|r| r.source.as_ref()));
        all.extend(report.findings.iter().filter_map(|f| f.source.as_ref()));
        let mut lines: BTreeMap<(String, usize), (usize, Option<String>)> = BTreeMap::new();
        for source in all {
            let entry = lines
                .entry((source.file.clone(), source.line))
                .or_insert((0, None));
            if entry.1.is_none() {
                entry.1.clone_from(&source.text);
            }
        }
        for (n, value) in lines.values_mut().enumerate() {
            value.0 = n;
        }
        Sources { lines }
    }

    fn anchor(&self, source: &SourceRef) -> Option<usize> {
        self.lines
            .get(&(source.file.clone(), source.line))
            .map(|(n, _)| *n)
    }

    /// `Dockerfile:12` linked to its entry in the Dockerfile section.
    /// `Dockerfile:12` (the file's base name; the full path is in the title) linked to its
    /// entry in the Dockerfile section.
    fn link(&self, source: &SourceRef) -> String {
        let name = source
            .file
            .rsplit(['/', '\\'])
            .find(|part| !part.is_empty())
            .unwrap_or(&source.file);
        let label = esc(&format!("{name}:{}", source.line));
        let title = esc(&format!("{}:{}", source.file, source.line));
        match self.anchor(source) {
            Some(n) => format!("<a href=\"#src-{n}\" title=\"{title}\">{label}</a>"),
            None => format!("<span title=\"{title}\">{label}</span>"),
        }
    }
}

/// The line with its number, as a code block.
fn source_block(source: &SourceRef) -> String {
    match &source.text {
        Some(text) => format!(
            "<pre class=\"src\"><span class=\"ln\">{}</span>{}</pre>",
            source.line,
            esc(text)
        ),
        None => String::new(),
    }
}

fn document(out: &mut String, report: &Report, baseline: Option<&Report>) -> Res {
    let script_hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    let sources = Sources::of(report);
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; img-src data:; base-uri 'none'; form-action 'none'\">"
    )?;
    writeln!(out, "<meta name=\"generator\" content=\"careen\">")?;
    writeln!(
        out,
        "<title>careen report: {}</title>",
        esc(&clip(&report.image.name, 200))
    )?;
    writeln!(out, "<style>\n{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<main>")?;

    header(out, report, baseline)?;
    scorecard(out, report, baseline)?;
    if !report.budgets.is_empty() {
        budgets(out, report)?;
    }
    layers(out, report, baseline, &sources)?;
    reclaimable(out, report, &sources)?;
    findings(out, report, &sources)?;
    if !sources.lines.is_empty() {
        dockerfile(out, report, &sources)?;
    }
    if !report.lint.is_empty() {
        lint(out, report)?;
    }
    vulnerabilities(out, report)?;
    if let Some(before) = baseline {
        package_changes(out, report, before)?;
    }
    packages(out, report)?;

    writeln!(
        out,
        "<footer>Generated by careen. This file is self-contained: it loads nothing from the network.</footer>"
    )?;
    writeln!(out, "</main>")?;
    writeln!(out, "<script>{SCRIPT}</script>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

fn header(out: &mut String, report: &Report, baseline: Option<&Report>) -> Res {
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>{}</h1>", esc(&report.image.name))?;
    write!(out, "<p class=\"meta\">")?;
    if let Some(digest) = &report.image.digest {
        write!(out, "<span><code>{}</code></span>", esc(digest))?;
    }
    if let Some(created) = &report.image.created {
        write!(out, "<span>created {}</span>", esc(created))?;
    }
    write!(
        out,
        "<span>{} layers</span><span>{} packages</span>",
        report.layers.len(),
        report.packages.len()
    )?;
    writeln!(out, "</p>")?;
    if let Some(before) = baseline {
        writeln!(
            out,
            "<p class=\"meta\">Compared with <strong>{}</strong>{} (before → this image).</p>",
            esc(&before.image.name),
            before
                .image
                .digest
                .as_ref()
                .map(|d| format!(" <code>{}</code>", esc(d)))
                .unwrap_or_default()
        )?;
    }
    write!(out, "<nav><a href=\"#scorecard\">Scorecard</a>")?;
    if !report.budgets.is_empty() {
        write!(out, "<a href=\"#budgets\">Budgets</a>")?;
    }
    write!(
        out,
        "<a href=\"#layers\">Layers</a><a href=\"#reclaimable\">Reclaimable</a><a href=\"#findings\">Findings</a>"
    )?;
    if !report.lint.is_empty() {
        write!(out, "<a href=\"#lint\">Dockerfile lint</a>")?;
    }
    write!(out, "<a href=\"#vulnerabilities\">Vulnerabilities</a>")?;
    if baseline.is_some() {
        write!(out, "<a href=\"#package-changes\">Package changes</a>")?;
    }
    writeln!(out, "<a href=\"#packages-section\">Packages</a></nav>")?;
    writeln!(out, "</header>")
}

fn card(out: &mut String, label: &str, value: &str, sub: &str) -> Res {
    writeln!(
        out,
        "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div><div class=\"sub\">{sub}</div></div>"
    )
}

fn count_of(counts: &[super::SeverityCount], severity: &str) -> u64 {
    counts
        .iter()
        .filter(|c| c.severity.eq_ignore_ascii_case(severity))
        .map(|c| c.count)
        .sum()
}

fn chips(
    counts: &[super::SeverityCount],
    before: Option<&[super::SeverityCount]>,
) -> Result<String, std::fmt::Error> {
    let mut out = String::from("<div class=\"chips\">");
    for c in counts {
        let zero = if c.count == 0 { " zero" } else { "" };
        write!(
            out,
            "<span class=\"chip\"><span class=\"sev {}{zero}\">{} {}</span>",
            sev_class(&c.severity),
            esc(&c.severity),
            c.count
        )?;
        if let Some(before) = before {
            let was = count_of(before, &c.severity);
            if was != c.count {
                write!(out, " {}", delta_count(c.count, was))?;
            }
        }
        out.push_str("</span>");
    }
    out.push_str("</div>");
    Ok(out)
}

fn scorecard(out: &mut String, report: &Report, baseline: Option<&Report>) -> Res {
    let s = &report.scorecard;
    let b = baseline.map(|b| &b.scorecard);
    writeln!(out, "<section id=\"scorecard\" aria-label=\"Scorecard\">")?;
    writeln!(out, "<div class=\"cards\">")?;

    let with_before =
        |now: String, delta: Option<String>, before: Option<String>| match (delta, before) {
            (Some(delta), Some(before)) if now.is_empty() => format!("{delta}<br>was {before}"),
            (Some(delta), Some(before)) => format!("{now}<br>{delta} was {before}"),
            _ => now,
        };

    card(
        out,
        "Image size",
        &human(s.size_bytes),
        &with_before(
            String::new(),
            b.map(|b| delta_bytes(s.size_bytes, b.size_bytes)),
            b.map(|b| human(b.size_bytes)),
        ),
    )?;
    card(
        out,
        "Efficiency",
        &percent(s.efficiency),
        &with_before(
            String::new(),
            b.map(|b| {
                let diff = (s.efficiency - b.efficiency) * 100.0;
                delta_html(diff, &format!("{:.1} pts", diff.abs()), Better::Higher)
            }),
            b.map(|b| percent(b.efficiency)),
        ),
    )?;
    card(
        out,
        "Wasted",
        &human(s.wasted_bytes),
        &with_before(
            "duplicated or deleted files".to_owned(),
            b.map(|b| delta_bytes(s.wasted_bytes, b.wasted_bytes)),
            b.map(|b| human(b.wasted_bytes)),
        ),
    )?;
    let share = if s.size_bytes > 0 {
        format!(
            "{} of the image",
            percent(s.reclaimable_bytes as f64 / s.size_bytes as f64)
        )
    } else {
        String::new()
    };
    card(
        out,
        "Reclaimable",
        &human(s.reclaimable_bytes),
        &with_before(
            share,
            b.map(|b| delta_bytes(s.reclaimable_bytes, b.reclaimable_bytes)),
            b.map(|b| human(b.reclaimable_bytes)),
        ),
    )?;
    card(
        out,
        "Layers",
        &report.layers.len().to_string(),
        &with_before(
            String::new(),
            baseline.map(|b| delta_count(report.layers.len() as u64, b.layers.len() as u64)),
            baseline.map(|b| b.layers.len().to_string()),
        ),
    )?;
    card(
        out,
        "Packages",
        &report.packages.len().to_string(),
        &with_before(
            String::new(),
            baseline.map(|b| delta_count(report.packages.len() as u64, b.packages.len() as u64)),
            baseline.map(|b| b.packages.len().to_string()),
        ),
    )?;

    let total: u64 = s.findings.iter().map(|c| c.count).sum();
    let findings_sub = chips(&s.findings, b.map(|b| b.findings.as_slice()))?;
    let findings_total = match b {
        Some(b) => format!(
            "{total} {}",
            delta_count(total, b.findings.iter().map(|c| c.count).sum())
        ),
        None => total.to_string(),
    };
    writeln!(
        out,
        "<div class=\"card wide\"><div class=\"label\">Audit findings</div><div class=\"value\">{findings_total}</div>{findings_sub}</div>"
    )?;

    if s.scanned {
        let total: u64 = s.vulnerabilities.iter().map(|c| c.count).sum();
        let sub = chips(
            &s.vulnerabilities,
            b.filter(|b| b.scanned)
                .map(|b| b.vulnerabilities.as_slice()),
        )?;
        let shown = match b.filter(|b| b.scanned) {
            Some(b) => format!(
                "{total} {}",
                delta_count(total, b.vulnerabilities.iter().map(|c| c.count).sum())
            ),
            None => total.to_string(),
        };
        writeln!(
            out,
            "<div class=\"card wide\"><div class=\"label\">Vulnerabilities</div><div class=\"value\">{shown}</div>{sub}</div>"
        )?;
    } else {
        card(
            out,
            "Vulnerabilities",
            "–",
            "not scanned (give a database with <code>--db</code>)",
        )?;
    }
    writeln!(out, "</div>")?;
    writeln!(out, "</section>")
}

fn budgets(out: &mut String, report: &Report) -> Res {
    let failed = report.budgets.iter().filter(|b| !b.pass).count();
    writeln!(
        out,
        "<section id=\"budgets\"><h2>Budgets <span class=\"count\">{} of {} met</span></h2>",
        report.budgets.len() - failed,
        report.budgets.len()
    )?;
    writeln!(
        out,
        "<table><thead><tr><th>Budget</th><th>Limit</th><th>Actual</th><th>Result</th></tr></thead><tbody>"
    )?;
    for b in &report.budgets {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&b.name),
            esc(&b.limit),
            esc(&b.actual),
            if b.pass {
                "<span class=\"pass\">✔ pass</span>"
            } else {
                "<span class=\"fail\">✘ fail</span>"
            }
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

fn layers(out: &mut String, report: &Report, baseline: Option<&Report>, sources: &Sources) -> Res {
    writeln!(
        out,
        "<section id=\"layers\"><h2>Layers <span class=\"count\">{}</span></h2>",
        report.layers.len()
    )?;
    if report.layers.is_empty() {
        return writeln!(out, "<p class=\"empty\">No layers.</p></section>");
    }
    let before_size = |index: usize| -> Option<u64> {
        baseline.and_then(|b| {
            b.layers
                .iter()
                .find(|l| l.index == index)
                .map(|l| l.size_bytes)
        })
    };
    let max = report
        .layers
        .iter()
        .map(|l| l.size_bytes)
        .chain(
            baseline
                .iter()
                .flat_map(|b| b.layers.iter().map(|l| l.size_bytes)),
        )
        .max()
        .unwrap_or(0)
        .max(1);

    // The chart: one row per layer, a bar scaled to the biggest layer, the size and the
    // instruction; with a baseline, a dashed outline shows the same layer before.
    const ROW: usize = 24;
    const BAR_X: f64 = 44.0;
    const BAR_W: f64 = 440.0;
    let height = report.layers.len() * ROW + 6;
    if baseline.is_some() {
        writeln!(
            out,
            "<div class=\"legend\"><span><i class=\"after\"></i>this image</span><span><i class=\"before\"></i>before</span></div>"
        )?;
    }
    writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 1000 {height}\" role=\"img\" aria-label=\"Layer sizes\">"
    )?;
    for (row, layer) in report.layers.iter().enumerate() {
        let y = row * ROW + 3;
        let width = |bytes: u64| {
            if bytes == 0 {
                0.0
            } else {
                (bytes as f64 / max as f64 * BAR_W).max(1.5)
            }
        };
        let instruction = layer
            .instruction
            .as_deref()
            .map(short_instruction)
            .unwrap_or("");
        write!(
            out,
            "<g><title>#{} · {} · {}</title>",
            layer.index,
            human(layer.size_bytes),
            esc(&clip(instruction, TITLE_CHARS))
        )?;
        write!(
            out,
            "<text x=\"0\" y=\"{}\" class=\"muted\">#{}</text>",
            y + 13,
            layer.index
        )?;
        write!(
            out,
            "<rect class=\"track\" x=\"{BAR_X}\" y=\"{y}\" width=\"{BAR_W}\" height=\"18\" rx=\"3\"/>"
        )?;
        write!(
            out,
            "<rect class=\"bar\" x=\"{BAR_X}\" y=\"{}\" width=\"{:.1}\" height=\"14\" rx=\"2\"/>",
            y + 2,
            width(layer.size_bytes)
        )?;
        if let Some(before) = before_size(layer.index) {
            if before > 0 {
                write!(
                    out,
                    "<rect class=\"bar before\" x=\"{BAR_X}\" y=\"{}\" width=\"{:.1}\" height=\"16\" rx=\"2\"/>",
                    y + 1,
                    width(before)
                )?;
            }
        }
        write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            BAR_X + BAR_W + 84.0,
            y + 13,
            human(layer.size_bytes)
        )?;
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" class=\"muted\">{}</text></g>",
            BAR_X + BAR_W + 100.0,
            y + 13,
            esc(&clip(instruction, CHART_LABEL_CHARS))
        )?;
    }
    writeln!(out, "</svg>")?;

    // The same as a table, with the Dockerfile lines and the before/after sizes.
    writeln!(
        out,
        "<div class=\"scroll\"><table id=\"layer-table\" class=\"sortable\"><thead><tr>"
    )?;
    write!(
        out,
        "<th class=\"num\" data-type=\"num\" aria-sort=\"ascending\"><button type=\"button\">#</button></th><th class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Size</button></th>"
    )?;
    if baseline.is_some() {
        write!(
            out,
            "<th class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Before</button></th><th class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Change</button></th>"
        )?;
    }
    let linked = report.layers.iter().any(|l| l.source.is_some());
    writeln!(
        out,
        "<th>Instruction</th>{}</tr></thead><tbody>",
        if linked { "<th>Dockerfile</th>" } else { "" }
    )?;
    for layer in &report.layers {
        let instruction = layer
            .instruction
            .as_deref()
            .map(short_instruction)
            .unwrap_or("");
        write!(
            out,
            "<tr id=\"layer-{}\"><td class=\"num\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>",
            layer.index,
            layer.index,
            layer.size_bytes,
            human(layer.size_bytes)
        )?;
        if baseline.is_some() {
            match before_size(layer.index) {
                Some(before) => write!(
                    out,
                    "<td class=\"num\" data-v=\"{before}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>",
                    human(before),
                    i128::from(layer.size_bytes) - i128::from(before),
                    delta_bytes(layer.size_bytes, before)
                )?,
                None => write!(
                    out,
                    "<td class=\"num\" data-v=\"-1\">–</td><td class=\"num\" data-v=\"{}\"><span class=\"delta bad\">new layer</span></td>",
                    layer.size_bytes
                )?,
            }
        }
        write!(
            out,
            "<td><code title=\"{}\">{}</code></td>",
            esc(&clip(instruction, TITLE_CHARS)),
            esc(&clip(instruction, INSTRUCTION_CHARS)),
        )?;
        if linked {
            write!(
                out,
                "<td class=\"loc\">{}</td>",
                layer
                    .source
                    .as_ref()
                    .map(|s| sources.link(s))
                    .unwrap_or_default()
            )?;
        }
        writeln!(out, "</tr>")?;
    }
    if let Some(before) = baseline {
        let now: BTreeSet<usize> = report.layers.iter().map(|l| l.index).collect();
        for gone in before.layers.iter().filter(|l| !now.contains(&l.index)) {
            let instruction = gone
                .instruction
                .as_deref()
                .map(short_instruction)
                .unwrap_or("");
            writeln!(
                out,
                "<tr><td class=\"num\">{}</td><td class=\"num\" data-v=\"-1\">–</td><td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"-{}\"><span class=\"delta good\">removed</span></td><td><code>{}</code></td>{}</tr>",
                gone.index,
                gone.size_bytes,
                human(gone.size_bytes),
                gone.size_bytes,
                esc(&clip(instruction, INSTRUCTION_CHARS)),
                if linked { "<td></td>" } else { "" }
            )?;
        }
    }
    writeln!(out, "</tbody></table></div></section>")
}

fn reclaimable(out: &mut String, report: &Report, sources: &Sources) -> Res {
    let total: u64 = report.reclaimable.iter().map(|r| r.bytes).sum();
    writeln!(
        out,
        "<section id=\"reclaimable\"><h2>Reclaimable <span class=\"count\">{} in {} causes</span></h2>",
        human(total),
        report.reclaimable.len()
    )?;
    if report.reclaimable.is_empty() {
        return writeln!(
            out,
            "<p class=\"empty\">Nothing reclaimable found.</p></section>"
        );
    }
    let max = report
        .reclaimable
        .iter()
        .map(|r| r.bytes)
        .max()
        .unwrap_or(0)
        .max(1);
    writeln!(
        out,
        "<table><thead><tr><th>Cause</th><th class=\"num\">Bytes</th><th style=\"width:18%\"></th><th>Where</th><th>Paths</th></tr></thead><tbody>"
    )?;
    for r in &report.reclaimable {
        let share = r.bytes as f64 / max as f64 * 100.0;
        let mut place = String::new();
        if let Some(layer) = r.layer {
            write!(place, "<a href=\"#layer-{layer}\">layer {layer}</a> ")?;
        }
        if let Some(source) = &r.source {
            write!(place, "{} ", sources.link(source))?;
        }
        if let Some(instruction) = &r.instruction {
            let short = short_instruction(instruction);
            write!(
                place,
                "<br><code title=\"{}\">{}</code>",
                esc(&clip(short, TITLE_CHARS)),
                esc(&clip(short, 160))
            )?;
        }
        let mut paths = String::new();
        if !r.paths.is_empty() {
            write!(
                paths,
                "<details><summary>{} path{}</summary><ul class=\"paths\">",
                r.paths.len(),
                if r.paths.len() == 1 { "" } else { "s" }
            )?;
            for path in &r.paths {
                write!(paths, "<li><code>{}</code></li>", esc(path))?;
            }
            paths.push_str("</ul></details>");
        }
        writeln!(
            out,
            "<tr><td><strong>{}</strong>{}</td><td class=\"num\">{}</td><td><div class=\"bytes-bar\" style=\"width:{share:.1}%\"></div></td><td>{place}</td><td>{paths}</td></tr>",
            esc(&r.cause),
            r.hint
                .as_ref()
                .map(|h| format!("<br><span class=\"muted\">{}</span>", esc(h)))
                .unwrap_or_default(),
            human(r.bytes)
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

fn findings(out: &mut String, report: &Report, sources: &Sources) -> Res {
    writeln!(
        out,
        "<section id=\"findings\"><h2>Findings <span class=\"count\">{}</span></h2>",
        report.findings.len()
    )?;
    if report.findings.is_empty() {
        return writeln!(out, "<p class=\"empty\">No audit findings.</p></section>");
    }
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(rank(&report.findings[i].severity)));
    for i in order {
        let f = &report.findings[i];
        let class = match f.severity.as_str() {
            "error" | "critical" | "high" => "error",
            "warning" | "medium" => "warning",
            _ => "info",
        };
        writeln!(
            out,
            "<article class=\"finding {class}\" id=\"finding-{i}\"><h3>{} <code>{}</code> {}</h3>",
            badge(&f.severity),
            esc(&f.id),
            esc(&f.title)
        )?;
        if !f.detail.is_empty() {
            writeln!(out, "<p>{}</p>", esc(&f.detail))?;
        }
        let mut place = Vec::new();
        if let Some(layer) = f.layer {
            place.push(format!("<a href=\"#layer-{layer}\">layer {layer}</a>"));
        }
        if let Some(path) = &f.path {
            place.push(format!("<code>{}</code>", esc(path)));
        }
        if let Some(source) = &f.source {
            place.push(sources.link(source));
        }
        if !place.is_empty() {
            writeln!(out, "<div class=\"where\">{}</div>", place.join(" · "))?;
        }
        if let Some(source) = &f.source {
            writeln!(out, "{}", source_block(source))?;
        }
        writeln!(out, "</article>")?;
    }
    writeln!(out, "</section>")
}

/// Every Dockerfile line the report points at, with what points at it.
fn dockerfile(out: &mut String, report: &Report, sources: &Sources) -> Res {
    writeln!(
        out,
        "<section id=\"dockerfile\"><h2>Dockerfile lines <span class=\"count\">{}</span></h2>",
        sources.lines.len()
    )?;
    for ((file, line), (n, text)) in &sources.lines {
        let here = |s: &Option<SourceRef>| {
            s.as_ref()
                .is_some_and(|s| &s.file == file && s.line == *line)
        };
        let mut refs = Vec::new();
        for (i, f) in report.findings.iter().enumerate() {
            if here(&f.source) {
                refs.push(format!("<a href=\"#finding-{i}\">{}</a>", esc(&f.id)));
            }
        }
        for l in report.layers.iter().filter(|l| here(&l.source)) {
            refs.push(format!("<a href=\"#layer-{0}\">layer {0}</a>", l.index));
        }
        for r in report.reclaimable.iter().filter(|r| here(&r.source)) {
            refs.push(format!("<a href=\"#reclaimable\">{}</a>", esc(&r.cause)));
        }
        writeln!(
            out,
            "<div id=\"src-{n}\"><div class=\"where\"><code>{}:{line}</code> · {}</div><pre class=\"src\"><span class=\"ln\">{line}</span>{}</pre></div>",
            esc(file),
            refs.join(", "),
            esc(text.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out, "</section>")
}

fn lint(out: &mut String, report: &Report) -> Res {
    writeln!(
        out,
        "<section id=\"lint\"><h2>Dockerfile lint <span class=\"count\">{}</span></h2>",
        report.lint.len()
    )?;
    writeln!(
        out,
        "<table id=\"lint-table\" class=\"sortable\"><thead><tr><th data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Severity</button></th><th aria-sort=\"none\"><button type=\"button\">Code</button></th><th aria-sort=\"none\"><button type=\"button\">Location</button></th><th>Message</th></tr></thead><tbody>"
    )?;
    for l in &report.lint {
        writeln!(
            out,
            "<tr><td data-v=\"{}\">{}</td><td><code>{}</code></td><td data-v=\"{}:{:08}\"><code>{}:{}</code></td><td>{}</td></tr>",
            rank(&l.severity),
            badge(&l.severity),
            esc(&l.code),
            esc(&l.file),
            l.line,
            esc(&l.file),
            l.line,
            esc(&l.message)
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

fn filter_box(out: &mut String, table: &str, rows: usize, what: &str) -> Res {
    writeln!(
        out,
        "<div class=\"tools\"><input type=\"search\" data-filter=\"{table}\" placeholder=\"Filter {what}…\" aria-label=\"Filter {what}\"><output id=\"{table}-count\">{rows} of {rows}</output></div>"
    )
}

fn vulnerabilities(out: &mut String, report: &Report) -> Res {
    writeln!(
        out,
        "<section id=\"vulnerabilities\"><h2>Vulnerabilities <span class=\"count\">{}</span></h2>",
        report.vulnerabilities.len()
    )?;
    if !report.scorecard.scanned {
        return writeln!(
            out,
            "<p class=\"empty\">Not scanned: run with <code>--db</code> to match the packages against a vulnerability database.</p></section>"
        );
    }
    if report.vulnerabilities.is_empty() {
        return writeln!(
            out,
            "<p class=\"empty\">No known vulnerabilities in the cataloged packages.</p></section>"
        );
    }
    filter_box(
        out,
        "vulns",
        report.vulnerabilities.len(),
        "vulnerabilities",
    )?;
    writeln!(
        out,
        "<div class=\"scroll\"><table id=\"vulns\" class=\"sortable\"><thead><tr><th aria-sort=\"none\"><button type=\"button\">ID</button></th><th data-type=\"num\" aria-sort=\"descending\"><button type=\"button\">Severity</button></th><th class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Score</button></th><th aria-sort=\"none\"><button type=\"button\">Package</button></th><th aria-sort=\"none\"><button type=\"button\">Version</button></th><th aria-sort=\"none\"><button type=\"button\">Fixed in</button></th></tr></thead><tbody>"
    )?;
    let mut order: Vec<&super::Vulnerability> = report.vulnerabilities.iter().collect();
    order.sort_by(|a, b| {
        rank(&b.severity)
            .cmp(&rank(&a.severity))
            .then(b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
    });
    for v in order {
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&v.id),
            rank(&v.severity),
            badge(&v.severity),
            v.score.filter(|s| s.is_finite()).unwrap_or(-1.0),
            v.score
                .filter(|s| s.is_finite())
                .map(|s| format!("{s:.1}"))
                .unwrap_or_default(),
            esc(&v.package),
            esc(&v.version),
            v.fixed
                .as_deref()
                .map(esc)
                .unwrap_or_else(|| "<span class=\"muted\">no fix</span>".to_owned())
        )?;
    }
    writeln!(out, "</tbody></table></div></section>")
}

/// Added, removed and changed packages between the baseline and this image.
fn package_changes(out: &mut String, report: &Report, before: &Report) -> Res {
    let index = |r: &Report| -> BTreeMap<(String, String), BTreeSet<String>> {
        let mut map: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for p in &r.packages {
            map.entry((p.kind.clone(), p.name.clone()))
                .or_default()
                .insert(p.version.clone());
        }
        map
    };
    let now = index(report);
    let was = index(before);
    let mut rows: Vec<(&'static str, &(String, String), String, String)> = Vec::new();
    for (key, versions) in &now {
        match was.get(key) {
            None => rows.push(("added", key, String::new(), join(versions))),
            Some(old) if old != versions => {
                rows.push(("changed", key, join(old), join(versions)));
            }
            Some(_) => {}
        }
    }
    for (key, versions) in &was {
        if !now.contains_key(key) {
            rows.push(("removed", key, join(versions), String::new()));
        }
    }
    let count = |what: &str| rows.iter().filter(|r| r.0 == what).count();
    writeln!(
        out,
        "<section id=\"package-changes\"><h2>Package changes <span class=\"count\">{} added, {} removed, {} changed</span></h2>",
        count("added"),
        count("removed"),
        count("changed")
    )?;
    if rows.is_empty() {
        return writeln!(
            out,
            "<p class=\"empty\">The same packages as before.</p></section>"
        );
    }
    writeln!(
        out,
        "<div class=\"scroll\"><table id=\"package-changes-table\" class=\"sortable\"><thead><tr><th aria-sort=\"none\"><button type=\"button\">Change</button></th><th aria-sort=\"none\"><button type=\"button\">Name</button></th><th aria-sort=\"none\"><button type=\"button\">Type</button></th><th>Before</th><th>After</th></tr></thead><tbody>"
    )?;
    for (change, (kind, name), old, new) in rows.iter().take(CHANGES_SHOWN) {
        let marked = match *change {
            "added" => "<span class=\"delta bad\">+ added</span>",
            "removed" => "<span class=\"delta good\">− removed</span>",
            _ => "<span class=\"delta same\">~ changed</span>",
        };
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            marked,
            esc(name),
            esc(kind),
            esc(old),
            esc(new)
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    if rows.len() > CHANGES_SHOWN {
        writeln!(
            out,
            "<p class=\"muted\">{} more changes not shown.</p>",
            rows.len() - CHANGES_SHOWN
        )?;
    }
    writeln!(out, "</section>")
}

fn join(versions: &BTreeSet<String>) -> String {
    versions.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn packages(out: &mut String, report: &Report) -> Res {
    writeln!(
        out,
        "<section id=\"packages-section\"><h2>Packages <span class=\"count\">{}</span></h2>",
        report.packages.len()
    )?;
    if report.packages.is_empty() {
        return writeln!(
            out,
            "<p class=\"empty\">No packages cataloged.</p></section>"
        );
    }
    filter_box(out, "packages", report.packages.len(), "packages")?;
    // Rows are written compactly (this table can have thousands of rows).
    writeln!(
        out,
        "<div class=\"scroll\"><table id=\"packages\" class=\"sortable\"><thead><tr><th aria-sort=\"none\"><button type=\"button\">Name</button></th><th aria-sort=\"none\"><button type=\"button\">Version</button></th><th aria-sort=\"none\"><button type=\"button\">Type</button></th><th class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Layer</button></th><th aria-sort=\"none\"><button type=\"button\">Found in</button></th><th>PURL</th></tr></thead><tbody>"
    )?;
    for p in &report.packages {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"loc\">{}</td><td><code>{}</code></td></tr>",
            esc(&p.name),
            esc(&p.version),
            esc(&p.kind),
            p.layer,
            esc(&p.path),
            esc(&p.purl)
        )?;
    }
    writeln!(out, "</tbody></table></div></section>")
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::{esc, render};

    fn sample() -> Report {
        Report {
            image: ImageInfo {
                name: "example.com/app:1.0".into(),
                digest: Some("sha256:0123456789abcdef".into()),
                created: Some("2024-05-01T12:00:00Z".into()),
            },
            scorecard: Scorecard {
                size_bytes: 123_456_789,
                efficiency: 0.912,
                wasted_bytes: 10_000_000,
                reclaimable_bytes: 42_000_000,
                findings: vec![
                    SeverityCount {
                        severity: "error".into(),
                        count: 1,
                    },
                    SeverityCount {
                        severity: "warning".into(),
                        count: 1,
                    },
                    SeverityCount {
                        severity: "info".into(),
                        count: 0,
                    },
                ],
                vulnerabilities: vec![
                    SeverityCount {
                        severity: "critical".into(),
                        count: 1,
                    },
                    SeverityCount {
                        severity: "high".into(),
                        count: 0,
                    },
                    SeverityCount {
                        severity: "medium".into(),
                        count: 1,
                    },
                    SeverityCount {
                        severity: "low".into(),
                        count: 0,
                    },
                ],
                scanned: true,
            },
            layers: vec![
                Layer {
                    index: 0,
                    size_bytes: 80_000_000,
                    instruction: Some("/bin/sh -c #(nop) ADD file:abc in / ".into()),
                    source: None,
                },
                Layer {
                    index: 1,
                    size_bytes: 43_456_789,
                    instruction: Some(
                        "/bin/sh -c apt-get update && apt-get install -y curl".into(),
                    ),
                    source: Some(SourceRef {
                        file: "Dockerfile".into(),
                        line: 3,
                        text: Some("RUN apt-get update && apt-get install -y curl".into()),
                    }),
                },
            ],
            reclaimable: vec![Reclaimable {
                cause: "apt-lists".into(),
                bytes: 42_000_000,
                paths: vec!["var/lib/apt/lists/* (12 files)".into()],
                instruction: Some("/bin/sh -c apt-get update && apt-get install -y curl".into()),
                layer: Some(1),
                source: Some(SourceRef {
                    file: "Dockerfile".into(),
                    line: 3,
                    text: Some("RUN apt-get update && apt-get install -y curl".into()),
                }),
                hint: Some("Remove /var/lib/apt/lists in the same RUN.".into()),
            }],
            findings: vec![
                Finding {
                    id: "CI1001".into(),
                    severity: "warning".into(),
                    title: "image runs as root".into(),
                    detail: "No USER in the config.".into(),
                    layer: None,
                    path: None,
                    source: None,
                },
                Finding {
                    id: "CI2001".into(),
                    severity: "error".into(),
                    title: "private key".into(),
                    detail: "A private key ships in the image.".into(),
                    layer: Some(1),
                    path: Some("/root/.ssh/id_rsa".into()),
                    source: Some(SourceRef {
                        file: "Dockerfile".into(),
                        line: 3,
                        text: Some("RUN apt-get update && apt-get install -y curl".into()),
                    }),
                },
            ],
            packages: vec![
                Package {
                    name: "zlib1g".into(),
                    version: "1:1.2.13".into(),
                    kind: "deb".into(),
                    purl: "pkg:deb/debian/zlib1g@1:1.2.13".into(),
                    layer: 0,
                    path: "/var/lib/dpkg/status".into(),
                },
                Package {
                    name: "curl".into(),
                    version: "7.88.1".into(),
                    kind: "deb".into(),
                    purl: "pkg:deb/debian/curl@7.88.1".into(),
                    layer: 1,
                    path: "/var/lib/dpkg/status".into(),
                },
            ],
            vulnerabilities: vec![
                Vulnerability {
                    id: "CVE-2024-0002".into(),
                    package: "zlib1g".into(),
                    version: "1:1.2.13".into(),
                    fixed: None,
                    severity: "medium".into(),
                    score: Some(5.3),
                },
                Vulnerability {
                    id: "CVE-2024-0001".into(),
                    package: "curl".into(),
                    version: "7.88.1".into(),
                    fixed: Some("7.88.1-10+deb12u5".into()),
                    severity: "critical".into(),
                    score: Some(9.8),
                },
            ],
            budgets: vec![],
            lint: vec![],
        }
    }

    /// The markup of the page (the CSS and the script are left out: they are constant and
    /// tested on their own).
    fn body(html: &str) -> &str {
        let start = html.find("<body>").unwrap_or(0);
        let end = html.find("<script>").unwrap_or(html.len());
        &html[start..end]
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(body(&render(&sample(), None)));
    }

    #[test]
    fn snapshot_before_after() {
        let mut before = sample();
        before.image.name = "example.com/app:0.9".into();
        before.scorecard.size_bytes = 150_000_000;
        before.scorecard.efficiency = 0.85;
        before.scorecard.vulnerabilities[2].count = 4;
        before.layers[1].size_bytes = 70_000_000;
        before.packages.remove(1);
        let mut after = sample();
        after.budgets = vec![
            BudgetRow {
                name: "max image size".into(),
                limit: "≤ 200 MB".into(),
                actual: "123.5 MB".into(),
                pass: true,
            },
            BudgetRow {
                name: "max reclaimable".into(),
                limit: "≤ 10 MB".into(),
                actual: "42.0 MB".into(),
                pass: false,
            },
        ];
        after.lint = vec![LintRow {
            code: "DL3009".into(),
            severity: "info".into(),
            file: "Dockerfile".into(),
            line: 3,
            message: "Delete the apt lists after installing.".into(),
        }];
        insta::assert_snapshot!(body(&render(&after, Some(&before))));
    }

    #[test]
    fn escapes_everything_from_the_image() {
        let evil = "<script>alert(1)</script>\"'&\u{1}";
        let mut report = sample();
        report.image.name = evil.into();
        report.packages[0].path = format!("/app/{evil}");
        report.packages[0].name = evil.into();
        report.findings[0].path = Some(evil.into());
        report.findings[0].detail = evil.into();
        report.layers[0].instruction = Some(evil.into());
        report.reclaimable[0].paths = vec![evil.into()];
        report.vulnerabilities[0].package = evil.into();
        report.lint.push(LintRow {
            code: evil.into(),
            severity: evil.into(),
            file: evil.into(),
            line: 1,
            message: evil.into(),
        });
        report.budgets.push(BudgetRow {
            name: evil.into(),
            limit: evil.into(),
            actual: evil.into(),
            pass: false,
        });
        let html = render(&report, Some(&report.clone()));
        assert!(!html.contains("<script>alert"), "unescaped script tag");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\u{FFFD}"));
        // Exactly one script element: ours.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(!html.contains('\u{1}'));
    }

    #[test]
    fn escape_function() {
        assert_eq!(esc("a<b>&\"'\u{7}c"), "a&lt;b&gt;&amp;&quot;&#39;\u{FFFD}c");
        assert_eq!(esc("line\nnext\ttab"), "line\nnext\ttab");
    }

    /// Nothing in the page may load anything: no src/href to another document, no CSS url(),
    /// no @import; a CSP forbids it besides.
    #[test]
    fn loads_nothing_external() {
        let mut report = sample();
        report.packages[0].purl = "https://example.com/x.js".into();
        let html = render(&report, Some(&sample()));
        let lower = html.to_ascii_lowercase();
        for needle in [
            "src=", "<link", "url(", "@import", "<img", "<iframe", "<object", "<embed",
        ] {
            assert!(!lower.contains(needle), "found {needle}");
        }
        for (at, _) in lower.match_indices("href=\"") {
            let target = &lower[at + 6..];
            assert!(
                target.starts_with('#'),
                "external href: {}",
                &target[..40.min(target.len())]
            );
        }
        assert!(lower.contains("content-security-policy"));
        assert!(lower.contains("default-src 'none'"));
    }

    #[test]
    fn script_matches_its_csp_hash() {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let html = render(&sample(), None);
        let start = html
            .find("<script>")
            .map(|i| i + "<script>".len())
            .unwrap_or(0);
        let end = html.find("</script>").unwrap_or(0);
        assert!(end > start);
        let hash = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(&html.as_bytes()[start..end]));
        assert!(html.contains(&format!("'sha256-{hash}'")));
    }

    #[test]
    fn tables_are_sortable_and_filterable() {
        let html = render(&sample(), None);
        assert!(html.contains("<table id=\"packages\" class=\"sortable\">"));
        assert!(html.contains("<table id=\"vulns\" class=\"sortable\">"));
        assert!(html.contains("data-filter=\"packages\""));
        assert!(html.contains("data-filter=\"vulns\""));
        assert!(html.contains("function sortBy("));
        assert!(html.contains("addEventListener('click'"));
        // Worst vulnerability first.
        let critical = html.find("CVE-2024-0001").unwrap_or(usize::MAX);
        let medium = html.find("CVE-2024-0002").unwrap_or(0);
        assert!(critical < medium);
    }

    #[test]
    fn findings_link_to_dockerfile_lines() {
        let html = render(&sample(), None);
        assert!(html.contains("<a href=\"#src-0\" title=\"Dockerfile:3\">Dockerfile:3</a>"));
        assert!(html.contains("<div id=\"src-0\">"));
        assert!(html.contains("<span class=\"ln\">3</span>RUN apt-get update"));
        assert!(html.contains("<a href=\"#finding-1\">CI2001</a>"));
    }

    #[test]
    fn before_after_shows_deltas() {
        let after = sample();
        let mut before = sample();
        before.scorecard.size_bytes = 200_000_000;
        before.scorecard.efficiency = 0.8;
        before.scorecard.findings[0].count = 3;
        before.layers[1].size_bytes = 120_000_000;
        before.layers.push(Layer {
            index: 2,
            size_bytes: 5_000_000,
            instruction: Some("RUN rm -rf /tmp".into()),
            source: None,
        });
        before.packages.push(Package {
            name: "gcc".into(),
            version: "12".into(),
            kind: "deb".into(),
            ..Package::default()
        });
        before.packages[1].version = "7.0".into();
        let html = render(&after, Some(&before));
        assert!(
            html.contains("<span class=\"delta good\">▼ −76.5 MB</span>"),
            "size delta"
        );
        assert!(
            html.contains("<span class=\"delta good\">▲ +11.2 pts</span>"),
            "efficiency delta"
        );
        assert!(html.contains("error 1</span> <span class=\"delta good\">▼ −2</span>"));
        assert!(
            html.contains("<span class=\"delta good\">removed</span>"),
            "removed layer"
        );
        assert!(html.contains("− removed</span></td><td>gcc</td>"));
        assert!(html
            .contains("~ changed</span></td><td>curl</td><td>deb</td><td>7.0</td><td>7.88.1</td>"));
        assert!(html.contains("1 added") || html.contains("0 added"));
        // Without a baseline: no deltas at all.
        assert!(!render(&after, None).contains("class=\"delta"));
    }

    #[test]
    fn big_sboms_stay_small() {
        let mut report = sample();
        report.packages = (0..5000)
            .map(|i| Package {
                name: format!("package-{i}"),
                version: format!("1.{i}.0-1"),
                kind: "deb".into(),
                purl: format!("pkg:deb/debian/package-{i}@1.{i}.0-1?arch=amd64&distro=debian-12"),
                layer: 1,
                path: "/var/lib/dpkg/status".into(),
            })
            .collect();
        let html = render(&report, None);
        assert!(html.len() < 1_500_000, "{} bytes", html.len());
    }

    #[test]
    fn empty_report_renders() {
        let html = render(&Report::default(), Some(&Report::default()));
        assert!(html.contains("No layers."));
        assert!(html.contains("Not scanned"));
        assert!(html.ends_with("</html>\n"));
    }
}
