//! Source documents: their format, and byte offset → line/column positions.

use serde::Serialize;
use std::path::Path;

/// The markup a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Markdown,
    Html,
    Text,
}

impl Format {
    /// The format a walked file's extension selects, if it is one we lint.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" | "mdown" | "mkd" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "txt" | "text" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format of a file named explicitly: unknown extensions are text.
    pub fn for_explicit(path: &Path) -> Format {
        Format::from_extension(path).unwrap_or(Format::Text)
    }
}

/// A 1-based position; `column` counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Line starts of a text, for turning byte offsets into positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(0)
    }

    /// 1-based line and character column of byte `offset` in `text`.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// 1-based line and UTF-8 byte column (reviewdog's unit).
    pub fn byte_position(&self, offset: usize) -> Position {
        let line = self.line_of(offset);
        Position {
            line: line + 1,
            column: offset - self.line_start(line) + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_bytes() {
        let text = "一行目\n当院の治療は必ず効果があります\n𠮷野家は必ず治る";
        let idx = LineIndex::new(text);
        let off = text.find("必ず").unwrap();
        assert_eq!(idx.position(text, off), Position { line: 2, column: 7 });
        assert_eq!(
            idx.byte_position(off),
            Position {
                line: 2,
                column: 19
            }
        );
        let off = text.rfind("必ず").unwrap();
        assert_eq!(idx.position(text, off), Position { line: 3, column: 5 });
        assert_eq!(
            idx.byte_position(off),
            Position {
                line: 3,
                column: 14
            }
        );
    }
}
