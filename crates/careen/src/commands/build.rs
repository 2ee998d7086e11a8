//! `careen build [CONTEXT]`: build through an engine that is installed
//! (docker buildx, podman or buildah), label the image from git, and write it
//! to an archive every careen command reads. `--bench` times a cold and a
//! warm build. Exit 0 when built; 2 when the engine is missing or fails (its
//! last output lines shown), or the input is wrong.

use crate::args::build::{BuildArgs, BuildFormat, EngineChoice};
use crate::ExitStatus;
use anyhow::{bail, Context as _};
use careen_build::{bench, detect, labels, run, BuildRequest, EngineKind, Output};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

fn utf8(path: &Path) -> anyhow::Result<String> {
    path.to_str()
        .map(str::to_owned)
        .with_context(|| format!("{}: path is not UTF-8", path.display()))
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path)
        .with_context(|| format!("{}: cannot make the path absolute", path.display()))
}

/// Sum of the uncompressed layer sizes and the layer count of a written image.
fn image_size(output: &Output, platform: Option<&str>) -> anyhow::Result<(u64, usize)> {
    let options = careen_image::OpenOptions {
        platform: platform.map(str::to_owned),
        ..Default::default()
    };
    let image = careen_image::open(&output.to_string(), &options)?;
    let layers = image.verify()?;
    Ok((
        layers.iter().map(|l| l.uncompressed_size).sum(),
        layers.len(),
    ))
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitStatus> {
    if !args.context.is_dir() {
        bail!(
            "build context {} is not a directory",
            args.context.display()
        );
    }
    if let Some(file) = &args.file {
        if !file.is_file() {
            bail!("Dockerfile {} not found", file.display());
        }
    }
    let ca_bundle = match &args.ca_bundle {
        Some(ca) => {
            std::fs::File::open(ca)
                .with_context(|| format!("--ca-bundle {}: cannot read", ca.display()))?;
            Some(utf8(&absolute(ca)?)?)
        }
        None => None,
    };
    let output = match &args.output {
        Some(text) => Some(match text.parse::<Output>()? {
            Output::OciArchive(path) => Output::OciArchive(utf8(&absolute(Path::new(&path))?)?),
            Output::DockerArchive(path) => {
                Output::DockerArchive(utf8(&absolute(Path::new(&path))?)?)
            }
        }),
        None => None,
    };

    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let mut all_labels = vec![(
        labels::CREATED.to_owned(),
        labels::created(epoch.as_deref(), SystemTime::now())?,
    )];
    all_labels.extend(labels::git_labels(&args.context));
    for label in &args.label {
        let Some((key, value)) = label.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            bail!("invalid --label `{label}`: expected K=V");
        };
        all_labels.retain(|(k, _)| k != key);
        all_labels.push((key.to_owned(), value.to_owned()));
    }
    for arg in &args.build_arg {
        if arg.is_empty() || arg.starts_with('=') {
            bail!("invalid --build-arg `{arg}`: expected K=V or K");
        }
    }

    let wanted = args.engine.map(|choice| match choice {
        EngineChoice::Docker => EngineKind::Docker,
        EngineChoice::Podman => EngineKind::Podman,
        EngineChoice::Buildah => EngineKind::Buildah,
    });
    let (kind, _program) = detect::detect(wanted)?;
    let host = detect::host_settings(&detect::HostFacts::from_env())?;

    let mut request = BuildRequest {
        context: utf8(&args.context)?,
        file: args.file.as_deref().map(utf8).transpose()?,
        tags: args.tag.clone(),
        target: args.target.clone(),
        build_args: args.build_arg.clone(),
        platform: args.platform.clone(),
        labels: all_labels.clone(),
        ca_bundle,
        no_cache: args.no_cache,
        output: output.clone(),
        iidfile: None,
    };

    let scratch = run::Scratch::new()?;
    let mut report = json!({
        "schema": "careen.build/v1",
        "engine": kind.to_string(),
        "tags": args.tag,
        "labels": all_labels
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect::<serde_json::Map<_, _>>(),
    });
    let built = if args.bench {
        // The size is read from the written image: write one if asked for none.
        if request.output.is_none() {
            request.output = Some(Output::OciArchive(utf8(&scratch.path.join("bench.tar"))?));
        }
        let mut cold_request = request.clone();
        cold_request.no_cache = true;
        let cold = run::build(kind, &host, &cold_request, args.quiet, true)?;
        let touched_path = bench::newest_source_file(&args.context);
        let touched = touched_path.as_deref().map(bench::touch).transpose()?;
        let warm = run::build(kind, &host, &request, args.quiet, false);
        drop(touched);
        let warm = warm?;
        let bench_output = request.output.clone().context("bench output")?;
        let (size, layers) = image_size(&bench_output, args.platform.as_deref())?;
        report["bench"] = json!({
            "cold_seconds": round(cold.seconds),
            "warm_seconds": round(warm.seconds),
            "touched": touched_path.map(|p| p.display().to_string()),
            "image_size_bytes": size,
            "layers": layers,
        });
        warm
    } else {
        run::build(kind, &host, &request, args.quiet, false)?
    };
    report["image_id"] = json!(built.image_id);
    report["output"] = json!(output.as_ref().map(ToString::to_string));

    match args.format {
        BuildFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        BuildFormat::Text => print_text(&report),
    }
    Ok(ExitStatus::Success)
}

fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

fn print_text(report: &serde_json::Value) {
    let text = |key: &str| report[key].as_str().map(str::to_owned);
    println!("built with {}", text("engine").unwrap_or_default());
    if let Some(id) = text("image_id") {
        println!("image:  {id}");
    }
    if let Some(tags) = report["tags"].as_array().filter(|t| !t.is_empty()) {
        let tags: Vec<&str> = tags.iter().filter_map(|t| t.as_str()).collect();
        println!("tags:   {}", tags.join(", "));
    }
    if let Some(output) = text("output") {
        println!("output: {output}");
    }
    if let Some(labels) = report["labels"].as_object() {
        for (key, value) in labels {
            println!("label:  {key}={}", value.as_str().unwrap_or_default());
        }
    }
    let bench = &report["bench"];
    if bench.is_object() {
        let seconds = |key: &str| bench[key].as_f64().unwrap_or_default();
        println!("cold build: {:.1} s (no cache)", seconds("cold_seconds"));
        match bench["touched"].as_str() {
            Some(path) => println!(
                "warm build: {:.1} s (after touching {path})",
                seconds("warm_seconds")
            ),
            None => println!(
                "warm build: {:.1} s (no source file to touch)",
                seconds("warm_seconds")
            ),
        }
        let size = bench["image_size_bytes"].as_u64().unwrap_or_default();
        println!(
            "image size: {} ({size} bytes, {} layers)",
            bytesize::ByteSize::b(size),
            bench["layers"].as_u64().unwrap_or_default()
        );
    }
}
