//! One document through the pipeline: markup → sentences → claims →
//! (citations, evidence) → findings with source spans.

use crate::claims::{self, Claim, Modality};
use crate::markup;
use crate::prose::Prose;
use crate::rules::{Category, RuleSet, Severity};
use crate::segment::{self, Sentence};
use crate::source::Format;
use serde::Serialize;
use std::ops::Range;

/// What the evidence says about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Supported,
    Unsupported,
    Overstated,
    Contradicted,
    Miscited,
    UnresolvedCitation,
    Prohibited,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Unsupported => "unsupported",
            Verdict::Overstated => "overstated",
            Verdict::Contradicted => "contradicted",
            Verdict::Miscited => "miscited",
            Verdict::UnresolvedCitation => "unresolved-citation",
            Verdict::Prohibited => "prohibited",
        }
    }
}

/// A citation attached to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitationRef {
    /// The citation as written.
    pub text: String,
    /// Byte range in the source.
    #[serde(skip)]
    pub span: Range<usize>,
    /// The registry entry it resolved to, if any.
    pub id: Option<String>,
}

/// A reportable problem at a span of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Code and name of the rule that reports it.
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub category: Category,
    pub verdict: Verdict,
    pub modality: Modality,
    pub scope: Option<String>,
    pub message: String,
    /// Byte range of the claim in the source.
    pub span: Range<usize>,
    /// Byte range of the whole sentence in the source.
    pub sentence: Range<usize>,
    pub citations: Vec<CitationRef>,
    /// Registry entries consulted.
    pub evidence: Vec<String>,
    /// Extra lines for the human format (design, model, limitation).
    pub notes: Vec<String>,
}

/// Everything the pipeline produced for one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub prose: Prose,
    pub sentences: Vec<Sentence>,
    pub claims: Vec<Claim>,
    pub findings: Vec<Finding>,
}

/// Lints `text` written in `format` with `rules`.
pub fn check_str(text: &str, format: Format, rules: &RuleSet) -> Analysis {
    let prose = markup::extract(text, format);
    let sentences = segment::split(&prose);
    let claims = claims::detect(&prose, &sentences, rules, false);
    let findings = claims
        .iter()
        .map(|c| finding_for(c, &prose, &sentences, rules, text))
        .collect();
    Analysis {
        prose,
        sentences,
        claims,
        findings,
    }
}

fn finding_for(
    c: &Claim,
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    text: &str,
) -> Finding {
    let rule = &rules.rules[c.rule];
    let span = prose.source_range(c.range.clone());
    let matched = text.get(span.clone()).unwrap_or_default();
    let mut severity = rule.file.severity;
    if c.hedged {
        severity = severity.lowered();
    }
    Finding {
        code: rule.code().to_string(),
        name: rule.name().to_string(),
        severity,
        category: c.category,
        verdict: Verdict::Unsupported,
        modality: c.modality,
        scope: c.scope.clone(),
        message: rule.file.message.replace("{match}", &one_line(matched)),
        span,
        sentence: prose.source_range(sentences[c.sentence].range.clone()),
        citations: Vec::new(),
        evidence: Vec::new(),
        notes: Vec::new(),
    }
}

/// Collapses line breaks so a message stays on one line.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).collect()
}
