//! `--format json`: one object `{"version": 1, "diagnostics": [...], "summary": {...}}`.

use crate::report::{Diagnostic, Summary};
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
            .citations
            .iter()
            .map(|c| Citation {
                text: &c.text,
                span: Span {
                    start: c.span.start,
                    end: c.span.end,
                },
                start: c.start,
                end: c.end,
                id: c.id.as_deref(),
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
/// indentation, strings escaped by serde_json.
#[derive(Debug, Default)]
pub struct Stream {
    written: usize,
}

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
        // Written in blocks of about 64 KB: one system call each through a
        // line-buffered stdout, and little memory for a file with 300,000
        // findings.
        let mut buf = Vec::with_capacity(80 << 10);
        for d in diagnostics {
            buf.extend_from_slice(if self.written == 0 { b"\n" } else { b",\n" });
            write_diagnostic(&mut buf, d);
            self.written += 1;
            if buf.len() >= 64 << 10 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)
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

fn string(buf: &mut Vec<u8>, s: &str) {
    // serde_json's escaping, so the bytes match `render`.
    let _ = serde_json::to_writer(&mut *buf, s);
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

fn number(buf: &mut Vec<u8>, n: usize) {
    use std::io::Write as _;
    let _ = write!(buf, "{n}");
}

fn indent(buf: &mut Vec<u8>, depth: usize) {
    buf.push(b'\n');
    buf.resize(buf.len() + 2 * depth, b' ');
}

/// `"key": ` at `depth`, after a comma unless it is the first key.
fn key(buf: &mut Vec<u8>, depth: usize, first: bool, k: &str) {
    if !first {
        buf.push(b',');
    }
    indent(buf, depth);
    buf.push(b'"');
    buf.extend_from_slice(k.as_bytes());
    buf.extend_from_slice(b"\": ");
}

fn position(buf: &mut Vec<u8>, depth: usize, p: &Position) {
    buf.push(b'{');
    key(buf, depth + 1, true, "column");
    number(buf, p.column);
    key(buf, depth + 1, false, "line");
    number(buf, p.line);
    indent(buf, depth);
    buf.push(b'}');
}

fn span(buf: &mut Vec<u8>, depth: usize, start: usize, end: usize) {
    buf.push(b'{');
    key(buf, depth + 1, true, "end");
    number(buf, end);
    key(buf, depth + 1, false, "start");
    number(buf, start);
    indent(buf, depth);
    buf.push(b'}');
}

/// One element of `diagnostics`, starting at its indentation.
fn write_diagnostic(buf: &mut Vec<u8>, d: &Diagnostic) {
    let f = &d.finding;
    let depth = 3;
    buf.extend_from_slice(b"    {");
    key(buf, depth, true, "category");
    string(buf, f.category.as_str());
    key(buf, depth, false, "citations");
    if d.citations.is_empty() {
        buf.extend_from_slice(b"[]");
    } else {
        buf.push(b'[');
        for (i, c) in d.citations.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            indent(buf, depth + 1);
            buf.push(b'{');
            key(buf, depth + 2, true, "end");
            position(buf, depth + 2, &c.end);
            key(buf, depth + 2, false, "id");
            opt_string(buf, c.id.as_deref());
            key(buf, depth + 2, false, "span");
            span(buf, depth + 2, c.span.start, c.span.end);
            key(buf, depth + 2, false, "start");
            position(buf, depth + 2, &c.start);
            key(buf, depth + 2, false, "text");
            string(buf, &c.text);
            indent(buf, depth + 1);
            buf.push(b'}');
        }
        indent(buf, depth);
        buf.push(b']');
    }
    key(buf, depth, false, "code");
    string(buf, &f.code);
    key(buf, depth, false, "end");
    position(buf, depth, &d.end);
    key(buf, depth, false, "evidence");
    if f.evidence.is_empty() {
        buf.extend_from_slice(b"[]");
    } else {
        buf.push(b'[');
        for (i, e) in f.evidence.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            indent(buf, depth + 1);
            string(buf, e);
        }
        indent(buf, depth);
        buf.push(b']');
    }
    key(buf, depth, false, "message");
    string(buf, &f.message);
    key(buf, depth, false, "modality");
    string(buf, f.modality.as_str());
    key(buf, depth, false, "name");
    string(buf, &f.name);
    key(buf, depth, false, "path");
    string(buf, &d.path);
    key(buf, depth, false, "scope");
    opt_string(buf, f.scope.as_deref());
    key(buf, depth, false, "severity");
    string(buf, f.severity.as_str());
    key(buf, depth, false, "span");
    span(buf, depth, d.span.start, d.span.end);
    key(buf, depth, false, "start");
    position(buf, depth, &d.start);
    key(buf, depth, false, "text");
    string(buf, &d.text);
    key(buf, depth, false, "verdict");
    string(buf, f.verdict.as_str());
    indent(buf, depth - 1);
    buf.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{self, Linter};
    use crate::report;
    use crate::source::Format;

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
        assert!(all.iter().any(|d| !d.citations.is_empty()));
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
