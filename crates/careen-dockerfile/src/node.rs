//! BuildKit's raw parse tree, kept so `careen debug dockerfile-ast` can print
//! BuildKit's own test dump format.

use std::fmt::Write as _;

/// One node of BuildKit's parse tree. The root's `children` are the
/// instructions; an instruction node's `value` is the lowercased keyword and
/// its arguments hang off `next` as a linked list (a nested instruction such
/// as ONBUILD's is a child of an argument node).
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Node {
    pub value: String,
    pub next: Option<Box<Node>>,
    pub children: Vec<Node>,
    /// Flags as written, e.g. `--from=build`.
    pub flags: Vec<String>,
    /// True when the arguments were written in JSON form.
    pub json: bool,
    /// The instruction's original text (continuations joined), as BuildKit keeps it.
    pub original: String,
    pub start_line: u32,
    pub end_line: u32,
}

impl Node {
    /// BuildKit's `Node.Dump()` format (what `testfiles/*/result` hold).
    ///
    /// Written iteratively over the `next` chain; nesting through `children`
    /// is bounded by the parser (ONBUILD cannot nest), so recursion is shallow.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        out.push_str(&go_lower(&self.value));
        if !self.flags.is_empty() {
            out.push_str(" [");
            for (i, f) in self.flags.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                go_quote_into(&mut out, f);
            }
            out.push(']');
        }
        for child in &self.children {
            out.push('(');
            out.push_str(&child.dump());
            out.push_str(")\n");
        }
        let mut n = self.next.as_deref();
        while let Some(node) = n {
            out.push(' ');
            if node.children.is_empty() {
                go_quote_into(&mut out, &node.value);
            } else {
                out.push_str(&node.dump());
            }
            n = node.next.as_deref();
        }
        out.trim_matches(char::is_whitespace).to_string()
    }

    /// The argument values hanging off `next`, in order.
    pub fn args(&self) -> Vec<&str> {
        let mut v = Vec::new();
        let mut n = self.next.as_deref();
        while let Some(node) = n {
            v.push(node.value.as_str());
            n = node.next.as_deref();
        }
        v
    }
}

impl Node {
    /// A node with just a value.
    pub fn leaf(value: impl Into<String>) -> Node {
        Node {
            value: value.into(),
            next: None,
            children: Vec::new(),
            flags: Vec::new(),
            json: false,
            original: String::new(),
            start_line: 0,
            end_line: 0,
        }
    }

    fn clone_without_next(&self) -> Node {
        Node {
            value: self.value.clone(),
            next: None,
            children: self.children.clone(),
            flags: self.flags.clone(),
            json: self.json,
            original: self.original.clone(),
            start_line: self.start_line,
            end_line: self.end_line,
        }
    }
}

impl Clone for Node {
    // Iterative over `next` so a very long argument chain cannot overflow the stack.
    fn clone(&self) -> Self {
        let mut head = self.clone_without_next();
        let mut tail = &mut head.next;
        let mut cur = self.next.as_deref();
        while let Some(n) = cur {
            tail = &mut tail.insert(Box::new(n.clone_without_next())).next;
            cur = n.next.as_deref();
        }
        head
    }
}

impl Drop for Node {
    // A long `next` chain (a 100 MB EXPOSE line) would overflow the stack
    // with the default recursive drop; unlink it iteratively.
    fn drop(&mut self) {
        let mut next = self.next.take();
        while let Some(mut n) = next {
            next = n.next.take();
        }
    }
}

/// Go's `strings.ToLower`: per-char lowercase mapping (Rust may expand one
/// char to several; Go keeps one, which is the first of Rust's expansion).
pub(crate) fn go_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// Go's `strconv.Quote`, appended to `out`.
pub(crate) fn go_quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
}

/// Approximation of Go's `strconv.IsPrint` (letters, marks, numbers,
/// punctuation, symbols and ASCII space). Without a Unicode category table we
/// treat every char as printable except controls, non-ASCII spaces, format
/// chars we know of, private use and noncharacters. Unassigned code points
/// (which Go escapes) are printed literally — a cosmetic difference only.
fn go_is_print(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890 | 0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
        && (u & 0xFFFE) != 0xFFFE
        && !(0xFDD0..=0xFDEF).contains(&u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        let mut o = String::new();
        go_quote_into(&mut o, s);
        o
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(q("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(q("\t\n\u{1}\u{7f}"), r#""\t\n\x01\x7f""#);
        assert_eq!(q("àöû €"), "\"àöû €\"");
        assert_eq!(q("\u{a0}\u{feff}"), r#""\u00a0\ufeff""#);
        assert_eq!(q("\u{f0000}"), r#""\U000f0000""#);
    }

    #[test]
    fn dump_flags_children_and_next() {
        let mut child = Node::leaf("run");
        child.next = Some(Box::new(Node::leaf("echo hi")));
        let mut holder = Node::leaf("");
        holder.children.push(child);
        let mut n = Node::leaf("ONBUILD");
        n.flags.push("--x=1".into());
        n.next = Some(Box::new(holder));
        assert_eq!(n.dump(), r#"onbuild ["--x=1"] (run "echo hi")"#);
        assert_eq!(n.clone(), n);
    }

    #[test]
    fn long_chain_clone_and_drop_do_not_overflow() {
        let mut head = Node::leaf("expose");
        let mut tail = &mut head.next;
        for _ in 0..1_000_000 {
            tail = &mut tail.insert(Box::new(Node::leaf("1"))).next;
        }
        let c = head.clone();
        assert_eq!(c.args().len(), 1_000_000);
        drop(c);
        drop(head);
    }

    #[test]
    fn lower_like_go() {
        assert_eq!(go_lower("WOR\u{212a}DIR"), "workdir");
        assert_eq!(go_lower("İ"), "i");
    }
}
