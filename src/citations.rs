//! Prose → citations, each resolved against the evidence registry.
//!
//! Recognised forms: author–year in Latin and Japanese script
//! (`(Cho et al., 2018)`, `Choら（2018）`, `田中ら, 2021`), PMID, PMCID, DOI
//! and NCT numbers, PubMed/PMC/doi.org links (from link destinations too),
//! footnote markers (`[^1]`, `※1`, `[1]`) resolved to their definitions,
//! and registry titles and aliases. A claim takes the citations of its
//! sentence, else of its paragraph or list item, else of a source line
//! (`出典:`, `参考:`) right after it.

#[cfg(test)]
mod reference;
mod scan;
#[cfg(test)]
mod tests;
mod titles;

use crate::prose::{BlockKind, Paragraphs, Prose};
use crate::registry::Registry;
use crate::segment::Sentence;
use scan::{Ids, AUTHOR_YEAR, STATEMENT};
use std::collections::HashMap;
use std::ops::Range;
pub use titles::TitleIndex;

/// How a citation was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitationKind {
    AuthorYear,
    Pmid,
    Pmcid,
    Doi,
    Nct,
    Url,
    Title,
    Footnote,
}

/// A citation found in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Where it is written, in prose (for a link: the link text).
    pub range: Range<usize>,
    /// Where it is written in the source, when it is not prose (a link destination).
    pub source: Option<Range<usize>>,
    pub kind: CitationKind,
    /// The citation as written (a footnote's label, a DOI, an author–year).
    pub text: String,
    /// The registry entry it resolved to.
    pub id: Option<String>,
}

/// Finds and resolves every citation in `prose`.
pub fn extract(prose: &Prose, registry: &Registry, titles: &TitleIndex) -> Vec<Citation> {
    extract_with(prose, registry, titles, None)
}

/// A footnote definition of a document linted in sections, resolved once
/// by [`notes`] so that a marker in one section finds its definition in
/// another.
#[derive(Debug, Clone)]
pub struct Note {
    style: NoteStyle,
    label: String,
    /// Where the definition starts in the source.
    source_start: usize,
    /// It points at the advertiser's own data: a disclosure, not evidence.
    in_house: bool,
    id: Option<String>,
}

/// What [`notes`] carries from one section to the next: a numbered
/// reference list may run on under a heading of an earlier section.
#[derive(Debug, Clone, Default)]
pub struct NoteState {
    in_references: bool,
    item: usize,
}

/// The footnote definitions of one section of a document, resolved as
/// [`extract`] resolves them; sections must come in document order.
pub fn notes(
    prose: &Prose,
    registry: &Registry,
    titles: &TitleIndex,
    state: &mut NoteState,
) -> Vec<Note> {
    let defs = footnote_definitions(prose, state);
    if defs.is_empty() {
        return Vec::new();
    }
    let out = collect(prose, registry, titles);
    let text = prose.text.as_str();
    defs.into_iter()
        .map(|(style, label, r)| Note {
            style,
            label,
            source_start: prose.source_range(r.clone()).start,
            in_house: scan::is_in_house(&text[r.clone()]),
            id: resolve_definition(&out, registry, titles, text, &r),
        })
        .collect()
}

/// What a definition at `r` cites: the first resolved citation inside it,
/// else a reference-list line, else a registry name.
fn resolve_definition(
    out: &[Citation],
    registry: &Registry,
    titles: &TitleIndex,
    text: &str,
    r: &Range<usize>,
) -> Option<String> {
    out.iter()
        .find(|c| c.range.start >= r.start && c.range.end <= r.end && c.id.is_some())
        .and_then(|c| c.id.clone())
        .or_else(|| reference_line(registry, titles, &text[r.clone()]))
        .or_else(|| {
            let names = registry.find_by_name(&text[r.clone()]);
            names.first().map(|e| e.id.clone())
        })
}

/// [`extract`], with footnote markers resolved against `notes` (the
/// definitions of the whole document, from [`notes`]) when given, rather
/// than against the definitions in `prose`.
pub fn extract_with(
    prose: &Prose,
    registry: &Registry,
    titles: &TitleIndex,
    notes: Option<&[Note]>,
) -> Vec<Citation> {
    let mut out = collect(prose, registry, titles);
    let refs = match notes {
        None => local_footnotes(prose, registry, titles, &out),
        Some(notes) => document_footnotes(prose, notes),
    };
    out.extend(refs);
    // Overlapping forms of the same citation (a DOI inside a doi.org URL,
    // an alias that is also an author–year): keep the resolved, longer one.
    out.sort_by_key(|c| {
        (
            c.range.start,
            std::cmp::Reverse(c.range.end),
            c.id.is_none(),
        )
    });
    let mut kept: Vec<Citation> = Vec::new();
    for c in out {
        if let Some(last) = kept.last_mut() {
            if c.source.is_none() && last.source.is_none() && c.range.start < last.range.end {
                if last.id.is_none() && c.id.is_some() {
                    *last = c;
                }
                continue;
            }
        }
        kept.push(c);
    }
    kept
}

/// Every citation of `prose` but footnote markers.
fn collect(prose: &Prose, registry: &Registry, titles: &TitleIndex) -> Vec<Citation> {
    let text = prose.text.as_str();
    let keys = titles.keys();
    let id_of = |e: Option<&crate::registry::Entry>| e.map(|e| e.id.clone());
    let mut out: Vec<Citation> = Vec::new();
    // What is already in `out`, as a set: a page with 100,000 citations must
    // not compare each new one with all before it.
    let mut seen: std::collections::HashSet<(usize, usize, u8)> = Default::default();
    let mut push = |out: &mut Vec<Citation>, c: Citation| {
        if seen.insert((c.range.start, c.range.end, c.kind as u8)) {
            out.push(c);
        }
    };
    for (m, id) in Ids::pmids(text) {
        let e = id_of(keys.pmid(registry, id));
        push(&mut out, resolved(m, CitationKind::Pmid, id, e));
    }
    for m in Ids::pmcids(text) {
        let id: String = m.as_str().split_whitespace().collect();
        let e = id_of(keys.pmcid(registry, &id));
        push(&mut out, resolved(m.range(), CitationKind::Pmcid, &id, e));
    }
    for (m, doi) in Ids::dois(text) {
        let doi = doi.trim_end_matches(['.', ',']);
        let e = id_of(keys.doi(registry, doi));
        push(&mut out, resolved(m, CitationKind::Doi, doi, e));
    }
    for m in Ids::ncts(text) {
        let e = id_of(keys.nct(registry, m.as_str()));
        push(
            &mut out,
            resolved(m.range(), CitationKind::Nct, m.as_str(), e),
        );
    }
    for c in AUTHOR_YEAR.captures_near(text, scan::author_year_triggers(text)) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let m = scan::author_year_span(text, m);
        let (name, year) = (&c[1], &c[2]);
        let e = id_of(keys.author_year(registry, name, year));
        push(
            &mut out,
            resolved(m.clone(), CitationKind::AuthorYear, &text[m], e),
        );
    }
    for (m, id) in titles.find(text) {
        let written = &text[m.clone()];
        push(
            &mut out,
            resolved(m, CitationKind::Title, written, Some(id.to_string())),
        );
    }
    // An organisation's statement named by its date (再生医療抗加齢学会の
    // 2024年8月5日の声明).
    for c in STATEMENT.captures_near(text, scan::statement_triggers(text)) {
        let Some(whole) = c.get(0) else { continue };
        let org = &c[1];
        let date = format!(
            "{}年{}月{}日",
            &c[2],
            c[3].trim_start_matches('0'),
            c[4].trim_start_matches('0')
        );
        let iso = format!("{}-{:0>2}-{:0>2}", &c[2], &c[3], &c[4]);
        let id = registry
            .entries()
            .iter()
            .find(|e| {
                let names: Vec<&str> = std::iter::once(e.title.as_str())
                    .chain(e.aliases.iter().map(String::as_str))
                    .chain(e.venue.as_deref())
                    .collect();
                let dated = e.published.as_ref().is_some_and(|p| p.to_string() == iso)
                    || names.iter().any(|n| n.contains(&date));
                dated && names.iter().any(|n| n.contains(org) || org.contains(n))
            })
            .map(|e| e.id.clone());
        push(
            &mut out,
            resolved(whole.range(), CitationKind::Title, whole.as_str(), id),
        );
    }
    // A title quoted in 「」 or 『』 with a particle or two changed
    // (エクソソームは/が) still names the entry.
    // The citations found so far as sorted starts with the furthest end
    // reached, so the overlap test is a binary search. Quoted titles do not
    // overlap one another, so those pushed below need no place in it.
    let mut spans: Vec<(usize, usize)> = out.iter().map(|o| (o.range.start, o.range.end)).collect();
    spans.sort_unstable();
    let reach: Vec<usize> = spans
        .iter()
        .scan(0, |far, &(_, e)| {
            *far = e.max(*far);
            Some(*far)
        })
        .collect();
    let overlaps = |start: usize, end: usize| {
        let i = spans.partition_point(|&(s, _)| s < end);
        i > 0 && reach[i - 1] > start
    };
    let mut scratch = titles::Scratch::default();
    // Copy repeats its quotes (the same testimonial on every page section).
    let mut judged: HashMap<&str, Option<&String>> = HashMap::new();
    for (whole, inner) in scan::quotes(text) {
        if overlaps(whole.start, whole.end) {
            continue;
        }
        let phrase = &text[inner];
        let id = *judged
            .entry(phrase)
            .or_insert_with(|| titles.fuzzy().quoted(phrase, &mut scratch));
        if let Some(id) = id {
            push(
                &mut out,
                resolved(whole, CitationKind::Title, phrase, Some(id.clone())),
            );
        }
    }
    for link in &prose.links {
        if let Some(c) = link_citation(link, registry, titles) {
            push(&mut out, c);
        }
    }
    out
}

/// Footnote markers resolved to the citations inside their definition in
/// `prose`.
fn local_footnotes(
    prose: &Prose,
    registry: &Registry,
    titles: &TitleIndex,
    out: &[Citation],
) -> Vec<Citation> {
    let text = prose.text.as_str();
    let mut markers = scan::markers(text).peekable();
    if markers.peek().is_none() {
        return Vec::new();
    }
    let defs = footnote_definitions(prose, &mut NoteState::default());
    let mut starts: Vec<usize> = defs.iter().map(|d| d.2.start).collect();
    starts.sort_unstable();
    let mut first: HashMap<(NoteStyle, &str), usize> = HashMap::new();
    for (i, (style, label, _)) in defs.iter().enumerate() {
        first.entry((*style, label.as_str())).or_insert(i);
    }
    // Each definition is judged once, however many markers point at it:
    // `None` when it points at the advertiser's own survey or unpublished
    // data (a disclosure, not a citation of evidence), else what it cites.
    let mut judged: Vec<Option<Option<Option<String>>>> = vec![None; defs.len()];
    let mut refs = Vec::new();
    for m in markers {
        let marker = &text[m.clone()];
        let (style, label) = footnote_key(marker);
        // The marker that opens its own definition is not a reference.
        if starts.binary_search(&m.start).is_ok() {
            continue;
        }
        let id = match first.get(&(style, label.as_str())) {
            None => None,
            Some(&i) => {
                let r = &defs[i].2;
                let verdict = judged[i].get_or_insert_with(|| {
                    (!scan::is_in_house(&text[r.clone()]))
                        .then(|| resolve_definition(out, registry, titles, text, r))
                });
                match verdict {
                    None => continue,
                    Some(id) => id.clone(),
                }
            }
        };
        refs.push(resolved(m, CitationKind::Footnote, marker, id));
    }
    refs
}

/// Footnote markers resolved against the definitions of a whole document.
fn document_footnotes(prose: &Prose, notes: &[Note]) -> Vec<Citation> {
    let text = prose.text.as_str();
    let mut markers = scan::markers(text).peekable();
    if markers.peek().is_none() {
        return Vec::new();
    }
    let mut starts: Vec<usize> = notes.iter().map(|n| n.source_start).collect();
    starts.sort_unstable();
    // Mapping a marker to the source is a search of its own: it is needed
    // only when some definition starts within this section's source.
    let source = prose.source_range(0..text.len());
    let defined_here = starts.partition_point(|&s| s < source.start)
        < starts.partition_point(|&s| s <= source.end);
    let mut first: HashMap<(NoteStyle, &str), &Note> = HashMap::new();
    for n in notes {
        first.entry((n.style, n.label.as_str())).or_insert(n);
    }
    let mut refs = Vec::new();
    for m in markers {
        let marker = &text[m.clone()];
        let (style, label) = footnote_key(marker);
        if defined_here
            && starts
                .binary_search(&prose.source_range(m.clone()).start)
                .is_ok()
        {
            continue;
        }
        let note = first.get(&(style, label.as_str()));
        if note.is_some_and(|n| n.in_house) {
            continue;
        }
        let id = note.and_then(|n| n.id.clone());
        refs.push(resolved(m, CitationKind::Footnote, marker, id));
    }
    refs
}

fn resolved(range: Range<usize>, kind: CitationKind, text: &str, id: Option<String>) -> Citation {
    Citation {
        range,
        source: None,
        kind,
        text: text.to_string(),
        id,
    }
}

fn link_citation(
    link: &crate::prose::Link,
    registry: &Registry,
    titles: &TitleIndex,
) -> Option<Citation> {
    let keys = titles.keys();
    let url = link.url.as_str();
    let (kind, key, entry) = if let Some((_, id)) = Ids::pmids(url).next() {
        (CitationKind::Pmid, id.to_string(), keys.pmid(registry, id))
    } else if let Some(m) = Ids::pmcids(url).next() {
        (
            CitationKind::Pmcid,
            m.as_str().to_string(),
            keys.pmcid(registry, m.as_str()),
        )
    } else if let Some((_, doi)) = Ids::dois(url).next() {
        (CitationKind::Doi, doi.to_string(), keys.doi(registry, doi))
    } else if url.starts_with("http") {
        // Any other link is a citation only if the registry knows it.
        let e = keys.url(registry, url)?;
        (CitationKind::Url, url.to_string(), Some(e))
    } else {
        return None;
    };
    Some(Citation {
        range: link.text.clone(),
        source: Some(link.url_source.clone()),
        kind,
        text: key,
        id: entry.map(|e| e.id.clone()),
    })
}

/// How a footnote marker is written; a marker resolves only to a definition
/// written the same way (a `[^1]` never to a `1.` heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NoteStyle {
    Caret,
    Kome,
    Bracket,
}

/// The style and label of a marker: `[^note]` → (Caret, "note"), `※１` → (Kome, "1").
fn footnote_key(marker: &str) -> (NoteStyle, String) {
    if let Some(rest) = marker.strip_prefix("[^") {
        return (NoteStyle::Caret, rest.trim_end_matches(']').to_string());
    }
    let style = if marker.starts_with('※') {
        NoteStyle::Kome
    } else {
        NoteStyle::Bracket
    };
    let digits: String = marker
        .chars()
        .take_while(|c| !matches!(c, ',' | '，' | '-' | '–'))
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect();
    (style, digits.trim_start_matches('0').to_string())
}

/// Each footnote definition: Markdown footnote blocks; blocks that open with
/// `※1` or `[1]`; and the items of a numbered reference list under a
/// 参考文献/References heading, which `[1]` markers point at by position.
fn footnote_definitions(
    prose: &Prose,
    state: &mut NoteState,
) -> Vec<(NoteStyle, String, Range<usize>)> {
    let mut defs = Vec::new();
    let NoteState {
        in_references,
        item,
    } = state;
    for b in &prose.blocks {
        let text = &prose.text[b.range.clone()];
        match b.kind {
            BlockKind::Footnote => {
                if let Some(l) = &b.label {
                    defs.push((NoteStyle::Caret, l.clone(), b.range.clone()));
                }
                continue;
            }
            BlockKind::Heading => {
                *in_references = scan::is_source_line(text);
                *item = 0;
            }
            BlockKind::ListItem if *in_references => {
                *item += 1;
                defs.push((NoteStyle::Bracket, item.to_string(), b.range.clone()));
            }
            _ => {}
        }
        // A note block opens with a marker and may define several notes in a
        // row (「※1 …　※2 …」, or one per line): each runs to the next marker.
        if !scan::opens_with_note(text) {
            continue;
        }
        let starts: Vec<(usize, NoteStyle, String)> = scan::markers(text)
            .filter(|m| {
                let before = text[..m.start].trim_end_matches([' ', '\u{3000}']);
                m.start == 0
                    || before.is_empty()
                    || before.ends_with(['。', '\n', '.', '、', ')', '）'])
            })
            .map(|m| {
                let (style, label) = footnote_key(&text[m.clone()]);
                (m.start, style, label)
            })
            .filter(|(_, style, _)| *style != NoteStyle::Caret)
            .collect();
        for (i, (start, style, label)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(text.len(), |n| n.0);
            defs.push((
                *style,
                label.clone(),
                b.range.start + start..b.range.start + end,
            ));
        }
    }
    defs
}

/// A reference-list line with no identifier: "Li Y, et al. J Immunol Res. 2022".
/// The first Latin word is the first author's surname, the first year the year.
fn reference_line(registry: &Registry, titles: &TitleIndex, text: &str) -> Option<String> {
    let surname = text
        .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .split(|c: char| !c.is_ascii_alphabetic() && c != '-')
        .next()?;
    let y = scan::first_year(text)?;
    titles
        .keys()
        .author_year(registry, surname, y)
        .map(|e| e.id.clone())
}

/// Whether a citation sits in a footnote or reference list rather than in
/// running text.
fn is_reference_entry(prose: &Prose, c: &Citation) -> bool {
    prose
        .block_at(c.range.start)
        .is_some_and(|b| prose.blocks[b].kind == BlockKind::Footnote)
}

/// The citations that back the claim in `sentence`.
pub fn for_sentence<'c>(
    prose: &Prose,
    sentences: &[Sentence],
    sentence: usize,
    citations: &'c [Citation],
) -> Vec<&'c Citation> {
    let sorted = citations
        .windows(2)
        .all(|w| w[0].range.start <= w[1].range.start);
    lookup(
        prose,
        &prose.paragraphs(),
        sentences,
        sentence,
        citations,
        sorted,
    )
    .0
}

/// [`for_sentence`] with the document's paragraphs computed once, for
/// citations sorted by start (as [`extract`] returns them): every lookup is
/// a binary search, so a document with many claims and citations stays
/// linear.
///
/// `before` is the last citation of the document before `prose` (a
/// document linted in sections, see [`last_in_text`]): 「この研究」 at the top
/// of a section points back to it.
pub fn for_sentence_in<'c>(
    prose: &Prose,
    paragraphs: &Paragraphs,
    sentences: &[Sentence],
    sentence: usize,
    citations: &'c [Citation],
    before: Option<&'c Citation>,
) -> Vec<&'c Citation> {
    let (found, anaphoric) = lookup(prose, paragraphs, sentences, sentence, citations, true);
    match before {
        Some(b)
            if found.is_empty()
                && points_back(prose, sentences, sentence, citations, anaphoric) =>
        {
            vec![b]
        }
        _ => found,
    }
}

/// Whether the sentence points back to an earlier study (`anaphoric`, when
/// [`lookup`] has already tested it) and nothing in `prose` before it
/// could be that study.
fn points_back(
    prose: &Prose,
    sentences: &[Sentence],
    sentence: usize,
    citations: &[Citation],
    anaphoric: Option<bool>,
) -> bool {
    let s = &sentences[sentence];
    anaphoric.unwrap_or_else(|| scan::is_anaphoric(&prose.text[s.range.clone()]))
        && !citations
            .iter()
            .any(|c| c.range.end <= s.range.start && !is_reference_entry(prose, c))
}

/// The last citation in running text of `citations` (of `prose`), with
/// its source span, for [`for_sentence_in`]'s `before` in the sections
/// that follow.
pub fn last_in_text(prose: &Prose, citations: &[Citation]) -> Option<Citation> {
    let c = citations.iter().rfind(|c| !is_reference_entry(prose, c))?;
    Some(Citation {
        source: Some(
            c.source
                .clone()
                .unwrap_or_else(|| prose.source_range(c.range.clone())),
        ),
        ..c.clone()
    })
}

/// The citations of the claim in `sentence`, and whether the sentence
/// points back to an earlier study when that had to be tested.
fn lookup<'c>(
    prose: &Prose,
    paragraphs: &Paragraphs,
    sentences: &[Sentence],
    sentence: usize,
    citations: &'c [Citation],
    sorted: bool,
) -> (Vec<&'c Citation>, Option<bool>) {
    let s = &sentences[sentence];
    // Where the citations from the sentence start on begin: the searches
    // for the paragraph and the citation before start from there, as they
    // mostly end a few citations away.
    let from_sentence = if sorted {
        citations.partition_point(|c| c.range.start < s.range.start)
    } else {
        0
    };
    let within = |r: &Range<usize>| {
        let end = r.end.max(r.start);
        let inside = |c: &&Citation| c.range.start >= r.start && c.range.end <= end;
        if sorted {
            let lo = partition_near(citations, from_sentence, |c| c.range.start < r.start);
            citations[lo..]
                .iter()
                .take_while(|c| c.range.start <= end)
                .filter(inside)
                .collect::<Vec<_>>()
        } else {
            citations.iter().filter(inside).collect::<Vec<_>>()
        }
    };
    let found = within(&s.range);
    if !found.is_empty() {
        return (found, None);
    }
    let block = &prose.blocks[s.block];
    // The paragraph: the block, or every block of its group (lines of a text paragraph).
    let span = paragraphs
        .span(block.group)
        .unwrap_or_else(|| block.range.clone());
    let (start, end) = (span.start, span.end);
    // A name mentioned in another sentence (本ページは医療広告ガイドラインに
    // 準拠しています) is not a source the claim gives: only citations in
    // their own right reach across sentences.
    let found: Vec<_> = within(&(start..end))
        .into_iter()
        .filter(|c| c.kind != CitationKind::Title)
        .collect();
    if !found.is_empty() {
        return (found, None);
    }
    // A source line right after the paragraph (blocks are sorted by start).
    let next = prose.blocks.partition_point(|b| b.range.start <= end);
    if let Some(next) = prose.blocks.get(next) {
        if scan::is_source_line(&prose.text[next.range.clone()]) {
            let found = within(&next.range);
            if !found.is_empty() {
                return (found, None);
            }
        }
    }
    // 「この研究」「著者らは」 point back to the study cited just before.
    let anaphoric = scan::is_anaphoric(&prose.text[s.range.clone()]);
    if anaphoric {
        // Only citations that start by the sentence start can end before it.
        let upto = if sorted {
            partition_near(citations, from_sentence, |c| c.range.start <= s.range.start)
        } else {
            citations.len()
        };
        if let Some(c) = citations[..upto]
            .iter()
            .rfind(|c| c.range.end <= s.range.start && !is_reference_entry(prose, c))
        {
            return (vec![c], Some(true));
        }
    }
    (Vec::new(), Some(anaphoric))
}

/// `citations.partition_point(pred)`, searched outwards from `near`: the
/// distance doubles until the point is passed, then halves.
fn partition_near(citations: &[Citation], near: usize, pred: impl Fn(&Citation) -> bool) -> usize {
    let near = near.min(citations.len());
    let (mut lo, mut hi) = (0, citations.len());
    if citations.get(near).is_some_and(&pred) {
        let mut step = 1;
        lo = near + 1;
        while let Some(c) = citations.get(near + step) {
            if !pred(c) {
                hi = near + step;
                break;
            }
            lo = near + step + 1;
            step *= 2;
        }
    } else {
        hi = near;
        let mut step = 1;
        while let Some(i) = near.checked_sub(step) {
            if pred(&citations[i]) {
                lo = i + 1;
                break;
            }
            hi = i;
            step *= 2;
        }
    }
    lo + citations[lo..hi].partition_point(&pred)
}
