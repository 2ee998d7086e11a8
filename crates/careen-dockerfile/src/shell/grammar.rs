//! Tolerant recursive-descent parser over the lexer's tokens.
//!
//! Recovery: every loop consumes a token or returns. A closing keyword
//! (`fi`, `done`, `}`, `)`, …) ends a body only if some enclosing construct is
//! waiting for it; otherwise it is skipped as stray. Nesting deeper than
//! [`MAX_DEPTH`] is read flat (keywords become plain words).

use std::ops::Range;

use super::lexer::{
    assignment_prefix_len, unquote_mapped, ByteMap, Lexer, Op, RedirTok, Subst, Tok, WordTok,
};
use super::{Connector, ShellWord, SimpleCommand, MAX_DEPTH};

/// What the parser produces; shared by nested parsers.
#[derive(Default)]
pub(crate) struct Out {
    pub commands: Vec<SimpleCommand>,
    pub pipes: Vec<Range<usize>>,
    pub next_list: usize,
}

/// Closing words and operators.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Closer {
    Then,
    Elif,
    Else,
    Fi,
    Do,
    Done,
    Esac,
    RBrace,
    RParen,
    DSemi,
}

const CLOSERS: usize = 10;

/// Parse `text` (at nesting `depth`) into `out`, ranges relative to `text`.
pub(crate) fn parse_text(text: &str, depth: u32, in_substitution: bool, out: &mut Out) {
    let toks = Lexer::new(text, depth).tokenize();
    let mut parser = Parser {
        toks: &toks,
        pos: 0,
        text,
        depth,
        in_substitution,
        expect: [0; CLOSERS],
        list: 0,
        out,
    };
    parser.parse_list();
}

struct Parser<'t, 'o> {
    toks: &'t [Tok],
    pos: usize,
    /// The text all token ranges point into.
    text: &'t str,
    depth: u32,
    in_substitution: bool,
    /// How many enclosing constructs wait for each closer.
    expect: [u32; CLOSERS],
    /// The and-or list being parsed.
    list: usize,
    out: &'o mut Out,
}

fn shell_word(w: &WordTok, text: &str) -> ShellWord {
    ShellWord {
        raw: text.get(w.range.clone()).unwrap_or(&w.value).to_string(),
        value: w.value.clone(),
        range: w.range.clone(),
        quoted: w.quoted,
        has_expansion: w.has_expansion,
    }
}

/// A word made of an operator's text (inside `[[ ]]`, redirections).
fn op_word(range: Range<usize>, text: &str) -> ShellWord {
    let raw = text.get(range.clone()).unwrap_or("").to_string();
    ShellWord {
        value: raw.clone(),
        raw,
        range,
        quoted: false,
        has_expansion: false,
    }
}

impl<'t, 'o> Parser<'t, 'o> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&'t Tok> {
        self.toks.get(self.pos + n)
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    fn peek_op(&self) -> Option<Op> {
        match self.peek() {
            Some(Tok::Op(op, _)) => Some(*op),
            _ => None,
        }
    }

    /// The current token is the unquoted word `keyword`.
    fn at_word(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if !w.quoted && !w.has_expansion && w.value == keyword)
    }

    fn closer_at(&self) -> Option<Closer> {
        match self.peek()? {
            Tok::Op(Op::RParen, _) => Some(Closer::RParen),
            Tok::Op(Op::DSemi, _) => Some(Closer::DSemi),
            Tok::Word(w) if !w.quoted && !w.has_expansion => match w.value.as_str() {
                "then" => Some(Closer::Then),
                "elif" => Some(Closer::Elif),
                "else" => Some(Closer::Else),
                "fi" => Some(Closer::Fi),
                "do" => Some(Closer::Do),
                "done" => Some(Closer::Done),
                "esac" => Some(Closer::Esac),
                "}" => Some(Closer::RBrace),
                _ => None,
            },
            _ => None,
        }
    }

    fn expected(&self, closer: Closer) -> bool {
        self.expect.get(closer as usize).is_some_and(|&n| n > 0)
    }

    /// At the end of a command: end of input, a separator, or an awaited closer.
    fn at_command_end(&self) -> bool {
        match self.peek() {
            None => true,
            Some(Tok::Op(Op::Semi | Op::Amp | Op::Newline, _)) => true,
            _ => self.closer_at().is_some_and(|c| self.expected(c)),
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek_op() == Some(Op::Newline) {
            self.advance();
        }
    }

    fn set_connector(&mut self, command: Option<usize>, connector: Connector) {
        if let Some(c) = command.and_then(|i| self.out.commands.get_mut(i)) {
            c.connector = Some(connector);
        }
    }

    /// A sequence of and-or lists, up to the end or an awaited closer.
    fn parse_list(&mut self) {
        while let Some(tok) = self.peek() {
            if let Tok::Op(Op::Newline | Op::Semi | Op::Amp, _) = tok {
                self.advance();
                continue;
            }
            if let Some(closer) = self.closer_at() {
                if self.expected(closer) {
                    return;
                }
                self.advance();
                continue;
            }
            let last = self.parse_and_or();
            match self.peek_op() {
                Some(Op::Semi | Op::Newline) => {
                    self.set_connector(last, Connector::Seq);
                    self.advance();
                }
                Some(Op::Amp) => {
                    self.set_connector(last, Connector::Background);
                    self.advance();
                }
                Some(Op::DSemi) => self.set_connector(last, Connector::Seq),
                _ => {}
            }
        }
    }

    /// Body of a compound command: one level deeper, ending at `closers`.
    fn parse_body(&mut self, closers: &[Closer]) {
        self.depth += 1;
        for &c in closers {
            if let Some(n) = self.expect.get_mut(c as usize) {
                *n += 1;
            }
        }
        self.parse_list();
        for &c in closers {
            if let Some(n) = self.expect.get_mut(c as usize) {
                *n = n.saturating_sub(1);
            }
        }
        self.depth -= 1;
    }

    /// Returns the index of the last simple command if the list ends with one.
    fn parse_and_or(&mut self) -> Option<usize> {
        let saved = self.list;
        self.list = self.out.next_list;
        self.out.next_list += 1;
        let mut last = self.parse_pipeline();
        loop {
            let connector = match self.peek_op() {
                Some(Op::AndIf) => Connector::And,
                Some(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.set_connector(last, connector);
            self.advance();
            self.skip_newlines();
            if self.at_command_end() || self.closer_at().is_some() {
                break;
            }
            last = self.parse_pipeline();
        }
        self.list = saved;
        last
    }

    fn parse_pipeline(&mut self) -> Option<usize> {
        if self.at_word("!") {
            self.advance();
        }
        let mut last = self.parse_command();
        while let Some(Tok::Op(Op::Pipe | Op::PipeAmp, range)) = self.peek() {
            self.out.pipes.push(range.clone());
            self.set_connector(last, Connector::Pipe);
            self.advance();
            self.skip_newlines();
            if self.at_command_end() || self.closer_at().is_some() {
                break;
            }
            last = self.parse_command();
        }
        last
    }

    /// One command. Consumes at least one token unless at a command end.
    fn parse_command(&mut self) -> Option<usize> {
        let tok = self.peek()?;
        let deep = self.depth >= MAX_DEPTH;
        match tok {
            Tok::Op(Op::LParen, _) if !deep => {
                self.advance();
                self.parse_body(&[Closer::RParen]);
                if self.peek_op() == Some(Op::RParen) {
                    self.advance();
                }
                self.trailing_redirects();
                None
            }
            Tok::Op(..) => {
                self.advance();
                None
            }
            Tok::Word(w) if !deep && !w.quoted && !w.has_expansion => {
                match w.value.as_str() {
                    "if" => self.parse_if(),
                    "while" | "until" => self.parse_while(),
                    "for" | "select" => self.parse_for(),
                    "case" => self.parse_case(),
                    "{" => self.parse_group(),
                    "function" => self.parse_function_keyword(),
                    _ => return self.parse_simple(),
                }
                self.trailing_redirects();
                None
            }
            _ => self.parse_simple(),
        }
    }

    /// Redirections after a compound command (`done > log`).
    fn trailing_redirects(&mut self) {
        while let Some(Tok::Redir(r)) = self.peek() {
            self.advance();
            if let Some(target) = &r.target {
                self.parse_substs(target);
            }
        }
    }

    fn parse_if(&mut self) {
        self.advance();
        self.parse_body(&[Closer::Then, Closer::Elif, Closer::Else, Closer::Fi]);
        loop {
            match self.closer_at() {
                Some(Closer::Then | Closer::Else) => {
                    self.advance();
                    self.parse_body(&[Closer::Elif, Closer::Else, Closer::Fi]);
                }
                Some(Closer::Elif) => {
                    self.advance();
                    self.parse_body(&[Closer::Then, Closer::Elif, Closer::Else, Closer::Fi]);
                }
                Some(Closer::Fi) => {
                    self.advance();
                    return;
                }
                _ => return,
            }
        }
    }

    fn parse_while(&mut self) {
        self.advance();
        self.parse_body(&[Closer::Do, Closer::Done]);
        self.parse_do_group();
    }

    /// `do … done`, if present.
    fn parse_do_group(&mut self) {
        if self.closer_at() == Some(Closer::Do) {
            self.advance();
            self.parse_body(&[Closer::Done]);
        }
        if self.closer_at() == Some(Closer::Done) {
            self.advance();
        }
    }

    fn parse_for(&mut self) {
        self.advance();
        // The variable (or a `((…))` header).
        if let Some(Tok::Word(_)) = self.peek() {
            if self.closer_at().is_none() {
                self.advance();
            }
        }
        self.skip_newlines();
        if self.at_word("in") {
            self.advance();
            while let Some(Tok::Word(w)) = self.peek() {
                if self.closer_at() == Some(Closer::Do) {
                    break;
                }
                self.advance();
                self.parse_substs(w);
            }
        }
        while matches!(self.peek_op(), Some(Op::Semi | Op::Newline)) {
            self.advance();
        }
        self.parse_do_group();
    }

    fn parse_case(&mut self) {
        self.advance();
        if let Some(Tok::Word(w)) = self.peek() {
            self.advance();
            self.parse_substs(w);
        }
        self.skip_newlines();
        if self.at_word("in") {
            self.advance();
        }
        loop {
            while matches!(self.peek_op(), Some(Op::Semi | Op::Newline)) {
                self.advance();
            }
            match self.closer_at() {
                Some(Closer::Esac) => {
                    self.advance();
                    return;
                }
                Some(c) if c != Closer::DSemi && self.expected(c) => return,
                _ => {}
            }
            if self.peek().is_none() {
                return;
            }
            if self.peek_op() == Some(Op::LParen) {
                self.advance();
            }
            // Patterns up to `)`.
            loop {
                match self.peek() {
                    Some(Tok::Word(_)) | Some(Tok::Op(Op::Pipe, _)) => self.advance(),
                    Some(Tok::Op(Op::RParen, _)) => {
                        self.advance();
                        break;
                    }
                    _ => break,
                }
            }
            self.parse_body(&[Closer::DSemi, Closer::Esac]);
            if self.closer_at() == Some(Closer::DSemi) {
                self.advance();
            }
        }
    }

    fn parse_group(&mut self) {
        self.advance();
        self.parse_body(&[Closer::RBrace]);
        if self.closer_at() == Some(Closer::RBrace) {
            self.advance();
        }
    }

    /// `function name [()] body`
    fn parse_function_keyword(&mut self) {
        self.advance();
        if let Some(Tok::Word(_)) = self.peek() {
            self.advance();
        }
        self.parse_function_body();
    }

    /// After a function name: optional `()`, then the body command.
    fn parse_function_body(&mut self) {
        if self.peek_op() == Some(Op::LParen)
            && matches!(self.peek_at(1), Some(Tok::Op(Op::RParen, _)))
        {
            self.pos += 2;
        }
        self.skip_newlines();
        if self.at_word("{") || self.peek_op() == Some(Op::LParen) || self.depth >= MAX_DEPTH {
            // The usual body; it counts one level itself.
            self.parse_command();
        } else if !self.at_command_end() && self.closer_at().is_none() {
            // Any other command as body: one level deeper, which also
            // bounds chains like `a() b() c() …`.
            self.depth += 1;
            self.parse_command();
            self.depth -= 1;
        }
    }

    fn parse_simple(&mut self) -> Option<usize> {
        let start = self.peek()?.start();
        let mut end = start;
        let mut assignments = Vec::new();
        let mut words: Vec<ShellWord> = Vec::new();
        let mut redirects = Vec::new();
        let mut nested: Vec<&'t WordTok> = Vec::new();
        let mut test_expression = false;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Word(w) => {
                    let raw = self.text.get(w.range.clone()).unwrap_or("");
                    if words.is_empty() && assignment_prefix_len(raw).is_some() {
                        assignments.push(shell_word(w, self.text));
                    } else {
                        words.push(shell_word(w, self.text));
                    }
                    nested.push(w);
                    end = w.range.end;
                    self.advance();
                    if test_expression && !w.quoted && w.value == "]]" {
                        break;
                    }
                    if words.len() == 1 && !w.quoted && w.value == "[[" {
                        test_expression = true;
                    }
                    if words.len() == 1
                        && self.depth < MAX_DEPTH
                        && assignments.is_empty()
                        && redirects.is_empty()
                        && !test_expression
                        && self.peek_op() == Some(Op::LParen)
                        && matches!(self.peek_at(1), Some(Tok::Op(Op::RParen, _)))
                    {
                        // `name() body`: a function definition, not a command.
                        self.parse_function_body();
                        return None;
                    }
                }
                Tok::Redir(r) => {
                    self.push_redirect(r, &mut redirects, &mut words, test_expression);
                    if let Some(t) = &r.target {
                        nested.push(t);
                    }
                    end = tok.end();
                    self.advance();
                }
                Tok::Op(Op::AndIf | Op::OrIf | Op::LParen | Op::RParen, range)
                    if test_expression =>
                {
                    words.push(op_word(range.clone(), self.text));
                    end = range.end;
                    self.advance();
                }
                Tok::Op(..) => break,
            }
        }
        let index = self.out.commands.len();
        self.out.commands.push(SimpleCommand {
            assignments,
            words,
            redirects,
            range: start..end.max(start),
            connector: None,
            depth: self.depth,
            in_substitution: self.in_substitution,
            list: self.list,
        });
        for w in nested {
            self.parse_substs(w);
        }
        self.parse_shell_c(index);
        Some(index)
    }

    fn push_redirect(
        &self,
        r: &RedirTok,
        redirects: &mut Vec<ShellWord>,
        words: &mut Vec<ShellWord>,
        test_expression: bool,
    ) {
        let op = op_word(r.op.clone(), self.text);
        let target = match &r.target {
            Some(t) => shell_word(t, self.text),
            None => op_word(r.op.end..r.op.end, self.text),
        };
        // Inside `[[ ]]`, `<` and `>` compare strings.
        let list = if test_expression { words } else { redirects };
        list.push(op);
        if r.target.is_some() || !test_expression {
            list.push(target);
        }
    }

    /// Parse the command substitutions of a word, one level deeper.
    fn parse_substs(&mut self, w: &'t WordTok) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        for subst in &w.substs {
            match subst {
                Subst::Tokens(toks) => {
                    let saved_list = self.list;
                    let mut inner = Parser {
                        toks,
                        pos: 0,
                        text: self.text,
                        depth: self.depth + 1,
                        in_substitution: true,
                        expect: [0; CLOSERS],
                        list: saved_list,
                        out: &mut *self.out,
                    };
                    inner.parse_list();
                }
                Subst::Text { text, map } => self.parse_mapped(text, map, true),
            }
        }
    }

    /// Parse a string derived from this parser's text (`map` gives the text
    /// range each of its bytes came from) and move the results' ranges into it.
    fn parse_mapped(&mut self, text: &str, map: &ByteMap, in_substitution: bool) {
        if self.depth + 1 >= MAX_DEPTH {
            return;
        }
        let first_command = self.out.commands.len();
        let first_pipe = self.out.pipes.len();
        parse_text(text, self.depth + 1, in_substitution, self.out);
        let outer = self.text;
        let remap = |r: &Range<usize>| -> Range<usize> {
            let start = map.get(r.start).map(|m| m.0);
            let end = if r.end > r.start {
                r.end.checked_sub(1).and_then(|i| map.get(i)).map(|m| m.1)
            } else {
                start
            };
            match (start, end) {
                (Some(s), Some(e)) if s <= e && outer.get(s..e).is_some() => s..e,
                _ => {
                    let fallback = map.first().map_or(0, |m| m.0).min(outer.len());
                    fallback..fallback
                }
            }
        };
        let fix_word = |w: &mut ShellWord| {
            w.range = remap(&w.range);
            w.raw = outer.get(w.range.clone()).unwrap_or("").to_string();
        };
        for c in self
            .out
            .commands
            .get_mut(first_command..)
            .into_iter()
            .flatten()
        {
            c.range = remap(&c.range);
            c.assignments.iter_mut().for_each(fix_word);
            c.words.iter_mut().for_each(fix_word);
            c.redirects.iter_mut().for_each(fix_word);
        }
        for p in self.out.pipes.get_mut(first_pipe..).into_iter().flatten() {
            *p = remap(p);
        }
    }

    /// `sh -c 'script'`: parse the script one level deeper.
    fn parse_shell_c(&mut self, index: usize) {
        let Some(command) = self.out.commands.get(index) else {
            return;
        };
        let Some(script) = command.shell_c_script() else {
            return;
        };
        let (text, map) = unquote_mapped(&script.raw, script.range.start);
        self.parse_mapped(&text, &map, false);
    }
}
