//! Source positions. Lines and columns are 1-based (columns count chars);
//! offsets are byte offsets into the original source text.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in chars.
    pub column: u32,
    /// Byte offset into the source.
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    /// Exclusive end.
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }
    /// Byte range in the source.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start.offset..self.end.offset
    }
}

/// Maps byte offsets in a derived string (e.g. a RUN script with line
/// continuations removed) back to byte offsets in the original source.
///
/// Stored as sorted segments `(derived_start, source_start, len)`: bytes
/// `derived_start..derived_start+len` were copied verbatim from
/// `source_start..source_start+len`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceMap {
    pub segments: Vec<(usize, usize, usize)>,
}

impl SourceMap {
    /// A map for a string copied verbatim from `source_start`.
    pub fn contiguous(source_start: usize, len: usize) -> Self {
        SourceMap {
            segments: vec![(0, source_start, len)],
        }
    }

    /// Source offset of derived offset `derived`. An offset at the end of a
    /// segment maps to the end of that segment (so exclusive ends stay tight).
    ///
    /// Binary search: every builder appends segments in derived order without
    /// overlap, and a linear scan made rules quadratic on long RUNs.
    pub fn to_source(&self, derived: usize) -> Option<usize> {
        let i = self.segments.partition_point(|&(d, _, _)| d <= derived);
        let &(d, s, len) = self.segments.get(i.checked_sub(1)?)?;
        if derived < d + len {
            Some(s + (derived - d))
        } else if derived == d + len {
            Some(s + len)
        } else {
            None
        }
    }
}

/// Converts byte offsets to line/column positions for one source text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex { line_starts }
    }

    pub fn pos(&self, source: &str, offset: usize) -> Pos {
        let offset = offset.min(source.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        Pos {
            line: line as u32 + 1,
            column: column as u32 + 1,
            offset,
        }
    }

    pub fn span(&self, source: &str, range: std::ops::Range<usize>) -> Span {
        Span {
            start: self.pos(source, range.start),
            end: self.pos(source, range.end),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)? as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_positions() {
        let src = "FROM a\nRUN b\n";
        let idx = LineIndex::new(src);
        let p = idx.pos(src, 7);
        assert_eq!((p.line, p.column), (2, 1));
        let p = idx.pos(src, 10);
        assert_eq!((p.line, p.column), (2, 4));
    }

    #[test]
    fn source_map_segments() {
        let map = SourceMap {
            segments: vec![(0, 10, 5), (5, 20, 5)],
        };
        assert_eq!(map.to_source(0), Some(10));
        assert_eq!(map.to_source(4), Some(14));
        assert_eq!(map.to_source(5), Some(20));
        assert_eq!(map.to_source(10), Some(25));
        assert_eq!(map.to_source(11), None);
    }
}
