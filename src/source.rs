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
    /// Every `MARK_STRIDE` bytes (at the next char boundary): the byte
    /// offset and the number of characters before it. Columns are counted
    /// from the nearest mark, so that many findings on one very long line
    /// (a 20 MB minified page) do not each count the line from its start.
    marks: Vec<(usize, usize)>,
}

const MARK_STRIDE: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut marks = vec![(0, 0)];
        let mut at = MARK_STRIDE;
        while at < text.len() {
            while !text.is_char_boundary(at) {
                at += 1;
            }
            let (prev, chars) = marks[marks.len() - 1];
            marks.push((at, chars + text[prev..at].chars().count()));
            at += MARK_STRIDE;
        }
        LineIndex { starts, marks }
    }

    /// Characters before byte `offset` (a char boundary) in the whole text.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let i = self
            .marks
            .partition_point(|m| m.0 <= offset)
            .saturating_sub(1);
        let (at, chars) = self.marks.get(i).copied().unwrap_or((0, 0));
        chars + text.get(at..offset).map_or(0, |s| s.chars().count())
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
        let column = if text.get(start..offset).is_some() {
            self.chars_before(text, offset) - self.chars_before(text, start)
        } else {
            0
        } + 1;
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
    fn columns_on_long_lines_cross_marks() {
        let text = format!("x\n{}必ず", "あa𠮷".repeat(5000));
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(97) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let column = text[line_start..offset].chars().count() + 1;
            assert_eq!(idx.position(&text, offset).column, column, "at {offset}");
        }
        let end = text.len();
        assert_eq!(idx.position(&text, end).column, 5000 * 3 + 3);
    }

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
