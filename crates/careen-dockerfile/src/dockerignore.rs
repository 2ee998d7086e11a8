//! `.dockerignore` reading and matching with BuildKit's semantics.
//!
//! Reading follows moby/patternmatcher `ignorefile.ReadAll`: a UTF-8 BOM is
//! dropped, lines starting with `#` are comments, each line is trimmed, a
//! leading `!` marks an exception (a pattern that re-includes), the rest goes
//! through Go's `filepath.Clean` and loses one leading `/`.
//!
//! Matching follows `patternmatcher.PatternMatcher.MatchesOrParentMatches`
//! (what BuildKit applies to every path of the context):
//!
//! - `*` is any run of characters but `/`, `?` one character but `/`, `[…]` a
//!   class (`[^…]` negated; `!` is not negation), `\` escapes the next character;
//! - `**` is any number of directories (`**/x` also matches `x`, `x/**` does not
//!   match `x` itself, a trailing `**` matches everything below);
//! - a pattern also matches every path below a directory it matches;
//! - patterns are applied in order and the last one that matches wins.
//!
//! BuildKit turns each pattern into a Go regular expression. careen builds the
//! same expression text and translates it to the `regex` crate's syntax with a
//! small converter ([`go_regex_to_rust`]): the two dialects differ inside
//! character classes (Go takes `[` and `&&` literally, Rust nests and
//! intersects) and in `\d`/`\w`/`\s`/`\b` (ASCII in Go, Unicode in Rust), and
//! `globset` cannot reproduce BuildKit's quirks (`a**b` matches `ab` and `a/x/b`
//! but not `axb`; `**file` matches `xfile`), so neither crate fits as is.
//! Where Go would only fail when the first path is matched (a pattern valid as
//! a glob but not as a regex, like `[z-a]`), careen fails at parse time.

use std::fmt;

use regex::Regex;
use thiserror::Error;

/// Go's `bufio.Scanner` refuses lines longer than this, so BuildKit does too.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// A `.dockerignore` BuildKit would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IgnoreError {
    #[error("line {line}: `!` alone is not a pattern")]
    LoneExclamation { line: u32 },
    #[error("line {line}: malformed pattern `{pattern}`")]
    BadPattern { line: u32, pattern: String },
    #[error("line {line}: pattern `{pattern}` cannot be compiled: {reason}")]
    Uncompilable {
        line: u32,
        pattern: String,
        reason: String,
    },
    #[error("line {line} is longer than {MAX_LINE_BYTES} bytes")]
    LineTooLong { line: u32 },
}

/// The patterns of a `.dockerignore`, in file order.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<IgnorePattern>,
}

/// One pattern line.
#[derive(Clone)]
pub struct IgnorePattern {
    /// The pattern as BuildKit uses it: trimmed, cleaned, without `!` and leading `/`.
    pub text: String,
    /// True for an exception (`!pattern`): matching paths are sent after all.
    pub exclusion: bool,
    /// 1-based line in the file.
    pub line: u32,
    matcher: Matcher,
}

impl fmt::Debug for IgnorePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IgnorePattern")
            .field("text", &self.text)
            .field("exclusion", &self.exclusion)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// BuildKit's four match types.
#[derive(Clone)]
enum Matcher {
    Exact(String),
    /// The pattern minus its trailing `**`.
    Prefix(String),
    /// The pattern minus its leading `**`.
    Suffix(String),
    Regex {
        /// The pattern alone.
        whole: Regex,
        /// The pattern, or the pattern followed by `/` and anything: matches
        /// a clean path when it matches the path or one of its parents.
        with_parents: Option<Regex>,
    },
}

impl DockerIgnore {
    /// Read a `.dockerignore`.
    pub fn parse(text: &str) -> Result<DockerIgnore, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (index, raw) in split_lines(text).enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            if raw.len() > MAX_LINE_BYTES {
                return Err(IgnoreError::LineTooLong { line });
            }
            if let Some(pattern) = read_line(raw) {
                if let Some(pattern) = IgnorePattern::new(&pattern, line)? {
                    patterns.push(pattern);
                }
            }
        }
        Ok(DockerIgnore { patterns })
    }

    /// Build from patterns already read (BuildKit `patternmatcher.New`); line
    /// numbers are positions in `patterns`, from 1.
    pub fn from_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<DockerIgnore, IgnoreError> {
        let mut out = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            if let Some(pattern) = IgnorePattern::new(pattern.as_ref(), line)? {
                out.push(pattern);
            }
        }
        Ok(DockerIgnore { patterns: out })
    }

    /// True when `rel_path` (relative to the context, `/`-separated, clean) is
    /// not sent to the builder.
    pub fn is_ignored(&self, rel_path: &str) -> bool {
        self.matching_pattern(rel_path)
            .is_some_and(|pattern| !pattern.exclusion)
    }

    /// The pattern that decides `rel_path`: the last one that matched it or one
    /// of its parent directories, among those BuildKit evaluates. It is an
    /// exception (`exclusion`) when the path is sent after all; `None` when no
    /// pattern applies.
    pub fn matching_pattern(&self, rel_path: &str) -> Option<&IgnorePattern> {
        let parent = go_dir(rel_path);
        // BuildKit splits the parent on `/` and tries each leading run of parts:
        // that is every prefix of `parent` ending before a `/`, and `parent`.
        let ancestors: Vec<&str> = if parent == "." {
            Vec::new()
        } else {
            parent
                .match_indices('/')
                .map(|(slash, _)| &parent[..slash])
                .chain(std::iter::once(parent.as_str()))
                .collect()
        };
        // For a clean relative path the ancestors are exactly the prefixes of
        // the path that end before a `/`, so one regex can test them all.
        let clean = !rel_path.is_empty()
            && rel_path
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        let mut matched = false;
        let mut decided = None;
        for pattern in &self.patterns {
            // An inclusion cannot change a path already excluded, nor an
            // exception one that is not; BuildKit skips them (which matters
            // for `matching_pattern`, not for the outcome).
            if pattern.exclusion != matched {
                continue;
            }
            let hit = match &pattern.matcher {
                Matcher::Regex {
                    with_parents: Some(with_parents),
                    ..
                } if clean => with_parents.is_match(rel_path),
                _ => {
                    pattern.matches(rel_path)
                        || ancestors.iter().any(|ancestor| pattern.matches(ancestor))
                }
            };
            if hit {
                matched = !pattern.exclusion;
                decided = Some(pattern);
            }
        }
        decided
    }

    /// True when some pattern is an exception (`!…`).
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|pattern| pattern.exclusion)
    }
}

impl IgnorePattern {
    /// `patternmatcher.New` for one pattern; `None` for a blank one.
    fn new(raw: &str, line: u32) -> Result<Option<IgnorePattern>, IgnoreError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let cleaned = go_clean(trimmed);
        let (exclusion, text) = match cleaned.strip_prefix('!') {
            Some("") => return Err(IgnoreError::LoneExclamation { line }),
            Some(rest) => (true, rest.to_owned()),
            None => (false, cleaned),
        };
        if !glob_syntax_ok(&text) {
            return Err(IgnoreError::BadPattern {
                line,
                pattern: text,
            });
        }
        let matcher = compile(&text).map_err(|reason| IgnoreError::Uncompilable {
            line,
            pattern: text.clone(),
            reason,
        })?;
        Ok(Some(IgnorePattern {
            text,
            exclusion,
            line,
            matcher,
        }))
    }

    /// Whether this pattern matches `path` itself (no parent directories).
    pub fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(text) => path == text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix
                        .strip_prefix('/')
                        .is_some_and(|without_slash| path == without_slash)
            }
            Matcher::Regex { whole, .. } => whole.is_match(path),
        }
    }
}

/// Lines as Go's `bufio.ScanLines` gives them: split on `\n`, one trailing `\r`
/// dropped, no empty last line after a final newline.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let empty = text.is_empty();
    body.split('\n')
        .filter(move |_| !empty)
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// One line of `ignorefile.ReadAll`: `None` for comments and blank lines.
fn read_line(raw: &str) -> Option<String> {
    if raw.starts_with('#') {
        return None;
    }
    let pattern = raw.trim();
    if pattern.is_empty() {
        return None;
    }
    let (invert, rest) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, pattern),
    };
    let mut cleaned = String::new();
    if !rest.is_empty() {
        cleaned = go_clean(rest);
        if cleaned.len() > 1 {
            if let Some(stripped) = cleaned.strip_prefix('/') {
                cleaned = stripped.to_owned();
            }
        }
    }
    Some(if invert {
        format!("!{cleaned}")
    } else {
        cleaned
    })
}

/// Go's `path/filepath.Clean` on Unix.
fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `path/filepath.Dir` on Unix.
fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(slash) => go_clean(&path[..=slash]),
        None => ".".to_owned(),
    }
}

/// Whether Go's `filepath.Match` accepts `pattern` (BuildKit checks every
/// pattern with `filepath.Match(pattern, ".")`, which reports any syntax error).
fn glob_syntax_ok(pattern: &str) -> bool {
    let mut rest = pattern;
    while !rest.is_empty() {
        let (chunk, after) = scan_chunk(rest);
        if !chunk_syntax_ok(chunk) {
            return false;
        }
        rest = after;
    }
    true
}

/// Go's `scanChunk`: skip leading stars, then take up to the next `*` outside
/// brackets.
fn scan_chunk(pattern: &str) -> (&str, &str) {
    let pattern = pattern.trim_start_matches('*');
    let bytes = pattern.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    pattern.split_at(i)
}

/// The syntax half of Go's `matchChunk`.
fn chunk_syntax_ok(chunk: &str) -> bool {
    let mut chars = chunk.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '[' => {
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                let mut ranges = 0;
                loop {
                    if ranges > 0 && chars.peek() == Some(&']') {
                        chars.next();
                        break;
                    }
                    if !class_char_ok(&mut chars) {
                        return false;
                    }
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        if !class_char_ok(&mut chars) {
                            return false;
                        }
                    }
                    ranges += 1;
                }
            }
            // The guard consumes the escaped character.
            '\\' if chars.next().is_none() => return false,
            _ => {}
        }
    }
    true
}

/// Go's `getEsc`: one class character, which must not end the chunk.
fn class_char_ok(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    match chars.next() {
        None | Some('-' | ']') => false,
        Some('\\') => chars.next().is_some() && chars.peek().is_some(),
        Some(_) => chars.peek().is_some(),
    }
}

/// BuildKit's `Pattern.compile`: pick the match type and, for regex matches,
/// build the Go expression text, then translate it.
fn compile(pattern: &str) -> Result<Matcher, String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut go = String::from("^");
    let mut kind = Kind::Exact;
    // Go's text/scanner skips a leading byte order mark.
    let scanned = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut chars = scanned.chars().peekable();
    let mut first = true;
    while let Some(ch) = chars.next() {
        let at_start = std::mem::replace(&mut first, false);
        match ch {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        go.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    go.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if at_start {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                go.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                go.push_str("[^/]");
                kind = Kind::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                go.push('\\');
                go.push(ch);
            }
            '\\' => match chars.next() {
                Some(escaped) => {
                    go.push('\\');
                    go.push(escaped);
                    kind = Kind::Regex;
                }
                None => go.push('\\'),
            },
            '[' | ']' => {
                go.push(ch);
                kind = Kind::Regex;
            }
            _ => go.push(ch),
        }
    }
    Ok(match kind {
        Kind::Exact => Matcher::Exact(pattern.to_owned()),
        Kind::Prefix => Matcher::Prefix(
            pattern
                .get(..pattern.len().saturating_sub(2))
                .unwrap_or_default()
                .to_owned(),
        ),
        Kind::Suffix => Matcher::Suffix(pattern.get(2..).unwrap_or(pattern).to_owned()),
        Kind::Regex => {
            go.push('$');
            let rust = go_regex_to_rust(&go)?;
            let compile = |text: &str| Regex::new(text).map_err(|error| error.to_string());
            // `rust` is `^…$`; with `\z` inside, "end of a parent" is not "end
            // of the path", so keep the parent-by-parent test for that case.
            // (`\Q` could swallow the final `$`: same fallback.)
            let with_parents = match rust.strip_prefix('^').and_then(|r| r.strip_suffix('$')) {
                Some(body) if !go.contains("\\z") && !go.contains("\\Q") => {
                    Some(compile(&format!("^(?:{body})(?:/(?s:.*))?$"))?)
                }
                _ => None,
            };
            Matcher::Regex {
                whole: compile(&rust)?,
                with_parents,
            }
        }
    })
}

/// Translate the Go (RE2, Perl flags) expression BuildKit builds into the
/// `regex` crate's syntax with the same meaning. Go rejects what this rejects.
/// Hand-written: no crate converts between the two dialects.
fn go_regex_to_rust(go: &str) -> Result<String, String> {
    let chars: Vec<char> = go.chars().collect();
    let mut out = String::with_capacity(go.len() + 16);
    let mut i = 0;
    while let Some(&ch) = chars.get(i) {
        match ch {
            '\\' => {
                let next = chars.get(i + 1).copied();
                match next {
                    Some('A') => out.push_str(r"\A"),
                    Some('z') => out.push_str(r"\z"),
                    Some('b') => out.push_str(r"(?-u:\b)"),
                    Some('B') => out.push_str(r"(?-u:\B)"),
                    Some('Q') => {
                        // Literal text up to `\E` or the end.
                        i += 2;
                        while let Some(&c) = chars.get(i) {
                            if c == '\\' && chars.get(i + 1) == Some(&'E') {
                                i += 1;
                                break;
                            }
                            push_literal(&mut out, c);
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                    Some(c @ ('d' | 's' | 'w' | 'D' | 'S' | 'W')) => {
                        out.push_str(&perl_class(c, false));
                    }
                    Some(c @ ('p' | 'P')) => {
                        out.push_str(&unicode_class(c, chars.get(i + 2).copied())?);
                        i += 3;
                        continue;
                    }
                    _ => {
                        let (c, used) = go_escape(&chars, i + 1)?;
                        push_literal(&mut out, c);
                        i += 1 + used;
                        continue;
                    }
                }
                i += 2;
            }
            '[' => i = translate_class(&chars, i, &mut out)?,
            ']' => {
                out.push_str(r"\]");
                i += 1;
            }
            _ => {
                out.push(ch);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A Go character class starting at `chars[start] == '['`; returns the index
/// after its `]`.
fn translate_class(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let missing = || "missing closing ] in a character class".to_owned();
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let ch = *chars.get(i).ok_or_else(missing)?;
        if ch == ']' && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        // POSIX `[:name:]` (both dialects know the same names).
        if ch == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let name = &rest[..end];
                let bare = name.strip_prefix('^').unwrap_or(name);
                if !POSIX_CLASSES.contains(&bare) {
                    return Err(format!("invalid character class `[:{name}:]`"));
                }
                out.push_str("[:");
                out.push_str(name);
                out.push_str(":]");
                i += 2 + name.chars().count() + 2;
                continue;
            }
        }
        if ch == '\\' {
            match chars.get(i + 1) {
                Some(&c @ ('d' | 's' | 'w' | 'D' | 'S' | 'W')) => {
                    out.push_str(&perl_class(c, true));
                    i += 2;
                    continue;
                }
                Some(&c @ ('p' | 'P')) => {
                    out.push_str(&unicode_class(c, chars.get(i + 2).copied())?);
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        let (lo, used) = class_char(chars, i)?;
        i += used;
        let mut hi = lo;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
            let (h, used) = class_char(chars, i + 1)?;
            i += 1 + used;
            hi = h;
            if hi < lo {
                return Err(format!("invalid character class range `{lo}-{hi}`"));
            }
        }
        push_class_char(out, lo);
        if hi != lo {
            out.push('-');
            push_class_char(out, hi);
        }
    }
}

const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// One class character (maybe escaped) at `chars[i]`: the character and how
/// many input characters it took.
fn class_char(chars: &[char], i: usize) -> Result<(char, usize), String> {
    match chars.get(i) {
        None => Err("missing closing ] in a character class".to_owned()),
        Some('\\') => {
            let (c, used) = go_escape(chars, i + 1)?;
            Ok((c, used + 1))
        }
        Some(&c) => Ok((c, 1)),
    }
}

/// Go's `parseEscape` for the character(s) after a `\` at `chars[i]`.
fn go_escape(chars: &[char], i: usize) -> Result<(char, usize), String> {
    let Some(&c) = chars.get(i) else {
        return Err("trailing backslash".to_owned());
    };
    let is_octal = |c: Option<&char>| c.is_some_and(|c| ('0'..='7').contains(c));
    match c {
        '1'..='7' | '0' => {
            if c != '0' && !is_octal(chars.get(i + 1)) {
                return Err(format!(
                    "invalid escape `\\{c}` (back-references are not supported)"
                ));
            }
            let mut value = c.to_digit(8).unwrap_or(0);
            let mut used = 1;
            while used < 3 && is_octal(chars.get(i + used)) {
                let digit = chars.get(i + used).and_then(|d| d.to_digit(8)).unwrap_or(0);
                value = value * 8 + digit;
                used += 1;
            }
            char::from_u32(value)
                .map(|c| (c, used))
                .ok_or_else(|| "invalid octal escape".to_owned())
        }
        'x' => {
            let hex = |j: usize| chars.get(j).and_then(|c| c.to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => char::from_u32(high * 16 + low)
                    .map(|c| (c, 3))
                    .ok_or_else(|| "invalid hex escape".to_owned()),
                _ => Err("invalid hex escape `\\x`".to_owned()),
            }
        }
        'a' => Ok(('\x07', 1)),
        'f' => Ok(('\x0c', 1)),
        'n' => Ok(('\n', 1)),
        'r' => Ok(('\r', 1)),
        't' => Ok(('\t', 1)),
        'v' => Ok(('\x0b', 1)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, 1)),
        c => Err(format!("invalid escape `\\{c}`")),
    }
}

/// Go's ASCII Perl classes, as a class (outside brackets) or as class items.
fn perl_class(c: char, inside: bool) -> String {
    let items = match c.to_ascii_lowercase() {
        'd' => "0-9",
        's' => r"\t\n\x0C\r ",
        _ => "0-9A-Za-z_",
    };
    match (c.is_ascii_uppercase(), inside) {
        (false, true) => items.to_owned(),
        (false, false) => format!("[{items}]"),
        (true, _) => format!("[^{items}]"),
    }
}

/// `\pX` / `\PX` with a one-letter general category (braces cannot reach Go:
/// BuildKit escapes them).
fn unicode_class(c: char, name: Option<char>) -> Result<String, String> {
    match name {
        Some(n @ ('C' | 'L' | 'M' | 'N' | 'P' | 'S' | 'Z')) => Ok(format!("\\{c}{{{n}}}")),
        _ => Err(format!("invalid Unicode class escape `\\{c}`")),
    }
}

fn push_literal(out: &mut String, c: char) {
    out.push_str(&regex::escape(c.encode_utf8(&mut [0u8; 4])));
}

fn push_class_char(out: &mut String, c: char) {
    if c.is_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(patterns: &[&str]) -> DockerIgnore {
        DockerIgnore::from_patterns(patterns).unwrap()
    }

    #[test]
    fn read_all_like_buildkit() {
        let text =
            "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
        let parsed = DockerIgnore::parse(text).unwrap();
        let got: Vec<(String, bool, u32)> = parsed
            .patterns
            .iter()
            .map(|p| (p.text.clone(), p.exclusion, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("test1".to_owned(), false, 1),
                ("test2".to_owned(), false, 2),
                ("a/file/here".to_owned(), false, 3),
                ("lastfile".to_owned(), false, 5),
                ("inverted/abs/path".to_owned(), true, 7),
            ]
        );
        assert_eq!(
            DockerIgnore::parse("a\n!\n").unwrap_err(),
            IgnoreError::LoneExclamation { line: 2 }
        );
        assert_eq!(
            DockerIgnore::parse("a\n! \n").unwrap_err(),
            IgnoreError::LoneExclamation { line: 2 }
        );
    }

    #[test]
    fn bom_crlf_and_comments() {
        let parsed = DockerIgnore::parse("\u{feff}# c\r\n  # not a comment\r\nx/ \r\n").unwrap();
        let texts: Vec<&str> = parsed.patterns.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["# not a comment", "x"]);
    }

    #[test]
    fn clean_and_dir() {
        for (input, expected) in [
            ("", "."),
            ("a//b/./c/", "a/b/c"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("../../a/b/..", "../../a"),
            ("/", "/"),
            ("./", "."),
        ] {
            assert_eq!(go_clean(input), expected, "{input}");
        }
        assert_eq!(go_dir("a/b"), "a");
        assert_eq!(go_dir("file"), ".");
        assert_eq!(go_dir("/"), "/");
        assert_eq!(go_dir("file/"), "file");
    }

    #[test]
    fn last_match_wins_and_parents_count() {
        let rules = ignore(&["docs", "!docs/README.md"]);
        assert!(rules.is_ignored("docs"));
        assert!(rules.is_ignored("docs/x.md"));
        assert!(!rules.is_ignored("docs/README.md"));
        let decided = rules.matching_pattern("docs/README.md").unwrap();
        assert!(decided.exclusion);
        assert_eq!(decided.line, 2);
        assert!(rules.matching_pattern("src/a").is_none());
    }

    #[test]
    fn compile_kinds() {
        let kind = |p: &str| match compile(p).unwrap() {
            Matcher::Exact(_) => "exact",
            Matcher::Prefix(_) => "prefix",
            Matcher::Suffix(_) => "suffix",
            Matcher::Regex { .. } => "regex",
        };
        for (pattern, expected) in [
            ("*", "regex"),
            ("**", "suffix"),
            ("**/**", "regex"),
            ("dir/**", "prefix"),
            ("**/dir", "suffix"),
            ("**/dir2/*", "regex"),
            ("**file", "suffix"),
            ("a[b-d]e", "regex"),
            ("abc.def", "exact"),
            ("a(b)c/def", "exact"),
            ("a.|)$(}+{bc", "exact"),
        ] {
            assert_eq!(kind(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn go_regex_dialect() {
        // `[` inside a class is literal in Go; `*` inside brackets becomes `[^/]*`.
        let rules = ignore(&["[*]"]);
        assert!(rules.is_ignored("[]"));
        assert!(rules.is_ignored("^^]"));
        assert!(!rules.is_ignored("*"));
        // Go's \d and \w are ASCII only.
        let rules = ignore(&["\\d"]);
        assert!(rules.is_ignored("7"));
        assert!(!rules.is_ignored("٧"));
        // `\a` is BEL in Go, not `a`.
        assert!(!ignore(&["\\a"]).is_ignored("a"));
        assert!(ignore(&["\\x41"]).is_ignored("A"));
        assert!(ignore(&["[[:digit:]x]"]).is_ignored("x"));
        // `^` outside a class is an anchor once the pattern is a regex: then it
        // never matches in the middle; in an exact pattern it is literal.
        assert!(!ignore(&["a^b*"]).is_ignored("a^bc"));
        assert!(ignore(&["a^b"]).is_ignored("a^b"));
        // `!` is not negation.
        assert!(ignore(&["[!a]"]).is_ignored("!"));
        assert!(ignore(&["[&&a]"]).is_ignored("&"));
    }

    #[test]
    fn one_regex_for_parents_agrees_with_parent_by_parent() {
        let patterns = [
            "*", "a*", "*/b", "a/*", "**/b", "a/**/c", "[ab]", "a?", "**/*.pyc", "a**b", "\\d",
            "[^a]/*", "a/b*", ".*", "*/*/*",
        ];
        let paths = [
            "a",
            "b",
            "ab",
            "a/b",
            "a/b/c",
            "x/a/b/c",
            "a/x/y/c",
            "ab/c",
            "1/2/3",
            "z.pyc",
            "d/e/f.pyc",
            ".git/config",
            "a/b/",
            "/",
            "a//b",
            "./a",
        ];
        for pattern in patterns {
            let compiled = IgnorePattern::new(pattern, 1).unwrap().unwrap();
            let rules = DockerIgnore {
                patterns: vec![compiled.clone()],
            };
            for path in paths {
                let parent = go_dir(path);
                let slow = compiled.matches(path)
                    || (parent != "."
                        && parent
                            .match_indices('/')
                            .map(|(i, _)| &parent[..i])
                            .chain([parent.as_str()])
                            .any(|a| compiled.matches(a)));
                assert_eq!(rules.is_ignored(path), slow, "{pattern} on {path}");
            }
        }
    }

    /// A cheap deterministic fuzz: no pattern or path may panic.
    #[test]
    fn random_patterns_never_panic() {
        let alphabet: Vec<char> = "*?[]^!-\\/.:aZ09 é\u{feff}{}()$|+QEzbpLx".chars().collect();
        let paths = [
            "", ".", "a", "a/b", "/", "a//b", "./a/", "é/[x]", "a^b", "**",
        ];
        let mut rng = crate::test_rng::Rng::new(0x2545_F491_4F6C_DD1D);
        // Each pattern compiles regexes: 4000 keeps a debug run at a few seconds.
        for _ in 0..4_000 {
            let pattern = rng.string(&alphabet, 12);
            if let Ok(rules) = DockerIgnore::parse(&pattern) {
                for path in paths {
                    let _ = rules.matching_pattern(path);
                }
                for compiled in &rules.patterns {
                    for path in ["a", "a/b", "a/b/c", "é/[x]/.z", "x/a^b"] {
                        // As an inclusion: a lone exception never decides a path.
                        let single = DockerIgnore {
                            patterns: vec![IgnorePattern {
                                exclusion: false,
                                ..compiled.clone()
                            }],
                        };
                        let slow = compiled.matches(path)
                            || path
                                .match_indices('/')
                                .any(|(i, _)| compiled.matches(&path[..i]));
                        assert_eq!(
                            single.matching_pattern(path).is_some(),
                            slow,
                            "{pattern:?} on {path}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn uncompilable_patterns_fail_at_parse() {
        for pattern in ["[Local-Only]/", "\\q", "\\1", "[z-a]", "[[:nope:]]"] {
            let error = DockerIgnore::from_patterns(&[pattern]).unwrap_err();
            assert!(
                matches!(error, IgnoreError::Uncompilable { .. }),
                "{pattern}: {error:?}"
            );
        }
        for pattern in ["[", "a[", "[^", "[]a]", "[-]", "[x-]", "\\", "[a-b-c]"] {
            let error = DockerIgnore::from_patterns(&[pattern]).unwrap_err();
            assert!(
                matches!(error, IgnoreError::BadPattern { .. }),
                "{pattern}: {error:?}"
            );
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "\u{feff}**",
            "**\u{feff}",
            "a\\",
            "[\\",
            "!!",
            "\\Qa.b",
            "\\pL",
            "\\p",
            "[\\p",
            "**/\u{feff}x",
            "/",
            "!/",
            "..",
            "\u{0}",
        ] {
            if let Ok(rules) = DockerIgnore::parse(text) {
                for path in ["", "a", "a/b", "/", "é/ü", "\u{feff}x"] {
                    let _ = rules.is_ignored(path);
                }
            }
        }
        assert!(DockerIgnore::parse(&"a".repeat(MAX_LINE_BYTES + 1)).is_err());
        // Go's `\Q` quotes the rest, including BuildKit's own `\.` and final `$`.
        assert!(ignore(&["\\Qa.b"]).is_ignored("a\\.b$"));
        assert!(!ignore(&["\\Qa.b"]).is_ignored("a.b"));
        assert!(ignore(&["\\pL"]).is_ignored("é"));
    }
}
