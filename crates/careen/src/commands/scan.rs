//! `careen scan`: the image's packages (one streaming pass) matched against
//! OSV data on disk — offline, with ignore files and OpenVEX.

use crate::args::scan::{ScanArgs, ScanFormat};
use crate::output;
use crate::pass;
use crate::ExitStatus;
use anyhow::Context as _;
use careen_inspect::sbom::{Package, PackageKind, Sbom};
use careen_vuln::ignore::{Date, IgnoreList};
use careen_vuln::vex::VexSet;
use careen_vuln::{Database, Ecosystem, LoadedFrom, Match, PackageQuery, Severity};
use serde::Serialize;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One vulnerable package, with where the package was found.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub matched: Match,
    /// Layer and path of the package database or manifest that lists the package.
    pub layer: usize,
    pub path: String,
}

/// Matches, and what the ignore file and VEX statements took out.
#[derive(Debug, Default, Serialize)]
pub struct ScanResult {
    pub matches: Vec<Found>,
    pub ignored: usize,
    pub suppressed_by_vex: usize,
    pub packages_scanned: usize,
}

/// What to scan with.
pub struct ScanInputs<'a> {
    pub db: &'a Path,
    pub ignore_file: Option<&'a Path>,
    pub vex: &'a [PathBuf],
}

/// The OSV query for a cataloged package; `None` for kinds OSV has no data for.
pub fn query(package: &Package, sbom: &Sbom) -> Option<PackageQuery> {
    let distro = sbom.distro.as_ref();
    let namespace = package
        .purl
        .strip_prefix("pkg:")
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(namespace, _)| namespace.to_owned())
        .or_else(|| distro.map(|d| d.id.clone()));
    let purl_type = match package.kind {
        PackageKind::Deb => "deb",
        PackageKind::Apk => "apk",
        PackageKind::Rpm => "rpm",
        PackageKind::Python => "pypi",
        PackageKind::Npm => "npm",
        PackageKind::GoModule => "golang",
        PackageKind::RustCrate => "cargo",
    };
    let ecosystem = Ecosystem::from_purl_type(purl_type, namespace.as_deref())?;
    let mut query = PackageQuery::new(ecosystem, package.name.clone(), package.version.clone());
    if matches!(
        package.kind,
        PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm
    ) {
        query.distro = distro.and_then(|d| Some((d.id.clone(), d.version_id.clone()?)));
        if let Some(upstream) = &package.upstream {
            let (name, version) = match upstream.split_once('@') {
                Some((name, version)) => (name, Some(version)),
                None => (upstream.as_str(), None),
            };
            // rpm's upstream is the source RPM file name, not a package name.
            if package.kind != PackageKind::Rpm {
                query.source_name = Some(name.to_owned());
                query.source_version = version.map(str::to_owned);
            }
        }
    }
    if !package.purl.is_empty() {
        query.purl = Some(package.purl.clone());
    }
    Some(query)
}

/// Opens the database (indexing raw OSV data into the cache once).
pub fn open_db(path: &Path) -> anyhow::Result<Database> {
    let cache = cache_dir();
    let (db, loaded) = Database::load(path, cache.as_deref())
        .with_context(|| format!("cannot open the vulnerability data `{}`", path.display()))?;
    match loaded {
        LoadedFrom::CacheBuilt(dir, stats) => output::note(&format!(
            "indexed {} advisories from `{}` into {} (reused next time)",
            stats.advisories,
            path.display(),
            dir.display()
        )),
        LoadedFrom::Memory(stats) if stats.malformed > 0 => output::warning(&format!(
            "{} OSV files in `{}` could not be read and were skipped",
            stats.malformed,
            path.display()
        )),
        _ => {}
    }
    Ok(db)
}

fn cache_dir() -> Option<PathBuf> {
    careen_image::cache_root()
        .ok()
        .map(|root| root.join("vuln"))
}

/// Matches every package of `sbom` against `db`, then applies the ignore file and VEX.
pub fn scan(db: &Database, sbom: &Sbom, inputs: &ScanInputs) -> anyhow::Result<ScanResult> {
    let mut found = Vec::new();
    let mut packages_scanned = 0;
    for package in &sbom.packages {
        let Some(query) = query(package, sbom) else {
            continue;
        };
        packages_scanned += 1;
        for matched in db.query(&query).with_context(|| {
            format!(
                "cannot read the vulnerability data `{}`",
                inputs.db.display()
            )
        })? {
            found.push((
                matched,
                package.location.layer,
                package.location.path.clone(),
            ));
        }
    }
    let located: std::collections::HashMap<(String, String, String), (usize, String)> = found
        .iter()
        .map(|(m, layer, path)| {
            (
                (
                    m.id.clone(),
                    m.package.name.clone(),
                    m.package.version.clone(),
                ),
                (*layer, path.clone()),
            )
        })
        .collect();
    let mut matches: Vec<Match> = found.into_iter().map(|(m, _, _)| m).collect();

    let ignore_path = inputs
        .ignore_file
        .map(Path::to_owned)
        .or_else(|| Some(PathBuf::from(".trivyignore")).filter(|p| p.is_file()));
    let mut ignored = 0;
    if let Some(path) = ignore_path {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the ignore file `{}`", path.display()))?;
        let (list, warnings) = IgnoreList::parse(&text);
        for warning in warnings {
            output::warning(&format!("{}: {warning}", path.display()));
        }
        let (kept, dropped) = list.apply(matches, Date::today_utc());
        ignored = dropped.len();
        matches = kept;
    }
    let mut suppressed_by_vex = 0;
    if !inputs.vex.is_empty() {
        let mut vex = VexSet::default();
        for path in inputs.vex {
            vex.add_path(path)?;
        }
        let (kept, dropped) = vex.apply(matches);
        suppressed_by_vex = dropped.len();
        matches = kept;
    }
    let matches = matches
        .into_iter()
        .map(|m| {
            let key = (
                m.id.clone(),
                m.package.name.clone(),
                m.package.version.clone(),
            );
            let (layer, path) = located.get(&key).cloned().unwrap_or_default();
            Found {
                matched: m,
                layer,
                path,
            }
        })
        .collect();
    Ok(ScanResult {
        matches,
        ignored,
        suppressed_by_vex,
        packages_scanned,
    })
}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    // Open the data first: a wrong --db fails before any streaming.
    let db = open_db(&args.db)?;
    let image = crate::image::open(&args.image, &args.source)?;
    let visitors = pass::Visitors {
        sbom: true,
        ..Default::default()
    };
    let mut layers = pass::run(&image, &visitors)?;
    let sbom = super::sbom::sbom_of(&image, &mut layers);
    let inputs = ScanInputs {
        db: &args.db,
        ignore_file: args.ignore_file.as_deref(),
        vex: &args.vex,
    };
    let result = scan(&db, &sbom, &inputs)?;

    let mut out = anstream::stdout().lock();
    match args.format {
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(&image.reference, &result))?;
            writeln!(out)?;
        }
        ScanFormat::Sarif => {
            serde_json::to_writer_pretty(&mut out, &to_sarif(&result))?;
            writeln!(out)?;
        }
        ScanFormat::Text => render_text(&mut out, &image.reference, &result, usize::MAX)?,
    }
    Ok(match args.fail_on {
        Some(level) if careen_vuln::fails_on(&matched(&result), level.into()) => {
            ExitStatus::Failure
        }
        _ => ExitStatus::Success,
    })
}

/// The plain matches of a result.
pub fn matched(result: &ScanResult) -> Vec<Match> {
    result.matches.iter().map(|f| f.matched.clone()).collect()
}

/// `careen.scan/v1`.
pub fn to_json(reference: &str, result: &ScanResult) -> serde_json::Value {
    let matches: Vec<_> = result
        .matches
        .iter()
        .map(|f| {
            let m = &f.matched;
            json!({
                "id": m.id,
                "aliases": m.aliases,
                "severity": m.severity,
                "score": m.score,
                "vector": m.vector,
                "summary": m.summary,
                "package": {
                    "name": m.package.name,
                    "version": m.package.version,
                    "type": m.package.ecosystem.purl_type(),
                    "purl": m.package.purl,
                    "source_name": m.package.source_name,
                    "layer": f.layer,
                    "path": f.path,
                },
                "fixed": m.fixed,
                "advisory": {"ecosystem": m.affected_ecosystem, "package": m.affected_package},
            })
        })
        .collect();
    json!({
        "schema": "careen.scan/v1",
        "image": reference,
        "packages_scanned": result.packages_scanned,
        "ignored": result.ignored,
        "suppressed_by_vex": result.suppressed_by_vex,
        "matches": matches,
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

/// SARIF 2.1.0: one rule per advisory, one result per vulnerable package,
/// located at the package database that lists it.
pub fn to_sarif(result: &ScanResult) -> serde_json::Value {
    let mut rules: Vec<serde_json::Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for found in &result.matches {
        let m = &found.matched;
        if seen.insert(m.id.clone()) {
            rules.push(json!({
                "id": m.id,
                "shortDescription": {"text": m.summary.clone().unwrap_or_else(|| m.id.clone())},
                "properties": {"security-severity": m.score.map(|s| format!("{s:.1}")), "aliases": m.aliases},
            }));
        }
    }
    let results: Vec<_> = result
        .matches
        .iter()
        .map(|found| {
            let m = &found.matched;
            let fixed = if m.fixed.is_empty() {
                "no fix is known yet".to_owned()
            } else {
                format!("fixed in {}", m.fixed.join(", "))
            };
            json!({
                "ruleId": m.id,
                "level": sarif_level(m.severity),
                "message": {"text": format!("{} {} is affected by {} ({}); {fixed}", m.package.name, m.package.version, m.id, m.severity)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": found.path.trim_start_matches('/')}}}],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "careen", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/careen-dev/careen", "rules": rules}},
            "results": results,
        }],
    })
}

/// A table of matches, worst first, and what to upgrade.
pub fn render_text(
    out: &mut dyn Write,
    reference: &str,
    result: &ScanResult,
    top: usize,
) -> anyhow::Result<()> {
    let mut counts: Vec<(Severity, usize)> = Vec::new();
    for level in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ] {
        let n = result
            .matches
            .iter()
            .filter(|f| f.matched.severity == level)
            .count();
        if n > 0 {
            counts.push((level, n));
        }
    }
    let summary = if counts.is_empty() {
        "none".to_owned()
    } else {
        counts
            .iter()
            .map(|(level, n)| format!("{n} {level}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "Vulnerabilities in {reference}: {summary} ({} packages scanned{}{})\n",
        result.packages_scanned,
        if result.ignored > 0 {
            format!(", {} ignored", result.ignored)
        } else {
            String::new()
        },
        if result.suppressed_by_vex > 0 {
            format!(", {} not affected per VEX", result.suppressed_by_vex)
        } else {
            String::new()
        }
    )?;
    if result.matches.is_empty() {
        return Ok(());
    }
    let mut ordered: Vec<&Found> = result.matches.iter().collect();
    ordered.sort_by(|a, b| {
        b.matched
            .severity
            .cmp(&a.matched.severity)
            .then_with(|| a.matched.package.name.cmp(&b.matched.package.name))
    });
    let rows: Vec<Vec<String>> = ordered
        .iter()
        .take(top)
        .map(|f| {
            let m = &f.matched;
            vec![
                m.id.clone(),
                m.severity.to_string(),
                m.package.name.clone(),
                m.package.version.clone(),
                if m.fixed.is_empty() {
                    "(no fix)".to_owned()
                } else {
                    m.fixed.join(", ")
                },
                m.package.ecosystem.purl_type().to_owned(),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        output::table(
            &["ID", "SEVERITY", "PACKAGE", "VERSION", "FIXED IN", "TYPE"],
            &rows,
            &[]
        )
    )?;
    if ordered.len() > top {
        writeln!(out, "… and {} more", ordered.len() - top)?;
    }
    Ok(())
}
