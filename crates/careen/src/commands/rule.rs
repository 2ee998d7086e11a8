//! `careen rule CODE` and `careen rule --all`.

use crate::args::rule::{RuleArgs, RuleFormat};
use crate::ExitStatus;
use careen_lint::{rule_by_code, RuleInfo};
use serde_json::json;
use std::io::Write;

fn info_json(info: &RuleInfo) -> serde_json::Value {
    json!({
        "code": info.code,
        "name": info.name,
        "severity": info.severity,
        "fix": info.fix,
        "enabled": info.enabled,
        "hadolint": info.is_hadolint(),
        "summary": info.summary(),
        "doc": info.doc.trim(),
    })
}

/// The doc comment as Markdown (each line had one leading space from `///`).
pub fn doc_markdown(info: &RuleInfo) -> String {
    let body: Vec<&str> = info
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    format!(
        "# {} ({})\n\n{}\n",
        info.code,
        info.name,
        body.join("\n").trim()
    )
}

pub fn run(args: RuleArgs) -> anyhow::Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    if args.all {
        let rules = careen_lint::all_rules();
        match args.format {
            RuleFormat::Json => {
                let list: Vec<_> = rules.iter().map(|r| info_json(r.info())).collect();
                serde_json::to_writer_pretty(
                    &mut out,
                    &json!({"schema": "careen.rule/v1", "rules": list}),
                )?;
                writeln!(out)?;
            }
            RuleFormat::Markdown => {
                for rule in rules {
                    writeln!(out, "{}", doc_markdown(rule.info()))?;
                }
            }
            RuleFormat::Text => {
                let name_width = rules.iter().map(|r| r.info().name.len()).max().unwrap_or(4);
                writeln!(
                    out,
                    "{:<6}  {:<7}  {:<3}  {:<name_width$}  SUMMARY",
                    "CODE", "LEVEL", "FIX", "NAME"
                )?;
                for rule in rules {
                    let info = rule.info();
                    let fix = match info.fix {
                        careen_lint::FixAvailability::None => "",
                        _ => "yes",
                    };
                    let mut level = info.severity.to_string();
                    if !info.enabled {
                        level.push('*');
                    }
                    writeln!(
                        out,
                        "{:<6}  {:<7}  {:<3}  {:<name_width$}  {}",
                        info.code,
                        level,
                        fix,
                        info.name,
                        info.summary()
                    )?;
                }
                writeln!(
                    out,
                    "\n* opt-in: runs when selected or when its settings are given."
                )?;
            }
        }
        return Ok(ExitStatus::Success);
    }
    let code = args.code.unwrap_or_default();
    let Some(rule) = rule_by_code(&code) else {
        anyhow::bail!("no rule `{code}`; `careen rule --all` lists every rule");
    };
    let info = rule.info();
    match args.format {
        RuleFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &json!({"schema": "careen.rule/v1", "rules": [info_json(info)]}),
            )?;
            writeln!(out)?;
        }
        RuleFormat::Markdown | RuleFormat::Text => {
            write!(out, "{}", doc_markdown(info))?;
            if args.format == RuleFormat::Text {
                writeln!(
                    out,
                    "\nSeverity: {}. Fix: {}.{}",
                    info.severity,
                    match info.fix {
                        careen_lint::FixAvailability::None => "none",
                        careen_lint::FixAvailability::Sometimes => "sometimes",
                        careen_lint::FixAvailability::Always => "always",
                    },
                    if info.enabled { "" } else { " Opt-in." }
                )?;
            }
        }
    }
    Ok(ExitStatus::Success)
}
