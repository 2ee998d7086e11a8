//! `careen slim` arguments.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
#[command(after_help = "\
Squash range: by default every layer above the base image is squashed into one. The base ends at \
the last CMD or ENTRYPOINT history entry that has layers after it (a base image's history ends \
with its CMD). `--squash all` squashes every layer; `--from N`/`--to M` pick layer indices \
(0 = bottom, as `careen analyze` numbers them). Kept layers are copied byte for byte.

--healthcheck takes Dockerfile syntax (`--interval=30s --retries=3 CMD curl -f http://localhost/`, \
`CMD [\"python3\", \"-c\", \"...\"]`, `NONE`) or Docker's JSON object (`{\"Test\": [\"CMD\", ...], \"Interval\": 30000000000}`).

SOURCE_DATE_EPOCH set: the output is byte-identical for the same input (mtimes clamped, dates fixed).

Exit codes: 0 written, 2 refused (slim would break the image, range out of bounds, output = input) or input/usage error.")]
pub struct SlimArgs {
    /// The image: `docker-archive:PATH`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`, `docker-daemon:NAME`, or a path (detected).
    pub image: String,

    /// Where to write: `docker-archive:PATH[:TAG]`, `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `docker://REGISTRY/REPO:TAG`.
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    pub output: String,

    /// `auto` (everything above the base image) or `all`.
    #[arg(long, value_enum, default_value_t = SquashChoice::Auto, conflicts_with_all = ["from", "to"])]
    pub squash: SquashChoice,

    /// First layer index to squash (0 = bottom).
    #[arg(long, value_name = "N")]
    pub from: Option<usize>,

    /// Last layer index to squash (default: the top layer).
    #[arg(long, value_name = "M")]
    pub to: Option<usize>,

    /// Also remove: `caches` (apt lists/archives, pip/npm/yarn caches, __pycache__), `docs` (man, info, doc, locales but one).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub profile: Vec<ProfileChoice>,

    /// The locale `--profile docs` keeps.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub keep_locale: String,

    /// Remove paths matching GLOB from the squashed layers (`usr/share/foo/**`; `*` stays within one directory).
    #[arg(long, value_name = "GLOB")]
    pub remove: Vec<String>,

    /// Compression of the rewritten layer.
    #[arg(long, value_enum, default_value_t = CompressionChoice::Gzip)]
    pub compression: CompressionChoice,

    /// Set the config's USER.
    #[arg(long, value_name = "USER[:GROUP]")]
    pub user: Option<String>,

    /// Set the HEALTHCHECK (see below for the syntax).
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    pub healthcheck: Option<String>,

    /// Add or replace a label (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,

    /// Output format of the report.
    #[arg(long, short = 'f', value_enum, default_value_t = SlimFormat::Text)]
    pub format: SlimFormat,

    #[command(flatten)]
    pub source: crate::image::ImageOptions,

    /// Reproducible output: clamp mtimes and date the config at this Unix time.
    #[arg(
        long,
        env = "SOURCE_DATE_EPOCH",
        value_name = "SECONDS",
        hide_env_values = true
    )]
    pub source_date_epoch: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SquashChoice {
    Auto,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileChoice {
    Caches,
    Docs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompressionChoice {
    Gzip,
    Zstd,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SlimFormat {
    Text,
    Json,
}
