//! Config edits (`--user`, `--healthcheck`, `--label`), history and diff IDs rewritten for the
//! new layer list, and dates written as RFC 3339 without a date crate (one small function).

use serde_json::{json, Map, Value};

use crate::SlimError;

/// `--healthcheck` in Dockerfile syntax (`[--interval=30s …] CMD command…`, `CMD ["exec",
/// "form"]`, `NONE`) or as Docker's JSON object (`{"Test": ["CMD", …], "Interval": ns, …}`).
pub fn parse_healthcheck(text: &str) -> Result<Value, SlimError> {
    let invalid = |reason: &str| SlimError::Usage(format!("--healthcheck `{text}`: {reason}"));
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(trimmed).map_err(|e| invalid(&e.to_string()))?;
        if !value.get("Test").is_some_and(Value::is_array) {
            return Err(invalid("the JSON object needs a `Test` array"));
        }
        return Ok(value);
    }
    if trimmed.eq_ignore_ascii_case("NONE") {
        return Ok(json!({ "Test": ["NONE"] }));
    }
    let mut object = Map::new();
    let mut rest = trimmed;
    while let Some(option) = rest.strip_prefix("--") {
        let (word, after) = option
            .split_once(char::is_whitespace)
            .unwrap_or((option, ""));
        let (name, value) = word
            .split_once('=')
            .ok_or_else(|| invalid("options are written `--name=value`"))?;
        let key = match name {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => "Retries",
            _ => return Err(invalid(&format!("unknown option `--{name}`"))),
        };
        let number = if key == "Retries" {
            value
                .parse::<u64>()
                .map_err(|_| invalid("--retries needs a whole number"))?
        } else {
            duration_ns(value).ok_or_else(|| {
                invalid(&format!(
                    "`{value}` is not a duration like 30s, 1m30s, 500ms"
                ))
            })?
        };
        object.insert(key.to_owned(), json!(number));
        rest = after.trim_start();
    }
    let command = rest
        .strip_prefix("CMD")
        .filter(|c| c.is_empty() || c.starts_with(char::is_whitespace))
        .ok_or_else(|| {
            invalid("expected `CMD command`, `CMD [\"exec\", \"form\"]`, `NONE` or a JSON object")
        })?
        .trim();
    if command.is_empty() {
        return Err(invalid("CMD needs a command"));
    }
    let test = if command.starts_with('[') {
        let argv: Vec<String> = serde_json::from_str(command)
            .map_err(|_| invalid("the exec form must be a JSON array of strings"))?;
        if argv.is_empty() {
            return Err(invalid("the exec form is empty"));
        }
        let mut test = vec!["CMD".to_owned()];
        test.extend(argv);
        test
    } else {
        vec!["CMD-SHELL".to_owned(), command.to_owned()]
    };
    let mut ordered = Map::new();
    ordered.insert("Test".to_owned(), json!(test));
    ordered.extend(object);
    Ok(Value::Object(ordered))
}

/// `1m30s`, `500ms`, `2h`, `10s` → nanoseconds.
fn duration_ns(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let number: u64 = rest.get(..digits)?.parse().ok()?;
        let unit_end = rest
            .get(digits..)?
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| i + digits);
        let unit = rest.get(digits..unit_end)?;
        let scale: u64 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(scale)?)?;
        rest = rest.get(unit_end..)?;
    }
    Some(total)
}

/// Seconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ` (days to civil date: Howard Hinnant's
/// algorithm, hand-written to avoid a date crate for one line).
pub fn rfc3339(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// The edits to apply.
#[derive(Debug, Clone, Default)]
pub struct ConfigEdits {
    pub user: Option<String>,
    /// Parsed with [`parse_healthcheck`].
    pub healthcheck: Option<Value>,
    pub labels: Vec<(String, String)>,
}

/// The new layer list, for the history: which old layers became one squashed layer.
pub struct Rewrite<'a> {
    pub diff_ids: Vec<String>,
    /// Inclusive range of old layer indices squashed into one, if any.
    pub squashed: Option<(usize, usize)>,
    pub created: &'a str,
    pub comment: String,
}

/// Rewrites the raw config: edits, `rootfs.diff_ids`, `history` (the squashed layers' entries
/// become `empty_layer`, one new entry stands for the squashed layer), `created`.
pub fn rewrite(
    raw: &[u8],
    edits: &ConfigEdits,
    rewrite: &Rewrite<'_>,
) -> Result<Vec<u8>, SlimError> {
    let mut config: Value = serde_json::from_slice(raw)
        .map_err(|e| SlimError::Usage(format!("the image config is not JSON: {e}")))?;
    let Some(root) = config.as_object_mut() else {
        return Err(SlimError::Usage(
            "the image config is not a JSON object".to_owned(),
        ));
    };
    let inner = root
        .entry("config")
        .or_insert_with(|| Value::Object(Map::new()));
    if !inner.is_object() {
        *inner = Value::Object(Map::new());
    }
    if let Some(inner) = inner.as_object_mut() {
        if let Some(user) = &edits.user {
            inner.insert("User".to_owned(), json!(user));
        }
        if let Some(healthcheck) = &edits.healthcheck {
            inner.insert("Healthcheck".to_owned(), healthcheck.clone());
        }
        if !edits.labels.is_empty() {
            let labels = inner
                .entry("Labels")
                .or_insert_with(|| Value::Object(Map::new()));
            if !labels.is_object() {
                *labels = Value::Object(Map::new());
            }
            if let Some(labels) = labels.as_object_mut() {
                for (key, value) in &edits.labels {
                    labels.insert(key.clone(), json!(value));
                }
            }
        }
    }
    root.insert(
        "rootfs".to_owned(),
        json!({ "type": "layers", "diff_ids": rewrite.diff_ids }),
    );
    root.insert("created".to_owned(), json!(rewrite.created));
    let history: Vec<Value> = root
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    root.insert(
        "history".to_owned(),
        Value::Array(new_history(history, rewrite)),
    );
    serde_json::to_vec(&config).map_err(|e| SlimError::Usage(e.to_string()))
}

fn is_empty_layer(entry: &Value) -> bool {
    entry.get("empty_layer").and_then(Value::as_bool) == Some(true)
}

fn new_history(history: Vec<Value>, rewrite: &Rewrite<'_>) -> Vec<Value> {
    let layer_entries = history.iter().filter(|h| !is_empty_layer(h)).count();
    let old_layers = rewrite.diff_ids.len() + rewrite.squashed.map_or(0, |(from, to)| to - from);
    let entry = json!({
        "created": rewrite.created,
        "created_by": rewrite.comment,
        "comment": "careen slim",
    });
    if layer_entries != old_layers {
        // No usable history: one entry per layer, so counts agree.
        return rewrite.diff_ids.iter().map(|_| entry.clone()).collect();
    }
    let Some((from, to)) = rewrite.squashed else {
        return history;
    };
    let mut out = Vec::with_capacity(history.len() + 1);
    let mut layer = 0usize;
    for mut item in history {
        if is_empty_layer(&item) {
            out.push(item);
            continue;
        }
        let index = layer;
        layer += 1;
        if (from..=to).contains(&index) {
            if let Some(object) = item.as_object_mut() {
                object.insert("empty_layer".to_owned(), json!(true));
            }
            out.push(item);
            if index == to {
                out.push(entry.clone());
            }
        } else {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthchecks_parse_in_both_syntaxes() {
        assert_eq!(
            parse_healthcheck("--interval=30s --retries=3 CMD curl -f http://localhost/").unwrap(),
            json!({"Test": ["CMD-SHELL", "curl -f http://localhost/"], "Interval": 30_000_000_000u64, "Retries": 3})
        );
        assert_eq!(
            parse_healthcheck(r#"CMD ["python3", "-c", "1"]"#).unwrap(),
            json!({"Test": ["CMD", "python3", "-c", "1"]})
        );
        assert_eq!(
            parse_healthcheck("NONE").unwrap(),
            json!({"Test": ["NONE"]})
        );
        assert!(parse_healthcheck(r#"{"Test": ["CMD", "true"]}"#).is_ok());
        assert!(parse_healthcheck("curl localhost").is_err());
        assert!(parse_healthcheck("--interval=soon CMD true").is_err());
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("5x"), None);
    }

    #[test]
    fn dates_format() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn history_keeps_layer_counts_consistent() {
        let raw = serde_json::to_vec(&json!({
            "config": {"Cmd": ["x"]},
            "rootfs": {"type": "layers", "diff_ids": ["a", "b", "c"]},
            "history": [
                {"created_by": "base"},
                {"created_by": "CMD", "empty_layer": true},
                {"created_by": "one"},
                {"created_by": "two"},
            ]
        }))
        .unwrap();
        let edits = ConfigEdits {
            user: Some("app".to_owned()),
            labels: vec![("k".to_owned(), "v".to_owned())],
            ..Default::default()
        };
        let out = rewrite(
            &raw,
            &edits,
            &Rewrite {
                diff_ids: vec!["a".to_owned(), "s".to_owned()],
                squashed: Some((1, 2)),
                created: "1970-01-01T00:00:00Z",
                comment: "careen slim".to_owned(),
            },
        )
        .unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        let history = value["history"].as_array().unwrap();
        assert_eq!(history.iter().filter(|h| !is_empty_layer(h)).count(), 2);
        assert_eq!(history.len(), 5);
        assert_eq!(value["config"]["User"], "app");
        assert_eq!(value["config"]["Labels"]["k"], "v");
        assert_eq!(value["rootfs"]["diff_ids"], json!(["a", "s"]));
    }
}
