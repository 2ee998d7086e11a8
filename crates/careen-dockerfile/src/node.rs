//! BuildKit's raw parse tree, kept so `careen debug dockerfile-ast` can print
//! BuildKit's own test dump format.

/// One node of BuildKit's parse tree. The root's `children` are the
/// instructions; an instruction node's `value` is the lowercased keyword and
/// its arguments hang off `next` as a linked list (a nested instruction such
/// as ONBUILD's is a child of an argument node).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    pub fn dump(&self) -> String {
        todo!("implemented by the parser")
    }
}
