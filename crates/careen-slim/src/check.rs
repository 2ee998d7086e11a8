//! The image as it would run, before and after slim: path lookups through the kept lower
//! layers, the squashed layer and the kept upper layers, following symlinks (at most 40 hops,
//! as Linux). Used to refuse a slim that removes the entrypoint or the user's passwd entry.

use std::collections::VecDeque;

use careen_image::EntryKind;

use crate::tree::{ancestors, Hide, Merged, Node, Squash, Upper};

const MAX_HOPS: usize = 40;

/// One view of the merged image.
pub struct View<'a> {
    pub lower: &'a Merged,
    pub squash: &'a Squash,
    pub upper: &'a Upper,
    /// Include what profiles and `--remove` took out (the image before slim).
    pub before: bool,
}

impl View<'_> {
    /// The node at `path` (no symlinks followed).
    pub fn lookup(&self, path: &str) -> Option<&Node> {
        if let Some(found) = self.upper.nodes.get(path) {
            return found.as_ref();
        }
        if ancestors(path)
            .any(|a| matches!(self.upper.nodes.get(a), Some(None)) || self.upper.opaque.contains(a))
        {
            return None;
        }
        if let Some(found) = self.squash.nodes.get(path) {
            return Some(found);
        }
        if self.before {
            if let Some(found) = self.squash.filtered.get(path) {
                return Some(found);
            }
        }
        if self.squash.hides.get(path) == Some(&Hide::Whiteout)
            || ancestors(path).any(|a| self.squash.hides.contains_key(a))
        {
            return None;
        }
        self.lower.nodes.get(path)
    }

    /// Resolves `path` (absolute or relative to the root) through symlinks; the final path
    /// and its node.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut pending: VecDeque<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(component) = pending.pop_front() {
            match component.as_str() {
                "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => {}
            }
            current.push(component);
            let joined = current.join("/");
            let node = self.lookup(&joined)?;
            if node.kind == EntryKind::Symlink {
                hops += 1;
                if hops > MAX_HOPS {
                    return None;
                }
                let target = node.link.clone().unwrap_or_default();
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                for part in target.split('/').filter(|c| !c.is_empty()).rev() {
                    pending.push_front(part.to_owned());
                }
            }
        }
        let joined = current.join("/");
        if joined.is_empty() {
            return None;
        }
        let node = self.lookup(&joined)?;
        Some((joined, node))
    }

    /// The executable `argv0` resolves to: searched in `path_var` when it has no `/`, else
    /// taken relative to `workdir`. `None` when nothing runnable is found.
    pub fn find_program(&self, argv0: &str, path_var: &str, workdir: &str) -> Option<String> {
        let candidates: Vec<String> = if argv0.contains('/') {
            if argv0.starts_with('/') {
                vec![argv0.to_owned()]
            } else {
                vec![format!("{workdir}/{argv0}")]
            }
        } else {
            path_var
                .split(':')
                .filter(|d| !d.is_empty())
                .map(|d| format!("{d}/{argv0}"))
                .collect()
        };
        candidates.into_iter().find(|candidate| {
            self.resolve(candidate)
                .is_some_and(|(_, node)| node.kind != EntryKind::Dir)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use careen_image::LayerEntry;

    fn entry(path: &str, kind: EntryKind, link: Option<&str>) -> LayerEntry {
        LayerEntry {
            path: path.to_owned(),
            kind,
            size: 1,
            mode: 0o755,
            uid: 0,
            gid: 0,
            link_target: link.map(str::to_owned),
            whiteout: None,
        }
    }

    #[test]
    fn programs_resolve_through_symlinks_and_path() {
        let mut lower = Merged::default();
        for (ordinal, (path, kind, link)) in [
            ("usr", EntryKind::Dir, None),
            ("usr/bin", EntryKind::Dir, None),
            ("bin", EntryKind::Symlink, Some("usr/bin")),
            ("usr/bin/python3.11", EntryKind::File, None),
            ("usr/bin/python3", EntryKind::Symlink, Some("python3.11")),
            ("usr/bin/loop", EntryKind::Symlink, Some("/usr/bin/loop")),
        ]
        .into_iter()
        .enumerate()
        {
            lower.apply(&entry(path, kind, link), (0, ordinal as u64));
        }
        let squash = Squash::default();
        let upper = Upper::default();
        let view = View {
            lower: &lower,
            squash: &squash,
            upper: &upper,
            before: false,
        };
        assert_eq!(
            view.resolve("/bin/python3").map(|(p, _)| p),
            Some("usr/bin/python3.11".to_owned())
        );
        assert_eq!(view.resolve("/usr/bin/loop"), None);
        assert_eq!(
            view.find_program("python3", "/usr/local/bin:/bin", "/"),
            Some("/bin/python3".to_owned())
        );
        assert_eq!(view.find_program("node", "/usr/bin:/bin", "/"), None);
    }
}
