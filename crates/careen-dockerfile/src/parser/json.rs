//! A JSON reader that answers exactly what BuildKit's `parseJSON` asks of Go's
//! `encoding/json` when unmarshalling into `[]any`: is the text one valid
//! JSON array, are its top-level elements strings, and did any number
//! overflow a float64 (Go then reports a type error, which BuildKit treats as
//! "not JSON" rather than "not a string array").
//!
//! Hand-written rather than serde_json because serde_json differs from Go on
//! lone surrogates (Go substitutes U+FFFD) and on nesting limits, and because
//! it must be iterative (no recursion) with Go's 10000-level depth limit.

/// One top-level element of the array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Elem {
    /// A string: decoded value and byte range of the token (quotes included).
    Str(String, std::ops::Range<usize>),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not valid JSON (or not an array).
    Syntax,
    /// Valid JSON but a number does not fit a float64.
    NumberRange,
}

const MAX_DEPTH: usize = 10_000;

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Parse `text` (which must start with `[`) as a JSON array.
pub(crate) fn parse_array(text: &str) -> Result<Vec<Elem>, JsonError> {
    let b = text.as_bytes();
    if b.first() != Some(&b'[') {
        return Err(JsonError::Syntax);
    }
    let mut p = Reader {
        b,
        s: text,
        i: 0,
        range_err: false,
    };
    // Stack of open containers: true = object, false = array.
    let mut stack: Vec<bool> = Vec::new();
    let mut elems = Vec::new();
    // Parse a value; containers push onto the stack.
    // State machine: after '[' or ',' in array expect value; in object expect key.
    p.i = 1;
    stack.push(false);
    let mut need_value_or_close = true; // just after '[' / '{'
    loop {
        p.skip_ws();
        let top = match stack.last() {
            Some(t) => *t,
            None => break,
        };
        if need_value_or_close {
            let close = if top { b'}' } else { b']' };
            if p.peek() == Some(close) {
                p.i += 1;
                stack.pop();
                need_value_or_close = false;
                continue;
            }
        }
        // Expect (key:) value.
        if top {
            if p.peek() != Some(b'"') {
                return Err(JsonError::Syntax);
            }
            p.string()?;
            p.skip_ws();
            if p.peek() != Some(b':') {
                return Err(JsonError::Syntax);
            }
            p.i += 1;
            p.skip_ws();
        }
        let at_top_level = stack.len() == 1;
        let start = p.i;
        match p.peek() {
            Some(b'[') | Some(b'{') => {
                if stack.len() >= MAX_DEPTH {
                    return Err(JsonError::Syntax);
                }
                stack.push(p.peek() == Some(b'{'));
                p.i += 1;
                if at_top_level {
                    elems.push(Elem::Other);
                }
                need_value_or_close = true;
                continue;
            }
            Some(b'"') => {
                let s = p.string()?;
                if at_top_level {
                    elems.push(Elem::Str(s, start..p.i));
                }
            }
            _ => {
                p.scalar()?;
                if at_top_level {
                    elems.push(Elem::Other);
                }
            }
        }
        // After a value: ',' or close, possibly closing several levels.
        need_value_or_close = false;
        loop {
            p.skip_ws();
            let Some(&top) = stack.last() else { break };
            let close = if top { b'}' } else { b']' };
            match p.peek() {
                Some(b',') => {
                    p.i += 1;
                    break;
                }
                Some(c) if c == close => {
                    p.i += 1;
                    stack.pop();
                }
                _ => return Err(JsonError::Syntax),
            }
        }
        if stack.is_empty() {
            break;
        }
    }
    p.skip_ws();
    if p.i != b.len() {
        return Err(JsonError::Syntax);
    }
    if p.range_err {
        return Err(JsonError::NumberRange);
    }
    Ok(elems)
}

struct Reader<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    range_err: bool,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.i += 1;
        }
    }

    fn scalar(&mut self) -> Result<(), JsonError> {
        for lit in [&b"true"[..], b"false", b"null"] {
            if self.b[self.i..].starts_with(lit) {
                self.i += lit.len();
                return Ok(());
            }
        }
        self.number()
    }

    fn digits(&mut self) -> usize {
        let s = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - s
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(JsonError::Syntax);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(JsonError::Syntax);
            }
        }
        let text = self.s.get(start..self.i).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => {}
            _ => self.range_err = true,
        }
        Ok(())
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.b.get(at..at + 4)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16)?;
        }
        Some(v)
    }

    /// Reads a string token starting at `"`; returns the decoded value.
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            // Copy a run of plain chars at once.
            let run_start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.s.get(run_start..self.i).ok_or(JsonError::Syntax)?);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let e = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let r = self.hex4(self.i).ok_or(JsonError::Syntax)?;
                            self.i += 4;
                            if (0xD800..0xE000).contains(&r) {
                                // Go: pair with a following \uXXXX low surrogate if possible,
                                // otherwise U+FFFD.
                                if (0xD800..0xDC00).contains(&r)
                                    && self.b.get(self.i) == Some(&b'\\')
                                    && self.b.get(self.i + 1) == Some(&b'u')
                                {
                                    if let Some(r2) = self.hex4(self.i + 2) {
                                        if (0xDC00..0xE000).contains(&r2) {
                                            let c = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                                            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                            self.i += 6;
                                            continue;
                                        }
                                    }
                                }
                                out.push('\u{fffd}');
                            } else {
                                out.push(char::from_u32(r).unwrap_or('\u{fffd}'));
                            }
                        }
                        _ => return Err(JsonError::Syntax),
                    }
                }
                _ => return Err(JsonError::Syntax),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(t: &str) -> Vec<String> {
        parse_array(t)
            .unwrap()
            .into_iter()
            .map(|e| match e {
                Elem::Str(s, _) => s,
                Elem::Other => "<other>".into(),
            })
            .collect()
    }

    #[test]
    fn arrays() {
        assert_eq!(strs(r#"["a", "b\n\u00e9"]"#), vec!["a", "b\né"]);
        assert_eq!(strs("[ ]"), Vec::<String>::new());
        assert_eq!(
            strs(r#"["a", [1, {"x": [true]}], null]"#),
            vec!["a", "<other>", "<other>"]
        );
        assert_eq!(
            strs(r#"["\ud83d\ude00", "\ud800x"]"#),
            vec!["😀", "\u{fffd}x"]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(parse_array("[\"a\""), Err(JsonError::Syntax));
        assert_eq!(parse_array("[\"a\",]"), Err(JsonError::Syntax));
        assert_eq!(parse_array("['a']"), Err(JsonError::Syntax));
        assert_eq!(parse_array("[\"a\"] x"), Err(JsonError::Syntax));
        assert_eq!(parse_array("[01]"), Err(JsonError::Syntax));
        assert_eq!(parse_array("[\"a\", 1e999]"), Err(JsonError::NumberRange));
        let deep = "[".repeat(20_000);
        assert_eq!(parse_array(&deep), Err(JsonError::Syntax));
    }

    #[test]
    fn string_span() {
        let e = parse_array(r#"[ "ab" ]"#).unwrap();
        assert_eq!(e, vec![Elem::Str("ab".into(), 2..6)]);
    }
}
