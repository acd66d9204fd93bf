//! `--format json`: one object `{"version": 1, "diagnostics": [...], "summary": {...}}`.

use crate::report::{decimal, Diagnostic, Summary};
use crate::source::Position;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug, Serialize)]
struct Citation<'a> {
    text: &'a str,
    span: Span,
    start: Position,
    end: Position,
    id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    category: &'a str,
    verdict: &'a str,
    modality: &'a str,
    scope: Option<&'a str>,
    message: &'a str,
    span: Span,
    start: Position,
    end: Position,
    text: &'a str,
    citations: Vec<Citation<'a>>,
    evidence: &'a [String],
}

fn value(d: &Diagnostic) -> serde_json::Value {
    let f = &d.finding;
    let j = JsonDiagnostic {
        path: &d.path,
        code: &f.code,
        name: &f.name,
        severity: f.severity.as_str(),
        category: f.category.as_str(),
        verdict: f.verdict.as_str(),
        modality: f.modality.as_str(),
        scope: f.scope.as_deref(),
        message: &f.message,
        span: Span {
            start: d.span.start,
            end: d.span.end,
        },
        start: d.start,
        end: d.end,
        text: &d.text,
        citations: d
            .citations()
            .map(|c| Citation {
                text: c.text,
                span: Span {
                    start: c.span.start,
                    end: c.span.end,
                },
                start: c.start,
                end: c.end,
                id: c.id,
            })
            .collect(),
        evidence: &f.evidence,
    };
    serde_json::to_value(j).unwrap_or(serde_json::Value::Null)
}

/// The whole JSON document.
pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let doc = serde_json::json!({
        "version": 1,
        "diagnostics": diagnostics.iter().map(value).collect::<Vec<_>>(),
        "summary": summary,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The same document as [`render`], written file by file as results come in,
/// so no file's diagnostics are kept after they are written and no
/// `serde_json::Value` tree is built. The bytes are identical to
/// [`render`]'s: keys in sorted order (serde_json's default map), two-space
/// indentation, strings escaped as serde_json escapes them.
#[derive(Debug, Default)]
pub struct Stream {
    written: usize,
    /// Reused from file to file (see [`Stream::diagnostics`]).
    buf: Vec<u8>,
}

/// Blocks of about this size are written at once.
const BLOCK: usize = 64 << 10;

impl Stream {
    /// Opens the document.
    pub fn begin(out: &mut impl std::io::Write) -> std::io::Result<Stream> {
        out.write_all(b"{\n  \"diagnostics\": [")?;
        Ok(Stream::default())
    }

    /// Appends one file's diagnostics.
    pub fn diagnostics(
        &mut self,
        out: &mut impl std::io::Write,
        diagnostics: &[Diagnostic],
    ) -> std::io::Result<()> {
        // Written in blocks: one system call each through a line-buffered
        // stdout, and little memory for a file with 300,000 findings.
        let buf = &mut self.buf;
        buf.clear();
        buf.reserve(BLOCK + (BLOCK >> 2));
        for d in diagnostics {
            buf.extend_from_slice(if self.written == 0 { b"\n" } else { b",\n" });
            write_diagnostic(buf, d);
            self.written += 1;
            if buf.len() >= BLOCK {
                out.write_all(buf)?;
                buf.clear();
            }
        }
        out.write_all(buf)
    }

    /// Appends diagnostics rendered beforehand by [`Stream::render`], `count`
    /// of them, so that a worker thread can do the formatting.
    pub fn rendered(
        &mut self,
        out: &mut impl std::io::Write,
        rendered: &[u8],
        count: usize,
    ) -> std::io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        // Every item starts with ",\n"; the first of the array with "\n".
        let body = if self.written == 0 {
            rendered.strip_prefix(b",").unwrap_or(rendered)
        } else {
            rendered
        };
        self.written += count;
        out.write_all(body)
    }

    /// The items [`Stream::diagnostics`] would write for `diagnostics`, for
    /// [`Stream::rendered`].
    pub fn render(diagnostics: &[Diagnostic]) -> Vec<u8> {
        let mut buf = Vec::new();
        for d in diagnostics {
            buf.extend_from_slice(b",\n");
            write_diagnostic(&mut buf, d);
        }
        buf
    }

    /// Closes the array and writes the summary.
    pub fn finish(self, out: &mut impl std::io::Write, summary: &Summary) -> std::io::Result<()> {
        if self.written > 0 {
            out.write_all(b"\n  ")?;
        }
        out.write_all(b"],\n  \"summary\": ")?;
        // The summary is small: serde_json writes it, shifted one level in.
        let value = serde_json::to_value(summary).unwrap_or(serde_json::Value::Null);
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n  ")?;
            }
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b",\n  \"version\": 1\n}\n")
    }
}

/// Whether serde_json escapes byte `b` of a string: control characters,
/// `"` and `\`; everything else, DEL and non-ASCII included, is copied.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `w` is one [`escaped`] says is escaped (the
/// bit-twiddling tests for a zero byte and a byte below 0x20, which are
/// exact for whether any byte is one).
fn escaped_in_word(w: u64) -> bool {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 0x80;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) != 0
}

/// Whether `bytes` holds no byte to escape. Claims, messages and names
/// almost never do, so this decides for the whole string at once: blocks of
/// 16 bytes are checked lane by lane into one accumulator (which vectorises
/// to a few instructions a block), the last bytes as an overlapping block
/// or as one or two words.
fn clean(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n >= 16 {
        let mut seen = [0u8; 16];
        for block in bytes.chunks_exact(16).chain([&bytes[n - 16..]]) {
            for (seen, &b) in seen.iter_mut().zip(block) {
                *seen |= u8::from(escaped(b));
            }
        }
        seen.iter().fold(0, |any, &seen| any | seen) == 0
    } else if n >= 8 {
        let word = |b: &[u8]| {
            let mut w = [0; 8];
            w.copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        !escaped_in_word(word(&bytes[..8])) && !escaped_in_word(word(&bytes[n - 8..]))
    } else {
        !bytes.iter().any(|&b| escaped(b))
    }
}

/// A JSON string, escaped byte for byte as serde_json escapes it.
pub(super) fn string(buf: &mut Vec<u8>, s: &str) {
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    contents(buf, s);
    buf.push(b'"');
}

/// What goes between the quotes of [`string`].
pub(super) fn contents(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if clean(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped(b) {
            buf.extend_from_slice(&bytes[run..i]);
            escape(buf, b);
            run = i + 1;
        }
    }
    buf.extend_from_slice(&bytes[run..]);
}

/// The name of an enum value (a category, a verdict): a plain ASCII word,
/// which needs no escape.
fn word(buf: &mut Vec<u8>, s: &'static str) {
    debug_assert!(clean(s.as_bytes()), "{s}");
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// serde_json's escape of byte `b` (one [`escaped`] says it escapes).
fn escape(buf: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            buf.extend_from_slice(b"\\u00");
            buf.extend_from_slice(&hex);
            return;
        }
    };
    buf.extend_from_slice(&[b'\\', short]);
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

/// The fixed text of an object with two number members, `{"a": 1, "b": 2}`
/// pretty-printed at one depth: what comes before the first number, between
/// the two, and after the second.
type Pair = [&'static [u8]; 3];

/// `{"column", "line"}` and `{"end", "start"}` inside a diagnostic (keys at
/// depth 3) and inside one of its citations (depth 5).
const POSITION_3: Pair = [
    b"{\n        \"column\": ",
    b",\n        \"line\": ",
    b"\n      }",
];
const SPAN_3: Pair = [
    b"{\n        \"end\": ",
    b",\n        \"start\": ",
    b"\n      }",
];
const POSITION_5: Pair = [
    b"{\n            \"column\": ",
    b",\n            \"line\": ",
    b"\n          }",
];
const SPAN_5: Pair = [
    b"{\n            \"end\": ",
    b",\n            \"start\": ",
    b"\n          }",
];

// Inlined where the text is a constant, so that its copies have a known
// length and need no call to `memcpy`.
#[inline(always)]
fn pair(buf: &mut Vec<u8>, text: &Pair, a: usize, b: usize) {
    buf.extend_from_slice(text[0]);
    decimal(buf, a);
    buf.extend_from_slice(text[1]);
    decimal(buf, b);
    buf.extend_from_slice(text[2]);
}

/// One element of `diagnostics`, starting at its indentation: each run of
/// fixed text (punctuation, indentation, the next key) is one copy.
fn write_diagnostic(buf: &mut Vec<u8>, d: &Diagnostic) {
    let f = &d.finding;
    buf.extend_from_slice(b"    {\n      \"category\": ");
    word(buf, f.category.as_str());
    buf.extend_from_slice(b",\n      \"citations\": ");
    if d.citations().len() == 0 {
        buf.extend_from_slice(b"[]");
    } else {
        buf.push(b'[');
        for (i, c) in d.citations().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"\n        {\n          \"end\": ");
            pair(buf, &POSITION_5, c.end.column, c.end.line);
            buf.extend_from_slice(b",\n          \"id\": ");
            opt_string(buf, c.id);
            buf.extend_from_slice(b",\n          \"span\": ");
            pair(buf, &SPAN_5, c.span.end, c.span.start);
            buf.extend_from_slice(b",\n          \"start\": ");
            pair(buf, &POSITION_5, c.start.column, c.start.line);
            buf.extend_from_slice(b",\n          \"text\": ");
            string(buf, c.text);
            buf.extend_from_slice(b"\n        }");
        }
        buf.extend_from_slice(b"\n      ]");
    }
    buf.extend_from_slice(b",\n      \"code\": ");
    string(buf, &f.code);
    buf.extend_from_slice(b",\n      \"end\": ");
    pair(buf, &POSITION_3, d.end.column, d.end.line);
    buf.extend_from_slice(b",\n      \"evidence\": ");
    if f.evidence.is_empty() {
        buf.extend_from_slice(b"[]");
    } else {
        buf.push(b'[');
        for (i, e) in f.evidence.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"\n        ");
            string(buf, e);
        }
        buf.extend_from_slice(b"\n      ]");
    }
    buf.extend_from_slice(b",\n      \"message\": ");
    string(buf, &f.message);
    buf.extend_from_slice(b",\n      \"modality\": ");
    word(buf, f.modality.as_str());
    buf.extend_from_slice(b",\n      \"name\": ");
    string(buf, &f.name);
    buf.extend_from_slice(b",\n      \"path\": ");
    string(buf, &d.path);
    buf.extend_from_slice(b",\n      \"scope\": ");
    opt_string(buf, f.scope.as_deref());
    buf.extend_from_slice(b",\n      \"severity\": ");
    word(buf, f.severity.as_str());
    buf.extend_from_slice(b",\n      \"span\": ");
    pair(buf, &SPAN_3, d.span.end, d.span.start);
    buf.extend_from_slice(b",\n      \"start\": ");
    pair(buf, &POSITION_3, d.start.column, d.start.line);
    buf.extend_from_slice(b",\n      \"text\": ");
    string(buf, &d.text);
    buf.extend_from_slice(b",\n      \"verdict\": ");
    word(buf, f.verdict.as_str());
    buf.extend_from_slice(b"\n    }");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{self, Linter};
    use crate::report;
    use crate::source::Format;

    /// Strings are written as serde_json writes them: every ASCII byte at
    /// every place in a block and its tail, lengths around the block and
    /// word sizes, multi-byte characters.
    #[test]
    fn strings_match_serde_json() {
        let mut texts: Vec<String> = Vec::new();
        let lens = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40];
        for (len, base) in lens.into_iter().flat_map(|n| [(n, "a"), (n, "aあ")]) {
            let plain: String = base.chars().cycle().take(len).collect();
            texts.push(plain.clone());
            for b in 0..0x80u8 {
                for at in [0, len / 2, len] {
                    let mut t: Vec<char> = plain.chars().collect();
                    t.insert(at.min(t.len()), char::from(b));
                    texts.push(t.into_iter().collect());
                }
            }
        }
        for t in &texts {
            let mut buf = Vec::new();
            string(&mut buf, t);
            assert_eq!(buf, serde_json::to_vec(t).unwrap(), "{t:?}");
        }
    }

    fn streamed(files: &[Vec<Diagnostic>], summary: &Summary) -> String {
        let mut out = Vec::new();
        let mut s = Stream::begin(&mut out).unwrap();
        for f in files {
            s.diagnostics(&mut out, f).unwrap();
        }
        s.finish(&mut out, summary).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The streamed document is byte for byte the rendered one, for the
    /// corpus (citations, evidence, scopes, escapes) and for no findings.
    #[test]
    fn stream_matches_render() {
        let linter = Linter::builtin();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut files = Vec::new();
        for dir in ["markdown", "html", "text"] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = e.path();
                let Some(format) = Format::from_extension(&path) else {
                    continue;
                };
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let findings = lint::check_str(&text, format, &linter).findings;
                let name = format!("{}\"\\\t", path.display());
                files.push(report::diagnostics(&name, &text, |o| o, &findings));
            }
        }
        let mut summary = Summary {
            files: files.len(),
            diagnostics: files.iter().map(Vec::len).sum(),
            ..Summary::default()
        };
        summary.failed_files.push(report::FailedFile {
            path: "x.md".into(),
            message: "読めません".into(),
        });
        let all: Vec<Diagnostic> = files.iter().flatten().cloned().collect();
        assert!(all.iter().any(|d| d.citations().len() > 0));
        assert_eq!(streamed(&files, &summary), render(&all, &summary));
        // Files formatted by workers and by the printer, in any mix and
        // with empty files first, make the same document.
        for workers in [0b0101, 0b1010, 0b1111] {
            let mut out = Vec::new();
            let mut s = Stream::begin(&mut out).unwrap();
            s.rendered(&mut out, &Stream::render(&[]), 0).unwrap();
            for (i, f) in files.iter().enumerate() {
                if workers >> (i % 4) & 1 == 1 {
                    s.rendered(&mut out, &Stream::render(f), f.len()).unwrap();
                } else {
                    s.diagnostics(&mut out, f).unwrap();
                }
            }
            s.finish(&mut out, &summary).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), render(&all, &summary));
        }
        let empty = Summary::default();
        assert_eq!(streamed(&[Vec::new()], &empty), render(&[], &empty));
    }
}
