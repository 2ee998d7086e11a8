//! BuildKit's shell lexer: ARG/ENV expansion (`$a`, `${a:-b}`, `${a:+b}`, …),
//! quote and escape processing, and word splitting.
//!
//! This follows `frontend/dockerfile/shell/lex.go` in moby/buildkit, including
//! its corner cases (checked against BuildKit's `envVarTest` and `wordsTest`):
//!
//! - `$name`, `${name}`; names are Unicode letters, digits and `_`; a name that
//!   starts with a digit is all the digits (`$12a` is `$12` then `a`); the special
//!   parameters `@ * # ? - $ ! 0` are one-character names (never set in a
//!   Dockerfile, so they expand to nothing).
//! - `${a:-w}`, `${a-w}`, `${a:+w}`, `${a+w}`, `${a:?msg}`, `${a?msg}`,
//!   `${a#pat}`, `${a##pat}`, `${a%pat}`, `${a%%pat}`, `${a/pat/repl}`,
//!   `${a//pat/repl}`. Anything else (`${a:=b}`, `${#a}`, `${a:#b}`) is an error.
//!   The word after a modifier is always expanded, even when not used, so an
//!   error inside it (`${a:-${b?}}`) fails the whole word, as in BuildKit.
//! - Patterns know `*`, `?` and `\` escapes of `*`, `?`, `\`, `}` and `/`; there
//!   are no bracket expressions.
//! - `'…'` is literal; `"…"` expands `$` and lets the escape token escape `"`,
//!   `$` and itself only; outside quotes the escape token escapes any character
//!   and a trailing one is dropped.
//!
//! Word splitting ([`Lexer::process_words`]) splits on whitespace that comes
//! from unquoted text or from a `$` expansion, never inside quotes or after an
//! escape. It keeps one BuildKit quirk on purpose: BuildKit shares one word
//! buffer between a word and the word inside a `${a<modifier>…}`, so the
//! unfinished word before such an expansion is lost (`ab${x:-c}` splits to
//! `["c"]`, while [`Lexer::process_word`] gives `abc`). careen reproduces it so
//! lint rules see what BuildKit sees (only `EXPOSE` splits with variables).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

/// Deepest nesting of `${…}` (and quotes inside them) a word may have. BuildKit
/// has no limit; real Dockerfiles nest two or three levels.
pub const MAX_NESTING: usize = 64;

/// Where variable values come from.
pub trait Env {
    /// The value of `name`, or `None` when it is unset (set-but-empty is `Some("")`).
    fn get(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl<S: BuildHasher> Env for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        HashMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

impl Env for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        BTreeMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

/// A list of `(name, value)` pairs; the last pair with a name wins, as with
/// BuildKit's `EnvsFromSlice`.
impl Env for &[(String, String)] {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        last_pair(self, name).map(Cow::Borrowed)
    }
}

impl Env for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        last_pair(self, name).map(Cow::Borrowed)
    }
}

fn last_pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// No variable is set.
impl Env for () {
    fn get(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
}

/// Look variables up with a closure: `EnvFn(|name| lookup(name))`.
#[derive(Debug, Clone, Copy)]
pub struct EnvFn<F>(pub F);

impl<F> Env for EnvFn<F>
where
    F: Fn(&str) -> Option<String>,
{
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        (self.0)(name).map(Cow::Owned)
    }
}

/// The result of expanding one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded word (quotes and escapes removed unless the lexer keeps them).
    pub value: String,
    /// Variables that were looked up and set.
    pub matched: BTreeSet<String>,
    /// Variables that were looked up and unset.
    pub unmatched: BTreeSet<String>,
}

/// A word that could not be expanded. `pos` is the byte offset in the word of
/// the construct that failed (the `$`, or the opening quote).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExpandError {
    #[error("unexpected end of word while looking for the `{expected}` that closes the one at byte {pos}")]
    Unterminated { expected: char, pos: usize },
    #[error("syntax error: missing `}}` for the substitution at byte {pos}")]
    MissingBrace { pos: usize },
    #[error("syntax error: missing `/` in the `${{…}}` substitution at byte {pos}")]
    MissingSlash { pos: usize },
    #[error("syntax error: bad substitution at byte {pos}")]
    BadSubstitution { pos: usize },
    #[error("unsupported modifier `{modifier}` in the substitution at byte {pos}")]
    UnsupportedModifier { modifier: String, pos: usize },
    #[error("{name}: {message}")]
    Required {
        name: String,
        message: String,
        pos: usize,
    },
    #[error("invalid pattern `{pattern}` in the substitution at byte {pos}: {reason}")]
    InvalidPattern {
        pattern: String,
        reason: String,
        pos: usize,
    },
    #[error("substitutions nested deeper than {limit} levels at byte {pos}")]
    TooDeep { limit: usize, pos: usize },
}

/// BuildKit's shell lexer (`shell.Lex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexer {
    /// The escape token: `\` by default, `` ` `` with `# escape=``.
    pub escape: char,
    /// Keep quote characters in the output (BuildKit `RawQuotes`).
    pub raw_quotes: bool,
    /// Keep escape tokens in the output (BuildKit `RawEscapes`).
    pub raw_escapes: bool,
    /// Treat `'` and `"` as ordinary characters (BuildKit `SkipProcessQuotes`).
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written (BuildKit `SkipUnsetEnv`).
    pub skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}

impl Lexer {
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Expand one word (BuildKit `ProcessWordWithMatches`): spaces are kept.
    pub fn process_word(&self, word: &str, env: &dyn Env) -> Result<Expansion, ExpandError> {
        let mut scan = Scan::new(self, word, env);
        let (value, _) = scan.process_stop_on(None, self.raw_escapes, 0)?;
        Ok(Expansion {
            value,
            matched: scan.matched,
            unmatched: scan.unmatched,
        })
    }

    /// Expand and split into words (BuildKit `ProcessWords`).
    pub fn process_words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, ExpandError> {
        let mut scan = Scan::new(self, word, env);
        let (_, words) = scan.process_stop_on(None, self.raw_escapes, 0)?;
        Ok(words)
    }
}

/// Remove quotes and escapes without expanding variables, for rules that want
/// a literal value: `"a b"` → `a b`, `'$x'` → `$x`, `${X:-"1"}` → `${X:-1}`.
/// A word BuildKit would reject (an unclosed quote) is unquoted leniently.
pub fn unquote(word: &str, escape: char) -> String {
    let lexer = Lexer {
        skip_unset_env: true,
        ..Lexer::new(escape)
    };
    match lexer.process_word(word, &()) {
        Ok(expansion) => expansion.value,
        Err(_) => unquote_lenient(word, escape),
    }
}

/// Drop quote characters and escape tokens (keeping what they escape).
fn unquote_lenient(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    let mut quote: Option<char> = None;
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (None, '\'' | '"') => quote = Some(ch),
            (Some(q), _) if ch == q => quote = None,
            (Some('\''), _) => out.push(ch),
            (_, _) if ch == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// State for one call: the input, a cursor, and what was looked up.
struct Scan<'a> {
    lexer: &'a Lexer,
    src: &'a str,
    pos: usize,
    env: &'a dyn Env,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    /// The word being built by word splitting; shared by nested calls exactly
    /// like BuildKit's `shellWord.wordsBuffer` (see the module docs).
    words_buf: String,
}

impl<'a> Scan<'a> {
    fn new(lexer: &'a Lexer, word: &'a str, env: &'a dyn Env) -> Self {
        // Go's text/scanner skips a byte order mark at the very start.
        let pos = if word.starts_with('\u{feff}') { 3 } else { 0 };
        Scan {
            lexer,
            src: word,
            pos,
            env,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            words_buf: String::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(value) => {
                self.matched.insert(name.to_owned());
                Some(value.into_owned())
            }
            None => {
                self.unmatched.insert(name.to_owned());
                None
            }
        }
    }

    /// Process until `stop` (consumed) or the end of input when `stop` is None.
    /// Returns the text and the words it splits into.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        depth: usize,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let start = self.pos;
        let mut result = String::new();
        let mut words = Vec::new();
        self.words_buf.clear();
        let quotes = !self.lexer.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                finish_words(&mut words, &mut self.words_buf);
                return Ok((result, words));
            }
            match ch {
                '$' => {
                    let text = self.process_dollar(depth)?;
                    result.push_str(&text);
                    for c in text.chars() {
                        add_char(&mut words, &mut self.words_buf, c);
                    }
                }
                '<' => {
                    let text = self.process_possible_heredoc();
                    result.push_str(&text);
                    self.words_buf.push_str(&text);
                }
                '\'' if quotes => {
                    let text = self.process_single_quote()?;
                    result.push_str(&text);
                    self.words_buf.push_str(&text);
                }
                '"' if quotes => {
                    let text = self.process_double_quote(raw_escapes, depth)?;
                    result.push_str(&text);
                    self.words_buf.push_str(&text);
                }
                _ => {
                    self.next();
                    if ch == self.lexer.escape {
                        if raw_escapes {
                            self.words_buf.push(ch);
                            result.push(ch);
                        }
                        // The escape token escapes anything; a trailing one is dropped.
                        let Some(escaped) = self.next() else {
                            break;
                        };
                        self.words_buf.push(escaped);
                        result.push(escaped);
                    } else {
                        add_char(&mut words, &mut self.words_buf, ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(expected) = stop {
            return Err(ExpandError::Unterminated {
                expected,
                pos: start,
            });
        }
        finish_words(&mut words, &mut self.words_buf);
        Ok((result, words))
    }

    fn process_single_quote(&mut self) -> Result<String, ExpandError> {
        let start = self.pos;
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(ExpandError::Unterminated {
                        expected: '\'',
                        pos: start,
                    })
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn process_double_quote(
        &mut self,
        raw_escapes: bool,
        depth: usize,
    ) -> Result<String, ExpandError> {
        let start = self.pos;
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(ExpandError::Unterminated {
                        expected: '"',
                        pos: start,
                    })
                }
                Some('"') => {
                    self.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar(depth)?;
                    result.push_str(&value);
                }
                Some(mut ch) => {
                    self.next();
                    if ch == self.lexer.escape {
                        if raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            // Dropped here; the missing `"` is reported next turn.
                            None => continue,
                            Some(next)
                                if next == '"' || next == '$' || next == self.lexer.escape =>
                            {
                                self.next();
                                ch = next;
                            }
                            // Any other escape stays as written (even doubled when raw).
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_owned();
        }
        self.next();
        let mut text = "<<".to_owned();
        while let Some(ch @ ('\t' | '\r' | ' ')) = self.peek() {
            self.next();
            text.push(ch);
        }
        text
    }

    /// Read a variable name (BuildKit `processName`).
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_go_digit(ch) {
                while let Some(digit) = self.peek().filter(|c| is_go_digit(*c)) {
                    self.next();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                name.push(ch);
                return name;
            }
            if !(ch == '_' || is_go_letter(ch) || is_go_digit(ch)) {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_dollar(&mut self, depth: usize) -> Result<String, ExpandError> {
        let start = self.pos;
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        if depth >= MAX_NESTING {
            return Err(ExpandError::TooDeep {
                limit: MAX_NESTING,
                pos: start,
            });
        }
        self.next(); // '{'
        match self.peek() {
            None => return Err(ExpandError::MissingBrace { pos: start }),
            Some('{' | '}' | ':') => return Err(ExpandError::BadSubstitution { pos: start }),
            Some(_) => {}
        }
        let name = self.process_name();
        let Some(first) = self.next() else {
            return Err(ExpandError::MissingBrace { pos: start });
        };
        match first {
            '}' => Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                let mut modifier = String::from(first);
                let mut op = first;
                let null_is_unset = first == ':';
                if null_is_unset {
                    // Go reads one more character whatever it is; the word after it
                    // is parsed before an unknown modifier is reported.
                    let Some(second) = self.next() else {
                        return Err(ExpandError::MissingBrace { pos: start });
                    };
                    modifier.push(second);
                    op = second;
                }
                let is_pattern = op == '#' || op == '%';
                if null_is_unset && is_pattern {
                    return Err(ExpandError::UnsupportedModifier {
                        modifier,
                        pos: start,
                    });
                }
                let word = self.nested(Some('}'), is_pattern, depth, start, |pos| {
                    ExpandError::MissingBrace { pos }
                })?;
                let value = self.get_env(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{modifier}{word}}}"));
                }
                let empty = value
                    .as_deref()
                    .is_none_or(|v| null_is_unset && v.is_empty());
                match op {
                    '-' => Ok(if empty {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if empty { String::new() } else { word }),
                    '?' => match value {
                        Some(value) if !empty => Ok(value),
                        _ => {
                            let message = if !word.is_empty() {
                                word
                            } else if value.is_none() {
                                "is not allowed to be unset".to_owned()
                            } else {
                                "is not allowed to be empty".to_owned()
                            };
                            Err(ExpandError::Required {
                                name,
                                message,
                                pos: start,
                            })
                        }
                    },
                    '#' | '%' => {
                        let value = value.unwrap_or_default();
                        let (greedy, pattern) = match word.strip_prefix(op) {
                            Some(rest) => (true, rest),
                            None => (false, word.as_str()),
                        };
                        let trimmed = if op == '%' {
                            trim_suffix(pattern, &value, greedy)
                        } else {
                            trim_prefix(pattern, &value, greedy)
                        };
                        trimmed.map_err(|reason| ExpandError::InvalidPattern {
                            pattern: pattern.to_owned(),
                            reason,
                            pos: start,
                        })
                    }
                    _ => Err(ExpandError::UnsupportedModifier {
                        modifier,
                        pos: start,
                    }),
                }
            }
            '/' => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = self.nested(Some('/'), true, depth, start, |pos| {
                    ExpandError::MissingSlash { pos }
                })?;
                let replacement = self.nested(Some('}'), true, depth, start, |pos| {
                    ExpandError::MissingBrace { pos }
                })?;
                let value = self.get_env(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                }
                let value = value.unwrap_or_default();
                let re = shell_pattern_to_regex(&pattern, true, false).map_err(|reason| {
                    ExpandError::InvalidPattern {
                        pattern: pattern.clone(),
                        reason,
                        pos: start,
                    }
                })?;
                Ok(if replace_all {
                    go_replace_all(&re, &value, &replacement)
                } else if let Some(found) = re.find(&value) {
                    let mut out = String::with_capacity(value.len() + replacement.len());
                    out.push_str(&value[..found.start()]);
                    out.push_str(&replacement);
                    out.push_str(&value[found.end()..]);
                    out
                } else {
                    value
                })
            }
            other => Err(ExpandError::UnsupportedModifier {
                modifier: other.to_string(),
                pos: start,
            }),
        }
    }

    /// The word inside `${…}` up to `stop`. Any failure that ran into the end
    /// of input becomes `at_end` (BuildKit reports a missing `}` or `/` then).
    fn nested(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        depth: usize,
        start: usize,
        at_end: fn(usize) -> ExpandError,
    ) -> Result<String, ExpandError> {
        match self.process_stop_on(stop, raw_escapes, depth + 1) {
            Ok((word, _)) => Ok(word),
            Err(error @ ExpandError::TooDeep { .. }) => Err(error),
            Err(_) if self.peek().is_none() => Err(at_end(start)),
            Err(error) => Err(error),
        }
    }
}

fn add_char(words: &mut Vec<String>, buf: &mut String, ch: char) {
    if ch.is_whitespace() {
        if !buf.is_empty() {
            words.push(std::mem::take(buf));
        }
    } else {
        buf.push(ch);
    }
}

fn finish_words(words: &mut Vec<String>, buf: &mut String) {
    if !buf.is_empty() {
        words.push(std::mem::take(buf));
    }
}

fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

static GO_LETTER: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\A\p{L}\z").ok());
static GO_DIGIT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\A\p{Nd}\z").ok());

/// Go's `unicode.IsLetter` (general category L). Rust's `is_alphabetic` is
/// wider (it adds marks and letter numbers), so the category is asked of the
/// regex crate's Unicode tables instead.
fn is_go_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    let mut buf = [0u8; 4];
    GO_LETTER
        .as_ref()
        .is_some_and(|re| re.is_match(ch.encode_utf8(&mut buf)))
}

/// Go's `unicode.IsDigit` (general category Nd).
fn is_go_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    let mut buf = [0u8; 4];
    GO_DIGIT
        .as_ref()
        .is_some_and(|re| re.is_match(ch.encode_utf8(&mut buf)))
}

/// Turn a `${a#pattern}` pattern into a regex: `*` is any string (shortest
/// unless `greedy`), `?` one character, `\` escapes `*`, `?` and `\`, and is
/// dropped before `}` and `/`. Every other character is literal.
fn shell_pattern_to_regex(pattern: &str, greedy: bool, anchored: bool) -> Result<Regex, String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };
    let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => out.push_str(star),
            '?' => out.push('.'),
            '\\' => match chars.peek() {
                Some('}' | '/') => {}
                _ => match chars.next() {
                    Some(escaped @ ('*' | '?' | '\\')) => {
                        out.push_str(&regex::escape(escaped.encode_utf8(&mut [0u8; 4])));
                    }
                    Some(other) => return Err(format!("invalid escape '\\{other}'")),
                    None => return Err("invalid escape at the end of the pattern".to_owned()),
                },
            },
            _ => out.push_str(&regex::escape(ch.encode_utf8(&mut [0u8; 4]))),
        }
    }
    Regex::new(&out).map_err(|error| error.to_string())
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let re = shell_pattern_to_regex(pattern, greedy, true)?;
    Ok(match re.find(value) {
        Some(found) => value[found.end()..].to_owned(),
        None => value.to_owned(),
    })
}

/// Regexes find leftmost matches only, so the shortest/longest suffix is found
/// as a prefix of the reversed value with the reversed pattern (BuildKit's trick).
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverse a pattern but keep each `\x` pair in order: `a\*c` → `c\*a`.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces: Vec<&[char]> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let len = if chars[i] == '\\' && i + 1 < chars.len() {
            2
        } else {
            1
        };
        pieces.push(&chars[i..i + len]);
        i += len;
    }
    pieces.iter().rev().flat_map(|piece| piece.iter()).collect()
}

/// Go's `Regexp.ReplaceAllString`: same empty-match rules, and `$0`/`${0}`
/// in the replacement stand for the match (see [`go_expand`]).
fn go_replace_all(re: &Regex, src: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut last_match_end = 0;
    let mut search_pos = 0;
    while search_pos <= src.len() {
        let Some(found) = re.find_at(src, search_pos) else {
            break;
        };
        out.push_str(&src[last_match_end..found.start()]);
        // No replacement for an empty match right after the previous match.
        if found.end() > last_match_end || found.start() == 0 {
            go_expand(&mut out, replacement, found.as_str());
        }
        last_match_end = found.end();
        let width = src[search_pos..].chars().next().map_or(0, char::len_utf8);
        if search_pos + width > found.end() {
            search_pos += width;
        } else if search_pos + 1 > found.end() {
            search_pos += 1;
        } else {
            search_pos = found.end();
        }
    }
    out.push_str(&src[last_match_end.min(src.len())..]);
    out
}

/// Go's `Regexp.Expand` for a regex without capture groups: `$$` is `$`,
/// `$0`/`${0}` the whole match, any other `$name`/`${name}` nothing, and a `$`
/// that starts no name stays.
fn go_expand(out: &mut String, template: &str, whole: &str) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let (braced, body) = match rest.strip_prefix('{') {
            Some(body) => (true, body),
            None => (false, rest),
        };
        let name_len: usize = body
            .chars()
            .take_while(|c| *c == '_' || is_go_letter(*c) || is_go_digit(*c))
            .map(char::len_utf8)
            .sum();
        let closed = !braced || body[name_len..].starts_with('}');
        if name_len == 0 || !closed {
            out.push('$');
            continue;
        }
        if &body[..name_len] == "0" {
            out.push_str(whole);
        }
        rest = &body[name_len + usize::from(braced)..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn word(input: &str, pairs: &[(&str, &str)]) -> Result<String, ExpandError> {
        Lexer::new('\\')
            .process_word(input, &env(pairs))
            .map(|e| e.value)
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn matched_and_unmatched_are_recorded() {
        let e = Lexer::new('\\')
            .process_word(
                "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
                &env(&[("FOO", "xxx"), ("BAR", "")]),
            )
            .unwrap();
        assert_eq!(e.value, "xxx  ccc");
        assert_eq!(e.matched, set(&["BAR", "FOO"]));
        assert_eq!(e.unmatched, set(&["BAZ"]));
        // The default word is expanded even when unused.
        let e = Lexer::new('\\')
            .process_word("${A:-$B}", &env(&[("A", "1")]))
            .unwrap();
        assert_eq!(e.value, "1");
        assert_eq!(e.unmatched, set(&["B"]));
    }

    #[test]
    fn colon_forms_treat_empty_as_unset() {
        let vars = [("FOO", "xxx"), ("BAR", "")];
        assert_eq!(
            word("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &vars).unwrap(),
            "xxx bbb ccc"
        );
        assert_eq!(
            word("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", &vars).unwrap(),
            "aaa bbb "
        );
        assert_eq!(
            word("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", &vars).unwrap(),
            "aaa  "
        );
        assert_eq!(word("${BAR?bbb}", &vars).unwrap(), "");
        assert!(word("${BAZ?ccc}", &vars).is_err());
        assert!(word("${BAR:?bbb}", &vars).is_err());
    }

    #[test]
    fn required_messages() {
        let err = word("${VAR:?message here$ARG}", &[("VAR", ""), ("ARG", "x")]).unwrap_err();
        assert_eq!(err.to_string(), "VAR: message herex");
        let err = word("${VAR?}", &[]).unwrap_err();
        assert_eq!(err.to_string(), "VAR: is not allowed to be unset");
        let err = word("${VAR:?}", &[("VAR", "")]).unwrap_err();
        assert_eq!(err.to_string(), "VAR: is not allowed to be empty");
        assert_eq!(word("${VAR?m}", &[("VAR", "")]).unwrap(), "");
    }

    #[test]
    fn prefix_and_suffix_removal() {
        let cases: &[(&str, &str, &str)] = &[
            ("${FOO#()[]{\\}^$.\\*\\?|\\\\}", "()[]{}^$.*?|\\x", "x"),
            ("${FOO%%\\**}", "xx**", "xx"),
            ("${FOO#*x*y}", "xxyy", "y"),
            ("${FOO#*}", "xxyy", "xxyy"),
            ("${FOO#}", "xxyy", "xxyy"),
            ("${FOO##*x}", "xxyy", "yy"),
            ("${FOO##}", "xxyy", "xxyy"),
            ("${FOO#?\\?}", "???y", "?y"),
            ("${FOO%%\\**\\*}", "a***yy*", "a"),
            ("${FOO%}", "xxyy", "xxyy"),
            ("${FOO%y}", "xxyy", "xxy"),
            ("${FOO%%y*}", "xxyy", "xx"),
            ("${FOO%y*}", "xxyy", "xxy"),
            ("${FOO#🖖}", "🖖🚀👽", "🚀👽"),
            ("${FOO%👽}", "🖖🚀👽", "🖖🚀"),
        ];
        for (input, value, expected) in cases {
            assert_eq!(
                word(input, &[("FOO", value)]).unwrap(),
                *expected,
                "{input}"
            );
        }
        assert_eq!(
            word("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")]).unwrap(),
            "xyy"
        );
        assert_eq!(
            word("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")]).unwrap(),
            ".xxyy."
        );
        for bad in [
            "${FOO:#}",
            "${FOO:##}",
            "${FOO:%}",
            "${FOO:%%}",
            "${FOO#\\x}",
        ] {
            assert!(word(bad, &[("FOO", "x")]).is_err(), "{bad}");
        }
    }

    #[test]
    fn replacement() {
        assert_eq!(
            word(
                "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
                &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")]
            )
            .unwrap(),
            "/foo.*/*.txt - /foo..*.txt"
        );
        assert_eq!(
            word(
                "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
                &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")]
            )
            .unwrap(),
            "/tmp/bar.txt - /bar.txt"
        );
        assert_eq!(
            word(
                "${FOO/$N/$R} - ${FOO//$N/$R}",
                &[("FOO", "/a/foo/b/c.txt"), ("N", "/?/"), ("R", "/")]
            )
            .unwrap(),
            "/foo/b/c.txt - /foo/c.txt"
        );
        assert_eq!(
            word("${FOO//\\//\\/}", &[("FOO", "/tmp/foo.txt")]).unwrap(),
            "\\/tmp\\/foo.txt"
        );
        assert_eq!(
            word("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")]).unwrap(),
            "wwxxyy"
        );
        assert!(word("${FOO//ww}", &[("FOO", "xxyy")]).is_err());
        assert!(word("${FOO//}", &[("FOO", "xxyy")]).is_err());
        assert_eq!(word("${FOO///}", &[("FOO", "xxyy")]).unwrap(), "xxyy");
        assert_eq!(word("${FOO///}", &[]).unwrap(), "");
    }

    #[test]
    fn replace_all_follows_go() {
        // Empty matches: Go replaces at every position not right after a match.
        assert_eq!(word("${FOO//*/-}", &[("FOO", "abc")]).unwrap(), "-");
        assert_eq!(word("${FOO//x*/-}", &[("FOO", "axbxx")]).unwrap(), "a-");
        // `$0` in a replace-all replacement is the match (Go's Expand).
        assert_eq!(
            word("${FOO//b/$R}", &[("FOO", "abc"), ("R", "[$0]")]).unwrap(),
            "a[b]c"
        );
        assert_eq!(
            word("${FOO//b/$R}", &[("FOO", "abc"), ("R", "$$x$y$")]).unwrap(),
            "a$x$c"
        );
        // A single replacement is literal.
        assert_eq!(
            word("${FOO/b/$R}", &[("FOO", "abc"), ("R", "[$0]")]).unwrap(),
            "a[$0]c"
        );
    }

    #[test]
    fn release_url() {
        let release = "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
        let base = [
            ("VERSION", "v1.2.3"),
            ("TARGETOS", "linux"),
            ("TARGETARCH", "arm"),
        ];
        let mut with_variant = base.to_vec();
        with_variant.push(("TARGETVARIANT", "v7"));
        assert_eq!(
            word(release, &with_variant).unwrap(),
            "something-v1.2.3.linux-arm-v7.tar.gz"
        );
        let mut empty_variant = base.to_vec();
        empty_variant.push(("TARGETVARIANT", ""));
        assert_eq!(
            word(release, &empty_variant).unwrap(),
            "something-v1.2.3.linux-arm.tar.gz"
        );
        assert_eq!(
            word(release, &base).unwrap(),
            "something-v1.2.3.linux-arm.tar.gz"
        );
    }

    #[test]
    fn invalid_forms_are_errors() {
        for bad in [
            "${FOO=aaa}",
            "${FOO=:aaa}",
            "${FOO=}",
            "${#FOO}",
            "${a:",
            "${a",
            "${",
            "${}",
            "${:}",
            "${a:-\"x}",
            "${a/x",
        ] {
            assert!(word(bad, &[("FOO", "x")]).is_err(), "{bad}");
        }
        assert!(matches!(
            word("${a/x", &[]),
            Err(ExpandError::MissingSlash { pos: 0 })
        ));
        assert!(matches!(
            word("ab${a:-x", &[]),
            Err(ExpandError::MissingBrace { pos: 2 })
        ));
        assert!(matches!(
            word("ab'x", &[]),
            Err(ExpandError::Unterminated {
                expected: '\'',
                pos: 2
            })
        ));
    }

    #[test]
    fn backtick_escape() {
        let lexer = Lexer::new('`');
        let vars = env(&[("PWD", "/home")]);
        let w = |s: &str| lexer.process_word(s, &vars).map(|e| e.value);
        assert_eq!(w("he`$PWD").unwrap(), "he$PWD");
        assert_eq!(w("c:\\path\\$PWD").unwrap(), "c:\\path\\/home");
        assert_eq!(w("\"a`\"b\"").unwrap(), "a\"b");
        assert_eq!(w("\"a\\\"").unwrap(), "a\\");
        assert_eq!(w("a``b").unwrap(), "a`b");
        assert_eq!(w("a`").unwrap(), "a");
        assert_eq!(
            lexer.process_words("a` b c", &vars).unwrap(),
            vec!["a b", "c"]
        );
    }

    #[test]
    fn raw_quotes_and_escapes() {
        let lexer = Lexer {
            raw_quotes: true,
            raw_escapes: true,
            ..Lexer::new('\\')
        };
        let vars = env(&[("A", "1")]);
        assert_eq!(
            lexer.process_word("'x' \"$A\" \\$A", &vars).unwrap().value,
            "'x' \"1\" \\$A"
        );
        // Inside double quotes a raw escape of an ordinary character doubles (as in Go).
        assert_eq!(
            lexer.process_word("\"\\t\"", &vars).unwrap().value,
            "\"\\\\t\""
        );
    }

    #[test]
    fn skip_unset_env_keeps_references() {
        let lexer = Lexer {
            skip_unset_env: true,
            ..Lexer::new('\\')
        };
        let vars = env(&[("A", "1")]);
        let w = |s: &str| lexer.process_word(s, &vars).unwrap().value;
        assert_eq!(w("$A $B ${B} ${B:-x} ${A:-x}"), "1 $B ${B} ${B:-x} 1");
    }

    #[test]
    fn skip_process_quotes() {
        let lexer = Lexer {
            skip_process_quotes: true,
            ..Lexer::new('\\')
        };
        assert_eq!(lexer.process_word("'a' \"b", &()).unwrap().value, "'a' \"b");
    }

    #[test]
    fn words_split_after_expansion() {
        let lexer = Lexer::new('\\');
        let vars = env(&[("X", "a  b")]);
        assert_eq!(
            lexer.process_words("1$X\"$X\" '' \\ ", &vars).unwrap(),
            vec!["1a", "ba  b", " "]
        );
        // Heredoc markers keep their spaces in one word.
        assert_eq!(
            lexer.process_words("cat << EOF", &()).unwrap(),
            vec!["cat", "<< EOF"]
        );
        // BuildKit quirk: the partial word before `${x:-…}` is lost in splitting.
        assert_eq!(
            lexer.process_words("ab${x:-c} d", &()).unwrap(),
            vec!["c", "d"]
        );
        assert_eq!(
            lexer.process_word("ab${x:-c} d", &()).unwrap().value,
            "abc d"
        );
    }

    #[test]
    fn names() {
        assert_eq!(word("$한국어.", &[("한국어", "k")]).unwrap(), "k.");
        assert_eq!(word("$a_1-", &[("a_1", "v")]).unwrap(), "v-");
        assert_eq!(word("$12x", &[("12", "n")]).unwrap(), "nx");
        assert_eq!(word("$$x", &[]).unwrap(), "x");
        assert_eq!(word("$", &[]).unwrap(), "$");
        assert_eq!(word("a$ b", &[]).unwrap(), "a$ b");
        // U+0345 is alphabetic in Rust but not a Go letter: it ends the name.
        assert_eq!(word("$a\u{345}", &[("a", "v")]).unwrap(), "v\u{345}");
        // A leading byte order mark is skipped, as Go's scanner does.
        assert_eq!(word("\u{feff}x", &[]).unwrap(), "x");
    }

    #[test]
    fn env_impls() {
        let pairs = vec![
            ("A".to_owned(), "1".to_owned()),
            ("A".to_owned(), "2".to_owned()),
        ];
        let lexer = Lexer::new('\\');
        assert_eq!(lexer.process_word("$A", &pairs).unwrap().value, "2");
        assert_eq!(
            lexer.process_word("$A", &pairs.as_slice()).unwrap().value,
            "2"
        );
        let closure = EnvFn(|name: &str| (name == "Z").then(|| "z".to_owned()));
        assert_eq!(lexer.process_word("$Z$Y", &closure).unwrap().value, "z");
        let tree: BTreeMap<String, String> = [("B".to_owned(), "b".to_owned())].into();
        assert_eq!(lexer.process_word("$B", &tree).unwrap().value, "b");
    }

    #[test]
    fn unquote_keeps_variables() {
        assert_eq!(unquote("\"a b\"", '\\'), "a b");
        assert_eq!(unquote("'$x'", '\\'), "$x");
        assert_eq!(unquote("$x${y}", '\\'), "$x${y}");
        assert_eq!(unquote("${X:-\"1\"}", '\\'), "${X:-1}");
        assert_eq!(unquote("a\\ b", '\\'), "a b");
        assert_eq!(unquote("\"unclosed \\\"x", '\\'), "unclosed \"x");
        assert_eq!(unquote("a`\"b", '`'), "a\"b");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "${a:-".repeat(10_000) + &"}".repeat(10_000);
        assert!(matches!(word(&deep, &[]), Err(ExpandError::TooDeep { .. })));
        let ok = "${a:-".repeat(MAX_NESTING) + "x" + &"}".repeat(MAX_NESTING);
        assert_eq!(word(&ok, &[]).unwrap(), "x");
        let quotes = "\"${a:-".repeat(10_000);
        assert!(word(&quotes, &[]).is_err());
    }

    /// A cheap deterministic fuzz: no input may panic.
    #[test]
    fn random_words_never_panic() {
        let alphabet: Vec<char> = "${}:-+?#%/\\`'\"<> \tab1_*@!.é🖖\u{feff}".chars().collect();
        let vars = env(&[("a", "x*y/z"), ("b", ""), ("ab", "a b"), ("1", "q")]);
        let mut rng = crate::test_rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let input = rng.string(&alphabet, 24);
            let seed = rng.next_u64();
            for escape in ['\\', '`'] {
                let lexer = Lexer {
                    raw_quotes: seed & 1 == 0,
                    raw_escapes: seed & 2 == 0,
                    skip_unset_env: seed & 4 == 0,
                    ..Lexer::new(escape)
                };
                let _ = lexer.process_word(&input, &vars);
                let _ = lexer.process_words(&input, &vars);
                let _ = unquote(&input, escape);
            }
        }
    }

    #[test]
    fn reverse_pattern_keeps_escapes() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("👽\\🚀🖖"), "🖖\\🚀👽");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
    }

    #[test]
    fn pattern_conversion() {
        assert!(shell_pattern_to_regex("\\", true, true).is_err());
        assert!(shell_pattern_to_regex("\\x", true, true).is_err());
        assert!(shell_pattern_to_regex("\\\\\\", true, true).is_err());
        let re = shell_pattern_to_regex("(()[]{\\}^$.\\*\\?|\\\\", true, true).unwrap();
        assert!(re.is_match("(()[]{}^$.*?|\\"));
    }
}
