//! careen-dockerfile: everything careen knows about the text of a Dockerfile.
//!
//! - [`parse`] turns source text into a [`Dockerfile`]: BuildKit's raw node tree
//!   ([`node::Node`], printable in BuildKit's test dump format) plus a typed
//!   instruction list ([`ast::Instruction`]) where every node carries a [`Span`].
//! - [`expand`] is BuildKit's shell lexer for ARG/ENV substitution and word splitting.
//! - [`shell`] parses the shell script of a `RUN` (commands, arguments, `&&`/`;`/`|`)
//!   so lint rules see commands rather than substrings.
//! - [`dockerignore`] reads `.dockerignore` and matches paths the way BuildKit does.

pub mod ast;
pub mod dockerignore;
pub mod error;
pub mod expand;
pub mod node;
pub mod parser;
pub mod shell;
pub mod span;
#[cfg(test)]
mod test_rng;

pub use ast::*;
pub use error::ParseError;
pub use parser::{parse, parse_bytes};
pub use span::{Pos, SourceMap, Span};
