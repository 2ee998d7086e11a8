//! The slice of BuildKit's shell lexer (`frontend/dockerfile/shell/lex.go`)
//! that its parser uses to find heredoc words: `ProcessWords` with an empty
//! environment and `SkipUnsetEnv`, so `$VAR` references survive as text but
//! quoting, escapes and `${…}` syntax errors behave as in BuildKit.
//!
//! Hand-written because BuildKit's word splitting has quirks (a shared word
//! buffer that nested `${x:-…}` processing resets, raw quote/escape modes)
//! that a general shell lexer would not reproduce.

/// Nesting cap for `${a:-${b:-…}}`; deeper input is treated as a lexing error
/// (BuildKit recurses without limit; we must not overflow the stack).
const MAX_NESTING: usize = 64;

pub(crate) struct Lex<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    /// Go's `shellWord.wordsBuffer`, shared by nested `processStopOn` calls.
    buf: String,
    depth: usize,
}

#[derive(Debug)]
pub(crate) struct LexError;

struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, buf: &mut String, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !buf.is_empty() {
                self.words.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else {
            buf.push(ch);
            self.in_word = true;
        }
    }
    fn add_raw_char(&mut self, buf: &mut String, ch: char) {
        buf.push(ch);
        self.in_word = true;
    }
    fn add_string(&mut self, buf: &mut String, s: &str) {
        for c in s.chars() {
            self.add_char(buf, c);
        }
    }
    fn add_raw_string(&mut self, buf: &mut String, s: &str) {
        buf.push_str(s);
        self.in_word = true;
    }
    fn finish(mut self, buf: &mut String) -> Vec<String> {
        if !buf.is_empty() {
            self.words.push(std::mem::take(buf));
        }
        self.words
    }
}

/// BuildKit `Lex.ProcessWords` with escape `\`, no variables set and
/// `SkipUnsetEnv`.
pub(crate) fn process_words(
    input: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, LexError> {
    // Go's text/scanner skips a BOM at the very start.
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut lex = Lex {
        chars: input.chars().peekable(),
        escape: '\\',
        raw_quotes,
        raw_escapes,
        buf: String::new(),
        depth: 0,
    };
    let (_, words) = lex.process_stop_on(None, raw_escapes)?;
    Ok(words)
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// Go `unicode.IsDigit` (Nd), approximated.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

impl Lex<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }
    fn next(&mut self) -> Option<char> {
        self.chars.next()
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), LexError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(LexError);
        }
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let r = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        r
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), LexError> {
        let mut result = String::new();
        self.buf.clear();
        let mut words = Words {
            words: Vec::new(),
            in_word: false,
        };
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                let w = words.finish(&mut self.buf);
                return Ok((result, w));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    words.add_string(&mut self.buf, &tmp);
                }
                '<' => {
                    let tmp = self.possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.buf, &tmp);
                }
                '\'' => {
                    let tmp = self.single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.buf, &tmp);
                }
                '"' => {
                    let tmp = self.double_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.buf, &tmp);
                }
                _ => {
                    self.next();
                    if ch == self.escape {
                        if self.raw_escapes {
                            words.add_raw_char(&mut self.buf, ch);
                            result.push(ch);
                        }
                        let Some(c2) = self.next() else { break };
                        words.add_raw_char(&mut self.buf, c2);
                        result.push(c2);
                    } else {
                        words.add_char(&mut self.buf, ch);
                        result.push(ch);
                    }
                }
            }
        }
        if stop.is_some() {
            return Err(LexError);
        }
        let w = words.finish(&mut self.buf);
        Ok((result, w))
    }

    fn single_quote(&mut self) -> Result<String, LexError> {
        let mut out = String::new();
        let q = self.next();
        if self.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.next() {
                None => return Err(LexError),
                Some('\'') => {
                    if self.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, LexError> {
        let mut out = String::new();
        let q = self.next();
        if self.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.peek() {
                None => return Err(LexError),
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    out.push_str(&v);
                }
                Some(_) => {
                    let Some(mut ch) = self.next() else {
                        return Err(LexError);
                    };
                    if ch == self.escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.escape => {
                                self.next();
                                ch = c;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|c| is_digit(*c)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                name.push(ch);
                return name;
            }
            if !ch.is_alphabetic() && !is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_dollar(&mut self) -> Result<String, LexError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(format!("${name}"));
        }
        self.next();
        match self.peek() {
            None | Some('{') | Some('}') | Some(':') => return Err(LexError),
            _ => {}
        }
        let name = self.process_name();
        let Some(ch) = self.next() else {
            return Err(LexError);
        };
        let mut chs = String::from(ch);
        let mut modifier = ch;
        let null_is_unset = ch == ':';
        match ch {
            '}' => Ok(format!("${{{name}}}")),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if null_is_unset {
                    let Some(c2) = self.next() else {
                        return Err(LexError);
                    };
                    chs.push(c2);
                    modifier = c2;
                }
                let raw = modifier == '#' || modifier == '%';
                if null_is_unset && raw {
                    return Err(LexError);
                }
                let (word, _) = self.process_stop_on(Some('}'), raw)?;
                Ok(format!("${{{name}{chs}{word}}}"))
            }
            '/' => {
                if self.peek() == Some('/') {
                    self.next();
                }
                let (pattern, _) = self.process_stop_on(Some('/'), true)?;
                let (repl, _) = self.process_stop_on(Some('}'), true)?;
                Ok(format!("${{{name}/{pattern}/{repl}}}"))
            }
            _ => Err(LexError),
        }
    }

    fn possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            out.push(c);
            self.next();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_words() {
        let w = process_words(r#"RUN cat <<EOF "a b" 'c' x\ y"#, true, true).unwrap();
        assert_eq!(w, vec!["RUN", "cat", "<<EOF", "\"a b\"", "'c'", "x\\ y"]);
        let w = process_words("COPY << EOF /x", true, true).unwrap();
        assert_eq!(w, vec!["COPY", "<< EOF", "/x"]);
    }

    #[test]
    fn unquoted_words() {
        assert_eq!(
            process_words(r#""EOF""#, false, false).unwrap(),
            vec!["EOF"]
        );
        assert_eq!(
            process_words("$FOO ${BAR}", false, false).unwrap(),
            vec!["$FOO", "${BAR}"]
        );
        assert_eq!(
            process_words("${A:-x y}", false, false).unwrap(),
            vec!["${A:-x", "y}"]
        );
    }

    #[test]
    fn errors() {
        assert!(process_words("it's", true, true).is_err());
        assert!(process_words("${", true, true).is_err());
        assert!(process_words("${a!}", true, true).is_err());
        assert!(process_words("${a:#b}", true, true).is_err());
        let deep = "${a:-".repeat(1000);
        assert!(process_words(&deep, true, true).is_err());
    }
}
