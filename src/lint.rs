//! One document through the pipeline: markup → sentences → claims →
//! (citations, evidence) → findings with source spans.

use crate::citations::{self, Citation, TitleIndex};
use crate::claims::{self, Claim, Modality};
use crate::evidence::{self, ClaimContext, Topics};
use crate::markup;
use crate::prose::{Paragraphs, Prose};
use crate::registry::Registry;
use crate::rules::{Category, RuleSet, Severity};
use crate::segment::{self, Sentence};
use crate::source::Format;
use serde::Serialize;
use std::collections::HashMap;
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
    /// Set when the finding is about an `exolint-…` comment rather than a
    /// claim (`EXL930`–`EXL932`, see [`crate::suppress`]): the comment's body
    /// after `exolint-`. Such a finding has no claim, so `category` (that of
    /// the rule the comment names, else `evidence`), `verdict`
    /// (`unsupported`) and `modality` (`asserted`) are placeholders that a
    /// format should not present as a claim's.
    pub directive: Option<String>,
}

/// The compiled rules and evidence a lint run uses.
pub struct Linter {
    pub rules: RuleSet,
    pub registry: Registry,
    titles: TitleIndex,
    /// The claim rules compiled for one pass per document.
    claims: claims::Matcher,
}

impl Linter {
    pub fn new(rules: RuleSet, registry: Registry) -> Linter {
        let titles = TitleIndex::new(&registry);
        let claims = claims::Matcher::new(&rules);
        Linter {
            rules,
            registry,
            titles,
            claims,
        }
    }

    /// The embedded rules and registry.
    pub fn builtin() -> Linter {
        Linter::new(RuleSet::builtin(), Registry::builtin())
    }
}

/// Everything the pipeline produced for one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub prose: Prose,
    pub sentences: Vec<Sentence>,
    pub claims: Vec<Claim>,
    pub citations: Vec<Citation>,
    pub findings: Vec<Finding>,
}

/// Lints `text` written in `format`.
pub fn check_str(text: &str, format: Format, linter: &Linter) -> Analysis {
    let prose = markup::extract(text, format);
    let sentences = segment::split(&prose);
    let claims = claims::detect_with(&linter.claims, &prose, &sentences, &linter.rules, false);
    let citations = if claims.is_empty() {
        Vec::new()
    } else {
        citations::extract(&prose, &linter.registry, &linter.titles)
    };
    let doc_topics = if claims.is_empty() {
        Topics::default()
    } else {
        Topics::dominant(&linter.registry, &prose.text)
    };
    // Topics of each paragraph group, computed once: a long paragraph (a
    // 20 MB single line) with many claims must not be re-tagged per claim.
    let mut paragraph_topics = HashMap::new();
    let mut sentence_topics = None;
    let paragraphs = prose.paragraphs();
    let findings = claims
        .iter()
        .map(|c| {
            let doc = Context {
                prose: &prose,
                paragraphs: &paragraphs,
                sentences: &sentences,
                citations: &citations,
                doc_topics: &doc_topics,
            };
            finding_for(
                c,
                &doc,
                &mut paragraph_topics,
                &mut sentence_topics,
                linter,
                text,
            )
        })
        .collect();
    Analysis {
        prose,
        sentences,
        claims,
        citations,
        findings,
    }
}

/// What `finding_for` reads of the whole document.
struct Context<'a> {
    prose: &'a Prose,
    paragraphs: &'a Paragraphs,
    sentences: &'a [Sentence],
    citations: &'a [Citation],
    doc_topics: &'a Topics,
}

fn finding_for(
    c: &Claim,
    doc: &Context<'_>,
    paragraph_topics: &mut HashMap<usize, Topics>,
    sentence_topics: &mut Option<(usize, Topics)>,
    linter: &Linter,
    text: &str,
) -> Finding {
    let Context {
        prose,
        paragraphs,
        sentences,
        citations,
        doc_topics,
    } = *doc;
    let rule = &linter.rules.rules[c.rule];
    let span = prose.source_range(c.range.clone());
    let matched = one_line(text.get(span.clone()).unwrap_or_default());
    let sentence = &sentences[c.sentence];
    let sentence_text = &prose.text[sentence.range.clone()];
    let block = &prose.blocks[sentence.block];
    let paragraph = paragraph_topics.entry(block.group).or_insert_with(|| {
        let paragraph: String = paragraphs
            .blocks(block.group)
            .iter()
            .map(|&b| &prose.text[prose.blocks[b].range.clone()])
            .collect();
        Topics::of(&linter.registry, &paragraph)
    });
    // What the claim is about: its own words first (発毛作用 in a sentence that
    // also names the atopic-dermatitis study it misquotes), then its sentence.
    // Only these can disagree with a cited source; the paragraph and the page
    // fill in what the claim leaves unsaid, for uncited claims and notices.
    // Claims of one sentence come together: its topics are tagged once.
    if sentence_topics
        .as_ref()
        .is_none_or(|(i, _)| *i != c.sentence)
    {
        *sentence_topics = Some((c.sentence, Topics::of(&linter.registry, sentence_text)));
    }
    let of_sentence = sentence_topics.as_ref().map(|(_, t)| t);
    let own = Topics::of(&linter.registry, &matched);
    let local = match of_sentence {
        Some(t) => own.or(t),
        None => own,
    };
    let topics = local.clone().or(paragraph).or(doc_topics);
    let cited = citations::for_sentence_in(prose, paragraphs, sentences, c.sentence, citations);
    let ctx = ClaimContext {
        claim: c,
        text: &matched,
        sentence: sentence_text,
        topics,
        local,
        citations: cited.clone(),
        severity: rule.file.severity,
    };
    let j = evidence::judge(&linter.registry, &ctx);
    let mut severity = j.severity;
    if c.hedged && severity != Severity::Info {
        severity = severity.lowered();
    }
    let message = match j.verdict {
        Verdict::Unsupported => format!(
            "{}（出典なし・レジストリにも裏付けなし）",
            rule.file.message.replace("{match}", &matched)
        ),
        _ => j.message,
    };
    Finding {
        code: rule.code().to_string(),
        name: rule.name().to_string(),
        severity,
        category: c.category,
        verdict: j.verdict,
        modality: c.modality,
        scope: c.scope.clone(),
        message,
        span,
        sentence: prose.source_range(sentence.range.clone()),
        citations: cited
            .iter()
            .map(|ci| CitationRef {
                text: ci.text.clone(),
                span: ci
                    .source
                    .clone()
                    .unwrap_or_else(|| prose.source_range(ci.range.clone())),
                id: ci.id.clone(),
            })
            .collect(),
        evidence: j.evidence,
        notes: j.notes,
        directive: None,
    }
}

/// Collapses line breaks so a message stays on one line.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).collect()
}
