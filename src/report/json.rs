//! `--format json`: one object `{"version": 1, "diagnostics": [...], "summary": {...}}`.

use crate::report::Located;
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
    start: crate::source::Position,
    end: crate::source::Position,
    text: &'a str,
    citations: Vec<Citation<'a>>,
    evidence: &'a [String],
}

/// Serialises one located finding as a JSON value.
pub fn diagnostic(path: &str, base: usize, l: &Located<'_>) -> serde_json::Value {
    let f = l.finding;
    let d = JsonDiagnostic {
        path,
        code: &f.code,
        name: &f.name,
        severity: f.severity.as_str(),
        category: f.category.as_str(),
        verdict: f.verdict.as_str(),
        modality: f.modality.as_str(),
        scope: f.scope.as_deref(),
        message: &f.message,
        span: Span {
            start: l.start_offset,
            end: l.end_offset,
        },
        start: l.start,
        end: l.end,
        text: l.text,
        citations: f
            .citations
            .iter()
            .map(|c| Citation {
                text: &c.text,
                span: Span {
                    start: base + c.span.start,
                    end: base + c.span.end,
                },
                id: c.id.as_deref(),
            })
            .collect(),
        evidence: &f.evidence,
    };
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}
