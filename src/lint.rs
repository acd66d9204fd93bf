//! One document through the pipeline: markup → sentences → claims →
//! (citations, evidence) → findings with source spans.

use crate::citations::{self, Citation, TitleIndex};
use crate::claims::{self, Claim, Modality};
use crate::evidence::{self, ClaimContext, Topics};
use crate::fx::FxMap;
use crate::markup;
use crate::prose::{Paragraphs, Prose};
use crate::registry::{Registry, TagStart, Tags};
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
    /// Findings carry [`Finding::notes`].
    notes: bool,
}

impl Linter {
    pub fn new(rules: RuleSet, registry: Registry) -> Linter {
        let titles = TitleIndex::new(&registry);
        let claims = claims::Matcher::new(&rules);
        Linter::from_parts(rules, registry, titles, claims)
    }

    fn from_parts(
        rules: RuleSet,
        registry: Registry,
        titles: TitleIndex,
        claims: claims::Matcher,
    ) -> Linter {
        Linter {
            rules,
            registry,
            titles,
            claims,
            notes: true,
        }
    }

    /// Like [`Linter::new`], with the registry got from `load` on a second
    /// thread while this one compiles the claim rules. The two take about
    /// as long, and on a small file they are most of the run. The second
    /// thread also builds what finding titles and terms needs, which every
    /// document with a claim uses.
    pub fn load<E: Send>(
        rules: RuleSet,
        load: impl FnOnce() -> Result<Registry, E> + Send,
    ) -> Result<Linter, E> {
        let (loaded, claims) = std::thread::scope(|s| {
            let side = s.spawn(|| {
                load().map(|registry| {
                    let titles = TitleIndex::new(&registry);
                    titles.warm();
                    registry.vocabulary().warm();
                    (registry, titles)
                })
            });
            let claims = claims::Matcher::new(&rules);
            (side.join(), claims)
        });
        let (registry, titles) = match loaded {
            Ok(loaded) => loaded?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok(Linter::from_parts(rules, registry, titles, claims))
    }

    /// Whether findings carry [`Finding::notes`]: only the human format
    /// shows them, and writing them for every finding of a large page costs
    /// more than judging it.
    pub fn with_notes(mut self, yes: bool) -> Linter {
        self.notes = yes;
        self
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
    analyse(
        text,
        markup::extract(text, format),
        linter,
        None,
        None,
        None,
    )
}

/// The size a section aims at when the command line lints a large file in
/// sections (see [`sections`]); Markdown and plain-text files larger than
/// eight sections are, so that memory stays flat however large one file
/// is. `EXOLINT_SECTION_SIZE` (bytes) overrides it, for tests and tuning.
pub const SECTION_SIZE: usize = 1 << 20;

/// The section size in force: [`SECTION_SIZE`] or `EXOLINT_SECTION_SIZE`.
pub fn section_size() -> usize {
    std::env::var("EXOLINT_SECTION_SIZE")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(SECTION_SIZE)
}

/// What every section of a document linted in sections sees of the whole
/// document; built by [`document`].
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The most mentioned intervention and condition of the whole text.
    pub topics: Topics,
    /// Every footnote definition, resolved.
    pub notes: Vec<citations::Note>,
    /// Every `exolint-…` comment, for the suppressions.
    pub directives: Vec<crate::prose::Directive>,
    /// Per section, by where it starts: the vocabulary's matches in its
    /// prose ([`Tags::into_starts`]), found for
    /// the page's topics and kept so that linting the section does not walk
    /// its prose again (about 25 bytes per match, some 7,500 matches per MB
    /// of clinic copy).
    pub tags: Vec<(usize, Vec<TagStart>)>,
}

/// Where `text` can be cut into sections of at least `size` bytes that
/// parse exactly as they do inside the whole document: before an ATX
/// heading (`#` in the first column) that follows a blank line, outside
/// fenced code, front matter and the HTML blocks that may hold blank lines
/// (comments, `<script>`, `<pre>`, `<style>`, `<textarea>`, processing
/// instructions, declarations, CDATA); in plain text, before any line after
/// a blank line. Such a heading closes every open list, quote, table,
/// footnote and paragraph. HTML is never cut. Ranges cover the text.
pub fn sections(text: &str, format: Format, size: usize) -> Vec<Range<usize>> {
    if format == Format::Html || text.len() <= size {
        return std::iter::once(0..text.len()).collect();
    }
    let mut cuts = vec![0];
    // The closing line of what is open: a fence (its character and
    // length), front matter, or an HTML block (its end marker).
    let mut fence: Option<(u8, usize)> = None;
    let mut front = format == Format::Markdown
        && (text.starts_with("---\n") || text.starts_with("---\r\n") || text.starts_with("+++"));
    let mut html_end: Option<&'static str> = None;
    let mut prev_blank = true;
    let mut pos = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = pos;
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim_start_matches(' ');
        let indent = body.len() - t.len();
        if front {
            if n > 0 && matches!(body.trim_end(), "---" | "..." | "+++") {
                front = false;
            }
            prev_blank = false;
            continue;
        }
        if let Some((ch, len)) = fence {
            let run = t.bytes().take_while(|&b| b == ch).count();
            if indent <= 3 && run >= len && t[run..].trim().is_empty() {
                fence = None;
            }
            prev_blank = false;
            continue;
        }
        if let Some(end) = html_end {
            if contains_ignore_case(body, end) {
                html_end = None;
            }
            prev_blank = false;
            continue;
        }
        let blank = t.trim().is_empty();
        let cut_here = prev_blank
            && !blank
            && match format {
                Format::Markdown => indent == 0 && is_atx_heading(t),
                _ => true,
            };
        if cut_here && start - cuts[cuts.len() - 1] >= size {
            cuts.push(start);
        }
        if format == Format::Markdown && indent <= 3 {
            let run = |c: u8| t.bytes().take_while(|&b| b == c).count();
            let (ticks, tildes) = (run(b'`'), run(b'~'));
            let opens = if ticks >= 3 && !t[ticks..].contains('`') {
                fence = Some((b'`', ticks));
                true
            } else if tildes >= 3 {
                fence = Some((b'~', tildes));
                true
            } else if let Some(end) = html_block_end(t) {
                // The block may close on its own first line.
                if !contains_ignore_case(&t[1..], end) {
                    html_end = Some(end);
                }
                true
            } else {
                false
            };
            // Indented a little, the block may belong to a list item (and
            // end with it) or stand alone (and run on to its closing line):
            // which, only a full parse knows, so the rest is not cut.
            if opens && indent > 0 {
                break;
            }
        }
        prev_blank = blank;
    }
    let mut out: Vec<Range<usize>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    out.push(cuts[cuts.len() - 1]..text.len());
    out
}

fn is_atx_heading(t: &str) -> bool {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && t[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase().contains(needle)
}

/// The end marker of an HTML block that may span blank lines (CommonMark
/// types 1 to 5), if line `t` opens one.
fn html_block_end(t: &str) -> Option<&'static str> {
    let lower = t.get(..t.len().min(12))?.to_ascii_lowercase();
    let starts = |p: &str| lower.starts_with(p);
    if starts("<!--") {
        Some("-->")
    } else if starts("<![cdata[") {
        Some("]]>")
    } else if starts("<?") {
        Some("?>")
    } else if starts("<!") && lower.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic) {
        Some(">")
    } else {
        ["script", "pre", "style", "textarea"]
            .into_iter()
            .find_map(|tag| {
                let rest = lower.strip_prefix('<')?.strip_prefix(tag)?;
                rest.chars()
                    .next()
                    .is_none_or(|c| c == '>' || c.is_whitespace())
                    .then_some(match tag {
                        "script" => "</script>",
                        "pre" => "</pre>",
                        "style" => "</style>",
                        _ => "</textarea>",
                    })
            })
    }
}

/// The prose of one section of `text`, mapped into the whole text.
fn section_prose(text: &str, format: Format, range: &Range<usize>) -> Prose {
    let mut prose = markup::extract(text.get(range.clone()).unwrap_or_default(), format);
    prose.shift_source(range.start);
    prose
}

/// First pass over a document cut into `sections`: what each section needs
/// to know of the others.
pub fn document(
    text: &str,
    format: Format,
    linter: &Linter,
    sections: &[Range<usize>],
) -> Document {
    let mut counts = evidence::TopicCounts::default();
    let mut state = citations::NoteState::default();
    let mut doc = Document::default();
    for range in sections {
        let prose = section_prose(text, format, range);
        // The same matches as `counts.add` would find (Tags::tag of the
        // whole text is the text's tags), with the walk kept for later.
        let tags = linter.registry.vocabulary().index(&prose.text);
        tags.tag_with(&prose.text, 0..prose.text.len(), |m| {
            counts.add_matches(&linter.registry, m)
        });
        doc.tags.push((range.start, tags.into_starts()));
        doc.notes.extend(citations::notes(
            &prose,
            &linter.registry,
            &linter.titles,
            &mut state,
        ));
        doc.directives.extend(prose.directives);
    }
    doc.topics = counts.dominant();
    doc
}

/// Lints one section of a document (from [`sections`], with its
/// [`document`]); spans point into the whole `text`. Sections must come in
/// order with the same `before`, which carries the last citation of the
/// sections so far (for 「この研究」 at the top of a section).
pub fn check_section(
    text: &str,
    format: Format,
    linter: &Linter,
    range: &Range<usize>,
    doc: &Document,
    before: &mut Option<Citation>,
) -> Analysis {
    let known = (doc.tags.binary_search_by_key(&range.start, |t| t.0).ok())
        .map(|i| doc.tags[i].1.as_slice());
    let a = analyse(
        text,
        section_prose(text, format, range),
        linter,
        Some(doc),
        known,
        before.as_ref(),
    );
    if let Some(last) = citations::last_in_text(&a.prose, &a.citations) {
        *before = Some(last);
    }
    a
}

/// `known_tags`: the vocabulary's matches in `prose`, if the first pass
/// over the document kept them.
fn analyse(
    text: &str,
    prose: Prose,
    linter: &Linter,
    doc: Option<&Document>,
    known_tags: Option<&[TagStart]>,
    before: Option<&Citation>,
) -> Analysis {
    let sentences = segment::split(&prose);
    let claims = claims::detect_with(&linter.claims, &prose, &sentences, &linter.rules, false);
    let citations = if claims.is_empty() {
        Vec::new()
    } else {
        let notes = doc.map(|d| d.notes.as_slice());
        citations::extract_with(&prose, &linter.registry, &linter.titles, notes)
    };
    // The page's topics fill in only what a claim's own words, sentence
    // and paragraph leave unsaid: tagged on first need, if ever.
    let doc_topics = std::cell::OnceCell::new();
    if let Some(d) = doc {
        let _ = doc_topics.set(d.topics.clone());
    }
    // Every vocabulary match of the section, found in one walk: the topics
    // of each sentence, claim and paragraph are read off it.
    let tags = (!claims.is_empty()).then(|| {
        let vocab = linter.registry.vocabulary();
        match known_tags {
            Some(starts) => vocab.reindex(starts.to_vec()),
            None => vocab.index(&prose.text),
        }
    });
    // Topics of each paragraph group, computed once: a long paragraph (a
    // 20 MB single line) with many claims must not be re-tagged per claim.
    let mut paragraph_topics = FxMap::default();
    let mut sentence_topics = None;
    let mut near = None;
    let paragraphs = prose.paragraphs();
    let findings = match &tags {
        None => Vec::new(),
        Some(tags) => claims
            .iter()
            .map(|c| {
                let doc = Context {
                    prose: &prose,
                    paragraphs: &paragraphs,
                    sentences: &sentences,
                    citations: &citations,
                    doc_topics: &doc_topics,
                    tags,
                    before,
                };
                finding_for(
                    c,
                    &doc,
                    &mut paragraph_topics,
                    &mut sentence_topics,
                    &mut near,
                    linter,
                    text,
                )
            })
            .collect(),
    };
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
    doc_topics: &'a std::cell::OnceCell<Topics>,
    tags: &'a Tags<'a>,
    /// The last citation before this section, when linted in sections.
    before: Option<&'a Citation>,
}

fn finding_for(
    c: &Claim,
    doc: &Context<'_>,
    paragraph_topics: &mut FxMap<usize, Topics>,
    sentence_topics: &mut Option<(usize, Topics)>,
    near: &mut Option<usize>,
    linter: &Linter,
    text: &str,
) -> Finding {
    let Context {
        prose,
        paragraphs,
        sentences,
        citations,
        doc_topics,
        tags,
        before: _,
    } = *doc;
    let registry = &linter.registry;
    let rule = &linter.rules.rules[c.rule];
    // Claims come in order: each mapping starts where the last one ended.
    let span = prose.source_range_near(c.range.clone(), near);
    // The claim as the reader sees it: its own characters from the source,
    // unless markup or an entity sits inside it (発毛<rt>…</rt>効果,
    // ダウンタイム&nbsp;なし); then the prose, which has neither, is quoted.
    let written = one_line(text.get(span.clone()).unwrap_or_default());
    let prose_words = prose.text.get(c.range.clone()).unwrap_or_default();
    let matched = if written == prose_words {
        written
    } else {
        let read = one_line(prose_words);
        if *crate::prose::fold_width(&written) == *read {
            written
        } else {
            read
        }
    };
    let sentence = &sentences[c.sentence];
    let sentence_text = &prose.text[sentence.range.clone()];
    let block = &prose.blocks[sentence.block];
    // What the claim is about: its own words first (発毛作用 in a sentence that
    // also names the atopic-dermatitis study it misquotes), then its sentence.
    // Only these can disagree with a cited source; the paragraph and the page
    // fill in what the claim leaves unsaid, for uncited claims and notices.
    // Claims of one sentence come together: its topics are tagged once.
    if sentence_topics
        .as_ref()
        .is_none_or(|(i, _)| *i != c.sentence)
    {
        let of = tags.tag_with(&prose.text, sentence.range.clone(), |m| {
            Topics::from_matches(registry, m)
        });
        *sentence_topics = Some((c.sentence, of));
    }
    let of_sentence = sentence_topics.as_ref().map(|(_, t)| t);
    // The claim's words as written; when markup sits inside them they differ
    // from the prose and are tagged on their own.
    let folded = crate::prose::fold_width(&matched);
    let own = if prose.text.get(c.range.clone()) == Some(&*folded) {
        tags.tag_with(&prose.text, c.range.clone(), |m| {
            Topics::from_matches(registry, m)
        })
    } else {
        Topics::of(registry, &folded)
    };
    let local = match of_sentence {
        Some(t) => own.clone().or(t),
        None => own.clone(),
    };
    // The paragraph's and the page's topics are tagged only when the claim
    // leaves something unsaid (`or` reads the wider topics for nothing
    // else), the paragraph's once per paragraph.
    let complete = |t: &Topics| !t.interventions.is_empty() && !t.conditions.is_empty();
    let mut topics = local.clone();
    if !complete(&topics) {
        let paragraph = paragraph_topics.entry(block.group).or_insert_with(|| {
            match paragraphs.blocks(block.group) {
                &[b] => {
                    let range = prose.blocks[b].range.clone();
                    tags.tag_with(&prose.text, range, |m| Topics::from_matches(registry, m))
                }
                // Lines of one paragraph are read as one text, so a term
                // broken across them is still found.
                blocks => {
                    let paragraph: String = blocks
                        .iter()
                        .map(|&b| &prose.text[prose.blocks[b].range.clone()])
                        .collect();
                    Topics::of(registry, &paragraph)
                }
            }
        });
        topics = topics.or(paragraph);
    }
    if !complete(&topics) {
        let page = doc_topics.get_or_init(|| {
            let mut counts = evidence::TopicCounts::default();
            tags.tag_with(&prose.text, 0..prose.text.len(), |m| {
                counts.add_matches(registry, m)
            });
            counts.dominant()
        });
        topics = topics.or(page);
    }
    let mut cited = citations::for_sentence_in(
        prose, paragraphs, sentences, c.sentence, citations, doc.before,
    );
    // A law named in another sentence of the paragraph (当院は再生医療等
    // 安全性確保法に基づき届出をしています。副作用はありません。) is the clinic's
    // compliance, not a source for the claim: the claim is judged as
    // uncited, so what regulators say about it answers it. Named in the
    // claim's own sentence (法に基づく安全な治療) the law is offered as its
    // backing, and is judged as a citation.
    cited.retain(|ci| {
        ci.kind != citations::CitationKind::Title
            || (ci.range.start >= sentence.range.start && ci.range.end <= sentence.range.end)
            || ci
                .id
                .as_deref()
                .and_then(|id| registry.get(id))
                .is_none_or(|e| e.kind != crate::registry::Kind::Statute)
    });
    let ctx = ClaimContext {
        claim: c,
        text: &matched,
        sentence: sentence_text,
        lead: prose
            .text
            .get(sentence.range.start..c.range.start)
            .unwrap_or_default(),
        topics,
        local,
        own,
        notes: linter.notes,
        citations: cited.clone(),
        severity: rule.file.severity,
        rule_message: &rule.file.message,
    };
    let j = evidence::judge(&linter.registry, &ctx);
    let mut severity = j.severity;
    if c.hedged && severity != Severity::Info {
        severity = severity.lowered();
    }
    Finding {
        code: rule.code().to_string(),
        name: rule.name().to_string(),
        severity,
        category: c.category,
        verdict: j.verdict,
        modality: c.modality,
        scope: c.scope.clone(),
        message: j.message,
        span,
        sentence: prose.source_range_near(sentence.range.clone(), near),
        citations: cited
            .iter()
            .map(|ci| CitationRef {
                text: ci.text.clone(),
                span: ci
                    .source
                    .clone()
                    .unwrap_or_else(|| prose.source_range_near(ci.range.clone(), near)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(dir: &str, ext: &str) -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap() + "\n")
            .collect()
    }

    fn in_sections(text: &str, format: Format, linter: &Linter, size: usize) -> Vec<Finding> {
        let parts = sections(text, format, size);
        let doc = document(text, format, linter, &parts);
        let mut before = None;
        parts
            .iter()
            .flat_map(|r| check_section(text, format, linter, r, &doc, &mut before).findings)
            .collect()
    }

    /// An unsupported claim that a sentence limits to animals or cells is
    /// not asked for human evidence; it is asked for its study.
    #[test]
    fn scoped_claims_without_a_study_ask_for_the_study() {
        let linter = Linter::builtin();
        let message = |s: &str| {
            let f = check_str(s, Format::Text, &linter).findings;
            assert_eq!(f.len(), 1, "{s}: {f:?}");
            (f[0].verdict, f[0].message.clone())
        };
        let (verdict, m) = message("動物実験では創傷治癒を早めたという報告があるとされています。");
        assert_eq!(verdict, Verdict::Unsupported);
        assert!(
            m.contains("動物実験の結果として") && !m.contains("ヒト"),
            "{m}"
        );
        let (verdict, m) = message("傷の治癒を早めます。");
        assert_eq!(verdict, Verdict::Unsupported);
        assert!(m.contains("ヒトでの効果を示す根拠"), "{m}");
    }

    /// Pain and downtime are not what the notices on exosome safety speak
    /// of: uncited, they ask for the basis and the risks, as a warning. A
    /// sentence that also promises no side effects is still answered by the
    /// notices.
    #[test]
    fn pain_and_downtime_ask_for_their_basis() {
        let linter = Linter::builtin();
        for s in [
            "エクソソーム施術は痛みの少ない極細針で行います。",
            "施術当日から洗髪が可能です。",
            "エクソソーム導入はダウンタイムがほとんどありません。",
            "赤みは1〜2日で落ち着きます。",
            // What settles may be named in the clause before.
            "施術後に赤みや腫れが出ることがありますが、多くは数時間〜翌日には落ち着きます。",
        ] {
            let f = check_str(s, Format::Text, &linter).findings;
            assert_eq!(f.len(), 1, "{s}: {f:?}");
            assert_eq!(
                (f[0].category, f[0].verdict, f[0].severity),
                (Category::Safety, Verdict::Unsupported, Severity::Warning),
                "{s}"
            );
            assert!(
                f[0].message.contains("痛みやダウンタイム"),
                "{s}: {}",
                f[0].message
            );
        }
        for s in [
            "エクソソーム施術は副作用の心配がありません。",
            "エクソソーム点滴は痛みや副作用の心配はありません。",
        ] {
            let f = check_str(s, Format::Text, &linter).findings;
            assert_eq!(f.len(), 1, "{s}: {f:?}");
            assert_eq!(f[0].verdict, Verdict::Contradicted, "{s}");
        }
    }

    /// A study that never compared treatments does not contradict an
    /// uncited comparison: the claim is unsupported and the message says
    /// what the study lacks. A notice still contradicts.
    #[test]
    fn a_study_without_the_comparison_leaves_it_unsupported() {
        let linter = Linter::builtin();
        let f = check_str(
            "AGAにはミノキシジルよりもエクソソームのほうがよく効きます。",
            Format::Text,
            &linter,
        )
        .findings;
        let sup: Vec<_> = f
            .iter()
            .filter(|f| f.category == Category::Superiority)
            .collect();
        assert_eq!(sup.len(), 1, "{f:?}");
        assert_eq!(sup[0].verdict, Verdict::Unsupported, "{}", sup[0].message);
        assert!(
            sup[0].message.contains("比較をしていません"),
            "{}",
            sup[0].message
        );
        assert!(!sup[0].evidence.is_empty());
        let f = check_str(
            "エクソソーム点滴は副作用がありません。",
            Format::Text,
            &linter,
        )
        .findings;
        assert_eq!(f[0].verdict, Verdict::Contradicted, "{f:?}");
    }

    /// An uncited comparison between treatments or products lacks a trial
    /// that compared them; superlatives and comparisons with other clinics
    /// are banned whatever the evidence, even when they name a treatment.
    #[test]
    fn treatment_comparisons_ask_for_a_trial() {
        let linter = Linter::builtin();
        let superiority = |s: &str| {
            let f = check_str(s, Format::Text, &linter).findings;
            let sup: Vec<_> = f
                .into_iter()
                .filter(|f| f.category == Category::Superiority)
                .collect();
            assert_eq!(sup.len(), 1, "{s}: {sup:?}");
            (sup[0].verdict, sup[0].message.clone())
        };
        for s in [
            "美容点滴に比べて全身への影響は少ないのが特長です。",
            "以前通っていたときの点滴より効いた気がします。",
            "一般的な上清液と比べて、成長因子を多く含みます。",
            // 植毛 is a yardstick here too: the guideline's grade of hair
            // transplants does not answer the sentence.
            "内服薬よりも体への負担が少なく、植毛のようにメスを入れる必要もありません。",
            // The clinic's own treatment against a drug.
            "当院のエクソソーム治療は内服薬よりも体への負担が少ないのが特長です。",
            "当クリニックの上清液は市販の美容液よりも濃度が高いのが特長です。",
        ] {
            let (verdict, m) = superiority(s);
            assert_eq!(verdict, Verdict::Unsupported, "{s}: {m}");
            // What is missing is said: no trial compared them, or the
            // study there is made no comparison.
            assert!(
                (m.contains("直接比べた研究") && m.contains("誇大広告"))
                    || m.contains("比較をしていません"),
                "{s}: {m}"
            );
        }
        for s in [
            "最新の再生医療で薄毛にアプローチします。",
            "他院のエクソソームよりも高濃度です。",
            "他院で扱っている上清液より濃度が高いのが特長です。",
            "一般的なクリニックの製剤と比べ、純度が高いのが特長です。",
            "他院で使われている一般的な培養上清液と比べて、含有量は約10倍です。",
        ] {
            let (verdict, m) = superiority(s);
            assert_eq!(verdict, Verdict::Prohibited, "{s}: {m}");
            assert!(m.contains("比較優良広告"), "{s}: {m}");
        }
    }

    /// A before/after photo is told what it lacks (the treatment, its cost
    /// and its risks beside it), not that it is a patient's account.
    #[test]
    fn before_and_after_photos_ask_for_the_details_beside_them() {
        let linter = Linter::builtin();
        for s in ["施術前後の写真", "ビフォーアフターをご覧ください。"] {
            let f = check_str(s, Format::Text, &linter).findings;
            assert_eq!(f.len(), 1, "{s}: {f:?}");
            assert_eq!(f[0].category, Category::Testimonial);
            assert!(f[0].message.contains("治療前後の写真"), "{}", f[0].message);
        }
        let f = check_str("「髪が増えました」（40代男性）", Format::Text, &linter).findings;
        assert!(f.iter().all(|f| !f.message.contains("写真")), "{f:?}");
    }

    /// Linted in sections, the whole annotated corpus (pages run together,
    /// so footnotes, reference lists, 「この研究」 and the page topics reach
    /// across many cuts) gives exactly the findings of one piece.
    #[test]
    fn sections_give_the_findings_of_the_whole() {
        let linter = Linter::builtin();
        for (text, format) in [
            (corpus("markdown", "md"), Format::Markdown),
            (corpus("text", "txt"), Format::Text),
        ] {
            let whole = check_str(&text, format, &linter).findings;
            assert!(whole.len() > 100);
            for size in [1, 700, 4096] {
                let n = sections(&text, format, size).len();
                assert!(n > 5, "{format:?} {size}: {n} sections");
                assert_eq!(
                    in_sections(&text, format, &linter, size),
                    whole,
                    "{format:?} {size}"
                );
            }
        }
    }

    #[test]
    fn sections_cut_only_before_headings_outside_fences_and_html() {
        let text = "---\ntitle: x\n\n# not a heading: front matter\n---\n\n# A\n\n本文。\n\n```\n\n# inside a fence\n```\n\n<!--\n\n# inside a comment\n-->\n\n- 項目\n\n  # inside a list item\n\n<pre>\n\n# inside pre\n</pre>\n\n## B\n本文\n# C directly after text\n\n#D is no heading\n\n### E\n";
        let cuts: Vec<&str> = sections(text, Format::Markdown, 1)
            .iter()
            .map(|r| text[r.clone()].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(cuts, ["---", "# A", "## B", "### E"]);
        let all = sections(text, Format::Markdown, 1);
        assert_eq!(all.first().map(|r| r.start), Some(0));
        assert_eq!(all.last().map(|r| r.end), Some(text.len()));
        assert!(all.windows(2).all(|w| w[0].end == w[1].start));
        // Plain text is cut at any paragraph; HTML and small texts are not.
        let plain = "一行目\n二行目\n\n三行目\n\n\n四行目\n";
        assert_eq!(sections(plain, Format::Text, 1).len(), 3);
        assert_eq!(sections("<p>a</p>\n\n<p>b</p>", Format::Html, 1).len(), 1);
        assert_eq!(sections(text, Format::Markdown, text.len()).len(), 1);
        // A fence indented into a list item ends with the item; standing
        // alone it runs on. Both readings are possible: nothing after it
        // is cut.
        let text = "# A\n\n- 項目\n\n  ```\n  code\n\n# B\n\n```\n\n# C\n```\n\n# D\n";
        let cuts: Vec<&str> = sections(text, Format::Markdown, 1)
            .iter()
            .map(|r| text[r.clone()].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(cuts, ["# A"]);
    }

    /// A miscited study is named as a study (see also
    /// `evidence::tests::sources_are_named_for_their_kind`).
    #[test]
    fn miscited_sources_are_named_for_their_kind() {
        let linter = Linter::builtin();
        let message = |text: &str| -> String {
            let findings = check_str(text, Format::Text, &linter).findings;
            findings
                .into_iter()
                .find(|f| f.verdict == Verdict::Miscited)
                .map(|f| f.message)
                .unwrap_or_else(|| panic!("no miscited finding in {text}"))
        };
        let study = message(
            "脂肪由来幹細胞のエクソソームで発毛が促進されたと報告されています（Cho et al., 2018）。",
        );
        assert!(study.contains("アトピー性皮膚炎を調べた研究で"), "{study}");
        assert!(study.contains("調べていません"), "{study}");
    }

    /// Half-width katakana and full-width letters name the same treatments
    /// and conditions as their usual forms, and spans still cover exactly
    /// the characters as written.
    #[test]
    fn other_widths_name_the_same_terms() {
        let linter = Linter::builtin();
        let text = "ｴｸｿｿｰﾑ点滴は副作用の心配がありません｡";
        let f = &check_str(text, Format::Text, &linter).findings[0];
        assert_eq!(f.verdict, Verdict::Contradicted);
        assert!(
            f.evidence
                .iter()
                .any(|e| e == "mhlw_20240731_isei_supernatant_exo"),
            "{:?}",
            f.evidence
        );
        assert_eq!(&text[f.span.clone()], "副作用の心配がありません");
        let text = "ﾌｨﾅｽﾃﾘﾄﾞ内服でＡＧＡが改善します。";
        let linter = Linter::builtin().with_notes(true);
        let f = &check_str(text, Format::Text, &linter).findings[0];
        assert_eq!(f.verdict, Verdict::Supported, "{}", f.message);
        assert_eq!(f.evidence, ["jda_aga_fphl_gl_2017"]);
        assert_eq!(&text[f.span.clone()], "ＡＧＡが改善します");
    }

    /// A claim whose pattern runs to the end of its sentence stops before
    /// the 。 or ！: the span and the quoted wording are the words.
    #[test]
    fn claims_leave_the_closing_mark_out() {
        let linter = Linter::builtin();
        for (text, want) in [
            ("分け目が目立たなくなったとの声も。", "との声も"),
            (
                "2週間で抜け毛が半分になったお客様も！",
                "半分になったお客様も",
            ),
        ] {
            let findings = check_str(text, Format::Text, &linter).findings;
            let f = findings
                .iter()
                .find(|f| f.category == Category::Testimonial)
                .unwrap_or_else(|| panic!("no testimonial in {text}"));
            assert_eq!(&text[f.span.clone()], want);
            assert!(f.message.contains(&format!("「{want}」")), "{}", f.message);
        }
    }

    /// A law named in another sentence of the paragraph is the clinic's
    /// compliance, not the claim's source: the claim is judged as uncited.
    /// Named in the claim's own sentence, it is judged as its citation.
    #[test]
    fn a_law_beside_a_claim_is_not_its_citation() {
        let linter = Linter::builtin();
        let safety = |text: &str| {
            check_str(text, Format::Text, &linter)
                .findings
                .into_iter()
                .find(|f| f.category == Category::Safety)
                .unwrap()
        };
        let f = safety("当院のエクソソーム点滴は再生医療等安全性確保法に基づき、計画を提出しています。副作用の心配はありません。");
        assert_eq!(f.verdict, Verdict::Contradicted, "{}", f.message);
        assert!(f.citations.is_empty());
        assert!(
            !f.evidence.iter().any(|e| e == "jp_act_asrm_2013_85"),
            "{:?}",
            f.evidence
        );
        let f = safety("当院は再生医療法に基づく安全な治療を提供しています。");
        assert_eq!(f.verdict, Verdict::Miscited, "{}", f.message);
        assert_eq!(f.citations.len(), 1);
    }

    #[test]
    fn messages_quote_the_words_not_the_markup() {
        let linter = Linter::builtin();
        let message = |text: &str, format: Format, category: Category| {
            check_str(text, format, &linter)
                .findings
                .into_iter()
                .find(|f| f.category == category)
                .unwrap()
                .message
        };
        let html = "<p>施術後、<em>3日目</em>から<strong>産毛が</strong>生えてきます。</p>";
        let m = message(html, Format::Html, Category::Efficacy);
        assert!(m.contains("「産毛が生えてきます」"), "{m}");
        let m = message(html, Format::Html, Category::Onset);
        assert!(m.contains("「3日目から産毛」"), "{m}");
        let m = message(
            "<p><ruby>発毛<rt>はつもう</rt></ruby>効果が得られます。</p>",
            Format::Html,
            Category::Efficacy,
        );
        assert!(m.contains("「発毛効果"), "{m}");
        // Without markup inside, the writer's own characters are quoted.
        let m = message(
            "たった１回で効果を実感できます。",
            Format::Text,
            Category::Onset,
        );
        assert!(m.contains("１回"), "{m}");
        let m = message(
            "**ｴｸｿｿｰﾑ**で髪がフサフサになります。",
            Format::Markdown,
            Category::Efficacy,
        );
        assert!(!m.contains("**"), "{m}");
    }
}
