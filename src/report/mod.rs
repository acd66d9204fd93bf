//! Findings → text. The only layer (with the binary) that formats output.
//!
//! Workers turn each file's findings into owned [`Diagnostic`]s with every
//! position resolved (the file's text is dropped after that); the formats
//! are functions over those diagnostics.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod human;
pub mod json;

use crate::lint::Finding;
use crate::source::{LineIndex, Position};
use serde::Serialize;
use std::ops::Range;

/// A citation of a diagnostic, with its positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticCitation {
    pub text: String,
    /// Byte offsets into the original file.
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub id: Option<String>,
}

/// One finding, ready for any output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// As given on the command line or as found by the walk.
    pub path: String,
    pub finding: Finding,
    /// Byte offsets into the original file (a BOM included).
    pub span: Range<usize>,
    /// 1-based line and column in characters.
    pub start: Position,
    pub end: Position,
    /// 1-based line and column in UTF-8 bytes (reviewdog).
    pub start_byte: Position,
    pub end_byte: Position,
    /// The claim's source text.
    pub text: String,
    /// The claim's text with white space removed, for fingerprints and
    /// baselines that must survive edits elsewhere in the file.
    pub normalized: String,
    pub citations: Vec<DiagnosticCitation>,
}

/// Per-file and total counts, printed at the end.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub diagnostics: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub failed_files: Vec<FailedFile>,
}

/// A file that could not be linted.
#[derive(Debug, Clone, Serialize)]
pub struct FailedFile {
    pub path: String,
    pub message: String,
}

/// Resolves positions for `findings` in `text`; `base` is the number of bytes
/// stripped before `text` (a BOM).
pub fn diagnostics(path: &str, text: &str, base: usize, findings: &[Finding]) -> Vec<Diagnostic> {
    let index = LineIndex::new(text);
    let pos = |r: &Range<usize>| (index.position(text, r.start), index.position(text, r.end));
    findings
        .iter()
        .map(|f| {
            let (start, end) = pos(&f.span);
            let claim = text.get(f.span.clone()).unwrap_or_default();
            Diagnostic {
                path: path.to_string(),
                finding: f.clone(),
                span: base + f.span.start..base + f.span.end,
                start,
                end,
                start_byte: index.byte_position(f.span.start),
                end_byte: index.byte_position(f.span.end),
                text: claim.to_string(),
                normalized: claim.split_whitespace().collect(),
                citations: f
                    .citations
                    .iter()
                    .map(|c| {
                        let (start, end) = pos(&c.span);
                        DiagnosticCitation {
                            text: c.text.clone(),
                            span: base + c.span.start..base + c.span.end,
                            start,
                            end,
                            id: c.id.clone(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}
