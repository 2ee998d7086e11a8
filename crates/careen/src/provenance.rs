//! `--dockerfile FILE [--target STAGE]` on analyze, audit and inspect: layers,
//! findings and reclaimable bytes point at the Dockerfile line that made them,
//! with a fix for that line where the cause is plain (apt lists, pip and npm
//! caches, secrets copied in, files created and deleted in different layers).
//!
//! The map itself is careen-inspect's [`careen_inspect::provenance`]; this
//! module reads the file, and adds the locations to the JSON and text output.

use anyhow::Context as _;
use careen_image::Image;
use careen_inspect::audit::{config::redact_instruction, Finding};
use careen_inspect::provenance::{self, Origin, Provenance};
use careen_inspect::reclaim::{Category, Item, Reclaim};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The flags that name the Dockerfile an image was built from.
#[derive(Debug, Clone, Default, Args)]
pub struct DockerfileArgs {
    /// The Dockerfile the image was built from: layers, findings and reclaimable bytes then name the line that made them (`Dockerfile:12`), with a fix where it is plain.
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,

    /// The stage of `--dockerfile` that was built (the build's `--target`); the last stage by default.
    #[arg(long, value_name = "STAGE", requires = "dockerfile")]
    pub target: Option<String>,
}

/// Reads and parses `--dockerfile` and maps `image`'s history onto it.
/// `None` without the flag. Errors (missing file, syntax, unknown stage) are
/// input errors.
pub fn load(args: &DockerfileArgs, image: &Image) -> anyhow::Result<Option<Provenance>> {
    let Some(path) = &args.dockerfile else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let dockerfile = careen_dockerfile::parse_bytes(&bytes)
        .with_context(|| format!("cannot parse `{}`", path.display()))?;
    let name = path.display().to_string();
    let map = provenance::map_image(image, &dockerfile, &name, args.target.as_deref())
        .with_context(|| format!("`{}`", path.display()))?;
    Ok(Some(map))
}

/// The `"dockerfile"` JSON object of one origin (with a fix when there is one).
pub fn origin_json(origin: &Origin, fix: Option<String>) -> Value {
    let mut value = json!({
        "file": origin.file,
        "line": origin.line,
        "end_line": origin.end_line,
        "instruction": origin.instruction,
        "stage": origin.stage,
    });
    if origin.base_image {
        value["base_image"] = true.into();
    }
    if !origin.merged_lines.is_empty() {
        value["merged_lines"] = origin.merged_lines.clone().into();
    }
    if let Some(fix) = fix {
        value["fix"] = fix.into();
    }
    value
}

/// The origin of an audit finding: its layer's, or for a history finding on
/// an empty-layer entry (an `ENV`, an `ARG`), the entry with that text.
pub fn finding_origin<'a>(
    map: &'a Provenance,
    image: &Image,
    finding: &Finding,
) -> Option<&'a Origin> {
    if let Some(layer) = finding.layer {
        return map.layer(layer);
    }
    let instruction = finding.instruction.as_deref()?;
    let history = image.config.history().as_deref().unwrap_or_default();
    history.iter().enumerate().find_map(|(index, entry)| {
        let created_by = entry.created_by().as_deref()?;
        (redact_instruction(created_by) == instruction)
            .then(|| map.history_entry(index))
            .flatten()
    })
}

fn instruction_has(origin: &Origin, words: &[&str]) -> bool {
    words.iter().all(|w| origin.instruction.contains(w))
}

/// A fix for `finding` at `origin`, when the cause is plain.
pub fn finding_fix(finding: &Finding, origin: &Origin) -> Option<String> {
    let at = origin.location();
    let path = finding.path.as_deref().unwrap_or("the file");
    if origin.base_image {
        return match finding.code.as_str() {
            "CI2009" | "CI2001" | "CI2003" | "CI2005" | "CI2006" | "CI2004" => Some(format!(
                "{path} comes from the base image ({}): fix it in your first RUN or pick another base",
                origin.instruction
            )),
            _ => None,
        };
    }
    let copied = matches!(origin.keyword.as_str(), "COPY" | "ADD");
    let secret = finding.code.starts_with("CS")
        || matches!(finding.code.as_str(), "CI2004" | "CI2005" | "CI2006");
    match finding.code.as_str() {
        _ if secret && copied => Some(format!(
            "`{}` at {at} copies {path} into the image: leave it out of the build context (.dockerignore) and pass it with `RUN --mount=type=secret` instead; revoke the secret",
            origin.instruction
        )),
        _ if secret => Some(format!(
            "the {} at {at} writes {path}: use `RUN --mount=type=secret` so it never lands in a layer; revoke the secret",
            origin.keyword
        )),
        "CI1004" | "CI1005" | "CI1006" => Some(format!(
            "remove the secret from `{}` at {at}; use `RUN --mount=type=secret` for build-time secrets",
            origin.instruction
        )),
        "CI2009" => cache_fix(finding.path.as_deref().unwrap_or(&finding.message), origin),
        "CI2001" if origin.keyword == "RUN" => Some(format!(
            "the RUN at {at} leaves the setuid/setgid bit on {path}: drop it there (`chmod u-s,g-s {path}`)"
        )),
        "CI2003" if origin.keyword == "RUN" => Some(format!(
            "the RUN at {at} leaves {path} world-writable: `chmod o-w {path}` there"
        )),
        "CI2007" | "CI2008" if copied => Some(format!(
            "`{}` at {at} copies it in: add it to .dockerignore",
            origin.instruction
        )),
        _ => None,
    }
}

/// A fix for a package-manager cache at `path` left by `origin`.
fn cache_fix(path: &str, origin: &Origin) -> Option<String> {
    let at = origin.location();
    if origin.keyword != "RUN" {
        return None;
    }
    // `path` is the finding's path, or its message that names the cache.
    if path.contains("var/lib/apt/lists") {
        Some(format!(
            "add `&& rm -rf /var/lib/apt/lists/*` to the end of the RUN at {at}"
        ))
    } else if path.contains("var/cache/apt") {
        Some(format!("add `&& apt-get clean` to the RUN at {at}"))
    } else if path.contains("var/cache/apk") {
        Some(format!("use `apk add --no-cache` in the RUN at {at}"))
    } else if path.contains(".cache/pip") {
        Some(pip_fix(origin))
    } else if path.contains(".npm") {
        Some(format!(
            "add `&& npm cache clean --force` to the RUN at {at}"
        ))
    } else if path.contains("yarn") {
        Some(format!("add `&& yarn cache clean` to the RUN at {at}"))
    } else {
        None
    }
}

fn pip_fix(origin: &Origin) -> String {
    let at = origin.location();
    if instruction_has(origin, &["pip", "install"]) {
        format!("add `--no-cache-dir` to the `pip install` in the RUN at {at}")
    } else {
        format!("delete the pip cache (`rm -rf /root/.cache/pip`) in the RUN at {at} that fills it, or set `PIP_NO_CACHE_DIR=1`")
    }
}

/// The layer a hidden item's `hidden_by` names (`deleted in layer 4`).
fn hiding_layer(item: &Item) -> Option<usize> {
    item.hidden_by.as_deref()?.rsplit(' ').next()?.parse().ok()
}

/// A fix for one reclaimable item, pointed at the Dockerfile.
pub fn reclaim_fix(item: &Item, map: &Provenance) -> Option<String> {
    let origin = map.layer(item.layer)?;
    let at = origin.location();
    if origin.base_image && item.category == Category::Hidden {
        let by = hiding_layer(item).and_then(|l| map.layer(l))?;
        return Some(format!(
            "the base image's copy, replaced by {}: expected when a step updates files of the base (package databases, logs); remove them in that step if they are not needed",
            by.location()
        ));
    }
    if origin.base_image {
        return Some(format!(
            "from the base image ({}): clean it in your first RUN, or pick a slimmer base",
            origin.instruction
        ));
    }
    let run = origin.keyword == "RUN";
    let fix = match item.category {
        Category::Hidden => {
            let by = hiding_layer(item).and_then(|l| map.layer(l));
            let how = item
                .hidden_by
                .as_deref()
                .and_then(|h| h.split(" in layer").next())
                .unwrap_or("removed");
            match by {
                Some(by) if matches!(origin.keyword.as_str(), "COPY" | "ADD") => format!(
                    "`{}` at {at} copies it and {} {how} it: leave it out of the COPY (or .dockerignore) instead",
                    origin.instruction,
                    by.location()
                ),
                Some(by) => format!(
                    "written at {at}, {how} at {}: create, change and delete it in the same RUN (or a build stage)",
                    by.location()
                ),
                None => format!("written at {at}: {}", item.category.hint()),
            }
        }
        Category::AptLists if run => {
            format!("add `&& rm -rf /var/lib/apt/lists/*` to the end of the RUN at {at}")
        }
        Category::AptCache if run => format!("add `&& apt-get clean` to the RUN at {at}"),
        Category::ApkCache if run => format!("use `apk add --no-cache` in the RUN at {at}"),
        Category::PipCache if run => pip_fix(origin),
        Category::NpmCache if run => {
            format!("add `&& npm cache clean --force` to the RUN at {at}")
        }
        Category::YarnCache if run => format!("add `&& yarn cache clean` to the RUN at {at}"),
        Category::NodeDevDependencies => format!(
            "node_modules comes from `{}` at {at}: install it with `npm ci --omit=dev`",
            origin.instruction
        ),
        Category::Git | Category::Tests | Category::Wheels
            if matches!(origin.keyword.as_str(), "COPY" | "ADD") =>
        {
            format!(
                "`{}` at {at} copies them in: add them to .dockerignore",
                origin.instruction
            )
        }
        other => format!("at {at}: {}", other.hint()),
    };
    Some(fix)
}

/// Points every reclaimable item's hint at the Dockerfile line.
pub fn locate_reclaim(reclaim: &mut Reclaim, map: &Provenance) {
    for group in &mut reclaim.groups {
        for item in &mut group.items {
            if let Some(fix) = reclaim_fix(item, map) {
                item.hint = fix;
            }
        }
    }
}

/// Adds `"dockerfile"` to each layer of an analyze-style `layers` array.
pub fn annotate_layers(layers: &mut Value, map: &Provenance) {
    let Some(layers) = layers.as_array_mut() else {
        return;
    };
    for (index, layer) in layers.iter_mut().enumerate() {
        layer["dockerfile"] = map
            .layer(index)
            .map_or(Value::Null, |o| origin_json(o, None));
    }
}

/// Adds `"dockerfile"` (with `"fix"`) to each serialized finding.
pub fn annotate_findings(value: &mut Value, findings: &[Finding], map: &Provenance, image: &Image) {
    let Some(values) = value.as_array_mut() else {
        return;
    };
    for (value, finding) in values.iter_mut().zip(findings) {
        if let Some(origin) = finding_origin(map, image, finding) {
            value["dockerfile"] = origin_json(origin, finding_fix(finding, origin));
        }
    }
}

/// Adds `"dockerfile"` to each serialized reclaim group (the origin of its
/// biggest item) and to each of its items.
pub fn annotate_reclaim(groups: &mut Value, reclaim: &Reclaim, map: &Provenance) {
    let Some(values) = groups.as_array_mut() else {
        return;
    };
    for (value, group) in values.iter_mut().zip(&reclaim.groups) {
        let origin_of = |item: &Item| {
            map.layer(item.layer)
                .map(|o| origin_json(o, reclaim_fix(item, map)))
        };
        if let Some(origin) = group.items.first().and_then(origin_of) {
            value["dockerfile"] = origin;
        }
        if let Some(items) = value.get_mut("items").and_then(Value::as_array_mut) {
            for (item_value, item) in items.iter_mut().zip(&group.items) {
                if let Some(origin) = origin_of(item) {
                    item_value["dockerfile"] = origin;
                }
            }
        }
    }
}

/// The JSON summary of the map: which layers and instructions stayed unmatched.
pub fn summary_json(map: &Provenance) -> Value {
    json!({
        "file": map.file,
        "stage": map.stage,
        "unmatched_layers": map.unmatched_layers,
        "unmatched_instructions": map
            .unmatched_instructions
            .iter()
            .map(|o| origin_json(o, None))
            .collect::<Vec<_>>(),
    })
}

/// A one-line text note about unmatched layers, if any.
pub fn unmatched_note(map: &Provenance) -> Option<String> {
    if map.unmatched_layers.is_empty() {
        return None;
    }
    let layers: Vec<String> = map.unmatched_layers.iter().map(|l| l.to_string()).collect();
    Some(format!(
        "note: no instruction of {} (stage {}) matches layer{} {}: was the image built from this Dockerfile and stage?",
        map.file,
        map.stage,
        if layers.len() == 1 { "" } else { "s" },
        layers.join(", ")
    ))
}
