use super::copy_sources::{files_sent, normalize_source};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleInfo};
use careen_dockerfile::shell::{CommandView, ShellWord};
use careen_dockerfile::{Instruction, InstructionKind};
use globset::{GlobBuilder, GlobMatcher};

rule! {
    /// ## What it does
    /// Checks for a `RUN rm` that deletes files an earlier layer of the same image added (by `COPY`/`ADD`, or by a `RUN` that downloads, extracts, clones or runs `apt-get update`).
    ///
    /// ## Why is this bad?
    /// Each instruction adds a layer on top of the previous ones. Deleting a
    /// file in a later layer only hides it: the bytes still ship in the layer
    /// that added it, so the image is as big as if the file were kept.
    ///
    /// Tracked: files a `COPY`/`ADD` puts in the image (with the build context,
    /// every copied file; without it, the destination of single sources),
    /// local archives `ADD` extracts, `curl -o`/`-O`, `wget` (`-O`, `-P`),
    /// `tar -x … -C DIR`, `pip download -d DIR`, `git clone` and `apt-get
    /// update` (`/var/lib/apt/lists`). A later `rm` of such a path, of a
    /// directory holding it, or a glob such as `rm -rf /tmp/*` fires.
    /// Deleting in the same `RUN` that created the file is fine, and so are
    /// paths under a `--mount` (cache, tmpfs, bind) target. Only stages that
    /// end up in the final image (the last stage and the stages it is built
    /// `FROM`) are checked: builder stages do not ship their layers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt
    /// RUN rm /tmp/app.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz \
    ///     tar -xzf /tmp/app.tar.gz -C /opt
    /// ```
    pub(crate) struct FileRemovedInLaterLayer {
        code: "CR3006",
        name: "file-removed-in-later-layer",
        severity: Warning,
        fix: None,
        enabled: true,
    }
}

/// A path some instruction put into its layer.
#[derive(Debug, Clone)]
struct Added {
    /// Absolute, normalized.
    path: String,
    /// A directory whose whole content is in the layer (extracted archive,
    /// clone, download directory, apt lists).
    tree: bool,
    /// What created it, for the message (`COPY`, `curl`, …).
    by: String,
    line: u32,
}

/// Directories too general to treat as "created by" an extraction into them.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/usr",
    "/usr/local",
    "/opt",
    "/etc",
    "/var",
    "/srv",
    "/home",
    "/root",
];

impl Rule for FileRemovedInLaterLayer {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut earlier: Vec<Added> = Vec::new();
        let mut workdir = "/".to_string();
        for stage in shipped_stages(ctx) {
            for index in ctx
                .stages
                .get(stage)
                .map(|s| s.instructions.clone())
                .unwrap_or(0..0)
            {
                let Some(instruction) = ctx.instructions().get(index) else {
                    continue;
                };
                let line = instruction.span.start.line;
                match &instruction.kind {
                    InstructionKind::Workdir(word) => {
                        let value =
                            careen_dockerfile::expand::unquote(&word.value, ctx.dockerfile.escape);
                        if !value.contains('$') {
                            workdir = join(&workdir, &value);
                        }
                    }
                    InstructionKind::Copy(_) | InstructionKind::Add(_) => {
                        earlier.extend(copied(ctx, instruction, &workdir, line));
                    }
                    InstructionKind::Run(_) => {
                        self.run(ctx, index, instruction, &workdir, &mut earlier, out);
                    }
                    _ => {}
                }
            }
        }
    }
}

impl FileRemovedInLaterLayer {
    fn run(
        &self,
        ctx: &Context<'_>,
        index: usize,
        instruction: &Instruction,
        workdir: &str,
        earlier: &mut Vec<Added>,
        out: &mut Vec<Diagnostic>,
    ) {
        let mounts = mount_targets(instruction, workdir);
        let in_mount = |path: &str| mounts.iter().any(|m| path == m || is_under(path, m));
        let line = instruction.span.start.line;
        let mut current: Vec<Added> = Vec::new();
        let mut cwd = workdir.to_string();
        for (script, command) in ctx.commands(index) {
            let view = command.effective();
            let Some(name) = view.name() else {
                continue;
            };
            let name = name.rsplit('/').next().unwrap_or(name);
            if name == "cd" && command.depth == 0 {
                if let Some(dir) = view.args().first().filter(|w| !w.value.contains('$')) {
                    cwd = join(&cwd, &dir.value);
                }
                continue;
            }
            if name == "rm" {
                for target in view.positional_args(&[]) {
                    if target.value.contains('$') || target.value.is_empty() {
                        continue;
                    }
                    let path = join(&cwd, &target.value);
                    if in_mount(&path) {
                        continue;
                    }
                    let matcher = Target::new(&path);
                    current.retain(|added| !matcher.matches(added));
                    let hits: Vec<Added> = earlier
                        .iter()
                        .filter(|a| matcher.matches(a))
                        .cloned()
                        .collect();
                    if let Some(first) = hits.first() {
                        earlier.retain(|added| !matcher.matches(added));
                        let span = ctx.script_span(script, target.range.clone());
                        let what = if first.path == path {
                            format!("`{}`", first.path)
                        } else {
                            format!("`{}` (with `{}`)", target.value, first.path)
                        };
                        out.push(
                            Diagnostic::new(
                                &Self::INFO,
                                span,
                                format!(
                                    "`rm` deletes {what}, added by `{}` on line {} in an earlier layer, so the image does not get smaller",
                                    first.by, first.line
                                ),
                            )
                            .with_help("delete the file in the same `RUN` that creates it, use a `--mount` for it, or build in a separate stage and `COPY --from` only what is needed"),
                        );
                    }
                }
                continue;
            }
            for added in created(&view, name, &cwd, line) {
                if !in_mount(&added.path) {
                    current.push(added);
                }
            }
        }
        earlier.extend(current);
    }
}

/// Indices of the stages whose layers are in the final image: the last
/// stage and, transitively, the stages it is built `FROM`, oldest first.
fn shipped_stages(ctx: &Context<'_>) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = ctx.stages.len().checked_sub(1);
    while let Some(index) = current {
        if chain.contains(&index) || chain.len() > ctx.stages.len() {
            break;
        }
        chain.push(index);
        let base = ctx.stages.get(index).map(|s| s.base.to_ascii_lowercase());
        current = base.and_then(|base| {
            ctx.stages
                .iter()
                .take(index)
                .rposition(|s| s.name.as_deref() == Some(base.as_str()))
        });
    }
    chain.reverse();
    chain
}

/// Paths a COPY/ADD adds.
fn copied(ctx: &Context<'_>, instruction: &Instruction, workdir: &str, line: u32) -> Vec<Added> {
    let (InstructionKind::Copy(copy) | InstructionKind::Add(copy)) = &instruction.kind else {
        return Vec::new();
    };
    let escape = ctx.dockerfile.escape;
    let keyword = instruction.keyword.as_str().to_ascii_uppercase();
    let dest_raw = if copy.json {
        copy.dest.value.clone()
    } else {
        careen_dockerfile::expand::unquote(&copy.dest.value, escape)
    };
    if dest_raw.contains('$') {
        return Vec::new();
    }
    let dest_is_dir = dest_raw.ends_with('/') || copy.sources.len() > 1;
    let dest = join(workdir, &dest_raw);
    let is_add = matches!(instruction.kind, InstructionKind::Add(_));
    let from_context = instruction.flag("from").is_none();
    let added = |path: String, tree: bool| Added {
        path,
        tree,
        by: keyword.clone(),
        line,
    };
    // With the build context: every file copied, mapped to its destination.
    if from_context {
        if let Some(context) = ctx.build_context {
            let mut out = Vec::new();
            for source in files_sent(instruction, context, escape) {
                let Some(normalized) = normalize_source(&source.word.value, copy.json, escape)
                else {
                    continue;
                };
                for file in &source.files {
                    let target = if file.path == normalized {
                        if dest_is_dir {
                            join(&dest, file.path.rsplit('/').next().unwrap_or(&file.path))
                        } else {
                            dest.clone()
                        }
                    } else {
                        // Under a copied directory (or a glob match): keep the
                        // path below the source's fixed directory part.
                        let base = if normalized.contains(['*', '?', '[']) {
                            normalized.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
                        } else {
                            normalized.as_str()
                        };
                        let relative = if base.is_empty() {
                            file.path.as_str()
                        } else {
                            file.path
                                .strip_prefix(base)
                                .map(|r| r.trim_start_matches('/'))
                                .unwrap_or(&file.path)
                        };
                        join(&dest, relative)
                    };
                    let archive = is_add && is_archive(&file.path);
                    out.push(added(if archive { dest.clone() } else { target }, archive));
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
    }
    // Without the context (or `--from`): single sources by name.
    let mut out = Vec::new();
    for source in &copy.sources {
        let raw = if copy.json {
            source.value.clone()
        } else {
            careen_dockerfile::expand::unquote(&source.value, escape)
        };
        if raw.contains(['$', '*', '?', '[']) || raw.starts_with("<<") {
            continue;
        }
        let trimmed = raw.trim_end_matches('/');
        let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
        if base.is_empty() || base == "." || raw.ends_with('/') {
            continue;
        }
        if is_add && from_context && is_archive(base) && !raw.contains("://") {
            out.push(added(dest.clone(), true));
        } else if dest_is_dir {
            out.push(added(join(&dest, base), false));
        } else {
            out.push(added(dest.clone(), false));
        }
    }
    out
}

fn is_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Paths a shell command creates.
fn created(view: &CommandView<'_>, name: &str, cwd: &str, line: u32) -> Vec<Added> {
    let literal =
        |w: &ShellWord| (!w.value.contains('$') && !w.value.is_empty()).then(|| w.value.clone());
    let url_name = |url: &str| {
        let url = url.split(['?', '#']).next().unwrap_or(url);
        url.trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && !n.contains(':'))
            .map(str::to_string)
    };
    let added = |path: String, tree: bool| Added {
        path,
        tree,
        by: name.to_string(),
        line,
    };
    let mut out = Vec::new();
    let args = view.args();
    match name {
        "curl" => {
            let mut remote_name = false;
            let mut iter = args.iter();
            while let Some(word) = iter.next() {
                let value = word.value.as_str();
                if value == "-o" || value == "--output" {
                    if let Some(file) = iter
                        .next()
                        .and_then(literal)
                        .filter(|f| f != "-" && f != "/dev/null")
                    {
                        out.push(added(join(cwd, &file), false));
                    }
                } else if let Some(file) = value.strip_prefix("--output=") {
                    out.push(added(join(cwd, file), false));
                } else if value == "-O" || value == "--remote-name" {
                    remote_name = true;
                } else if value.starts_with('-') && !value.starts_with("--") && value.ends_with('o')
                {
                    // A cluster such as `-fsSLo FILE`.
                    if let Some(file) = iter
                        .next()
                        .and_then(literal)
                        .filter(|f| f != "-" && f != "/dev/null")
                    {
                        out.push(added(join(cwd, &file), false));
                    }
                } else if value.starts_with('-') && !value.starts_with("--") && value.contains('O')
                {
                    remote_name = true;
                }
            }
            if remote_name {
                for url in args.iter().filter(|w| w.value.contains("://")) {
                    if let Some(file) = literal(url).and_then(|u| url_name(&u)) {
                        out.push(added(join(cwd, &file), false));
                    }
                }
            }
        }
        "wget" => {
            let mut output = None;
            let mut prefix = None;
            let mut to_stdout = false;
            let mut iter = args.iter();
            while let Some(word) = iter.next() {
                let value = word.value.as_str();
                let cluster = value.starts_with('-') && !value.starts_with("--");
                if value == "-O"
                    || value == "--output-document"
                    || (cluster && value.ends_with('O'))
                {
                    match iter.next().and_then(literal) {
                        Some(file) if file == "-" || file == "/dev/null" => to_stdout = true,
                        Some(file) => output = Some(file),
                        None => to_stdout = true,
                    }
                } else if let Some(file) = value.strip_prefix("--output-document=") {
                    output = Some(file.to_string());
                } else if cluster && value.contains('O') {
                    // `-qO-`, `-O-`, `-Ofile`
                    let rest = value.split_once('O').map(|(_, r)| r).unwrap_or("");
                    if rest == "-" || rest.is_empty() {
                        to_stdout = true;
                    } else {
                        output = Some(rest.to_string());
                    }
                } else if value == "-P" || value == "--directory-prefix" {
                    prefix = iter.next().and_then(literal);
                } else if let Some(dir) = value.strip_prefix("--directory-prefix=") {
                    prefix = Some(dir.to_string());
                }
            }
            if to_stdout {
            } else if let Some(file) = output {
                if file != "/dev/null" {
                    out.push(added(join(cwd, &file), false));
                }
            } else {
                let dir = prefix
                    .map(|p| join(cwd, &p))
                    .unwrap_or_else(|| cwd.to_string());
                for url in args.iter().filter(|w| w.value.contains("://")) {
                    if let Some(file) = literal(url).and_then(|u| url_name(&u)) {
                        out.push(added(join(&dir, &file), false));
                    }
                }
            }
        }
        "tar" => {
            let first = args.first().map(|w| w.value.as_str()).unwrap_or("");
            let extract = view.has_option(&['x'], &["extract", "get"])
                || (!first.starts_with('-') && first.contains('x'));
            if extract {
                let mut iter = args.iter();
                while let Some(word) = iter.next() {
                    let value = word.value.as_str();
                    let dir = if value == "-C" || value == "--directory" {
                        iter.next().and_then(literal)
                    } else {
                        value.strip_prefix("--directory=").map(str::to_string)
                    };
                    if let Some(dir) = dir {
                        let dir = join(cwd, &dir);
                        if !SYSTEM_DIRS.contains(&dir.as_str()) {
                            out.push(added(dir, true));
                        }
                    }
                }
            }
        }
        "pip" | "pip3" if view.subcommand().is_some_and(|s| s.value == "download") => {
            let mut iter = args.iter();
            while let Some(word) = iter.next() {
                let value = word.value.as_str();
                let dir = if value == "-d" || value == "--dest" {
                    iter.next().and_then(literal)
                } else {
                    value.strip_prefix("--dest=").map(str::to_string)
                };
                if let Some(dir) = dir {
                    out.push(added(join(cwd, &dir), true));
                }
            }
        }
        "git" if view.subcommand().is_some_and(|s| s.value == "clone") => {
            let positional = view.positional_args(&[
                "-b",
                "--branch",
                "--depth",
                "-o",
                "--origin",
                "-c",
                "--config",
                "--reference",
                "-j",
                "--jobs",
                "--filter",
            ]);
            let urls: Vec<String> = positional
                .iter()
                .skip(1)
                .filter_map(|w| literal(w))
                .collect();
            let dir = match urls.as_slice() {
                [_, dir, ..] => Some(dir.clone()),
                [url] => url_name(url).map(|n| n.trim_end_matches(".git").to_string()),
                _ => None,
            };
            if let Some(dir) = dir.filter(|d| !d.is_empty() && d != ".") {
                let dir = join(cwd, &dir);
                if !SYSTEM_DIRS.contains(&dir.as_str()) {
                    out.push(added(dir, true));
                }
            }
        }
        "apt-get" | "apt" if view.subcommand().is_some_and(|s| s.value == "update") => {
            out.push(added("/var/lib/apt/lists".to_string(), true));
        }
        _ => {}
    }
    out
}

/// Targets of `--mount` flags (cache, tmpfs, bind, secret): what is written
/// there is not in the layer.
fn mount_targets(instruction: &Instruction, workdir: &str) -> Vec<String> {
    instruction
        .flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| {
            f.value.as_deref()?.split(',').find_map(|part| {
                let (key, value) = part.split_once('=')?;
                matches!(key.trim(), "target" | "dst" | "destination")
                    .then(|| join(workdir, value.trim()))
            })
        })
        .collect()
}

/// An `rm` argument: a path or a glob.
struct Target {
    path: String,
    is_glob: bool,
    glob: Option<GlobMatcher>,
}

impl Target {
    fn new(path: &str) -> Target {
        let is_glob = path.contains(['*', '?', '[']);
        let glob = is_glob
            .then(|| GlobBuilder::new(path).literal_separator(true).build().ok())
            .flatten()
            .map(|g| g.compile_matcher());
        Target {
            path: path.to_string(),
            is_glob,
            glob,
        }
    }

    /// Does removing this target remove (part of) `added`?
    fn matches(&self, added: &Added) -> bool {
        if let Some(glob) = &self.glob {
            // The glob or one of the ancestors it removes covers the path…
            if glob.is_match(&added.path) || ancestors(&added.path).any(|a| glob.is_match(a)) {
                return true;
            }
            // …or it removes things inside an added tree.
            let fixed = self
                .path
                .find(['*', '?', '['])
                .and_then(|i| self.path.get(..i))
                .unwrap_or("");
            let fixed = fixed.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let fixed = if fixed.is_empty() { "/" } else { fixed };
            return added.tree && (fixed == added.path || is_under(fixed, &added.path));
        }
        if self.is_glob {
            return false;
        }
        added.path == self.path
            || is_under(&added.path, &self.path)
            || (added.tree && is_under(&self.path, &added.path))
    }
}

/// Proper ancestors of an absolute path, nearest first (`/` excluded).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .filter(|(i, _)| *i > 0)
        .map(move |(i, _)| path.get(..i).unwrap_or(""))
}

/// `path` is strictly inside directory `dir`.
fn is_under(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return path.len() > 1 && path.starts_with('/');
    }
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Resolve `path` against `base` (absolute) and normalize `.`/`..`/`//`.
fn join(base: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in full.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(path: &str, tree: bool) -> Added {
        Added {
            path: path.to_string(),
            tree,
            by: "COPY".to_string(),
            line: 1,
        }
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join("/", "app"), "/app");
        assert_eq!(join("/app", "./x/../y/"), "/app/y");
        assert_eq!(join("/app", "/tmp//a"), "/tmp/a");
        assert_eq!(join("/", ".."), "/");
    }

    #[test]
    fn targets_match() {
        assert!(Target::new("/tmp/*").matches(&added("/tmp/x.tar.gz", false)));
        assert!(Target::new("/tmp/*").matches(&added("/tmp/a/b", false)));
        assert!(!Target::new("/tmp/*.zip").matches(&added("/tmp/x.tar.gz", false)));
        assert!(Target::new("/app").matches(&added("/app/x", false)));
        assert!(!Target::new("/app/x").matches(&added("/app/y", false)));
        assert!(!Target::new("/app/x").matches(&added("/app", false)));
        assert!(Target::new("/var/lib/apt/lists/*").matches(&added("/var/lib/apt/lists", true)));
        assert!(Target::new("/opt/src/docs").matches(&added("/opt/src", true)));
        assert!(!Target::new("/appx").matches(&added("/app/x", false)));
    }
}
