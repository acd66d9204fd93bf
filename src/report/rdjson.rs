//! `--format rdjsonl` and `--format rdjson`: the Reviewdog Diagnostic Format
//! (`reviewdog/proto/rdf/reviewdog.proto`). Columns count UTF-8 bytes and
//! ranges end exclusively, as the proto specifies. Only fields the proto
//! defines are written: reviewdog's protojson decoder rejects unknown ones.

use crate::report::json::{contents as json_contents, string as json_string};
use crate::report::{
    code_url, decimal, headline, headline_message, rule_url, write_headline_tag, Diagnostic,
    HOME_URL,
};
use crate::rules::{RuleSet, Severity};
use crate::source::Position;
use serde_json::{json, Value};
use std::collections::HashMap;

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

/// rdjsonl, written file by file: one diagnostic per line, byte for byte
/// [`diagnostic`] as compact JSON (keys sorted, as serde_json's map sorts
/// them), written directly with the rules' URLs looked up once per run.
pub struct Lines<'a> {
    urls: HashMap<&'a str, Option<String>>,
}

impl<'a> Lines<'a> {
    pub fn new(rules: &'a RuleSet) -> Lines<'a> {
        let mut urls = HashMap::new();
        // The first rule with a code gives its URL, as in `code_url`.
        for rule in &rules.rules {
            urls.entry(rule.code()).or_insert_with(|| rule_url(rule));
        }
        Lines { urls }
    }

    /// Appends the lines of `diagnostics` to `buf`.
    pub fn write(&self, buf: &mut Vec<u8>, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            let f = &d.finding;
            let code: &str = &f.code;
            buf.extend_from_slice(br#"{"code":{"#);
            if let Some(url) = self.urls.get(code).and_then(Option::as_deref) {
                buf.extend_from_slice(br#""url":"#);
                json_string(buf, url);
                buf.push(b',');
            }
            buf.extend_from_slice(br#""value":"#);
            json_string(buf, code);
            buf.extend_from_slice(br#"},"location":{"path":"#);
            json_string(buf, &d.path);
            buf.extend_from_slice(br#","range":{"end":"#);
            position_line(buf, d.end_byte);
            buf.extend_from_slice(br#","start":"#);
            position_line(buf, d.start_byte);
            buf.extend_from_slice(br#"}},"message":""#);
            write_headline_tag(buf, f);
            json_contents(buf, &headline_message(f));
            buf.extend_from_slice(br#"","severity":"#);
            json_string(buf, severity(f.severity));
            buf.extend_from_slice(br#","source":{"name":"exolint","url":"#);
            json_string(buf, HOME_URL);
            buf.extend_from_slice(b"}}\n");
        }
    }
}

/// [`position`] as compact JSON.
fn position_line(buf: &mut Vec<u8>, p: Position) {
    buf.extend_from_slice(br#"{"column":"#);
    decimal(buf, p.column);
    buf.extend_from_slice(br#","line":"#);
    decimal(buf, p.line);
    buf.push(b'}');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Linter;

    #[test]
    fn lines_are_serde_jsons_compact_diagnostics() {
        let rules = &Linter::builtin().rules;
        let diagnostics = crate::report::samples();
        let mut lines = Vec::new();
        Lines::new(rules).write(&mut lines, &diagnostics);
        let expected: String = diagnostics
            .iter()
            .map(|d| format!("{}\n", diagnostic(d, rules)))
            .collect();
        assert_eq!(String::from_utf8(lines).unwrap(), expected);
    }
}
