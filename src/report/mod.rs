//! Findings → text. The only layer (with the binary) that formats output.
//!
//! Workers turn each file's findings into owned [`Diagnostic`]s with every
//! position resolved (the file's text is dropped after that); the formats
//! are functions over those diagnostics.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;
mod stats;
mod uri;
pub mod xml;

pub use stats::{CategoryCount, RuleCount, Statistics, Tally};
pub use uri::{file_uri, percent_encode, relative_path, ResolvedPath};

use crate::lint::{self as lint_mod, Finding};
use crate::rules::{Rule, RuleSet, BUILTIN_RULES};
use crate::source::{Cursor, LineIndex, Position};
use serde::Serialize;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// The tool's home page, for `source.url` and SARIF `informationUri`.
pub const HOME_URL: &str = "https://github.com/exolint/exolint";

/// Where a built-in rule's file lives in the repository; rule pages link
/// here so that the URL stays valid as long as the rule exists.
pub const RULE_URL_BASE: &str = "https://github.com/exolint/exolint/blob/main/";

/// A citation of a diagnostic, with its positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticCitation<'a> {
    pub text: &'a str,
    /// Byte offsets into the original file.
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub id: Option<&'a str>,
}

/// Where one of a diagnostic's citations is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationPlace {
    /// Byte offsets into the original file.
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
}

/// One finding, ready for any output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// As given on the command line or as found by the walk; shared by
    /// the diagnostics of a file.
    pub path: Arc<str>,
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
    /// Where each of `finding.citations` is, in the same order (see
    /// [`Diagnostic::citations`]).
    pub citation_places: Vec<CitationPlace>,
}

impl Diagnostic {
    /// The finding's citations with their positions.
    pub fn citations(&self) -> impl ExactSizeIterator<Item = DiagnosticCitation<'_>> {
        self.finding
            .citations
            .iter()
            .zip(&self.citation_places)
            .map(|(c, p)| DiagnosticCitation {
                text: &c.text,
                span: p.span.clone(),
                start: p.start,
                end: p.end,
                id: c.id.as_deref(),
            })
    }

    /// The claim's text with white space removed, for fingerprints that
    /// must survive edits elsewhere in the file. Computed on demand: only
    /// SARIF needs it.
    pub fn normalized(&self) -> String {
        self.text.split_whitespace().collect()
    }
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
    /// Counts per rule and category (`--statistics`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics: Option<Statistics>,
}

/// A file that could not be linted.
#[derive(Debug, Clone, Serialize)]
pub struct FailedFile {
    pub path: String,
    pub message: String,
}

/// Resolves positions for `findings` in `text` (the decoded file). Spans are
/// mapped to byte offsets of the original file by `original` (which adds a
/// stripped BOM, or maps UTF-16/Shift_JIS/EUC-JP text back to its bytes —
/// see `Decoded::original`); lines and columns count characters of `text`.
pub fn diagnostics(
    path: &str,
    text: &str,
    original: impl Fn(usize) -> usize,
    findings: &[Finding],
) -> Vec<Diagnostic> {
    into_diagnostics(path, text, original, findings.to_vec())
}

/// [`diagnostics`] taking the findings: a large file's findings and their
/// diagnostics are then never all in memory at once.
pub fn into_diagnostics(
    path: &str,
    text: &str,
    original: impl Fn(usize) -> usize,
    findings: Vec<Finding>,
) -> Vec<Diagnostic> {
    into_diagnostics_with(
        &path.into(),
        text,
        &LineIndex::new(text),
        original,
        findings,
    )
}

/// [`into_diagnostics`] with the text's line index built once and the path
/// shared, for a file whose findings come in batches.
pub fn into_diagnostics_with(
    path: &Arc<str>,
    text: &str,
    index: &LineIndex,
    original: impl Fn(usize) -> usize,
    findings: Vec<Finding>,
) -> Vec<Diagnostic> {
    let mut cursor = Cursor::new(text, index);
    findings
        .into_iter()
        .map(|f| diagnostic(path, text, &mut cursor, &original, f))
        .collect()
}

fn diagnostic(
    path: &Arc<str>,
    text: &str,
    cursor: &mut Cursor<'_>,
    original: &impl Fn(usize) -> usize,
    f: Finding,
) -> Diagnostic {
    let (start, start_byte) = cursor.locate(f.span.start);
    let (end, end_byte) = cursor.locate(f.span.end);
    let citation_places = f
        .citations
        .iter()
        .map(|c| CitationPlace {
            span: original(c.span.start)..original(c.span.end),
            start: cursor.locate(c.span.start).0,
            end: cursor.locate(c.span.end).0,
        })
        .collect();
    Diagnostic {
        path: Arc::clone(path),
        span: original(f.span.start)..original(f.span.end),
        start,
        end,
        start_byte,
        end_byte,
        text: text.get(f.span.clone()).unwrap_or_default().to_string(),
        citation_places,
        finding: f,
    }
}

/// The message every machine-readable format shows, on one line:
/// `[category/verdict] message`.
pub fn headline(d: &Diagnostic) -> String {
    let f = &d.finding;
    format!(
        "[{}/{}] {}",
        f.category,
        f.verdict.as_str(),
        headline_message(f)
    )
}

/// The start of [`headline`], `[category/verdict] `: plain ASCII, which no
/// format needs to escape.
fn write_headline_tag(buf: &mut Vec<u8>, f: &Finding) {
    buf.push(b'[');
    buf.extend_from_slice(f.category.as_str().as_bytes());
    buf.push(b'/');
    buf.extend_from_slice(f.verdict.as_str().as_bytes());
    buf.extend_from_slice(b"] ");
}

/// The rest of [`headline`]: the message on one line, borrowed unless it
/// has a line break to collapse (what `lint::one_line` returns for it).
fn headline_message(f: &Finding) -> Cow<'_, str> {
    // Bytes, not chars: `memchr` rather than decoding every character.
    let bytes = f.message.as_bytes();
    if bytes.contains(&b'\n') || bytes.contains(&b'\r') {
        Cow::Owned(lint_mod::one_line(&f.message))
    } else {
        Cow::Borrowed(f.message.trim())
    }
}

/// `n` in decimal, as `{n}` formats it, without `fmt`'s machinery: two
/// digits at a time from a table, written in place into room made by a
/// copy of fixed length (which is cheaper than one of variable length, and
/// than building the digits aside and reading them back).
fn decimal(buf: &mut Vec<u8>, mut n: usize) {
    const PAIRS: &[u8; 200] = b"\
        0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let len = n.checked_ilog10().map_or(1, |d| d as usize + 1);
    let start = buf.len();
    buf.extend_from_slice(&[b'0'; 20]);
    buf.truncate(start + len);
    let digits = &mut buf[start..];
    let mut i = len;
    while n >= 100 {
        let pair = n % 100 * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        digits[..2].copy_from_slice(&PAIRS[n * 2..n * 2 + 2]);
    } else {
        digits[0] = b'0' + n as u8;
    }
}

/// The documentation URL of a rule: only built-in rules have a stable page,
/// user rules from elsewhere get none rather than a dead link.
pub fn rule_url(rule: &Rule) -> Option<String> {
    BUILTIN_RULES
        .iter()
        .any(|(origin, _)| *origin == rule.origin)
        .then(|| format!("{RULE_URL_BASE}{}", rule.origin))
}

/// The documentation URL of the rule with `code`, if it has one.
pub fn code_url(rules: &RuleSet, code: &str) -> Option<String> {
    rules
        .rules
        .iter()
        .find(|r| r.code() == code)
        .and_then(rule_url)
}

/// FNV-1a, 64 bits: fingerprints must be identical across Rust versions and
/// platforms, which `DefaultHasher` does not promise.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint of a claim: its rule and its normalised text, so it
/// survives edits elsewhere in the file. `ordinal` (1-based) tells apart
/// the same claim repeated in one file, like GitHub's own
/// `primaryLocationLineHash` does.
pub fn fingerprint(code: &str, normalized: &str, ordinal: usize) -> String {
    let mut key = Vec::with_capacity(code.len() + normalized.len() + 1);
    key.extend_from_slice(code.as_bytes());
    // A separator no claim text contains keeps `A`+`BC` apart from `AB`+`C`.
    key.push(0);
    key.extend_from_slice(normalized.as_bytes());
    format!("{:016x}:{ordinal}", fnv1a64(&key))
}

/// Diagnostics grouped by file, in the order of `files` (every linted file,
/// clean ones with no diagnostics); a diagnostic's path missing from
/// `files` still gets a group, after the others, so nothing is lost.
pub fn by_file<'a>(
    diagnostics: &'a [Diagnostic],
    files: &'a [String],
) -> Vec<(&'a str, Vec<&'a Diagnostic>)> {
    let mut groups: Vec<(&str, Vec<&Diagnostic>)> =
        files.iter().map(|f| (f.as_str(), Vec::new())).collect();
    let mut index: std::collections::HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (*p, i))
        .collect();
    for d in diagnostics {
        let i = *index.entry(&d.path).or_insert_with(|| {
            groups.push((&d.path, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(d);
    }
    groups
}

/// Diagnostics for the line formats' tests: two corpus pages, with messages
/// that have line breaks, blanks around them or characters to escape, a
/// path to escape, and a code no rule has.
#[cfg(test)]
fn samples() -> Vec<Diagnostic> {
    use crate::source::Format;
    let linter = crate::lint::Linter::builtin();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut all = Vec::new();
    for (file, format) in [
        ("markdown/001-aga-exosome-clinic.md", Format::Markdown),
        ("html/007-skin-exosome-facial.html", Format::Html),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        let findings = crate::lint::check_str(&text, format, &linter).findings;
        all.extend(diagnostics(file, &text, |o| o, &findings));
    }
    let messages = [
        "a\nb",
        " \u{3000}x\r\n y ",
        "100%, a:b \"q\" \\ \t\u{1}",
        " \u{3000}padded ",
        "",
    ];
    for (d, m) in all.iter_mut().zip(messages) {
        d.finding.message = m.into();
        d.path = "q\"%,:\\.md".into();
    }
    if let Some(d) = all.last_mut() {
        d.finding.code = "EXL000".into();
    }
    assert!(all.len() > 10 && all.iter().any(|d| d.citations().len() > 0));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message is collapsed as `lint::one_line` collapses it, whether
    /// or not it has a line break.
    #[test]
    fn headlines_collapse_messages_onto_one_line() {
        for d in samples() {
            let f = &d.finding;
            let one_line = lint_mod::one_line(&f.message);
            let expected = format!("[{}/{}] {one_line}", f.category, f.verdict.as_str());
            assert_eq!(headline(&d), expected);
        }
    }

    #[test]
    fn decimals_match_fmt() {
        let mut n = 1usize;
        let mut numbers = vec![0, usize::MAX];
        while let Some(m) = n.checked_mul(10) {
            numbers.extend([n - 1, n, n + 1]);
            n = m;
        }
        for n in numbers {
            let mut buf = b"x".to_vec();
            decimal(&mut buf, n);
            assert_eq!(buf, format!("x{n}").into_bytes());
        }
    }

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fingerprints_depend_on_code_text_and_ordinal() {
        let a = fingerprint("EXL106", "必ず", 1);
        assert_eq!(a, fingerprint("EXL106", "必ず", 1));
        assert_ne!(a, fingerprint("EXL101", "必ず", 1));
        assert_ne!(a, fingerprint("EXL106", "絶対", 1));
        assert!(fingerprint("EXL106", "必ず", 2).ends_with(":2"));
    }
}
