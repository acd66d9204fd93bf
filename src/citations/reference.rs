//! The implementation before the fast paths: one regular expression per
//! form run over the whole text, titles as one alternation of every name.
//! The fast paths must find exactly what this finds.

use super::{Citation, CitationKind};
use crate::prose::{BlockKind, Paragraphs, Prose};
use crate::registry::Registry;
use crate::segment::Sentence;
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

pub(super) struct Patterns {
    pub(super) author_year: Regex,
    pub(super) pmid: Regex,
    pub(super) pmcid: Regex,
    pub(super) doi: Regex,
    pub(super) nct: Regex,
    pub(super) footnote: Regex,
    pub(super) source_line: Regex,
    pub(super) footnote_def: Regex,
    pub(super) anaphora: Regex,
    pub(super) quoted_title: Regex,
    pub(super) in_house: Regex,
    pub(super) statement: Regex,
    pub(super) statement_hint: Regex,
}

pub(super) fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| {
            RegexBuilder::new(s)
                .case_insensitive(true)
                .build()
                .expect("constant citation pattern")
        };
        Patterns {
            // Surname (Latin, or 1–4 kanji/katakana), an optional "et al."/ら/ほか,
            // then a year, possibly in brackets of either width.
            author_year: re(
                r"([A-Z][A-Za-z'\-]+|[\p{Han}\p{Katakana}ー]{1,6})(?:\s*(?:et\s*al\.?|and\s+[A-Z][A-Za-z'\-]+|&\s*[A-Z][A-Za-z'\-]+)|\s*(?:ら|ほか|他|等))(?:の|による)?(?:研究チーム|研究グループ|研究|論文|報告|チーム|グループ)?[\s,，、．.]*[(（]?\s*((?:19|20)[0-9]{2})\s*年?\s*[)）]?",
            ),
            pmid: re(r"(?:PMID\s*[:：]?\s*|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)([0-9]{1,9})"),
            pmcid: re(r"\bPMC\s*[0-9]{3,9}\b"),
            doi: re(r#"(?:doi\s*[:：]\s*|doi\.org/)?(10\.[0-9]{4,9}/[^\s、。，」』）)\]<>"]+)"#),
            nct: re(r"\bNCT[0-9]{8}\b"),
            footnote: re(r"\[\^[^\]\s]{1,20}\]|※\s*[0-9０-９]{1,3}|[\[［][0-9０-９]{1,3}(?:[,，\-–][0-9０-９]{1,3})*[\]］]"),
            source_line: re(r"^\s*(?:[【\[［(（]?\s*)?(?:出典|参考文献|参考資料|参考|引用元?|文献|ソース|Source|References?)\s*[】\]］)）]?\s*[:：]?"),
            in_house: re(r"(?:当社|当院|自社|弊社|当法人|当クリニック|当グループ|社内)(?:調べ|調査|データ|試験|実施)|アンケート|モニター|未公表|未発表|社内資料"),
            statement: re(r"([\p{Han}\p{Katakana}ー・]{2,24}(?:学会|省|庁|協会|研究会|機構|委員会|局|課|センター))(?:は|も|が|の)?[、,]?\s*((?:19|20)[0-9]{2})年\s*([0-9]{1,2})月\s*([0-9]{1,2})日(?:付け?)?の?(?:声明|通知|事務連絡|見解|提言|ガイダンス|注意喚起|発表|文書)"),
            statement_hint: re("声明|通知|事務連絡|見解|提言|ガイダンス|注意喚起|発表|文書"),
            quoted_title: re(r"[「『]([^「」『』\n]{10,160})[」』]"),
            anaphora: re(r"(?:この|その|同じ|同|本|上記の|前述の|先の)(?:研究|結果|データ|知見|論文|試験|報告|総説|レビュー|調査|実験)|著者ら|研究者ら|研究チーム|(?:総説|レビュー)(?:で|では|によると|によれば)"),
            footnote_def: re(r"^\s*(?:※\s*([0-9０-９]{1,3})|[\[［]([0-9０-９]{1,3})[\]］])"),
        }
    })
}

/// Titles and aliases of registry entries, compiled into one pattern, plus
/// their character bigrams for titles quoted with small differences.
pub(super) struct TitleIndex {
    re: Option<Regex>,
    ids: Vec<String>,
    fuzzy: Vec<(Vec<(char, char)>, String)>,
    /// For each bigram, the `fuzzy` titles that contain it, ascending: a
    /// quoted phrase is scored only against titles it shares a bigram with.
    postings: HashMap<(char, char), Vec<u32>>,
}

/// Letters and digits only, lower-cased: punctuation, spaces and bracket
/// widths differ between the way a title is quoted and the way it is stored.
fn folded(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let f = folded(s);
    let mut b: Vec<(char, char)> = f.windows(2).map(|w| (w[0], w[1])).collect();
    b.sort_unstable();
    b.dedup();
    b
}

/// Per-title counters for [`TitleIndex::closest`], reused across phrases.
#[derive(Default)]
struct Scratch {
    shared: Vec<u32>,
    touched: Vec<u32>,
}

impl TitleIndex {
    /// The title with the highest Dice coefficient over `grams` (sorted,
    /// deduplicated bigrams), among titles of comparable length; ties go
    /// to the first title. Shared bigrams are counted through the postings,
    /// so only titles that share one with the phrase are looked at; the
    /// coefficient is then 2·shared / (phrase bigrams + title bigrams).
    fn closest(&self, grams: &[(char, char)], scratch: &mut Scratch) -> Option<(f64, &String)> {
        let Scratch { shared, touched } = scratch;
        shared.resize(self.fuzzy.len(), 0);
        for g in grams {
            for &t in self.postings.get(g).map_or(&[][..], Vec::as_slice) {
                if shared[t as usize] == 0 {
                    touched.push(t);
                }
                shared[t as usize] += 1;
            }
        }
        touched.sort_unstable();
        // Dice ≥ 0.75 needs the shorter bigram list to be at least 0.6 of the
        // longer one, so titles of very different length are skipped unscored:
        // most quoted phrases in copy (「患者様の声」) are far shorter than
        // any title.
        let n = grams.len();
        let best = touched
            .iter()
            .map(|&t| (&self.fuzzy[t as usize], shared[t as usize]))
            .filter(|((g, _), _)| 5 * n.min(g.len()) >= 3 * n.max(g.len()))
            .map(|((g, id), common)| (2.0 * common as f64 / (n + g.len()) as f64, id))
            .fold(None::<(f64, &String)>, |best, (score, id)| match best {
                Some((b, _)) if b >= score => best,
                _ => Some((score, id)),
            });
        for &t in touched.iter() {
            shared[t as usize] = 0;
        }
        touched.clear();
        best
    }

    /// Every name written in `text`, with the id of its entry.
    pub(super) fn find(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let Some(re) = &self.re else {
            return Vec::new();
        };
        re.captures_iter(text)
            .filter_map(|c| {
                let group = (1..c.len()).find(|&i| c.get(i).is_some())?;
                Some((c.get(0)?.range(), self.ids[group - 1].clone()))
            })
            .collect()
    }

    /// Builds the index for `registry`: every title and alias of at least
    /// four characters, longest first so a full title beats a short alias.
    pub(super) fn new(registry: &Registry) -> TitleIndex {
        let mut names: Vec<(String, String)> = Vec::new();
        for e in registry.entries() {
            for name in std::iter::once(&e.title).chain(&e.aliases) {
                if name.chars().count() >= 4 {
                    names.push((name.clone(), e.id.clone()));
                }
            }
        }
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        names.dedup_by(|a, b| a.0 == b.0);
        let alternation: Vec<String> = names
            .iter()
            .map(|(n, _)| {
                n.split_whitespace()
                    .map(regex::escape)
                    .collect::<Vec<_>>()
                    .join(r"\s+")
            })
            .map(|p| format!("({p})"))
            .collect();
        let re = if alternation.is_empty() {
            None
        } else {
            RegexBuilder::new(&alternation.join("|"))
                .case_insensitive(true)
                .size_limit(64 << 20)
                // The alternation of every title needs more lazy-DFA states
                // than the default cache holds; when the cache thrashes the
                // regex falls back to the PikeVM, which crawls through a
                // long page at a few MB/s.
                .dfa_size_limit(64 << 20)
                .build()
                .ok()
        };
        let fuzzy: Vec<(Vec<(char, char)>, String)> = names
            .iter()
            .filter(|(n, _)| folded(n).len() >= 10)
            .map(|(n, id)| (bigrams(n), id.clone()))
            .collect();
        let mut postings: HashMap<(char, char), Vec<u32>> = HashMap::new();
        for (i, (grams, _)) in fuzzy.iter().enumerate() {
            for g in grams {
                postings.entry(*g).or_default().push(i as u32);
            }
        }
        TitleIndex {
            re,
            ids: names.into_iter().map(|(_, id)| id).collect(),
            fuzzy,
            postings,
        }
    }
}

/// Finds and resolves every citation in `prose`.
pub(super) fn extract(prose: &Prose, registry: &Registry, titles: &TitleIndex) -> Vec<Citation> {
    extract_with(prose, registry, titles, None)
}

/// A footnote definition of a document linted in sections, resolved once
/// by [`notes`] so that a marker in one section finds its definition in
/// another.
#[derive(Debug, Clone)]
pub(super) struct Note {
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
pub(super) struct NoteState {
    in_references: bool,
    item: usize,
}

/// The footnote definitions of one section of a document, resolved as
/// [`extract`] resolves them; sections must come in document order.
pub(super) fn notes(
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
            in_house: patterns().in_house.is_match(&text[r.clone()]),
            id: resolve_definition(&out, registry, text, &r),
        })
        .collect()
}

/// What a definition at `r` cites: the first resolved citation inside it,
/// else a reference-list line, else a registry name.
fn resolve_definition(
    out: &[Citation],
    registry: &Registry,
    text: &str,
    r: &Range<usize>,
) -> Option<String> {
    out.iter()
        .find(|c| c.range.start >= r.start && c.range.end <= r.end && c.id.is_some())
        .and_then(|c| c.id.clone())
        .or_else(|| reference_line(registry, &text[r.clone()]))
        .or_else(|| {
            let names = registry.find_by_name(&text[r.clone()]);
            names.first().map(|e| e.id.clone())
        })
}

/// [`extract`], with footnote markers resolved against `notes` (the
/// definitions of the whole document, from [`notes`]) when given, rather
/// than against the definitions in `prose`.
pub(super) fn extract_with(
    prose: &Prose,
    registry: &Registry,
    titles: &TitleIndex,
    notes: Option<&[Note]>,
) -> Vec<Citation> {
    let mut out = collect(prose, registry, titles);
    let refs = match notes {
        None => local_footnotes(prose, registry, &out),
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
    let p = patterns();
    let text = prose.text.as_str();
    let mut out: Vec<Citation> = Vec::new();
    // What is already in `out`, as a set: a page with 100,000 citations must
    // not compare each new one with all before it.
    let mut seen: std::collections::HashSet<(usize, usize, u8)> = Default::default();
    let mut push = |out: &mut Vec<Citation>, c: Citation| {
        if seen.insert((c.range.start, c.range.end, c.kind as u8)) {
            out.push(c);
        }
    };
    for c in p.pmid.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let id = &c[1];
        push(
            &mut out,
            resolved(
                m,
                CitationKind::Pmid,
                id,
                registry.find_by_pmid(id).map(|e| e.id.clone()),
            ),
        );
    }
    for m in p.pmcid.find_iter(text) {
        let id: String = m.as_str().split_whitespace().collect();
        let e = registry.find_by_pmcid(&id).map(|e| e.id.clone());
        push(&mut out, resolved(m.range(), CitationKind::Pmcid, &id, e));
    }
    for c in p.doi.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let doi = c[1].trim_end_matches(['.', ',']);
        let e = registry.find_by_doi(doi).map(|e| e.id.clone());
        push(&mut out, resolved(m, CitationKind::Doi, doi, e));
    }
    for m in p.nct.find_iter(text) {
        let e = registry.find_by_nct(m.as_str()).map(|e| e.id.clone());
        push(
            &mut out,
            resolved(m.range(), CitationKind::Nct, m.as_str(), e),
        );
    }
    for c in p.author_year.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let m = super::scan::author_year_span(text, m);
        let (name, year) = (&c[1], &c[2]);
        let e = resolve_author_year(registry, name, year);
        push(
            &mut out,
            resolved(m.clone(), CitationKind::AuthorYear, &text[m], e),
        );
    }
    if let Some(re) = &titles.re {
        for c in re.captures_iter(text) {
            let Some(group) = (1..c.len()).find(|&i| c.get(i).is_some()) else {
                continue;
            };
            let m = c.get(0).map_or(0..0, |m| m.range());
            let id = titles.ids.get(group - 1).cloned();
            push(&mut out, resolved(m, CitationKind::Title, &c[0], id));
        }
    }
    // An organisation's statement named by its date (再生医療抗加齢学会の
    // 2024年8月5日の声明).
    // Every statement ends with one of a few words: only a text with one
    // is searched with the full pattern.
    let statements = if p.statement_hint.is_match(text) {
        Some(p.statement.captures_iter(text))
    } else {
        None
    };
    for c in statements.into_iter().flatten() {
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
    let mut scratch = Scratch::default();
    for c in p.quoted_title.captures_iter(text) {
        let (Some(whole), Some(inner)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if overlaps(whole.start(), whole.end()) {
            continue;
        }
        let grams = bigrams(inner.as_str());
        let best = titles.closest(&grams, &mut scratch);
        if let Some((score, id)) = best {
            if score >= 0.75 {
                push(
                    &mut out,
                    resolved(
                        whole.range(),
                        CitationKind::Title,
                        inner.as_str(),
                        Some(id.clone()),
                    ),
                );
            }
        }
    }
    for link in &prose.links {
        if let Some(c) = link_citation(link, registry) {
            push(&mut out, c);
        }
    }
    out
}

/// Footnote markers resolved to the citations inside their definition in
/// `prose`.
fn local_footnotes(prose: &Prose, registry: &Registry, out: &[Citation]) -> Vec<Citation> {
    let p = patterns();
    let text = prose.text.as_str();
    let defs = footnote_definitions(prose, &mut NoteState::default());
    // Each definition resolves once, however many markers point at it.
    let mut resolved_defs: HashMap<Range<usize>, Option<String>> = Default::default();
    let mut refs = Vec::new();
    for m in p.footnote.find_iter(text) {
        let (style, label) = footnote_key(m.as_str());
        // The marker that opens its own definition is not a reference.
        if defs.iter().any(|(_, _, r)| r.start == m.start()) {
            continue;
        }
        let def = defs
            .iter()
            .find(|(s, l, _)| *s == style && *l == label)
            .map(|(_, _, r)| r.clone());
        // A note that points at the advertiser's own survey or unpublished
        // data is a disclosure, not a citation of evidence.
        if def
            .as_ref()
            .is_some_and(|r| p.in_house.is_match(&text[r.clone()]))
        {
            continue;
        }
        let id = def.and_then(|r| {
            resolved_defs
                .entry(r.clone())
                .or_insert_with(|| resolve_definition(out, registry, text, &r))
                .clone()
        });
        refs.push(resolved(m.range(), CitationKind::Footnote, m.as_str(), id));
    }
    refs
}

/// Footnote markers resolved against the definitions of a whole document.
fn document_footnotes(prose: &Prose, notes: &[Note]) -> Vec<Citation> {
    let p = patterns();
    let mut refs = Vec::new();
    for m in p.footnote.find_iter(&prose.text) {
        let (style, label) = footnote_key(m.as_str());
        let at = prose.source_range(m.range()).start;
        if notes.iter().any(|n| n.source_start == at) {
            continue;
        }
        let note = notes.iter().find(|n| n.style == style && n.label == label);
        if note.is_some_and(|n| n.in_house) {
            continue;
        }
        let id = note.and_then(|n| n.id.clone());
        refs.push(resolved(m.range(), CitationKind::Footnote, m.as_str(), id));
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

fn resolve_author_year(registry: &Registry, name: &str, year: &str) -> Option<String> {
    let year: u16 = year.parse().ok()?;
    let lname = name.to_lowercase();
    registry
        .entries()
        .iter()
        .find(|e| {
            e.year == Some(year)
                && e.authors.first().is_some_and(|a| {
                    let a = a.to_lowercase();
                    // "Byong Seung Cho" or "Cho BS": the surname is one of the words.
                    a.split([' ', ',', '.']).any(|w| w == lname) || a == lname
                })
        })
        .map(|e| e.id.clone())
}

fn link_citation(link: &crate::prose::Link, registry: &Registry) -> Option<Citation> {
    let p = patterns();
    let url = link.url.as_str();
    let (kind, key, entry) = if let Some(c) = p.pmid.captures(url) {
        (
            CitationKind::Pmid,
            c[1].to_string(),
            registry.find_by_pmid(&c[1]),
        )
    } else if let Some(m) = p.pmcid.find(url) {
        (
            CitationKind::Pmcid,
            m.as_str().to_string(),
            registry.find_by_pmcid(m.as_str()),
        )
    } else if let Some(c) = p.doi.captures(url) {
        (
            CitationKind::Doi,
            c[1].to_string(),
            registry.find_by_doi(&c[1]),
        )
    } else if url.starts_with("http") {
        // Any other link is a citation only if the registry knows it.
        let e = registry.find_by_url(url)?;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    let p = patterns();
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
                *in_references = p.source_line.is_match(text);
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
        if !p.footnote_def.is_match(text) {
            continue;
        }
        let starts: Vec<(usize, NoteStyle, String)> = p
            .footnote
            .find_iter(text)
            .filter(|m| {
                let before = text[..m.start()].trim_end_matches([' ', '\u{3000}']);
                m.start() == 0
                    || before.is_empty()
                    || before.ends_with(['。', '\n', '.', '、', ')', '）'])
            })
            .map(|m| {
                let (style, label) = footnote_key(m.as_str());
                (m.start(), style, label)
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
fn reference_line(registry: &Registry, text: &str) -> Option<String> {
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let year = YEAR.get_or_init(|| Regex::new(r"\b(?:19|20)[0-9]{2}\b").expect("constant"));
    let surname = text
        .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .split(|c: char| !c.is_ascii_alphabetic() && c != '-')
        .next()?;
    let y = year.find(text)?;
    resolve_author_year(registry, surname, y.as_str())
}

/// Whether a citation sits in a footnote or reference list rather than in
/// running text.
fn is_reference_entry(prose: &Prose, c: &Citation) -> bool {
    prose
        .block_at(c.range.start)
        .is_some_and(|b| prose.blocks[b].kind == BlockKind::Footnote)
}

/// The citations that back the claim in `sentence`.
pub(super) fn for_sentence<'c>(
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
}

/// [`for_sentence`] with the document's paragraphs computed once, for
/// citations sorted by start (as [`extract`] returns them): every lookup is
/// a binary search, so a document with many claims and citations stays
/// linear.
///
/// `before` is the last citation of the document before `prose` (a
/// document linted in sections, see [`last_in_text`]): 「この研究」 at the top
/// of a section points back to it.
pub(super) fn for_sentence_in<'c>(
    prose: &Prose,
    paragraphs: &Paragraphs,
    sentences: &[Sentence],
    sentence: usize,
    citations: &'c [Citation],
    before: Option<&'c Citation>,
) -> Vec<&'c Citation> {
    let found = lookup(prose, paragraphs, sentences, sentence, citations, true);
    match before {
        Some(b) if found.is_empty() && points_back(prose, sentences, sentence, citations) => {
            vec![b]
        }
        _ => found,
    }
}

/// Whether the sentence points back to an earlier study and nothing in
/// `prose` before it could be that study.
fn points_back(
    prose: &Prose,
    sentences: &[Sentence],
    sentence: usize,
    citations: &[Citation],
) -> bool {
    let s = &sentences[sentence];
    patterns().anaphora.is_match(&prose.text[s.range.clone()])
        && !citations
            .iter()
            .any(|c| c.range.end <= s.range.start && !is_reference_entry(prose, c))
}

/// The last citation in running text of `citations` (of `prose`), with
/// its source span, for [`for_sentence_in`]'s `before` in the sections
/// that follow.
pub(super) fn last_in_text(prose: &Prose, citations: &[Citation]) -> Option<Citation> {
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

fn lookup<'c>(
    prose: &Prose,
    paragraphs: &Paragraphs,
    sentences: &[Sentence],
    sentence: usize,
    citations: &'c [Citation],
    sorted: bool,
) -> Vec<&'c Citation> {
    let within = |r: &Range<usize>| {
        let end = r.end.max(r.start);
        let inside = |c: &&Citation| c.range.start >= r.start && c.range.end <= end;
        if sorted {
            let lo = citations.partition_point(|c| c.range.start < r.start);
            citations[lo..]
                .iter()
                .take_while(|c| c.range.start <= end)
                .filter(inside)
                .collect::<Vec<_>>()
        } else {
            citations.iter().filter(inside).collect::<Vec<_>>()
        }
    };
    let s = &sentences[sentence];
    let found = within(&s.range);
    if !found.is_empty() {
        return found;
    }
    let block = &prose.blocks[s.block];
    // The paragraph: the block, or every block of its group (lines of a text paragraph).
    let span = paragraphs
        .span(block.group)
        .unwrap_or_else(|| block.range.clone());
    let (start, end) = (span.start, span.end);
    let found: Vec<_> = within(&(start..end))
        .into_iter()
        .filter(|c| c.kind != CitationKind::Title)
        .collect();
    if !found.is_empty() {
        return found;
    }
    // A source line right after the paragraph (blocks are sorted by start).
    let next = prose.blocks.partition_point(|b| b.range.start <= end);
    if let Some(next) = prose.blocks.get(next) {
        if patterns()
            .source_line
            .is_match(&prose.text[next.range.clone()])
        {
            let found = within(&next.range);
            if !found.is_empty() {
                return found;
            }
        }
    }
    // 「この研究」「著者らは」 point back to the study cited just before.
    if patterns().anaphora.is_match(&prose.text[s.range.clone()]) {
        // Only citations that start by the sentence start can end before it.
        let upto = if sorted {
            citations.partition_point(|c| c.range.start <= s.range.start)
        } else {
            citations.len()
        };
        if let Some(c) = citations[..upto]
            .iter()
            .rfind(|c| c.range.end <= s.range.start && !is_reference_entry(prose, c))
        {
            return vec![c];
        }
    }
    Vec::new()
}
