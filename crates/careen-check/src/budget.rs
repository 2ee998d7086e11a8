//! Budgets checked against [`Facts`]: one [`BudgetResult`] per budget set,
//! in the order of the `careen.toml` reference (sizes, findings, requirements).

use crate::config::Budgets;
use crate::facts::{count, BaseImage, Facts, Item};
use crate::units::{PinLevel, Ratio, Size};
use serde::Serialize;

/// The outcome of one budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetResult {
    /// The key in `careen.toml`: `max-image-size`, `lint.warning`, `require.non-root`.
    pub name: String,
    /// The limit as written for people: `≤ 190.7 MiB`, `≥ 90%`, `≤ 0`, `required`.
    pub limit: String,
    /// What was found: `243.1 MiB`, `3`, `root`.
    pub actual: String,
    /// True when met, or skipped.
    pub pass: bool,
    /// Not checked: the step it needs did not run (`detail` says why).
    pub skipped: bool,
    /// One line: why it broke, or why it was skipped.
    pub detail: String,
    /// The numbers, for machines (bytes, fraction or count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_value: Option<f64>,
    /// What broke it (findings, files, vulnerabilities), most important first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

impl BudgetResult {
    fn new(name: &str, limit: String) -> BudgetResult {
        BudgetResult {
            name: name.to_owned(),
            limit,
            actual: String::new(),
            pass: true,
            skipped: false,
            detail: String::new(),
            limit_value: None,
            actual_value: None,
            items: Vec::new(),
        }
    }

    fn skip(mut self, why: &str) -> BudgetResult {
        self.skipped = true;
        self.pass = true;
        self.actual = "—".to_owned();
        self.detail = why.to_owned();
        self
    }

    /// Broken (not skipped).
    pub fn failed(&self) -> bool {
        !self.pass && !self.skipped
    }
}

const NO_IMAGE: &str = "no image was inspected";

/// Checks every budget that is set.
pub fn evaluate(budgets: &Budgets, facts: &Facts) -> Vec<BudgetResult> {
    let mut results = Vec::new();
    let image = facts.image.as_ref();

    let sizes = [
        (
            "max-image-size",
            budgets.max_image_size,
            image.map(|i| (i.size_bytes, &i.layers[..])),
        ),
        (
            "max-reclaimable",
            budgets.max_reclaimable,
            image.map(|i| (i.reclaimable_bytes, &i.reclaimable[..])),
        ),
        (
            "max-wasted",
            budgets.max_wasted,
            image.map(|i| (i.wasted_bytes, &i.wasted[..])),
        ),
    ];
    for (name, limit, actual) in sizes {
        let Some(limit) = limit else { continue };
        let result = BudgetResult::new(name, format!("≤ {limit}"));
        let Some((actual, items)) = actual else {
            results.push(result.skip(NO_IMAGE));
            continue;
        };
        results.push(at_most_bytes(result, limit, actual, items));
    }

    if let Some(limit) = budgets.min_efficiency {
        let result = BudgetResult::new("min-efficiency", format!("≥ {limit}"));
        results.push(match image {
            None => result.skip(NO_IMAGE),
            Some(image) => {
                let actual = Ratio(image.efficiency);
                // dive compares the unrounded figure.
                let pass = image.efficiency >= limit.0;
                ratio_result(result, limit, actual, pass, &image.wasted, "below")
            }
        });
    }
    if let Some(limit) = budgets.max_user_wasted {
        let result = BudgetResult::new("max-user-wasted", format!("≤ {limit}"));
        results.push(match image {
            None => result.skip(NO_IMAGE),
            Some(image) => {
                let actual = Ratio(image.user_wasted_percent);
                // No user layers (NaN): nothing can be wasted in them.
                let pass =
                    !image.user_wasted_percent.is_finite() || image.user_wasted_percent <= limit.0;
                ratio_result(result, limit, actual, pass, &image.wasted, "above")
            }
        });
    }

    if let Some(limits) = &budgets.lint {
        let levels = [
            ("error", limits.error),
            ("warning", limits.warning),
            ("info", limits.info),
            ("style", limits.style),
        ];
        findings(
            &mut results,
            "lint",
            &levels,
            facts.lint.as_deref(),
            "lint did not run (no Dockerfile)",
        );
    }
    if let Some(limits) = &budgets.audit {
        let levels = [
            ("error", limits.error),
            ("warning", limits.warning),
            ("info", limits.info),
        ];
        findings(
            &mut results,
            "audit",
            &levels,
            facts.audit.as_deref(),
            NO_IMAGE,
        );
    }
    if let Some(limits) = &budgets.vulnerabilities {
        let levels = [
            ("critical", limits.critical),
            ("high", limits.high),
            ("medium", limits.medium),
            ("low", limits.low),
            ("unknown", limits.unknown),
        ];
        findings(
            &mut results,
            "vulnerabilities",
            &levels,
            facts.vulnerabilities.as_deref(),
            "no vulnerability database: set `db` in [scan]",
        );
    }

    let require = &budgets.require;
    if require.non_root {
        let result = BudgetResult::new("require.non-root", "required".to_owned());
        results.push(match image {
            None => result.skip(NO_IMAGE),
            Some(image) => {
                let user = if image.user.is_empty() {
                    "root (no USER)".to_owned()
                } else {
                    image.user.clone()
                };
                let mut result = BudgetResult {
                    actual: user,
                    ..result
                };
                if image.runs_as_root {
                    result.pass = false;
                    result.detail = "the image runs as root: add `USER` with a non-zero UID".into();
                }
                result
            }
        });
    }
    if require.healthcheck {
        let result = BudgetResult::new("require.healthcheck", "required".to_owned());
        results.push(match image {
            None => result.skip(NO_IMAGE),
            Some(image) if image.healthcheck => BudgetResult {
                actual: "present".into(),
                ..result
            },
            Some(_) => BudgetResult {
                actual: "missing".into(),
                pass: false,
                detail: "no HEALTHCHECK in the image config (OCI-format builds drop it)".into(),
                ..result
            },
        });
    }
    if require.pinned_base != PinLevel::Off {
        results.push(pinned(require.pinned_base, facts.bases.as_deref()));
    }
    if require.no_secrets {
        let result = BudgetResult::new("require.no-secrets", "none".to_owned());
        results.push(match image {
            None => result.skip(NO_IMAGE),
            Some(image) => {
                let found = image.secrets.len();
                let mut result = BudgetResult {
                    actual: found.to_string(),
                    pass: found == 0,
                    actual_value: Some(found as f64),
                    limit_value: Some(0.0),
                    items: image.secrets.clone(),
                    ..result
                };
                if found > 0 {
                    result.detail = format!(
                        "{found} secret{} in the image: revoke and remove {}",
                        plural(found),
                        if found == 1 { "it" } else { "them" }
                    );
                }
                result
            }
        });
    }
    if require.tests_pass {
        let result = BudgetResult::new("require.tests-pass", "all pass".to_owned());
        results.push(match &facts.tests {
            None => result.skip("tests did not run (`--test`)"),
            Some(tests) => {
                let failed = tests.failures.len();
                let mut result = BudgetResult {
                    actual: format!(
                        "{} of {} passed",
                        tests.total - failed.min(tests.total),
                        tests.total
                    ),
                    pass: failed == 0,
                    items: tests.failures.clone(),
                    ..result
                };
                if failed > 0 {
                    result.detail = format!("{failed} test{} failed", plural(failed));
                }
                result
            }
        });
    }
    results
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn at_most_bytes(
    mut result: BudgetResult,
    limit: Size,
    actual: u64,
    items: &[Item],
) -> BudgetResult {
    result.actual = Size(actual).to_string();
    result.limit_value = Some(limit.0 as f64);
    result.actual_value = Some(actual as f64);
    if actual > limit.0 {
        result.pass = false;
        result.detail = format!("{} over the budget", Size(actual - limit.0));
        result.items = items.to_vec();
    }
    result
}

fn ratio_result(
    mut result: BudgetResult,
    limit: Ratio,
    actual: Ratio,
    pass: bool,
    items: &[Item],
    side: &str,
) -> BudgetResult {
    result.actual = actual.to_string();
    result.limit_value = Some(limit.0);
    result.actual_value = actual.0.is_finite().then_some(actual.0);
    if !pass {
        result.pass = false;
        result.detail = format!("{actual} is {side} the budget of {limit}");
        result.items = items.to_vec();
    }
    result
}

/// One result per severity with a limit.
fn findings(
    results: &mut Vec<BudgetResult>,
    group: &str,
    levels: &[(&str, Option<u64>)],
    items: Option<&[Item]>,
    skipped: &str,
) {
    for (severity, limit) in levels {
        let Some(limit) = limit else { continue };
        let result = BudgetResult::new(&format!("{group}.{severity}"), format!("≤ {limit}"));
        let Some(items) = items else {
            results.push(result.skip(skipped));
            continue;
        };
        let found = count(items, severity);
        let mut result = BudgetResult {
            actual: found.to_string(),
            limit_value: Some(*limit as f64),
            actual_value: Some(found as f64),
            ..result
        };
        if found > *limit {
            result.pass = false;
            result.detail = format!(
                "{found} {severity} finding{} (budget {limit})",
                plural(found as usize)
            );
            result.items = items
                .iter()
                .filter(|i| i.severity == *severity)
                .cloned()
                .collect();
        }
        results.push(result);
    }
}

/// Why `reference` is not pinned to `level`, or `None` when it is.
pub fn unpinned(reference: &str, level: PinLevel) -> Option<&'static str> {
    if reference.contains('$') {
        return Some("uses a build argument without a default");
    }
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    if digest.is_some_and(|d| !d.is_empty()) {
        return None;
    }
    if level == PinLevel::Digest {
        return Some("has no digest (`@sha256:…`)");
    }
    // The tag follows the last `:` of the last path segment (a `:` before
    // the first `/` is a registry port).
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.split_once(':') {
        None => Some("has no tag (means `latest`)"),
        Some((_, "latest")) => Some("uses the `latest` tag"),
        Some((_, "")) => Some("has an empty tag"),
        Some(_) => None,
    }
}

fn pinned(level: PinLevel, bases: Option<&[BaseImage]>) -> BudgetResult {
    let limit = match level {
        PinLevel::Digest => "digest",
        _ => "tag, not latest",
    };
    let result = BudgetResult::new("require.pinned-base", limit.to_owned());
    let Some(bases) = bases else {
        return result.skip("no Dockerfile to read FROM lines from");
    };
    let items: Vec<Item> = bases
        .iter()
        .filter_map(|base| {
            unpinned(&base.reference, level).map(|why| {
                Item::new("", "FROM", format!("`{}` {why}", base.reference))
                    .at(format!("line {}", base.line))
            })
        })
        .collect();
    let unpinned_count = items.len();
    BudgetResult {
        actual: if unpinned_count == 0 {
            format!("{} pinned", bases.len())
        } else {
            format!("{unpinned_count} of {} unpinned", bases.len())
        },
        pass: unpinned_count == 0,
        detail: items
            .first()
            .map(|i| format!("{} ({})", i.message, i.location.clone().unwrap_or_default()))
            .unwrap_or_default(),
        items,
        ..result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LintLimits, Require};
    use crate::facts::{ImageFacts, TestFacts};

    fn image() -> ImageFacts {
        ImageFacts {
            reference: "oci:app".into(),
            size_bytes: 300_000_000,
            efficiency: 0.85,
            wasted_bytes: 40_000_000,
            user_wasted_percent: 0.2,
            reclaimable_bytes: 50_000_000,
            user: "app".into(),
            runs_as_root: false,
            healthcheck: true,
            ..ImageFacts::default()
        }
    }

    #[test]
    fn sizes_and_ratios() {
        let budgets = Budgets {
            max_image_size: Some(Size(200_000_000)),
            max_reclaimable: Some(Size(60_000_000)),
            min_efficiency: Some(Ratio(0.9)),
            max_user_wasted: Some(Ratio(0.25)),
            ..Budgets::default()
        };
        let facts = Facts {
            image: Some(image()),
            ..Facts::default()
        };
        let results = evaluate(&budgets, &facts);
        let by_name = |name: &str| results.iter().find(|r| r.name == name).unwrap();
        let size = by_name("max-image-size");
        assert!(size.failed());
        assert_eq!(size.detail, "100.0 MB over the budget");
        assert!(!by_name("max-reclaimable").failed());
        let efficiency = by_name("min-efficiency");
        assert!(efficiency.failed());
        assert_eq!(efficiency.detail, "85% is below the budget of 90%");
        assert!(!by_name("max-user-wasted").failed());
    }

    #[test]
    fn missing_steps_are_skipped_not_failed() {
        let results = evaluate(&Budgets::defaults(), &Facts::default());
        assert!(results.iter().all(|r| r.skipped && r.pass), "{results:#?}");
        assert!(results.iter().any(|r| r.name == "vulnerabilities.critical"));
    }

    #[test]
    fn findings_per_severity() {
        let budgets = Budgets {
            lint: Some(LintLimits {
                error: Some(0),
                warning: Some(1),
                ..LintLimits::default()
            }),
            ..Budgets::default()
        };
        let lint = vec![
            Item::new("warning", "DL3008", "pin versions"),
            Item::new("warning", "DL3059", "merge RUNs"),
            Item::new("info", "DL3048", "label"),
        ];
        let facts = Facts {
            lint: Some(lint),
            ..Facts::default()
        };
        let results = evaluate(&budgets, &facts);
        assert_eq!(results.len(), 2);
        assert!(!results[0].failed());
        assert!(results[1].failed());
        assert_eq!(results[1].items.len(), 2);
        assert_eq!(results[1].detail, "2 warning findings (budget 1)");
    }

    #[test]
    fn requirements() {
        let budgets = Budgets {
            require: Require {
                non_root: true,
                healthcheck: true,
                pinned_base: PinLevel::Tag,
                no_secrets: true,
                tests_pass: true,
            },
            ..Budgets::default()
        };
        let mut root = image();
        root.user = String::new();
        root.runs_as_root = true;
        root.healthcheck = false;
        root.secrets = vec![Item::new("error", "CS1002", "AWS secret access key")];
        let facts = Facts {
            image: Some(root),
            bases: Some(vec![
                BaseImage {
                    reference: "python:3.12-slim".into(),
                    line: 1,
                },
                BaseImage {
                    reference: "debian".into(),
                    line: 5,
                },
            ]),
            tests: Some(TestFacts {
                total: 3,
                failures: vec![Item::new("fail", "non-root", "uid 0")],
            }),
            ..Facts::default()
        };
        let results = evaluate(&budgets, &facts);
        assert!(results.iter().all(BudgetResult::failed), "{results:#?}");
        assert_eq!(results[0].actual, "root (no USER)");
        assert_eq!(
            results[2].detail,
            "`debian` has no tag (means `latest`) (line 5)"
        );
        assert_eq!(results[4].actual, "2 of 3 passed");
    }

    #[test]
    fn pinning() {
        assert_eq!(unpinned("python:3.12", PinLevel::Tag), None);
        assert!(unpinned("python:latest", PinLevel::Tag).is_some());
        assert!(unpinned("localhost:5000/python", PinLevel::Tag).is_some());
        assert_eq!(unpinned("localhost:5000/python:3", PinLevel::Tag), None);
        assert_eq!(unpinned("python@sha256:abc", PinLevel::Digest), None);
        assert!(unpinned("python:3.12", PinLevel::Digest).is_some());
        assert!(unpinned("${BASE}", PinLevel::Tag).is_some());
        assert!(unpinned("python:", PinLevel::Tag).is_some());
    }
}
