//! Tokenizer: turns script text into words, operators and redirections.
//!
//! Command substitutions are tokenized in place (their tokens hang off the
//! word that contains them), so every byte is scanned once per nesting level.
//! Every position the lexer stops at is an ASCII byte or the end of the text,
//! so all ranges fall on char boundaries.

use std::ops::Range;

use super::MAX_DEPTH;

/// A control operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `&&`
    AndIf,
    /// `||`
    OrIf,
    /// `|`
    Pipe,
    /// `|&`
    PipeAmp,
    /// `;`
    Semi,
    /// `;;`, `;&`, `;;&` (case item terminators)
    DSemi,
    /// `&`
    Amp,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// a newline
    Newline,
}

/// A nested script inside a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subst {
    /// `$( )`, `<( )`, or a backquote without backslashes: tokens whose
    /// ranges are in the same text as the word.
    Tokens(Vec<Tok>),
    /// A backquote with backslash escapes: its unescaped text and its
    /// [`ByteMap`] into the outer text.
    Text { text: String, map: ByteMap },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WordTok {
    pub range: Range<usize>,
    pub value: String,
    pub quoted: bool,
    pub has_expansion: bool,
    pub substs: Vec<Subst>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedirTok {
    /// The operator with its file descriptor number, e.g. `2>&`.
    pub op: Range<usize>,
    pub target: Option<WordTok>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Word(WordTok),
    Op(Op, Range<usize>),
    Redir(RedirTok),
}

impl Tok {
    pub(crate) fn start(&self) -> usize {
        match self {
            Tok::Word(w) => w.range.start,
            Tok::Op(_, r) => r.start,
            Tok::Redir(r) => r.op.start,
        }
    }
    pub(crate) fn end(&self) -> usize {
        match self {
            Tok::Word(w) => w.range.end,
            Tok::Op(_, r) => r.end,
            Tok::Redir(r) => r.target.as_ref().map_or(r.op.end, |t| t.range.end),
        }
    }
}

/// Where a token list ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At the end of the text (or of the current limit).
    End,
    /// At the `)` closing a `$(` (consumed).
    RParen,
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Bytes at or past `limit` are invisible (used for backquote bodies).
    limit: usize,
    depth: u32,
    heredocs: Vec<(String, bool)>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes that end an unquoted word.
fn is_word_end(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// `NAME=` or `NAME+=` (the start of an assignment word).
pub(crate) fn assignment_prefix_len(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    if !b.first().is_some_and(|&c| is_name_start(c)) {
        return None;
    }
    let mut i = 1;
    while b.get(i).is_some_and(|&c| is_name_byte(c)) {
        i += 1;
    }
    if b.get(i) == Some(&b'[') {
        // bash array element: NAME[index]=
        while b.get(i).is_some_and(|&c| c != b']') {
            i += 1;
        }
        i += 1;
    }
    if b.get(i) == Some(&b'+') {
        i += 1;
    }
    (b.get(i) == Some(&b'=')).then_some(i + 1)
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str, depth: u32) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            limit: src.len(),
            depth,
            heredocs: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        if i < self.limit {
            self.bytes.get(i).copied()
        } else {
            None
        }
    }

    fn cur(&self) -> Option<u8> {
        self.at(self.pos)
    }

    fn peek(&self, n: usize) -> Option<u8> {
        self.at(self.pos + n)
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        s.iter().enumerate().all(|(i, &b)| self.peek(i) == Some(b))
    }

    fn slice(&self, r: Range<usize>) -> &'a str {
        self.src.get(r).unwrap_or("")
    }

    /// Tokenize the whole text.
    pub(crate) fn tokenize(mut self) -> Vec<Tok> {
        self.lex_list(Stop::End)
    }

    /// Skip blanks and line continuations; true if anything was skipped.
    fn skip_blanks(&mut self) {
        loop {
            match self.cur() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\r') if self.peek(1) == Some(b'\n') => self.pos += 1,
                Some(b'\\') if self.peek(1) == Some(b'\n') => self.pos += 2,
                Some(b'\\') if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => {
                    self.pos += 3
                }
                _ => return,
            }
        }
    }

    fn lex_list(&mut self, stop: Stop) -> Vec<Tok> {
        let mut toks: Vec<Tok> = Vec::new();
        let mut parens: u32 = 0;
        let mut cases: u32 = 0;
        loop {
            self.skip_blanks();
            let Some(c) = self.cur() else { break };
            let start = self.pos;
            match c {
                b'\n' => {
                    self.pos += 1;
                    toks.push(Tok::Op(Op::Newline, start..self.pos));
                    self.read_heredoc_bodies();
                }
                b'#' => {
                    while self.cur().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                b')' if stop == Stop::RParen && parens == 0 && cases == 0 => {
                    self.pos += 1;
                    break;
                }
                b')' => {
                    parens = parens.saturating_sub(1);
                    self.pos += 1;
                    toks.push(Tok::Op(Op::RParen, start..self.pos));
                }
                b'(' if self.peek(1) == Some(b'(') => {
                    // `(( arithmetic ))`: one word, no commands.
                    self.skip_balanced_parens();
                    toks.push(Tok::Word(WordTok {
                        range: start..self.pos,
                        value: self.slice(start..self.pos).to_string(),
                        quoted: false,
                        has_expansion: true,
                        substs: Vec::new(),
                    }));
                }
                b'(' => {
                    parens += 1;
                    self.pos += 1;
                    toks.push(Tok::Op(Op::LParen, start..self.pos));
                }
                b'&' if self.peek(1) == Some(b'>') => toks.push(self.lex_redirect(start)),
                b'&' => {
                    let op = if self.peek(1) == Some(b'&') {
                        self.pos += 2;
                        Op::AndIf
                    } else {
                        self.pos += 1;
                        Op::Amp
                    };
                    toks.push(Tok::Op(op, start..self.pos));
                }
                b'|' => {
                    let op = match self.peek(1) {
                        Some(b'|') => Op::OrIf,
                        Some(b'&') => Op::PipeAmp,
                        _ => Op::Pipe,
                    };
                    self.pos += if op == Op::Pipe { 1 } else { 2 };
                    toks.push(Tok::Op(op, start..self.pos));
                }
                b';' => {
                    let op = if self.starts_with(b";;&") {
                        self.pos += 3;
                        Op::DSemi
                    } else if self.starts_with(b";;") || self.starts_with(b";&") {
                        self.pos += 2;
                        Op::DSemi
                    } else {
                        self.pos += 1;
                        Op::Semi
                    };
                    toks.push(Tok::Op(op, start..self.pos));
                }
                b'<' | b'>' if self.peek(1) != Some(b'(') => toks.push(self.lex_redirect(start)),
                b'0'..=b'9' if self.io_number_len().is_some() => {
                    toks.push(self.lex_redirect(start))
                }
                _ => {
                    let word = self.lex_word();
                    if word.range.is_empty() {
                        // Cannot happen for the bytes that reach here, but never loop.
                        self.pos += 1;
                        continue;
                    }
                    if stop == Stop::RParen && !word.quoted {
                        let command_position = match toks.last() {
                            None => true,
                            Some(Tok::Op(op, _)) => *op != Op::RParen,
                            Some(Tok::Word(w)) => matches!(
                                w.value.as_str(),
                                "then"
                                    | "do"
                                    | "else"
                                    | "elif"
                                    | "if"
                                    | "while"
                                    | "until"
                                    | "{"
                                    | "!"
                            ),
                            Some(Tok::Redir(_)) => false,
                        };
                        if command_position && word.value == "case" {
                            cases += 1;
                        } else if command_position && word.value == "esac" {
                            cases = cases.saturating_sub(1);
                        }
                    }
                    toks.push(Tok::Word(word));
                }
            }
        }
        toks
    }

    /// Length of the digits of an IO number (`2` in `2>&1`) at `pos`.
    fn io_number_len(&self) -> Option<usize> {
        let mut n = 0;
        while self.peek(n).is_some_and(|b| b.is_ascii_digit()) {
            n += 1;
        }
        match self.peek(n) {
            Some(b'<' | b'>') if self.peek(n + 1) != Some(b'(') => Some(n),
            _ => None,
        }
    }

    fn lex_redirect(&mut self, start: usize) -> Tok {
        if let Some(n) = self.io_number_len() {
            self.pos += n;
        }
        const OPS: [&[u8]; 12] = [
            b"<<<", b"<<-", b"<<", b"<&", b"<>", b"<", b">>", b">&", b">|", b">", b"&>>", b"&>",
        ];
        let mut op_len = 1;
        for op in OPS {
            if self.starts_with(op) {
                op_len = op.len();
                break;
            }
        }
        let heredoc = if self.starts_with(b"<<<") {
            None
        } else if self.starts_with(b"<<-") {
            Some(true)
        } else if self.starts_with(b"<<") {
            Some(false)
        } else {
            None
        };
        self.pos += op_len;
        let op = start..self.pos;
        // The target may follow after blanks, but not after a newline.
        self.skip_blanks();
        let target = match self.cur() {
            Some(b) if !is_word_end(b) || self.starts_with(b"<(") || self.starts_with(b">(") => {
                let word = self.lex_word();
                (!word.range.is_empty()).then_some(word)
            }
            _ => None,
        };
        if let (Some(strip_tabs), Some(word)) = (heredoc, &target) {
            self.heredocs.push((word.value.clone(), strip_tabs));
        }
        Tok::Redir(RedirTok { op, target })
    }

    /// After a newline: skip the bodies of pending heredocs.
    fn read_heredoc_bodies(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.pos < self.limit {
                let line_start = self.pos;
                while self.cur().is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
                let mut line = self.slice(line_start..self.pos);
                if self.cur() == Some(b'\n') {
                    self.pos += 1;
                }
                if strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line.strip_suffix('\r').unwrap_or(line) == delimiter {
                    break;
                }
            }
        }
    }

    /// Skip `((…))` or `$((…))` starting at the first `(`; iterative.
    fn skip_balanced_parens(&mut self) {
        let mut level: u32 = 0;
        while let Some(b) = self.cur() {
            match b {
                b'(' => level += 1,
                b')' => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                b'\\' => self.pos += 1,
                b'\'' => self.skip_single_quoted(),
                b'"' => self.skip_double_quoted(),
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.limit);
    }

    /// At a `'`: move to its closing `'` (or the end).
    fn skip_single_quoted(&mut self) {
        self.pos += 1;
        while self.cur().is_some_and(|b| b != b'\'') {
            self.pos += 1;
        }
    }

    /// At a `"`: move to its closing `"` (or the end), ignoring nesting.
    fn skip_double_quoted(&mut self) {
        self.pos += 1;
        while let Some(b) = self.cur() {
            match b {
                b'"' => return,
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.limit);
    }

    fn lex_word(&mut self) -> WordTok {
        let start = self.pos;
        let mut value: Vec<u8> = Vec::new();
        let mut quoted = false;
        let mut has_expansion = false;
        let mut substs = Vec::new();
        // Process substitution `<(…)` / `>(…)` at the start of a word.
        if matches!(self.cur(), Some(b'<' | b'>')) && self.peek(1) == Some(b'(') {
            self.pos += 2;
            self.lex_command_subst(&mut substs);
            value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            has_expansion = true;
        }
        while let Some(b) = self.cur() {
            match b {
                b'(' if assignment_prefix_len(self.slice(start..self.pos))
                    == Some(self.pos - start) =>
                {
                    // Array assignment `NAME=(a b c)`.
                    let s = self.pos;
                    self.skip_balanced_parens();
                    value.extend_from_slice(self.slice(s..self.pos).as_bytes());
                }
                b'\r' if self.peek(1) == Some(b'\n') => break,
                _ if is_word_end(b) => break,
                b'\\' => match self.peek(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(b'\r') if self.peek(2) == Some(b'\n') => self.pos += 3,
                    Some(next) => {
                        value.push(next);
                        quoted = true;
                        self.pos += 2;
                    }
                    None => {
                        value.push(b'\\');
                        self.pos += 1;
                    }
                },
                b'\'' => {
                    quoted = true;
                    let s = self.pos + 1;
                    self.skip_single_quoted();
                    value.extend_from_slice(self.slice(s..self.pos.min(self.limit)).as_bytes());
                    if self.cur().is_some() {
                        self.pos += 1;
                    }
                }
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    self.lex_double_quoted(&mut value, &mut has_expansion, &mut substs);
                }
                b'$' => self.lex_dollar(&mut value, &mut quoted, &mut has_expansion, &mut substs),
                b'`' => {
                    has_expansion = true;
                    let s = self.pos;
                    self.lex_backquote(&mut substs);
                    value.extend_from_slice(self.slice(s..self.pos).as_bytes());
                }
                _ => {
                    // A run of plain bytes at once.
                    let run_start = self.pos;
                    self.pos += 1;
                    while self.cur().is_some_and(|c| {
                        !is_word_end(c) && !matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`' | b'\r')
                    }) {
                        self.pos += 1;
                    }
                    value.extend_from_slice(self.slice(run_start..self.pos).as_bytes());
                }
            }
        }
        WordTok {
            range: start..self.pos,
            value: bytes_to_string(value),
            quoted,
            has_expansion,
            substs,
        }
    }

    /// Inside `"…"` (after the opening quote); consumes the closing quote.
    fn lex_double_quoted(
        &mut self,
        value: &mut Vec<u8>,
        has_expansion: &mut bool,
        substs: &mut Vec<Subst>,
    ) {
        while let Some(b) = self.cur() {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.peek(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(next @ (b'$' | b'`' | b'"' | b'\\')) => {
                        value.push(next);
                        self.pos += 2;
                    }
                    _ => {
                        value.push(b'\\');
                        self.pos += 1;
                    }
                },
                b'$' => {
                    let mut ignored = true;
                    self.lex_dollar(value, &mut ignored, has_expansion, substs);
                }
                b'`' => {
                    *has_expansion = true;
                    let s = self.pos;
                    self.lex_backquote(substs);
                    value.extend_from_slice(self.slice(s..self.pos).as_bytes());
                }
                _ => {
                    value.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// At a `$`: an expansion, `$'…'`, `$"…"`, or a literal `$`.
    fn lex_dollar(
        &mut self,
        value: &mut Vec<u8>,
        quoted: &mut bool,
        has_expansion: &mut bool,
        substs: &mut Vec<Subst>,
    ) {
        let start = self.pos;
        match self.peek(1) {
            Some(b'\'') => {
                // ANSI-C quoting.
                *quoted = true;
                self.pos += 2;
                while let Some(b) = self.cur() {
                    match b {
                        b'\'' => {
                            self.pos += 1;
                            return;
                        }
                        b'\\' => {
                            let resolved = match self.peek(1) {
                                Some(b'n') => Some(b'\n'),
                                Some(b't') => Some(b'\t'),
                                Some(b'r') => Some(b'\r'),
                                Some(c @ (b'\\' | b'\'' | b'"')) => Some(c),
                                _ => None,
                            };
                            match resolved {
                                Some(c) => {
                                    value.push(c);
                                    self.pos += 2;
                                }
                                None => {
                                    value.push(b'\\');
                                    self.pos += 1;
                                }
                            }
                        }
                        _ => {
                            value.push(b);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                *quoted = true;
                self.pos += 2;
                self.lex_double_quoted(value, has_expansion, substs);
            }
            Some(b'(') if self.peek(2) == Some(b'(') => {
                *has_expansion = true;
                self.pos += 1;
                self.skip_balanced_parens();
                value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            }
            Some(b'(') => {
                *has_expansion = true;
                self.pos += 2;
                self.lex_command_subst(substs);
                value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            }
            Some(b'{') => {
                *has_expansion = true;
                self.pos += 2;
                self.lex_braced(substs);
                value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            }
            Some(b) if is_name_start(b) => {
                *has_expansion = true;
                self.pos += 1;
                while self.cur().is_some_and(is_name_byte) {
                    self.pos += 1;
                }
                value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            }
            Some(b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => {
                *has_expansion = true;
                self.pos += 2;
                value.extend_from_slice(self.slice(start..self.pos).as_bytes());
            }
            _ => {
                value.push(b'$');
                self.pos += 1;
            }
        }
    }

    /// After `$(` or `<(`: tokenize up to the matching `)` (consumed).
    fn lex_command_subst(&mut self, substs: &mut Vec<Subst>) {
        if self.depth >= MAX_DEPTH {
            // Too deep: skip without looking inside.
            self.pos -= 1;
            self.skip_balanced_parens();
            return;
        }
        self.depth += 1;
        let toks = self.lex_list(Stop::RParen);
        self.depth -= 1;
        substs.push(Subst::Tokens(toks));
    }

    /// After `${`: up to the matching `}` (consumed); iterative except for
    /// command substitutions inside.
    fn lex_braced(&mut self, substs: &mut Vec<Subst>) {
        let mut level: u32 = 1;
        while let Some(b) = self.cur() {
            match b {
                b'}' => {
                    level -= 1;
                    self.pos += 1;
                    if level == 0 {
                        return;
                    }
                }
                b'{' => {
                    level += 1;
                    self.pos += 1;
                }
                b'\\' => self.pos += 2,
                b'\'' => {
                    self.skip_single_quoted();
                    self.pos += 1;
                }
                b'"' => {
                    self.skip_double_quoted();
                    self.pos += 1;
                }
                b'$' if self.peek(1) == Some(b'(') && self.peek(2) != Some(b'(') => {
                    self.pos += 2;
                    self.lex_command_subst(substs);
                }
                b'`' => self.lex_backquote(substs),
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.limit);
    }

    /// At a backquote: up to the closing one (consumed).
    fn lex_backquote(&mut self, substs: &mut Vec<Subst>) {
        let body_start = self.pos + 1;
        let mut i = body_start;
        let mut escaped = false;
        while let Some(b) = self.at(i) {
            match b {
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                b'`' => break,
                _ => i += 1,
            }
        }
        let body_end = i.min(self.limit);
        self.pos = if self.at(body_end) == Some(b'`') {
            body_end + 1
        } else {
            body_end
        };
        if self.depth >= MAX_DEPTH || body_start >= body_end {
            return;
        }
        if escaped {
            let (text, map) = unescape_backquote(self.slice(body_start..body_end), body_start);
            substs.push(Subst::Text { text, map });
        } else {
            let (saved_pos, saved_limit) = (self.pos, self.limit);
            self.pos = body_start;
            self.limit = body_end;
            self.depth += 1;
            let toks = self.lex_list(Stop::End);
            self.depth -= 1;
            self.pos = saved_pos;
            self.limit = saved_limit;
            substs.push(Subst::Tokens(toks));
        }
    }
}

/// For every byte of a derived string, the range of outer text it came from
/// (an escaped char starts at its backslash); one more entry for the end.
pub(crate) type ByteMap = Vec<(usize, usize)>;

fn bytes_to_string(bytes: Vec<u8>) -> String {
    // Only ASCII bytes are ever dropped, so this is valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A backquote body with `\$`, `` \` `` and `\\` unescaped, and a map from
/// every byte of the result (plus its end) to its offset in the outer text.
fn unescape_backquote(body: &str, base: usize) -> (String, ByteMap) {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let unit_start = i;
        if b == b'\\' && matches!(bytes.get(i + 1), Some(b'$' | b'`' | b'\\')) {
            i += 1;
        }
        if let Some(&c) = bytes.get(i) {
            out.push(c);
            map.push((base + unit_start, base + i + 1));
        }
        i += 1;
    }
    map.push((base + bytes.len(), base + bytes.len()));
    (bytes_to_string(out), map)
}

/// The value of a shell word (quotes removed, escapes resolved, `$'…'`
/// kept verbatim) with a map from every byte of it (plus its end) to its
/// offset in the outer text. Used to parse `sh -c '…'` arguments.
pub(crate) fn unquote_mapped(raw: &str, base: usize) -> (String, ByteMap) {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Single,
        Double,
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len() + 1);
    let mut state = State::Plain;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let unit_start = i;
        let mut keep = Some(i);
        match state {
            State::Plain => match b {
                b'\'' => {
                    state = State::Single;
                    keep = None;
                }
                b'"' => {
                    state = State::Double;
                    keep = None;
                }
                b'$' if matches!(bytes.get(i + 1), Some(b'\'' | b'"')) => {
                    state = if bytes.get(i + 1) == Some(&b'\'') {
                        State::Single
                    } else {
                        State::Double
                    };
                    keep = None;
                    i += 1;
                }
                b'\\' => {
                    i += 1;
                    keep = (bytes.get(i) != Some(&b'\n')).then_some(i);
                }
                _ => {}
            },
            State::Single => {
                if b == b'\'' {
                    state = State::Plain;
                    keep = None;
                }
            }
            State::Double => match b {
                b'"' => {
                    state = State::Plain;
                    keep = None;
                }
                b'\\' if matches!(bytes.get(i + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) => {
                    i += 1;
                    keep = (bytes.get(i) != Some(&b'\n')).then_some(i);
                }
                _ => {}
            },
        }
        if let Some(k) = keep {
            if let Some(&c) = bytes.get(k) {
                out.push(c);
                map.push((base + unit_start, base + k + 1));
            }
        }
        i += 1;
    }
    map.push((base + bytes.len(), base + bytes.len()));
    (bytes_to_string(out), map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<String> {
        Lexer::new(src, 0)
            .tokenize()
            .into_iter()
            .filter_map(|t| match t {
                Tok::Word(w) => Some(w.value),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn operators_are_split_from_words() {
        let toks = Lexer::new("a&&b||c|d;e&f|&g", 0).tokenize();
        let ops: Vec<Op> = toks
            .iter()
            .filter_map(|t| match t {
                Tok::Op(op, _) => Some(*op),
                _ => None,
            })
            .collect();
        assert_eq!(
            ops,
            [
                Op::AndIf,
                Op::OrIf,
                Op::Pipe,
                Op::Semi,
                Op::Amp,
                Op::PipeAmp
            ]
        );
        assert_eq!(
            words("a&&b||c|d;e&f|&g"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn quotes_and_escapes_are_resolved() {
        assert_eq!(
            words(r#"'a b' "c\"d" e\ f "$x""#),
            ["a b", "c\"d", "e f", "$x"]
        );
        assert_eq!(words(r#"$'a\tb'"#), ["a\tb"]);
        assert_eq!(words("a\\\nb"), ["ab"]);
    }

    #[test]
    fn io_numbers_make_redirections() {
        let toks = Lexer::new("cmd 2>&1 >/dev/null 10<in", 0).tokenize();
        let redirs = toks.iter().filter(|t| matches!(t, Tok::Redir(_))).count();
        assert_eq!(redirs, 3);
        assert_eq!(words("cmd 2>&1 x"), ["cmd", "x"]);
    }

    #[test]
    fn heredoc_bodies_are_skipped() {
        assert_eq!(
            words("cat <<EOF > f\nhello world\nEOF\necho done"),
            ["cat", "echo", "done"]
        );
        assert_eq!(words("cat <<-'X'\n\tbody\n\tX\nls"), ["cat", "ls"]);
    }

    #[test]
    fn unquote_mapped_points_at_source_bytes() {
        let raw = r#"'a b'"c\"d""#;
        let (text, map) = unquote_mapped(raw, 10);
        assert_eq!(text, "a bc\"d");
        let starts: Vec<usize> = map.iter().map(|m| m.0).collect();
        let ends: Vec<usize> = map.iter().map(|m| m.1).collect();
        assert_eq!(starts, [11, 12, 13, 16, 17, 19, 21]);
        assert_eq!(ends, [12, 13, 14, 17, 19, 20, 21]);
    }

    #[test]
    fn assignment_prefixes() {
        assert_eq!(assignment_prefix_len("A=b"), Some(2));
        assert_eq!(assignment_prefix_len("A_1+=b"), Some(5));
        assert_eq!(assignment_prefix_len("a[1]=b"), Some(5));
        assert_eq!(assignment_prefix_len("1A=b"), None);
        assert_eq!(assignment_prefix_len("--a=b"), None);
    }
}
