//! Command-line arguments. One module per subcommand.

pub mod analyze;
pub mod audit;
pub mod build;
pub mod check;
pub mod db;
pub mod debug;
pub mod diff;
pub mod init;
pub mod inspect;
pub mod lint;
pub mod rule;
pub mod sbom;
pub mod scan;
pub mod slim;
pub mod test;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// careen: make container images small, safe and well tested.
///
/// Lints Dockerfiles, their `.dockerignore` and build context, points every
/// finding at the line that caused it, and fixes what it safely can.
#[derive(Debug, Parser)]
#[command(name = "careen", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 clean, 1 findings at or above the failing level, 2 usage, input or environment error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to use colour: `auto` (only on a terminal, and not when NO_COLOR is set), `always`, `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles, their `.dockerignore` and build context.
    Lint(lint::LintArgs),
    /// Layers, sizes, efficiency and wasted bytes of an image (dive's numbers).
    Analyze(analyze::AnalyzeArgs),
    /// What changed between two images: sizes, layers, files added, removed and changed.
    Diff(diff::DiffArgs),
    /// Check an image's config and files: root user, HEALTHCHECK, secrets (also in deleted files), setuid, world-writable, caches.
    Audit(audit::AuditArgs),
    /// List an image's packages (dpkg, apk, rpm, Python, npm, Go, Rust) as a table, JSON, CycloneDX or SPDX.
    Sbom(sbom::SbomArgs),
    /// Match an image's packages against OSV vulnerability data on disk (offline).
    Scan(scan::ScanArgs),
    /// Analyze + audit + secrets + SBOM (+ scan with --db) in one pass over the image.
    Inspect(inspect::InspectArgs),
    /// Manage the offline vulnerability database.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Write a production Dockerfile, `.dockerignore` and `compose.yaml` for a Python or Node project.
    Init(init::InitArgs),
    /// Build an image through docker buildx, podman or buildah, labelled from git, written to an archive careen reads.
    Build(build::BuildArgs),
    /// Run the image daemonless under runc and check it: structure tests (container-structure-test YAML), non-root, startup, HEALTHCHECK.
    Test(test::TestArgs),
    /// Rewrite an image without rebuilding it: squash layers, drop caches and docs, edit the config.
    Slim(slim::SlimArgs),
    /// The CI pipeline: lint, build, inspect, scan and test against the budgets in `careen.toml`.
    Check(check::CheckArgs),
    /// Explain a lint rule, or list them all.
    Rule(rule::RuleArgs),
    /// Developer tools: print internal representations.
    #[command(subcommand)]
    Debug(debug::DebugCommand),
}
