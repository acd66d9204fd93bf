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
