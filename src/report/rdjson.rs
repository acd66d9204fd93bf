//! `--format rdjsonl` and `--format rdjson`: the Reviewdog Diagnostic Format
//! (`reviewdog/proto/rdf/reviewdog.proto`). Columns count UTF-8 bytes and
//! ranges end exclusively, as the proto specifies. Only fields the proto
//! defines are written: reviewdog's protojson decoder rejects unknown ones.

use crate::report::{code_url, headline, Diagnostic, HOME_URL};
use crate::rules::{RuleSet, Severity};
use crate::source::Position;
use serde_json::{json, Value};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

fn position(p: Position) -> Value {
    json!({ "line": p.line, "column": p.column })
}

fn source() -> Value {
    json!({ "name": "exolint", "url": HOME_URL })
}

/// One rdf `Diagnostic`.
pub fn diagnostic(d: &Diagnostic, rules: &RuleSet) -> Value {
    let f = &d.finding;
    let mut code = json!({ "value": f.code });
    if let Some(url) = code_url(rules, &f.code) {
        code["url"] = Value::String(url);
    }
    json!({
        "message": headline(d),
        "location": {
            "path": &*d.path,
            "range": { "start": position(d.start_byte), "end": position(d.end_byte) },
        },
        "severity": severity(f.severity),
        "source": source(),
        "code": code,
    })
}

/// rdjsonl: one diagnostic per line.
pub fn render_lines(diagnostics: &[Diagnostic], rules: &RuleSet) -> String {
    let mut s = String::new();
    for d in diagnostics {
        s.push_str(&diagnostic(d, rules).to_string());
        s.push('\n');
    }
    s
}

/// rdjson: one `DiagnosticResult`; its severity is the highest found.
pub fn render(diagnostics: &[Diagnostic], rules: &RuleSet) -> String {
    let mut doc = json!({
        "source": source(),
        "diagnostics": diagnostics.iter().map(|d| diagnostic(d, rules)).collect::<Vec<_>>(),
    });
    if let Some(max) = diagnostics.iter().map(|d| d.finding.severity).max() {
        doc["severity"] = Value::String(severity(max).to_string());
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
