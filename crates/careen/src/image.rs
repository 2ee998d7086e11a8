//! Opening images for every command: one place that turns the shared
//! image options into `careen_image::OpenOptions` and draws download
//! progress (registry blobs, daemon exports) on stderr when it is a terminal.

use careen_image::{Image, OpenOptions, Progress};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Options every image-reading command shares.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImageOptions {
    /// Platform to pick from a multi-platform image (`linux/amd64`); default: the host's.
    #[arg(long)]
    pub platform: Option<String>,

    /// Registry credentials file to use instead of `~/.docker/config.json`
    /// (same format; podman's `auth.json` works too).
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
}

/// Opens `reference` with download progress bars on a terminal.
pub fn open(reference: &str, options: &ImageOptions) -> anyhow::Result<Image> {
    let bars = Bars::new();
    let open_options = OpenOptions {
        platform: options.platform.clone(),
        auth_file: options.authfile.clone(),
        progress: bars.callback(),
        ..Default::default()
    };
    let image = careen_image::open(reference, &open_options);
    bars.clear();
    Ok(image?)
}

/// One progress bar per blob being downloaded.
struct Bars {
    multi: MultiProgress,
    bars: Arc<Mutex<HashMap<String, ProgressBar>>>,
}

impl Bars {
    fn new() -> Self {
        Self {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Arc::default(),
        }
    }

    fn callback(&self) -> Option<careen_image::ProgressFn> {
        if self.multi.is_hidden() {
            return None;
        }
        let multi = self.multi.clone();
        let bars = Arc::clone(&self.bars);
        Some(Arc::new(move |event: Progress| {
            let Ok(mut bars) = bars.lock() else { return };
            match event {
                Progress::Started { id, total } => {
                    let bar = match total {
                        Some(total) => ProgressBar::new(total).with_style(
                            ProgressStyle::with_template(
                                "{prefix:>19} {wide_bar} {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        ),
                        None => ProgressBar::new_spinner().with_style(
                            ProgressStyle::with_template("{spinner} {prefix} {bytes}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        ),
                    };
                    let bar = multi.add(bar.with_prefix(short(&id)));
                    bars.insert(id, bar);
                }
                Progress::Advanced { id, done } => {
                    if let Some(bar) = bars.get(&id) {
                        bar.set_position(done);
                    }
                }
                Progress::Finished { id } => {
                    if let Some(bar) = bars.remove(&id) {
                        bar.finish_and_clear();
                    }
                }
                _ => {}
            }
        }))
    }

    fn clear(&self) {
        if let Ok(mut bars) = self.bars.lock() {
            for (_, bar) in bars.drain() {
                bar.finish_and_clear();
            }
        }
        let _ = self.multi.clear();
    }
}

/// `sha256:0123456789ab…` → `sha256:0123456789ab` (what people see in `docker pull`).
fn short(id: &str) -> String {
    match id.split_once(':') {
        Some((algorithm, hex)) if !algorithm.contains('-') => match hex.get(..12) {
            Some(head) if hex.len() > 12 => format!("{algorithm}:{head}"),
            _ => id.to_owned(),
        },
        _ => id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_shortened() {
        assert_eq!(short("sha256:0123456789abcdef0123"), "sha256:0123456789ab");
        assert_eq!(short("docker-daemon:app:1"), "docker-daemon:app:1");
        assert_eq!(short("sha256:abc"), "sha256:abc");
    }
}
