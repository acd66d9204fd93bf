//! Sentences × claim rules → claims, each with its modality.
//!
//! Every rule's pattern runs once over the whole prose (not once per
//! sentence); matches are then assigned to sentences by offset. Negated
//! sentences, questions and wording masked as names of laws or notices are
//! dropped here; hedges are recorded so the report can lower severity by at
//! most one step.

use crate::prose::Prose;
use crate::rules::{Category, Lexicon, RuleSet};
use crate::segment::Sentence;
use serde::Serialize;
use std::ops::Range;

/// How a claim is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Asserted,
    Hedged,
    Reported,
    Conditional,
    Quoted,
    Negated,
    Question,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Hedged => "hedged",
            Modality::Reported => "reported",
            Modality::Conditional => "conditional",
            Modality::Quoted => "quoted",
            Modality::Negated => "negated",
            Modality::Question => "question",
        }
    }

    /// Japanese label used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Asserted => "断定",
            Modality::Hedged => "推量",
            Modality::Reported => "伝聞・報告",
            Modality::Conditional => "条件付き",
            Modality::Quoted => "引用",
            Modality::Negated => "否定",
            Modality::Question => "疑問",
        }
    }

    /// Negated sentences and questions make no claim.
    pub fn is_claim(self) -> bool {
        !matches!(self, Modality::Negated | Modality::Question)
    }
}

/// A claim found in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Index into `RuleSet::rules`.
    pub rule: usize,
    pub category: Category,
    /// The matched wording, in prose.
    pub range: Range<usize>,
    /// Index into the sentence list.
    pub sentence: usize,
    pub modality: Modality,
    /// A hedge marker (期待できる, 可能性…) softens the wording.
    pub hedged: bool,
    /// The model the sentence limits itself to (`animal`, `in-vitro`).
    pub scope: Option<String>,
}

/// Finds the claims in `sentences`. With `keep_non_claims`, negated and
/// question matches are returned too (for `exolint debug`).
pub fn detect(
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    keep_non_claims: bool,
) -> Vec<Claim> {
    let text = prose.text.as_str();
    let mut candidates: Vec<Claim> = Vec::new();
    let mut masks: Option<Vec<Range<usize>>> = None;
    for (ri, rule) in rules.rules.iter().enumerate() {
        let (Some(re), Some(category)) = (&rule.pattern, rule.file.category) else {
            continue;
        };
        let mut at = 0;
        while at < text.len() {
            let Some(m) = re.find_at(text, at) else {
                break;
            };
            // Restart one character after the match start, not after its end,
            // so that a shorter claim inside a longer one is still seen.
            at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            if m.is_empty() {
                continue;
            }
            let Some(si) = sentence_of(sentences, m.start()) else {
                continue;
            };
            let sentence = &sentences[si];
            if m.end() > sentence.range.end {
                continue;
            }
            if candidates
                .iter()
                .rev()
                .take_while(|c| c.rule == ri)
                .any(|c| c.sentence == si && c.range.start <= m.start() && m.end() <= c.range.end)
            {
                continue;
            }
            let s_text = &text[sentence.range.clone()];
            let rel = m.start() - sentence.range.start..m.end() - sentence.range.start;
            if let Some(ex) = &rule.exceptions {
                if overlaps_any(ex, s_text, &rel) {
                    continue;
                }
            }
            let masks = masks.get_or_insert_with(|| {
                rules
                    .lexicon
                    .not_claims
                    .find_iter(text)
                    .map(|m| m.range())
                    .collect()
            });
            if masks
                .iter()
                .any(|k| k.start <= m.start() && m.end() <= k.end)
            {
                continue;
            }
            let quoted_block =
                prose.blocks[sentence.block].quote || prose.in_inline_quote(m.start());
            let (modality, hedged) = classify(&rules.lexicon, s_text, rel.clone(), quoted_block);
            if !modality.is_claim() && !keep_non_claims {
                continue;
            }
            candidates.push(Claim {
                rule: ri,
                category,
                range: m.range(),
                sentence: si,
                modality,
                hedged,
                scope: scope_of(&rules.lexicon, s_text),
            });
        }
    }
    if keep_non_claims {
        candidates.sort_by_key(|c| (c.range.start, c.rule));
        return candidates;
    }
    add_quoted_testimonials(prose, sentences, rules, &mut candidates);
    // One claim per sentence and category: the most assertive wording wins,
    // then the earliest.
    candidates.sort_by_key(|c| (c.sentence, c.category, c.hedged, c.range.start));
    candidates.dedup_by(|b, a| a.sentence == b.sentence && a.category == b.category);
    candidates.sort_by_key(|c| (c.range.start, c.category));
    candidates
}

/// A patient's own words about an effect are a testimonial even without the
/// word 体験談: a quoted effect claim told in the first person or past tense.
fn add_quoted_testimonials(
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    candidates: &mut Vec<Claim>,
) {
    let Some(ti) = rules
        .rules
        .iter()
        .position(|r| r.file.category == Some(Category::Testimonial))
    else {
        return;
    };
    let mut extra = Vec::new();
    for c in candidates.iter() {
        let effect = matches!(
            c.category,
            Category::Efficacy | Category::Onset | Category::Durability | Category::Safety
        );
        if !effect || c.modality != Modality::Quoted {
            continue;
        }
        let s = &prose.text[sentences[c.sentence].range.clone()];
        let already = candidates
            .iter()
            .chain(&extra)
            .any(|o: &Claim| o.sentence == c.sentence && o.category == Category::Testimonial);
        if !already && rules.lexicon.experience.is_match(s) {
            extra.push(Claim {
                rule: ti,
                category: Category::Testimonial,
                ..c.clone()
            });
        }
    }
    candidates.extend(extra);
}

fn sentence_of(sentences: &[Sentence], pos: usize) -> Option<usize> {
    let i = sentences.partition_point(|s| s.range.start <= pos);
    let i = i.checked_sub(1)?;
    (pos < sentences[i].range.end).then_some(i)
}

fn overlaps_any(re: &regex::Regex, hay: &str, r: &Range<usize>) -> bool {
    re.find_iter(hay)
        .any(|m| m.start() < r.end && r.start < m.end())
}

/// End of the clause that follows a claim: negation belongs to the predicate
/// of the same clause, so a later clause's ない does not negate this one.
fn clause_end(s: &str, from: usize) -> usize {
    s[from..]
        .char_indices()
        .find(|&(_, c)| matches!(c, '、' | '，' | ',' | '。' | '！' | '？' | '!' | '?' | '\n'))
        .map_or(s.len(), |(i, _)| from + i)
}

/// Length of the inflection right after a claim: kana and the few kanji of
/// auxiliary phrases (とは言えません, 確認されていない). The claim's own
/// predicate is negated only here; a ない further on belongs to other words
/// (安全で痛みの少ない治療).
fn inflection_len(tail: &str) -> usize {
    tail.char_indices()
        .take(24)
        .find(|&(_, c)| {
            !(('\u{3041}'..='\u{309F}').contains(&c)
                || "言限断確証明立認保約出来得見分判切思".contains(c))
        })
        .map_or_else(
            || tail.char_indices().nth(24).map_or(tail.len(), |(i, _)| i),
            |(i, _)| i,
        )
}

/// Decides the modality of the claim at `rel` in sentence `s`.
pub fn classify(lex: &Lexicon, s: &str, rel: Range<usize>, quoted_block: bool) -> (Modality, bool) {
    let tail = &s[rel.end..clause_end(s, rel.end)];
    let window = &tail[..inflection_len(tail)];
    let negated = (lex.negation.is_match(window) || lex.clause_negation.is_match(tail))
        && !lex
            .negation_exceptions
            .as_ref()
            .is_some_and(|e| e.is_match(tail));
    let claim_and_tail = &s[rel.start..];
    let hedged = lex.hedge.is_match(claim_and_tail);
    if negated {
        return (Modality::Negated, hedged);
    }
    if lex.question.is_match(s) {
        return (Modality::Question, hedged);
    }
    if quoted_block || in_speech_quote(lex, s, rel.start) {
        return (Modality::Quoted, hedged);
    }
    // Markers inside the claim itself (論文で実証) are the claim, not a report of it.
    let outside = |re: &regex::Regex| {
        re.find_iter(s)
            .any(|m| m.end() <= rel.start || m.start() >= rel.end)
    };
    if outside(&lex.reported) {
        return (Modality::Reported, hedged);
    }
    if lex.conditional.find_iter(&s[..rel.start]).next().is_some() {
        return (Modality::Conditional, hedged);
    }
    if hedged {
        return (Modality::Hedged, true);
    }
    (Modality::Asserted, false)
}

/// Whether `pos` sits inside 「…」 that quotes someone's words rather than
/// marking a name: the quote is followed by と/って or the sentence names a
/// speaker.
fn in_speech_quote(lex: &Lexicon, s: &str, pos: usize) -> bool {
    let Some(open) = s[..pos].rfind(['「', '『']) else {
        return false;
    };
    if s[open..pos].contains(['」', '』']) {
        return false;
    }
    let close = s[pos..].find(['」', '』']).map(|i| pos + i);
    let after = close.map_or("", |c| &s[c + 3..]);
    after.starts_with(['と', 'っ']) || lex.quote_context.is_match(s)
}

fn scope_of(lex: &Lexicon, s: &str) -> Option<String> {
    lex.scope
        .iter()
        .find(|(_, re)| re.is_match(s))
        .map(|(name, _)| name.clone())
}
