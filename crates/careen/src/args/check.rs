//! `careen check` arguments.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Steps: lint the Dockerfile (CONTEXT/Dockerfile or `dockerfile` in [check]; skipped when there \
is none), build it (--build), inspect the image (--image, `image` in [check], or the build's \
output) and scan it when a vulnerability database is given (`db` in [scan] or --db), run it \
and test it (--test). Then every budget in [budgets] is checked.

careen.toml: --config FILE, else CONTEXT/careen.toml when it exists, else the default \
budgets: min-efficiency 90%, max-user-wasted 10% (dive's CI defaults), no lint errors or \
warnings, no audit errors, no critical vulnerabilities (when scanned), and non-root, a pinned \
base image, no secrets and passing tests (when tested) required. A file with a [budgets] \
table checks exactly what that table sets. Paths in the file are relative to its directory. \
See docs/check.md.

Exit codes: 0 every budget met; 1 a budget broken; 2 a usage, input or environment error \
(a malformed careen.toml names the key and its line).")]
pub struct CheckArgs {
    /// The build context: where the Dockerfile and careen.toml are looked for.
    #[arg(default_value = ".")]
    pub context: PathBuf,

    /// The budgets file (default: CONTEXT/careen.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The image to inspect (any reference `careen inspect` takes); overrides `image` in [check].
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// Build the image from the context first (careen build), and inspect what was built.
    #[arg(long)]
    pub build: bool,

    /// Run the image and test it (careen test: a structure-test file from [test], or the built-in checks).
    #[arg(long)]
    pub test: bool,

    /// OSV data to scan the packages against; overrides `db` in [scan].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Also write the Markdown summary (for a pull-request comment) to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// Also write the self-contained HTML report (scorecard, layers, findings linked to the
    /// Dockerfile's lines, budgets, lint findings, packages) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
}
