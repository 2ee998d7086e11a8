//! The BuildKit-conformant Dockerfile parser.
//!
//! This follows the behaviour of BuildKit's `frontend/dockerfile/parser`
//! (`Parse`, the line parsers, `splitCommand`/`extractBuilderFlags`, parser
//! directives and heredocs) so that `Dockerfile::root.dump()` equals BuildKit's
//! test dump for the same input. On top of BuildKit's raw tree it builds the
//! typed [`Instruction`] list with spans into the original source.
//!
//! Everything is linear in the input: each physical line is visited once and
//! logical (continued) lines are built by appending slices.

mod json;

use crate::ast::*;
use crate::error::ParseError;
use crate::expand::{ExpandError, Lexer};
use crate::node::{go_lower, Node};
use crate::span::{LineIndex, SourceMap, Span};

/// BuildKit reads lines with a `bufio.Scanner` whose token limit is 64 KiB.
const MAX_LINE: usize = 64 * 1024;

/// Parse Dockerfile bytes: rejects NUL bytes and invalid UTF-8, then [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Dockerfile, ParseError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ParseError::Binary { offset });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(e) => Err(ParseError::NotUtf8 {
            offset: e.valid_up_to(),
        }),
    }
}

/// Parse Dockerfile source text.
pub fn parse(source: &str) -> Result<Dockerfile, ParseError> {
    if let Some(offset) = source.bytes().position(|b| b == 0) {
        return Err(ParseError::Binary { offset });
    }
    Parser::new(source).run()
}

// ---------------------------------------------------------------------------
// Physical lines

/// One physical line of the source.
#[derive(Clone, Copy)]
struct PhysLine {
    /// Offset of the first byte (after a BOM on line 1).
    start: usize,
    /// End of the content without trailing `\r`/`\n` (BuildKit's trimNewline).
    end: usize,
    /// End including the newline.
    full_end: usize,
    /// 1-based line number.
    number: u32,
}

struct Lines<'a> {
    src: &'a str,
    pos: usize,
    number: u32,
    /// Set when a line exceeded the scanner limit (scanning then stops).
    too_long: Option<u32>,
}

impl<'a> Lines<'a> {
    fn new(src: &'a str) -> Self {
        let pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Lines {
            src,
            pos,
            number: 0,
            too_long: None,
        }
    }

    fn next_line(&mut self) -> Option<PhysLine> {
        if self.too_long.is_some() || self.pos >= self.src.len() {
            return None;
        }
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let (content_end, full_end) = match memchr_nl(&bytes[start..]) {
            Some(i) => (start + i, start + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        self.number += 1;
        // The BOM counts towards the first line's length for the scanner.
        let raw_start = if self.number == 1 { 0 } else { start };
        if content_end - raw_start >= MAX_LINE {
            self.too_long = Some(self.number);
            return None;
        }
        let mut end = content_end;
        while end > start && matches!(bytes[end - 1], b'\r' | b'\n') {
            end -= 1;
        }
        self.pos = full_end;
        Some(PhysLine {
            start,
            end,
            full_end,
            number: self.number,
        })
    }
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

// ---------------------------------------------------------------------------
// Logical lines: continuation-joined text with a map back to the source

/// The joined text of one instruction and where each piece came from.
#[derive(Default)]
struct Logical {
    text: String,
    /// `(text_start, source_start, len)`, sorted, non-overlapping.
    segs: Vec<(usize, usize, usize)>,
}

impl Logical {
    fn push(&mut self, src: &str, range: std::ops::Range<usize>) {
        let piece = &src[range.clone()];
        if piece.is_empty() {
            return;
        }
        self.segs.push((self.text.len(), range.start, piece.len()));
        self.text.push_str(piece);
    }

    fn seg_index(&self, off: usize) -> usize {
        // Last segment with text_start <= off.
        self.segs.partition_point(|s| s.0 <= off).saturating_sub(1)
    }

    /// Source offset of the byte at text offset `off` (a start position).
    fn src_start(&self, off: usize) -> usize {
        let Some(&(t, s, l)) = self.segs.get(self.seg_index(off)) else {
            return 0;
        };
        if off >= t + l {
            // Past the last segment (end of text).
            return s + l;
        }
        s + off.saturating_sub(t)
    }

    /// Source offset for an exclusive end at text offset `off`.
    fn src_end(&self, off: usize) -> usize {
        if off == 0 {
            return self.src_start(0);
        }
        let Some(&(t, s, _)) = self.segs.get(self.seg_index(off - 1)) else {
            return 0;
        };
        s + (off - t)
    }

    /// Map for `text[range]` rebased to 0.
    fn sub_map(&self, range: std::ops::Range<usize>) -> SourceMap {
        let mut segments = Vec::new();
        if range.start >= range.end {
            return SourceMap { segments };
        }
        let mut i = self.seg_index(range.start);
        while let Some(&(t, s, l)) = self.segs.get(i) {
            if t >= range.end {
                break;
            }
            let a = t.max(range.start);
            let b = (t + l).min(range.end);
            if a < b {
                segments.push((a - range.start, s + (a - t), b - a));
            }
            i += 1;
        }
        SourceMap { segments }
    }
}

// ---------------------------------------------------------------------------
// Character classes (Go semantics)

/// Go `unicode.IsSpace` equals Rust's `char::is_whitespace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `reWhitespace` class `[\t\v\f\r ]`.
fn is_re_ws(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Byte-wise `unicode.IsSpace(rune(b))` as BuildKit uses on single bytes;
/// restricted to ASCII so we never split inside a UTF-8 sequence.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Go `strings.TrimSpace` on `s[range]`, returning the trimmed range.
fn trim_range(s: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let sub = &s[r.clone()];
    let lead = sub.len() - sub.trim_start_matches(is_space).len();
    let trail = sub.len() - sub.trim_end_matches(is_space).len();
    if lead == sub.len() {
        return r.start..r.start;
    }
    r.start + lead..r.end - trail
}

fn is_comment_line(s: &str) -> bool {
    s.trim_start_matches(is_space).starts_with('#')
}

// ---------------------------------------------------------------------------
// Parser directives

#[derive(Default)]
struct DirectiveParser {
    done: bool,
    seen: Vec<String>,
}

/// Go RE2 `\s`.
fn is_re_s(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

impl DirectiveParser {
    /// BuildKit `DirectiveParser.ParseLine` on a left-trimmed line.
    fn parse_line(&mut self, line: &str) -> Result<Option<(String, String)>, String> {
        if self.done {
            return Ok(None);
        }
        let Some(rest) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(None);
        };
        let rest = rest.trim_start_matches(is_space);
        // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
        let key_len = rest
            .bytes()
            .enumerate()
            .take_while(|&(i, b)| {
                if i == 0 {
                    b.is_ascii_alphabetic()
                } else {
                    b.is_ascii_alphanumeric()
                }
            })
            .count();
        if key_len == 0 {
            self.done = true;
            return Ok(None);
        }
        let key = &rest[..key_len];
        let after = rest[key_len..].trim_start_matches(is_re_s);
        let Some(val) = after.strip_prefix('=') else {
            self.done = true;
            return Ok(None);
        };
        let value = {
            let t = val.trim_matches(is_re_s);
            if !t.is_empty() {
                t.to_string()
            } else if let Some(c) = val.chars().last() {
                // `.+?` must take one char even if it is whitespace.
                c.to_string()
            } else {
                self.done = true;
                return Ok(None);
            }
        };
        let k = key.to_ascii_lowercase();
        if !matches!(k.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&k) {
            return Err(format!("only one {k} parser directive can be used"));
        }
        self.seen.push(k.clone());
        Ok(Some((k, value)))
    }
}

// ---------------------------------------------------------------------------
// Arguments as BuildKit's line parsers produce them

/// A value with its byte range in the logical line.
#[derive(Debug, Clone)]
struct Arg {
    value: String,
    start: usize,
    end: usize,
}

#[derive(Debug)]
struct KvArg {
    key: Arg,
    value: Arg,
    legacy: bool,
    start: usize,
    end: usize,
}

#[derive(Debug)]
enum Args {
    /// `next == nil`.
    None,
    /// parseIgnore: a single empty node.
    Ignore,
    /// A plain list (whitespace-delimited words, or a single string).
    List(Vec<Arg>),
    /// A JSON string array (`attrs["json"]`); range is the JSON text.
    Json(Vec<Arg>, usize, usize),
    /// ENV / LABEL.
    KeyVals(Vec<KvArg>),
    /// ONBUILD's nested instruction.
    Sub(Box<Parsed>),
    /// HEALTHCHECK: type word and the command after it.
    Health(Arg, Box<Args>),
}

/// An instruction as parsed from a logical line (line coordinates).
#[derive(Debug)]
struct Parsed {
    cmd: String,
    cmd_start: usize,
    cmd_end: usize,
    /// (BuildKit's flag string, typed value bytes decoded, start, end).
    flags: Vec<(String, String, usize, usize)>,
    /// Argument text after flags (trimmed), as a range of the logical line.
    rest: std::ops::Range<usize>,
    args: Args,
}

impl Parsed {
    fn lower(&self) -> String {
        go_lower(&self.cmd)
    }
    fn is_json(&self) -> bool {
        match &self.args {
            Args::Json(..) => true,
            Args::Health(_, cmd) => matches!(**cmd, Args::Json(..)),
            _ => false,
        }
    }
}

struct Ctx {
    escape: char,
}

/// BuildKit `splitCommand` + dispatch (`newNodeFromLine`) on `line[range]`.
fn parse_instruction(
    line: &str,
    range: std::ops::Range<usize>,
    ctx: &Ctx,
    depth: usize,
) -> Result<Parsed, String> {
    let t = trim_range(line, range.clone());
    let tb = line.as_bytes();
    // Split at the first run of [\t\v\f\r ].
    let mut cmd_end = t.start;
    while cmd_end < t.end && !is_re_ws(tb[cmd_end]) {
        cmd_end += 1;
    }
    let cmd = line[t.start..cmd_end].to_string();
    let mut flags = Vec::new();
    let mut rest = t.end..t.end;
    if cmd_end < t.end {
        let mut a = cmd_end;
        while a < t.end && is_re_ws(tb[a]) {
            a += 1;
        }
        let (after, f) = extract_flags(line, a..t.end, ctx.escape);
        flags = f;
        rest = trim_range(line, after);
    }
    let lower = go_lower(&cmd);
    let args = match lower.as_str() {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(line, rest.clone())?,
        "arg" => parse_name_or_name_val(line, rest.clone(), ctx),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(line, rest.clone())?,
        "env" => parse_name_val(line, rest.clone(), "ENV", ctx)?,
        "label" => parse_name_val(line, rest.clone(), "LABEL", ctx)?,
        "expose" | "from" => parse_whitespace_delimited(line, rest.clone()),
        "healthcheck" => parse_health(line, rest.clone())?,
        "maintainer" | "stopsignal" | "user" | "workdir" => parse_string(line, rest.clone()),
        "onbuild" => {
            if rest.is_empty() {
                Args::None
            } else {
                if depth >= 1 {
                    return Err("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into());
                }
                let child = parse_instruction(line, rest.clone(), ctx, depth + 1)?;
                if child.lower() == "onbuild" {
                    return Err("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into());
                }
                Args::Sub(Box::new(child))
            }
        }
        _ => Args::Ignore,
    };
    Ok(Parsed {
        cmd,
        cmd_start: t.start,
        cmd_end,
        flags,
        rest,
        args,
    })
}

/// BuildKit `extractBuilderFlags`: leading `--flag` words. Works on bytes like
/// BuildKit; BuildKit turns each non-ASCII byte of a flag into a Latin-1 char
/// (mojibake), which we reproduce for the raw node, while the typed value is
/// the proper UTF-8 decoding.
#[allow(clippy::type_complexity)]
fn extract_flags(
    line: &str,
    range: std::ops::Range<usize>,
    escape: char,
) -> (std::ops::Range<usize>, Vec<(String, String, usize, usize)>) {
    let b = line.as_bytes();
    let end = range.end;
    let esc = escape as u8; // escape is `\` or `` ` ``, both ASCII
    let mut words = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut quote = 0u8;
    let mut in_quote = false;
    let mut blank_ok = false;
    let mut word_start = range.start;
    let mut pos = range.start;
    let finish = |w: &[u8], s: usize, e: usize| -> (String, String, usize, usize) {
        let raw: String = w.iter().map(|&c| c as char).collect();
        let typed = String::from_utf8_lossy(w).into_owned();
        (raw, typed, s, e)
    };
    loop {
        if pos >= end {
            if (in_word || in_quote) && word != b"--" && (blank_ok || !word.is_empty()) {
                words.push(finish(&word, word_start, end));
            }
            return (end..end, words);
        }
        let ch = b[pos];
        if !in_word && !in_quote {
            if is_ascii_space(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 >= end || b[pos + 1] != b'-' {
                return (pos..end, words);
            }
            in_word = true;
            word_start = pos;
        }
        if in_word {
            if is_ascii_space(ch) {
                in_word = false;
                if word == b"--" {
                    return (pos..end, words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(finish(&word, word_start, pos));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                in_word = false;
                in_quote = true;
                pos += 1;
                continue;
            }
        } else if ch == quote {
            // in quote, and it closes
            in_quote = false;
            in_word = true;
            pos += 1;
            continue;
        }
        // A byte of the word, in or out of quotes: the escape token takes the
        // next byte; a trailing one is dropped.
        if ch == esc {
            pos += 1;
            if pos == end {
                continue;
            }
        }
        word.push(b[pos]);
        pos += 1;
    }
}

/// BuildKit `parseWords`: words with quotes and escapes kept.
fn parse_words(line: &str, range: std::ops::Range<usize>, escape: char) -> Vec<Arg> {
    let rest = &line[range.clone()];
    let base = range.start;
    let mut words = Vec::new();
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut buf = String::new();
    let mut start = 0usize;
    let mut it = rest.char_indices().peekable();
    while let Some((pos, ch)) = it.next() {
        if phase == Phase::Spaces {
            if is_space(ch) {
                continue;
            }
            phase = Phase::Word;
            start = pos;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !buf.is_empty() {
                    words.push(Arg {
                        value: std::mem::take(&mut buf),
                        start: base + start,
                        end: base + pos,
                    });
                }
                buf.clear();
                blank_ok = false;
                continue;
            }
            let mut ch = ch;
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                match it.next() {
                    None => continue,
                    Some((_, c2)) => {
                        buf.push(ch);
                        ch = c2;
                    }
                }
            }
            buf.push(ch);
            continue;
        }
        // Quote
        if ch == quote {
            phase = Phase::Word;
        }
        let mut ch = ch;
        if ch == escape && quote != '\'' {
            match it.next() {
                None => {
                    phase = Phase::Word;
                    continue;
                }
                Some((_, c2)) => {
                    buf.push(ch);
                    ch = c2;
                }
            }
        }
        buf.push(ch);
    }
    if phase != Phase::Spaces && (blank_ok || !buf.is_empty()) {
        let end = (base + start + buf.len()).min(range.end);
        words.push(Arg {
            value: buf,
            start: base + start,
            end,
        });
    }
    words
}

/// Split `line[range]` on runs of `[\t\v\f\r ]` (Go `reWhitespace.Split(s, -1)`).
fn split_re_ws(line: &str, range: std::ops::Range<usize>, limit: Option<usize>) -> Vec<Arg> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut start = range.start;
    let mut i = range.start;
    while i < range.end {
        if is_re_ws(b[i]) && limit.is_none_or(|l| out.len() + 1 < l) {
            out.push(Arg {
                value: line[start..i].to_string(),
                start,
                end: i,
            });
            while i < range.end && is_re_ws(b[i]) {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(Arg {
        value: line[start..range.end].to_string(),
        start,
        end: range.end,
    });
    out
}

fn parse_whitespace_delimited(line: &str, range: std::ops::Range<usize>) -> Args {
    if range.is_empty() {
        return Args::None;
    }
    Args::List(split_re_ws(line, range, None))
}

fn parse_string(line: &str, range: std::ops::Range<usize>) -> Args {
    if range.is_empty() {
        return Args::None;
    }
    Args::List(vec![Arg {
        value: line[range.clone()].to_string(),
        start: range.start,
        end: range.end,
    }])
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

enum JsonOutcome {
    Ok(Args),
    NotJson,
}

fn parse_json(line: &str, range: std::ops::Range<usize>) -> Result<JsonOutcome, String> {
    let sub = &line[range.clone()];
    let trimmed = sub.trim_start_matches(is_space);
    let off = range.start + (sub.len() - trimmed.len());
    if !trimmed.starts_with('[') {
        return Ok(JsonOutcome::NotJson);
    }
    match json::parse_array(trimmed) {
        Err(_) => Ok(JsonOutcome::NotJson),
        Ok(elems) => {
            let mut args = Vec::with_capacity(elems.len());
            for e in elems {
                match e {
                    json::Elem::Str(value, r) => args.push(Arg {
                        value,
                        start: off + r.start,
                        end: off + r.end,
                    }),
                    json::Elem::Other => return Err(NOT_STRING_ARRAY.into()),
                }
            }
            Ok(JsonOutcome::Ok(Args::Json(args, off, range.end)))
        }
    }
}

fn parse_maybe_json(line: &str, range: std::ops::Range<usize>) -> Result<Args, String> {
    if range.is_empty() {
        return Ok(Args::None);
    }
    match parse_json(line, range.clone())? {
        JsonOutcome::Ok(a) => Ok(a),
        JsonOutcome::NotJson => Ok(parse_string(line, range)),
    }
}

fn parse_maybe_json_to_list(line: &str, range: std::ops::Range<usize>) -> Result<Args, String> {
    match parse_json(line, range.clone())? {
        JsonOutcome::Ok(a) => Ok(a),
        JsonOutcome::NotJson => Ok(parse_whitespace_delimited(line, range)),
    }
}

fn parse_health(line: &str, range: std::ops::Range<usize>) -> Result<Args, String> {
    let b = line.as_bytes();
    let mut sep = range.start;
    while sep < range.end && !is_ascii_space(b[sep]) {
        sep += 1;
    }
    if sep == range.start {
        return Ok(Args::None);
    }
    let mut next = sep;
    while next < range.end && is_ascii_space(b[next]) {
        next += 1;
    }
    let typ = Arg {
        value: line[range.start..sep].to_string(),
        start: range.start,
        end: sep,
    };
    let cmd = parse_maybe_json(line, next..range.end)?;
    Ok(Args::Health(typ, Box::new(cmd)))
}

fn parse_name_or_name_val(line: &str, range: std::ops::Range<usize>, ctx: &Ctx) -> Args {
    let words = parse_words(line, range, ctx.escape);
    if words.is_empty() {
        return Args::None;
    }
    Args::List(words)
}

fn parse_name_val(
    line: &str,
    range: std::ops::Range<usize>,
    key: &str,
    ctx: &Ctx,
) -> Result<Args, String> {
    let words = parse_words(line, range.clone(), ctx.escape);
    let Some(first) = words.first() else {
        return Ok(Args::None);
    };
    if !first.value.contains('=') {
        let parts = split_re_ws(line, range.clone(), Some(2));
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        let mut it = parts.into_iter();
        let (Some(k), Some(v)) = (it.next(), it.next()) else {
            return Err(format!("{key} must have two arguments"));
        };
        let (start, end) = (k.start, v.end);
        return Ok(Args::KeyVals(vec![KvArg {
            key: k,
            value: v,
            legacy: true,
            start,
            end,
        }]));
    }
    let mut kvs = Vec::with_capacity(words.len());
    for w in words {
        let Some(eq) = w.value.find('=') else {
            let mut q = String::new();
            crate::node::go_quote_into(&mut q, &w.value);
            return Err(format!(
                "Syntax error - can't find = in {q}. Must be of the form: name=value"
            ));
        };
        let key = Arg {
            value: w.value[..eq].to_string(),
            start: w.start,
            end: (w.start + eq).min(w.end),
        };
        let value = Arg {
            value: w.value[eq + 1..].to_string(),
            start: (w.start + eq + 1).min(w.end),
            end: w.end,
        };
        kvs.push(KvArg {
            key,
            value,
            legacy: false,
            start: w.start,
            end: w.end,
        });
    }
    Ok(Args::KeyVals(kvs))
}

// ---------------------------------------------------------------------------
// Raw node building

fn chain(values: impl DoubleEndedIterator<Item = String>) -> Option<Box<Node>> {
    let mut next: Option<Box<Node>> = None;
    for v in values.rev() {
        let mut n = Node::leaf(v);
        n.next = next;
        next = Some(Box::new(n));
    }
    next
}

fn args_node(args: &Args) -> Option<Box<Node>> {
    match args {
        Args::None => None,
        Args::Ignore => Some(Box::new(Node::leaf(""))),
        Args::List(v) | Args::Json(v, ..) => chain(v.iter().map(|a| a.value.clone())),
        Args::KeyVals(kvs) => chain(kvs.iter().flat_map(|kv| {
            [
                kv.key.value.clone(),
                kv.value.value.clone(),
                if kv.legacy { String::new() } else { "=".into() },
            ]
        })),
        Args::Sub(p) => {
            let mut holder = Node::leaf("");
            holder.children.push(instruction_node(p, String::new()));
            Some(Box::new(holder))
        }
        Args::Health(typ, cmd) => {
            let mut n = Node::leaf(typ.value.clone());
            n.next = args_node(cmd);
            Some(Box::new(n))
        }
    }
}

fn instruction_node(p: &Parsed, original: String) -> Node {
    let mut n = Node::leaf(p.lower());
    n.flags = p.flags.iter().map(|f| f.0.clone()).collect();
    n.json = p.is_json();
    n.original = original;
    n.next = args_node(&p.args);
    n
}

// ---------------------------------------------------------------------------
// Heredocs

struct HeredocHead {
    name: String,
    expand: bool,
    chomp: bool,
}

fn can_contain_heredoc(p: &Parsed) -> bool {
    let target = match (&p.args, p.lower().as_str()) {
        (Args::Sub(child), "onbuild") => child,
        _ => p,
    };
    matches!(target.lower().as_str(), "add" | "copy" | "run") && !target.is_json()
}

/// BuildKit splits heredoc lines and words with `shell.NewLex('\\')` (whatever
/// the escape directive), no variables and `SkipUnsetEnv`.
fn heredoc_lex_words(
    s: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, ExpandError> {
    let lexer = Lexer {
        raw_quotes,
        raw_escapes,
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    lexer.process_words(s, &())
}

/// BuildKit `heredocsFromLine`.
fn heredocs_from_line(line: &str) -> Result<Vec<HeredocHead>, String> {
    let words = heredoc_lex_words(line, true, true).unwrap_or_default();
    let mut out = Vec::new();
    for w in words {
        if let Some(h) = parse_heredoc_word(&w)? {
            out.push(h);
        }
    }
    Ok(out)
}

/// BuildKit `ParseHeredoc`: `^(\d*)<<(-?)\s*([^<]*)$`.
fn parse_heredoc_word(word: &str) -> Result<Option<HeredocHead>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(is_re_s);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let bad = |_| format!("failed to process heredoc word {rest:?}");
    let words = heredoc_lex_words(rest, false, false).map_err(bad)?;
    if words.len() != 1 {
        return Ok(None);
    }
    let raw = heredoc_lex_words(rest, true, false).map_err(bad)?;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.bytes().filter(|&c| c == b'\'' || c == b'"').count();
    let name = words.into_iter().next().unwrap_or_default();
    let expand = quotes(&name) == quotes(&raw[0]);
    Ok(Some(HeredocHead {
        name,
        expand,
        chomp,
    }))
}

// ---------------------------------------------------------------------------
// The main loop

struct Parser<'a> {
    src: &'a str,
    lines: Lines<'a>,
    line_index: LineIndex,
    escape: char,
    directives: Vec<Directive>,
    comments: Vec<Comment>,
    warnings: Vec<ParseWarning>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            lines: Lines::new(src),
            line_index: LineIndex::new(src),
            escape: '\\',
            directives: Vec::new(),
            comments: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn span(&self, r: std::ops::Range<usize>) -> Span {
        self.line_index.span(self.src, r)
    }

    fn record_comment(&mut self, pl: PhysLine) {
        let text = &self.src[pl.start..pl.end];
        let lead = text.len() - text.trim_start_matches(is_space).len();
        let hash = pl.start + lead;
        let body = self.src[hash + 1..pl.end]
            .trim_matches(is_space)
            .to_string();
        self.comments.push(Comment {
            text: body,
            span: self.span(hash..pl.end),
        });
    }

    /// BuildKit's line continuation test: returns the text without the
    /// trailing escape (and whitespace after it) and whether the line ends
    /// the instruction.
    fn trim_continuation(&self, r: std::ops::Range<usize>) -> (std::ops::Range<usize>, bool) {
        let b = self.src.as_bytes();
        let mut e = r.end;
        while e > r.start && matches!(b[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        let esc = self.escape as u8;
        if e > r.start && b[e - 1] == esc {
            let before = e - 1;
            if before == r.start || b[before - 1] != esc {
                return (r.start..before, false);
            }
        }
        (r, true)
    }

    fn run(mut self) -> Result<Dockerfile, ParseError> {
        let mut dp = DirectiveParser::default();
        let mut root = Node::leaf("");
        let mut instructions = Vec::new();
        let ctx_err = |line: u32, message: String| ParseError::Syntax { line, message };

        while let Some(pl) = self.lines.next_line() {
            let raw = &self.src[pl.start..pl.end];
            let is_comment = is_comment_line(raw);
            if is_comment {
                self.record_comment(pl);
            }
            // processLine(strip left whitespace), directive detection.
            let trimmed = raw.trim_start_matches(is_space);
            let tstart = pl.end - trimmed.len();
            match dp.parse_line(trimmed) {
                Err(m) => return Err(ctx_err(pl.number, m)),
                Ok(Some((name, value))) => {
                    if name == "escape" {
                        match value.as_str() {
                            "\\" => self.escape = '\\',
                            "`" => self.escape = '`',
                            _ => {
                                return Err(ctx_err(
                                    pl.number,
                                    format!(
                                        "invalid escape token '{value}' does not match ` or \\"
                                    ),
                                ))
                            }
                        }
                    }
                    self.directives.push(Directive {
                        name,
                        value,
                        span: self.span(tstart..pl.end),
                    });
                }
                Ok(None) => {}
            }
            let token = if is_comment {
                tstart..tstart
            } else {
                tstart..pl.end
            };
            let start_line = pl.number;
            let (first, mut eol) = self.trim_continuation(token.clone());
            if eol && first.is_empty() {
                continue;
            }
            let mut logical = Logical::default();
            logical.push(self.src, first);
            let mut last_line = pl;
            let mut empty_line: Option<PhysLine> = None;
            while !eol {
                let Some(cl) = self.lines.next_line() else {
                    break;
                };
                last_line = cl;
                let craw = &self.src[cl.start..cl.end];
                if is_comment_line(craw) {
                    self.record_comment(cl);
                    continue;
                }
                if craw.trim_start_matches(is_space).is_empty() {
                    empty_line.get_or_insert(cl);
                    continue;
                }
                let (piece, e) = self.trim_continuation(cl.start..cl.end);
                eol = e;
                logical.push(self.src, piece);
            }
            if let Some(el) = empty_line {
                self.warnings.push(ParseWarning {
                    message: "empty continuation line inside an instruction; \
                              BuildKit will reject these in a future release"
                        .into(),
                    span: self.span(el.start..el.end),
                });
            }

            let line = &logical.text;
            let ctx = Ctx {
                escape: self.escape,
            };
            let parsed = parse_instruction(line, 0..line.len(), &ctx, 0)
                .map_err(|m| ctx_err(start_line, m))?;
            let mut node = instruction_node(&parsed, line.clone());

            let mut heredocs = Vec::new();
            if can_contain_heredoc(&parsed) && line.contains("<<") {
                let heads = heredocs_from_line(line).map_err(|m| ctx_err(start_line, m))?;
                for h in heads {
                    let mut content = String::new();
                    let mut segments = Vec::new();
                    let mut body_start: Option<usize> = None;
                    let mut terminated = false;
                    while let Some(hl) = self.lines.next_line() {
                        last_line = hl;
                        body_start.get_or_insert(hl.start);
                        let mut cand = &self.src[hl.start..hl.end];
                        if h.chomp {
                            cand = cand.trim_start_matches('\t');
                        }
                        if cand == h.name {
                            terminated = true;
                            break;
                        }
                        let mut from = hl.start;
                        if h.chomp {
                            from += self.src[hl.start..hl.full_end].len()
                                - self.src[hl.start..hl.full_end]
                                    .trim_start_matches('\t')
                                    .len();
                        }
                        if from < hl.full_end {
                            segments.push((content.len(), from, hl.full_end - from));
                            content.push_str(&self.src[from..hl.full_end]);
                        }
                    }
                    if !terminated {
                        return Err(ParseError::UnterminatedHeredoc {
                            line: start_line,
                            name: h.name,
                        });
                    }
                    let bs = body_start.unwrap_or(last_line.start);
                    heredocs.push(Heredoc {
                        name: h.name,
                        content,
                        expand: h.expand,
                        chomp: h.chomp,
                        span: self.span(bs..last_line.end),
                        map: SourceMap { segments },
                    });
                }
            }

            node.start_line = start_line;
            node.end_line = last_line.number;
            if root.children.is_empty() {
                root.start_line = start_line;
            }
            root.end_line = last_line.number;
            root.children.push(node);

            let end = last_line.end.max(logical.src_end(line.len()));
            let mut ins = self.typed(&logical, &parsed, end);
            if let InstructionKind::Onbuild(inner) = &mut ins.kind {
                inner.heredocs = heredocs.clone();
            }
            ins.heredocs = heredocs;
            instructions.push(ins);
        }

        if root.children.is_empty() {
            return Err(ParseError::Empty);
        }
        if let Some(line) = self.lines.too_long {
            return Err(ctx_err(
                line,
                format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            ));
        }
        Ok(Dockerfile {
            source: self.src.to_string(),
            directives: self.directives,
            escape: self.escape,
            root,
            instructions,
            comments: self.comments,
            warnings: self.warnings,
            line_index: self.line_index,
        })
    }

    // -----------------------------------------------------------------------
    // Typed layer

    fn word(&self, lg: &Logical, a: &Arg) -> Word {
        Word {
            value: a.value.clone(),
            span: self.span(lg.src_start(a.start)..lg.src_end(a.end).max(lg.src_start(a.start))),
        }
    }

    /// An empty word positioned at line offset `at`.
    fn empty_word(&self, lg: &Logical, at: usize) -> Word {
        let s = lg.src_end(at);
        Word {
            value: String::new(),
            span: self.span(s..s),
        }
    }

    fn range_span(&self, lg: &Logical, r: std::ops::Range<usize>) -> Span {
        let s = lg.src_start(r.start);
        let e = lg.src_end(r.end).max(s);
        self.span(s..e)
    }

    fn command(&self, lg: &Logical, p: &Parsed, args: &Args) -> Command {
        match args {
            Args::Json(v, s, e) => Command::Exec {
                args: v.iter().map(|a| self.word(lg, a)).collect(),
                span: self.range_span(lg, *s..*e),
            },
            Args::List(v) if !v.is_empty() => {
                let r = v[0].start..v[v.len() - 1].end;
                Command::Shell {
                    script: lg.text[r.clone()].to_string(),
                    map: lg.sub_map(r.clone()),
                    span: self.range_span(lg, r),
                }
            }
            _ => {
                let at = p.rest.start;
                let s = lg.src_end(at);
                Command::Shell {
                    script: String::new(),
                    map: SourceMap::default(),
                    span: self.span(s..s),
                }
            }
        }
    }

    fn list_words(&self, lg: &Logical, args: &Args) -> Vec<Word> {
        match args {
            Args::List(v) | Args::Json(v, ..) => v.iter().map(|a| self.word(lg, a)).collect(),
            _ => Vec::new(),
        }
    }

    fn single_word(&self, lg: &Logical, p: &Parsed) -> Word {
        match &p.args {
            Args::List(v) if !v.is_empty() => self.word(lg, &v[0]),
            _ => self.empty_word(lg, p.rest.start),
        }
    }

    fn rest_word(&self, lg: &Logical, p: &Parsed) -> Word {
        Word {
            value: lg.text[p.rest.clone()].to_string(),
            span: self.range_span(lg, p.rest.clone()),
        }
    }

    fn typed(&self, lg: &Logical, p: &Parsed, end: usize) -> Instruction {
        let keyword = Keyword::from_name(&p.lower());
        let kstart = lg.src_start(p.cmd_start);
        let keyword_span = self.range_span(lg, p.cmd_start..p.cmd_end);
        let flags = p
            .flags
            .iter()
            .map(|(raw, typed, s, e)| {
                let body = typed.strip_prefix("--").unwrap_or(typed);
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (body.to_string(), None),
                };
                let _ = raw;
                Flag {
                    name,
                    value,
                    span: self.range_span(lg, *s..*e),
                }
            })
            .collect();
        let kind = match keyword {
            Keyword::From => {
                let words = self.list_words(lg, &p.args);
                let image = words
                    .first()
                    .cloned()
                    .unwrap_or_else(|| self.empty_word(lg, p.rest.start));
                let alias = if words.len() >= 3 && words[1].value.eq_ignore_ascii_case("as") {
                    Some(words[2].clone())
                } else {
                    None
                };
                InstructionKind::From(From { image, alias })
            }
            Keyword::Run => InstructionKind::Run(Run {
                command: self.command(lg, p, &p.args),
            }),
            Keyword::Cmd => InstructionKind::Cmd(self.command(lg, p, &p.args)),
            Keyword::Entrypoint => InstructionKind::Entrypoint(self.command(lg, p, &p.args)),
            Keyword::Shell => InstructionKind::Shell(self.list_words(lg, &p.args)),
            Keyword::Copy | Keyword::Add => {
                let mut sources = self.list_words(lg, &p.args);
                let dest = sources
                    .pop()
                    .unwrap_or_else(|| self.empty_word(lg, p.rest.start));
                let c = Copy {
                    sources,
                    dest,
                    json: matches!(p.args, Args::Json(..)),
                };
                if keyword == Keyword::Copy {
                    InstructionKind::Copy(c)
                } else {
                    InstructionKind::Add(c)
                }
            }
            Keyword::Env | Keyword::Label => {
                let kvs = match &p.args {
                    Args::KeyVals(kvs) => kvs
                        .iter()
                        .map(|kv| KeyValue {
                            key: self.word(lg, &kv.key),
                            value: self.word(lg, &kv.value),
                            legacy: kv.legacy,
                            span: self.range_span(lg, kv.start..kv.end),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if keyword == Keyword::Env {
                    InstructionKind::Env(kvs)
                } else {
                    InstructionKind::Label(kvs)
                }
            }
            Keyword::Arg => {
                let decls = match &p.args {
                    Args::List(v) => v
                        .iter()
                        .map(|a| match a.value.find('=') {
                            Some(eq) => ArgDecl {
                                name: self.word(
                                    lg,
                                    &Arg {
                                        value: a.value[..eq].to_string(),
                                        start: a.start,
                                        end: (a.start + eq).min(a.end),
                                    },
                                ),
                                default: Some(self.word(
                                    lg,
                                    &Arg {
                                        value: a.value[eq + 1..].to_string(),
                                        start: (a.start + eq + 1).min(a.end),
                                        end: a.end,
                                    },
                                )),
                                span: self.range_span(lg, a.start..a.end),
                            },
                            None => ArgDecl {
                                name: self.word(lg, a),
                                default: None,
                                span: self.range_span(lg, a.start..a.end),
                            },
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                InstructionKind::Arg(decls)
            }
            Keyword::Expose => InstructionKind::Expose(self.list_words(lg, &p.args)),
            Keyword::Volume => InstructionKind::Volume(self.list_words(lg, &p.args)),
            Keyword::User => InstructionKind::User(self.single_word(lg, p)),
            Keyword::Workdir => InstructionKind::Workdir(self.single_word(lg, p)),
            Keyword::StopSignal => InstructionKind::StopSignal(self.single_word(lg, p)),
            Keyword::Maintainer => InstructionKind::Maintainer(self.single_word(lg, p)),
            Keyword::Healthcheck => match &p.args {
                Args::Health(typ, _) if typ.value.eq_ignore_ascii_case("none") => {
                    InstructionKind::Healthcheck(Healthcheck::None)
                }
                Args::Health(typ, cmd) if typ.value.eq_ignore_ascii_case("cmd") => {
                    InstructionKind::Healthcheck(Healthcheck::Cmd(self.command(lg, p, cmd)))
                }
                _ => InstructionKind::Unknown(self.rest_word(lg, p)),
            },
            Keyword::Onbuild => match &p.args {
                Args::Sub(child) => {
                    let inner = self.typed(lg, child, end);
                    InstructionKind::Onbuild(Box::new(inner))
                }
                _ => InstructionKind::Unknown(self.rest_word(lg, p)),
            },
            Keyword::Unknown(_) => InstructionKind::Unknown(self.rest_word(lg, p)),
        };
        Instruction {
            keyword,
            keyword_span,
            span: self.span(kstart..end.max(kstart)),
            flags,
            kind,
            heredocs: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(src: &str) -> String {
        parse(src)
            .map(|d| d.root.dump())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn directive_parser_quirks() {
        let mut d = DirectiveParser::default();
        assert_eq!(
            d.parse_line("# Syntax = a b  ").unwrap(),
            Some(("syntax".into(), "a b".into()))
        );
        assert_eq!(
            d.parse_line("#escape= ").unwrap(),
            Some(("escape".into(), " ".into()))
        );
        assert!(d.parse_line("# escape=`").is_err());
        let mut d = DirectiveParser::default();
        assert_eq!(d.parse_line("# foo=bar").unwrap(), None);
        assert_eq!(
            d.parse_line("# check=x").unwrap(),
            None,
            "stops at unknown key"
        );
    }

    #[test]
    fn continuation_rules() {
        // An escaped escape at end of line is not a continuation.
        assert_eq!(
            dump("RUN a \\\\\nRUN b"),
            "(run \"a \\\\\\\\\")\n(run \"b\")"
        );
        // Trailing blanks after the escape still continue.
        assert_eq!(dump("RUN a \\  \n b"), "(run \"a  b\")");
        // Empty continuation lines are skipped, so the next line joins.
        assert_eq!(dump("RUN a \\\n\nFROM x"), "(run \"a FROM x\")");
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        let w = parse_words(r#"a b\ c "d e" 'f\'"#, 0..17, '\\');
        let v: Vec<_> = w.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(v, vec!["a", "b\\ c", "\"d e\"", "'f\\'"]);
        assert_eq!((w[1].start, w[1].end), (2, 6));
    }

    #[test]
    fn flags_like_buildkit() {
        let line = "--a=\"x y\" --b=é -- --c d";
        let (rest, flags) = extract_flags(line, 0..line.len(), '\\');
        let raw: Vec<_> = flags.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(raw, vec!["--a=x y", "--b=Ã©"]);
        assert_eq!(flags[1].1, "--b=é");
        assert_eq!(&line[rest], " --c d");
    }

    #[test]
    fn heredoc_words() {
        let h = parse_heredoc_word("<<-'EOF'").unwrap().unwrap();
        assert_eq!((h.name.as_str(), h.expand, h.chomp), ("EOF", false, true));
        let h = parse_heredoc_word("3<<E\"O\"F").unwrap().unwrap();
        assert_eq!((h.name.as_str(), h.expand), ("EOF", false));
        assert!(parse_heredoc_word("<<").unwrap().is_none());
        assert!(parse_heredoc_word("a<<EOF").unwrap().is_none());
    }

    #[test]
    fn heredoc_lexing_like_buildkit() {
        let w = heredoc_lex_words(r#"RUN cat <<EOF "a b" 'c' x\ y"#, true, true).unwrap();
        assert_eq!(w, vec!["RUN", "cat", "<<EOF", "\"a b\"", "'c'", "x\\ y"]);
        let w = heredoc_lex_words("COPY << EOF /x", true, true).unwrap();
        assert_eq!(w, vec!["COPY", "<< EOF", "/x"]);
        let w = heredoc_lex_words("$FOO ${BAR} ${A:-x y} \"EOF\"", false, false).unwrap();
        assert_eq!(w, vec!["$FOO", "${BAR}", "${A:-x", "y}", "EOF"]);
        for bad in ["it's", "${", "${a!}", "${a:#b}", &"${a:-".repeat(1000)] {
            assert!(heredoc_lex_words(bad, true, true).is_err(), "{bad}");
        }
        // Go's `unicode.IsDigit` rejects `½`, so BuildKit's lexer fails and the
        // line has no heredocs.
        assert!(heredocs_from_line("RUN cat <<EOF ${½}").unwrap().is_empty());
        assert_eq!(heredocs_from_line("RUN cat <<EOF ${A}").unwrap().len(), 1);
    }

    #[test]
    fn healthcheck_and_json_shapes() {
        assert_eq!(dump("HEALTHCHECK NONE"), "(healthcheck \"NONE\")");
        assert_eq!(dump("CMD []"), "(cmd)");
        assert_eq!(dump("SHELL [\"sh\", \"-c\"]"), "(shell \"sh\" \"-c\")");
        let df = parse("HEALTHCHECK --interval=1s CMD [\"x\"]").unwrap();
        assert!(df.root.children[0].json);
        assert!(matches!(
            df.instructions[0].kind,
            InstructionKind::Healthcheck(Healthcheck::Cmd(Command::Exec { .. }))
        ));
    }
}
