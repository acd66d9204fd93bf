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

/// Characters in `bytes` (valid UTF-8): the bytes that do not continue a
/// character, counted per byte lane in runs short enough for a one-byte
/// count, which vectorises (1.5 times faster than `chars().count()` on
/// long runs, ten times faster than counting into a `usize`).
fn count_chars(bytes: &[u8]) -> usize {
    // At most 255, and a multiple of any vector width.
    const RUN: usize = 240;
    bytes
        .chunks(RUN)
        .map(|run| {
            let starts = run
                .iter()
                .fold(0u8, |n, &b| n + u8::from((b as i8) >= -0x40));
            usize::from(starts)
        })
        .sum()
}

/// Offsets where lines start: 0 and after every `\n`. Read a word at a
/// time, which is about three times faster than a byte at a time (or than
/// `memchr` from each line to the next, lines being short).
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    const ONES: u64 = u64::MAX / 255;
    const LOW7: u64 = ONES * 0x7f;
    let mut starts = vec![0];
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        // The high bit of each byte that is `\n`, exactly: the sum sets it
        // for any non-zero low seven bits, without carrying across bytes.
        let x = u64::from_le_bytes(w) ^ (ONES * u64::from(b'\n'));
        let mut newlines = !(((x & LOW7) + LOW7) | x | LOW7);
        while newlines != 0 {
            starts.push(at + newlines.trailing_zeros() as usize / 8 + 1);
            newlines &= newlines - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b'\n' {
            starts.push(at + i + 1);
        }
    }
    starts
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = line_starts(text.as_bytes());
        let mut marks = vec![(0, 0)];
        let mut at = MARK_STRIDE;
        while at < text.len() {
            while !text.is_char_boundary(at) {
                at += 1;
            }
            let (prev, chars) = marks[marks.len() - 1];
            marks.push((at, chars + count_chars(&text.as_bytes()[prev..at])));
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
        chars
            + text
                .get(at..offset)
                .map_or(0, |s| count_chars(s.as_bytes()))
    }

    /// Characters in `text[from..to]` (char boundaries, `from <= to`):
    /// counted directly when near, else through the marks.
    fn chars_between(&self, text: &str, from: usize, to: usize) -> usize {
        if to - from <= 2 * MARK_STRIDE {
            count_chars(&text.as_bytes()[from..to])
        } else {
            self.chars_before(text, to) - self.chars_before(text, from)
        }
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

/// Positions of offsets in one text, resolved from the last one asked for:
/// a file's findings, their ends and citations come nearly in ascending
/// order, so each costs a count over the few bytes since the previous one
/// instead of two searches and two counts from a mark. Any order is
/// correct; a far jump costs what [`LineIndex::position`] does.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    text: &'a str,
    index: &'a LineIndex,
    /// The last offset resolved (a char boundary), its 0-based line, and
    /// the characters from the start of that line to it.
    at: usize,
    line: usize,
    column: usize,
}

/// Lines a cursor steps over one by one before it searches.
const NEAR_LINES: usize = 8;

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str, index: &'a LineIndex) -> Cursor<'a> {
        Cursor {
            text,
            index,
            at: 0,
            line: 0,
            column: 0,
        }
    }

    /// [`LineIndex::position`] and [`LineIndex::byte_position`] of `offset`.
    pub fn locate(&mut self, offset: usize) -> (Position, Position) {
        let (text, index) = (self.text, self.index);
        // Out of range or inside a character: what the index says, and the
        // cursor stays where it was.
        if !text.is_char_boundary(offset) {
            return (index.position(text, offset), index.byte_position(offset));
        }
        let line = self.line_near(offset);
        let start = index.starts[line];
        self.column = if line != self.line {
            index.chars_between(text, start, offset)
        } else if offset >= self.at {
            self.column + index.chars_between(text, self.at, offset)
        } else {
            self.column - index.chars_between(text, offset, self.at)
        };
        self.line = line;
        self.at = offset;
        let line = line + 1;
        (
            Position {
                line,
                column: self.column + 1,
            },
            Position {
                line,
                column: offset - start + 1,
            },
        )
    }

    /// The 0-based line of `offset`, stepping from the cursor's line when
    /// it is near.
    fn line_near(&self, offset: usize) -> usize {
        let starts = &self.index.starts;
        let mut line = self.line;
        for _ in 0..NEAR_LINES {
            if starts[line] > offset {
                line -= 1;
            } else if starts.get(line + 1).is_some_and(|&s| s <= offset) {
                line += 1;
            } else {
                return line;
            }
        }
        self.index.line_of(offset)
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

    /// The cursor gives what the index gives, for offsets in ascending,
    /// descending and scattered order, on short lines, blank lines and a
    /// line long enough to cross marks, inside characters and past the end.
    #[test]
    fn cursor_agrees_with_the_index_in_any_order() {
        let text = format!(
            "一行目\n\n{}ab𠮷\r\n{}末\n",
            "あa𠮷\n".repeat(300),
            "長い行a".repeat(3000)
        );
        let idx = LineIndex::new(&text);
        let offsets: Vec<usize> = (0..text.len() + 3).step_by(5).collect();
        let n = offsets.len();
        let scattered = (0..n).map(|i| offsets[i * 7919 % n]);
        let orders = offsets.iter().copied().chain(offsets.iter().rev().copied());
        let mut cursor = Cursor::new(&text, &idx);
        for offset in orders.chain(scattered) {
            let expected = (idx.position(&text, offset), idx.byte_position(offset));
            assert_eq!(cursor.locate(offset), expected, "at {offset}");
            if let Some(before) = text.get(..offset) {
                assert_eq!(expected.0.line, before.matches('\n').count() + 1);
            }
        }
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
