//! Findings → text. The only layer (with the binary) that formats output.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod human;
pub mod json;

use crate::lint::Finding;
use crate::source::{LineIndex, Position};

/// A finding with its positions resolved against the file's text.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    pub finding: &'a Finding,
    /// Byte offsets into the original file (BOM included).
    pub start_offset: usize,
    pub end_offset: usize,
    pub start: Position,
    pub end: Position,
    /// Columns in UTF-8 bytes, for reviewdog.
    pub start_byte: Position,
    pub end_byte: Position,
    /// The claim's source text.
    pub text: &'a str,
}

/// Resolves positions for `findings` in `text`; `base` is the number of bytes
/// stripped before `text` (a BOM).
pub fn locate<'a>(text: &'a str, base: usize, findings: &'a [Finding]) -> Vec<Located<'a>> {
    let index = LineIndex::new(text);
    findings
        .iter()
        .map(|f| Located {
            finding: f,
            start_offset: base + f.span.start,
            end_offset: base + f.span.end,
            start: index.position(text, f.span.start),
            end: index.position(text, f.span.end),
            start_byte: index.byte_position(f.span.start),
            end_byte: index.byte_position(f.span.end),
            text: text.get(f.span.clone()).unwrap_or_default(),
        })
        .collect()
}
