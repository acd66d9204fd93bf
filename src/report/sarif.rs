//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
//! viewers. One run; every rule (claim and verdict rules) in
//! `tool.driver.rules`; `ruleId` is the rule code, which never changes; URIs
//! are relative to `%SRCROOT%`, the working directory, which CI runs from
//! the repository root; columns count Unicode code points
//! (`run.columnKind`), the SARIF default; the citation of a claim is a
//! related location; `partialFingerprints` hash the rule and the normalised
//! claim text so an alert follows its claim when lines move.

use crate::report::{
    file_uri, fingerprint, headline, percent_encode, relative_path, rule_url, Diagnostic,
    DiagnosticCitation, ResolvedPath, Statistics, Summary, HOME_URL,
};
use crate::rules::{Rule, RuleKind, RuleSet, Severity};
use crate::source::Position;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::Path;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";
/// The key of our fingerprint in `partialFingerprints`; bump the version if
/// the hashed material ever changes, so old alerts are not matched wrongly.
pub const FINGERPRINT_KEY: &str = "exolint/v1";
const SRCROOT: &str = "%SRCROOT%";

/// What the document needs besides the diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub rules: &'a RuleSet,
    /// The directory URIs are relative to (the working directory).
    pub root: Option<&'a Path>,
    pub summary: &'a Summary,
    /// Whether every input could be read.
    pub had_error: bool,
    pub statistics: Option<&'a Statistics>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(r: &Rule) -> Value {
    let f = &r.file;
    let doc = &f.doc;
    let (what, why, example, instead) = (
        doc.what.trim(),
        doc.why.trim(),
        doc.example.trim(),
        doc.instead.trim(),
    );
    let mut text = format!("{what}\n\nなぜ問題か: {why}\n\n例: {example}\n\n代わりに: {instead}");
    let mut markdown =
        format!("{what}\n\n**なぜ問題か**: {why}\n\n**例**: {example}\n\n**代わりに**: {instead}");
    if !doc.references.is_empty() {
        text.push_str("\n\n参考:");
        markdown.push_str("\n\n**参考**\n");
        for reference in &doc.references {
            text.push_str(&format!("\n- {reference}"));
            markdown.push_str(&format!("\n- {reference}"));
        }
    }
    let mut tags = vec!["exolint".to_string()];
    let kind = match f.kind {
        RuleKind::Claim => "claim",
        RuleKind::Verdict => "verdict",
    };
    tags.push(kind.to_string());
    let mut properties = Map::new();
    properties.insert("kind".into(), kind.into());
    if let Some(c) = f.category {
        tags.push(c.as_str().to_string());
        properties.insert("category".into(), c.as_str().into());
    }
    if let Some(v) = &f.verdict {
        properties.insert("verdict".into(), v.as_str().into());
    }
    properties.insert("tags".into(), tags.into());
    let mut v = json!({
        "id": f.code,
        "name": f.name,
        "shortDescription": { "text": f.summary.trim() },
        "fullDescription": { "text": what },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": properties,
    });
    if let Some(url) = rule_url(r) {
        v["helpUri"] = url.into();
    }
    v
}

fn artifact(path: &str, root: Option<&Path>) -> Value {
    match relative_path(path, root) {
        ResolvedPath::Relative(rel) => {
            json!({ "uri": percent_encode(&rel, false), "uriBaseId": SRCROOT })
        }
        ResolvedPath::Absolute(abs) => json!({ "uri": file_uri(&abs) }),
    }
}

fn region(start: Position, end: Position, snippet: &str) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "snippet": { "text": snippet },
    })
}

fn citation(id: usize, d: &Diagnostic, c: &DiagnosticCitation<'_>, root: Option<&Path>) -> Value {
    let message = match c.id {
        Some(entry) => format!("引用「{}」（レジストリ: {entry}）", c.text),
        None => format!("引用「{}」（レジストリに未登録）", c.text),
    };
    json!({
        "id": id,
        "message": { "text": message },
        "physicalLocation": {
            "artifactLocation": artifact(&d.path, root),
            "region": region(c.start, c.end, c.text),
        },
    })
}

fn result(
    d: &Diagnostic,
    normalized: &str,
    rule_index: Option<usize>,
    ordinal: usize,
    root: Option<&Path>,
) -> Value {
    let f = &d.finding;
    let mut v = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": headline(d) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(&d.path, root),
                "region": region(d.start, d.end, &d.text),
            },
        }],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(&f.code, normalized, ordinal),
        },
        "properties": {
            "name": f.name,
            "category": f.category.as_str(),
            "verdict": f.verdict.as_str(),
            "modality": f.modality.as_str(),
            "scope": f.scope,
            "evidence": f.evidence,
        },
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = i.into();
    }
    if d.citations().len() > 0 {
        v["relatedLocations"] = d
            .citations()
            .enumerate()
            .map(|(i, c)| citation(i + 1, d, &c, root))
            .collect();
    }
    v
}

/// Whether the run could read every input, and which it could not.
fn invocation(o: &Options<'_>) -> Value {
    let mut v = json!({ "executionSuccessful": !o.had_error });
    if !o.summary.failed_files.is_empty() {
        v["toolExecutionNotifications"] = o
            .summary
            .failed_files
            .iter()
            .map(|e| {
                json!({
                    "level": "error",
                    "message": { "text": format!("{}: {}", e.path, e.message) },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": artifact(&e.path, o.root) },
                    }],
                })
            })
            .collect();
    }
    v
}

/// The SARIF log as a JSON value.
pub fn document(diagnostics: &[Diagnostic], o: &Options<'_>) -> Value {
    let index: HashMap<&str, usize> = o
        .rules
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code(), i))
        .collect();
    // Repeats of one claim in one file are numbered in file order.
    let normalized: Vec<String> = diagnostics.iter().map(Diagnostic::normalized).collect();
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let results: Vec<Value> = diagnostics
        .iter()
        .zip(&normalized)
        .map(|(d, normalized)| {
            let n = seen
                .entry((&d.path, &d.finding.code, normalized))
                .or_default();
            *n += 1;
            let rule_index = index.get(d.finding.code.as_str()).copied();
            result(d, normalized, rule_index, *n, o.root)
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "exolint",
                "version": version,
                "semanticVersion": version,
                "informationUri": HOME_URL,
                "rules": o.rules.rules.iter().map(rule).collect::<Vec<_>>(),
            },
        },
        "invocations": [invocation(o)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = o.root {
        let mut uri = file_uri(&root.to_string_lossy().replace('\\', "/"));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": uri } });
    }
    if let Some(s) = o.statistics {
        run["properties"] = json!({ "statistics": s });
    }
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [run],
    })
}

pub fn render(diagnostics: &[Diagnostic], o: &Options<'_>) -> String {
    let mut s = serde_json::to_string_pretty(&document(diagnostics, o)).unwrap_or_default();
    s.push('\n');
    s
}
