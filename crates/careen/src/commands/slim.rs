//! `careen slim`: rewrite an image without rebuilding it (squash, drop caches and docs, edit
//! the config) and report the bytes saved per cause.

use crate::args::slim::{CompressionChoice, ProfileChoice, SlimArgs, SlimFormat, SquashChoice};
use crate::ExitStatus;
use careen_slim::{Compression, ConfigEdits, Output, Profile, SlimOptions, SlimReport, Squash};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::sync::Arc;

fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

fn options_of(args: &SlimArgs) -> anyhow::Result<SlimOptions> {
    let squash = if args.from.is_some() || args.to.is_some() {
        Squash::Range {
            from: args.from,
            to: args.to,
        }
    } else {
        match args.squash {
            SquashChoice::Auto => Squash::Auto,
            SquashChoice::All => Squash::All,
        }
    };
    let mut labels = Vec::new();
    for label in &args.label {
        let Some((key, value)) = label.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            anyhow::bail!("--label `{label}`: write KEY=VALUE");
        };
        labels.push((key.to_owned(), value.to_owned()));
    }
    let healthcheck = args
        .healthcheck
        .as_deref()
        .map(careen_slim::parse_healthcheck)
        .transpose()?;
    Ok(SlimOptions {
        squash,
        profiles: args
            .profile
            .iter()
            .map(|p| match p {
                ProfileChoice::Caches => Profile::Caches,
                ProfileChoice::Docs => Profile::Docs,
            })
            .collect(),
        keep_locale: Some(args.keep_locale.clone()),
        remove: args.remove.clone(),
        epoch: args.source_date_epoch,
        compression: match args.compression {
            CompressionChoice::Gzip => Compression::Gzip,
            CompressionChoice::Zstd => Compression::Zstd,
            CompressionChoice::None => Compression::None,
        },
        edits: ConfigEdits {
            user: args.user.clone(),
            healthcheck,
            labels,
        },
        output: Some(Output::parse(&args.output)?),
        auth_file: args.source.authfile.clone(),
        progress: None,
    })
}

pub fn run(args: SlimArgs) -> anyhow::Result<ExitStatus> {
    // Options are checked before the image is read.
    let mut options = options_of(&args)?;
    let image = crate::image::open(&args.image, &args.source)?;
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if !bar.is_hidden() {
        let shown = bar.clone();
        options.progress = Some(Arc::new(move |progress: careen_slim::Progress| {
            shown.set_length(progress.total);
            shown.set_position(progress.done);
            shown.set_message(progress.message);
        }));
    }
    let report = careen_slim::slim(&image, &options);
    bar.finish_and_clear();
    let report = report?;
    let mut out = anstream::stdout().lock();
    match args.format {
        SlimFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        SlimFormat::Text => render_text(&mut out, &report)?,
    }
    Ok(ExitStatus::Success)
}

fn render_text(out: &mut dyn Write, report: &SlimReport) -> std::io::Result<()> {
    writeln!(out, "{} → {}", report.input, report.output)?;
    match report.squashed {
        Some([from, to]) => writeln!(
            out,
            "squashed layers {from}..{to} into one ({} base layer(s) kept)",
            report.base_layers.min(from)
        )?,
        None => writeln!(out, "nothing to squash: every layer belongs to the base")?,
    }
    writeln!(out)?;
    let rows = vec![
        vec![
            "before".to_owned(),
            report.before.layers.to_string(),
            human(report.before.compressed_bytes),
            human(report.before.uncompressed_bytes),
        ],
        vec![
            "after".to_owned(),
            report.after.layers.to_string(),
            human(report.after.compressed_bytes),
            human(report.after.uncompressed_bytes),
        ],
    ];
    write!(
        out,
        "{}",
        crate::output::table(&["", "layers", "stored", "uncompressed"], &rows, &[1, 2, 3])
    )?;
    writeln!(out)?;
    let saved = &report.saved;
    let rows: Vec<Vec<String>> = [
        ("overwritten by a later layer", saved.overwritten),
        ("deleted by a later layer", saved.deleted),
        ("caches (--profile caches)", saved.caches),
        ("docs (--profile docs)", saved.docs),
        ("--remove globs", saved.removed),
        ("total", saved.total),
    ]
    .into_iter()
    .map(|(cause, bytes)| vec![cause.to_owned(), human(bytes)])
    .collect();
    write!(
        out,
        "{}",
        crate::output::table(&["saved (file bytes)", "bytes"], &rows, &[1])
    )?;
    writeln!(out)?;
    writeln!(out, "whiteouts kept: {}", report.whiteouts_kept)?;
    writeln!(out, "manifest: {}", report.manifest_digest)?;
    if let Some([uploaded, skipped]) = report.pushed {
        writeln!(
            out,
            "pushed: {uploaded} blob(s) uploaded, {skipped} already there"
        )?;
    }
    Ok(())
}
