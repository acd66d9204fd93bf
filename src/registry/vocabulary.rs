//! Controlled vocabulary for `interventions` and `conditions`: ids with a
//! Japanese label, `broader` ids (a DAG: `adsc-exosome` ⊂ `msc-exosome` ⊂
//! `exosome`) and regexes that find the term in marketing copy. The evidence
//! engine tags claims with these ids and compares them with entries.

use crate::fx::FxMap;
use crate::rules::LazyRegex;
use crate::scan::StartScanner;
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Compiled-size cap for one pattern (bytes of regex program).
pub(crate) const PATTERN_SIZE_LIMIT: usize = 256 * 1024;
/// Longest pattern source accepted.
pub(crate) const PATTERN_MAX_LEN: usize = 2_000;

/// Which list a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// A treatment, product or route (`interventions:`).
    Intervention,
    /// A condition or concern treated (`conditions:`).
    Condition,
}

impl TermKind {
    /// The YAML key of the list.
    pub fn as_str(self) -> &'static str {
        match self {
            TermKind::Intervention => "interventions",
            TermKind::Condition => "conditions",
        }
    }

    /// Japanese label for users.
    pub fn label(self) -> &'static str {
        match self {
            TermKind::Intervention => "介入",
            TermKind::Condition => "対象の症状・疾患",
        }
    }
}

/// One vocabulary term.
#[derive(Debug, Clone)]
pub struct Term {
    /// Unique id (across both kinds).
    pub id: String,
    /// Which list it is in.
    pub kind: TermKind,
    /// Japanese label for messages.
    pub label: String,
    /// Ids of broader terms (of the same kind).
    pub broader: Vec<String>,
    /// Patterns, case-insensitive; checked when loaded, compiled alone only
    /// for the slow path (all of them together make the tagging scanner).
    pub patterns: Vec<LazyRegex>,
    pub(crate) source: usize,
    pub(crate) index: usize,
    /// Position in [`Vocabulary::terms`], set when inserted.
    pub(crate) ordinal: usize,
}

impl Term {
    /// Index of the file this term came from in [`super::Registry::sources`].
    pub fn source_index(&self) -> usize {
        self.source
    }
}

/// A place in a text where a term's pattern matched.
#[derive(Debug, Clone)]
pub struct TermMatch<'v> {
    /// The term found.
    pub term: &'v Term,
    /// Byte range in the searched text.
    pub range: Range<usize>,
}

/// All terms, by id. Ids are unique across both kinds.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    terms: Vec<Term>,
    by_id: FxMap<String, usize>,
    /// Every term's patterns compiled together, built on first tagging and
    /// dropped when a term is added.
    index: OnceLock<Option<Arc<TagIndex>>>,
    /// How the terms relate, built on first use.
    relations: OnceLock<Arc<Relations>>,
}

/// The `broader` closure and id order of the terms, worked out once: tagging
/// compares every pair of overlapping matches, and the evidence engine every
/// pair of ids it weighs.
#[derive(Debug)]
struct Relations {
    /// [`Vocabulary::ancestors`] of every id.
    ancestors: FxMap<String, Vec<String>>,
    /// Per term: the ordinal of the first term with its id.
    canon: Vec<u32>,
    /// Per term: the rank of its id among all ids in sorted order.
    rank: Vec<u32>,
    /// `is_a` between terms by ordinal: bit `i * n + j`.
    is_a: Vec<u64>,
    n: usize,
}

impl Relations {
    fn is_a(&self, narrow: usize, broad: usize) -> bool {
        let bit = narrow * self.n + broad;
        self.is_a[bit / 64] >> (bit % 64) & 1 == 1
    }
}

/// A term as tagging reports it: the first term defined with its id (a
/// later definition of the same id is a duplicate that
/// [`super::Registry::check`] reports), so equal ids are equal `TermId`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermId(u32);

impl TermId {
    /// Ids from `u32::MAX` down stand for ids that are not terms (see
    /// [`super::Resolved`]).
    pub(crate) fn foreign(k: usize) -> TermId {
        TermId(u32::MAX - k as u32)
    }

    pub(crate) fn foreign_index(self) -> Option<usize> {
        (self.0 as usize >= FOREIGN_FROM).then(|| (u32::MAX - self.0) as usize)
    }
}

/// Term ids in order of first mention, the first few held inline: a
/// claim's topics (its words', its sentence's, its paragraph's) are built,
/// copied and merged for every finding, and rarely hold more than two ids
/// of a kind, so most never allocate.
#[derive(Clone)]
pub struct TermIds {
    len: u8,
    inline: [TermId; TermIds::INLINE],
    /// All the ids, once there are more than fit inline; empty before.
    spilled: Vec<TermId>,
}

impl Default for TermIds {
    fn default() -> TermIds {
        // The inline room past `len` is never read; any id fills it.
        TermIds {
            len: 0,
            inline: [TermId(0); TermIds::INLINE],
            spilled: Vec::new(),
        }
    }
}

impl TermIds {
    const INLINE: usize = 4;

    pub fn push(&mut self, id: TermId) {
        let len = usize::from(self.len);
        if !self.spilled.is_empty() {
            self.spilled.push(id);
        } else if len < TermIds::INLINE {
            self.inline[len] = id;
            self.len += 1;
        } else {
            self.spilled.reserve(len + 1);
            self.spilled.extend_from_slice(&self.inline);
            self.spilled.push(id);
        }
    }
}

impl std::ops::Deref for TermIds {
    type Target = [TermId];
    fn deref(&self) -> &[TermId] {
        if self.spilled.is_empty() {
            &self.inline[..usize::from(self.len)]
        } else {
            &self.spilled
        }
    }
}

impl PartialEq for TermIds {
    fn eq(&self, other: &TermIds) -> bool {
        **self == **other
    }
}

impl Eq for TermIds {}

impl std::fmt::Debug for TermIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl FromIterator<TermId> for TermIds {
    fn from_iter<I: IntoIterator<Item = TermId>>(iter: I) -> TermIds {
        let mut out = TermIds::default();
        for id in iter {
            out.push(id);
        }
        out
    }
}

impl<'a> IntoIterator for &'a TermIds {
    type Item = &'a TermId;
    type IntoIter = std::slice::Iter<'a, TermId>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Where foreign [`TermId`]s begin; no vocabulary has this many terms.
const FOREIGN_FROM: usize = 1 << 31;

/// All patterns of all terms in one [`StartScanner`]: tagging a text is one
/// walk over it rather than a search per pattern.
struct TagIndex {
    scanner: StartScanner,
    /// The term of each scanner pattern; patterns are numbered term by term,
    /// in each term's order.
    owner: Vec<usize>,
    /// Patterns with look-around assertions (`\b`), whose matches next to
    /// the edge of a range depend on what lies beyond it: [`Tags`] tags the
    /// range itself with them.
    lookaround: Vec<bool>,
    /// The patterns with look-around, each with the literals one of which
    /// starts every match (when they can be listed), so that a range
    /// without them is not searched.
    around: Vec<(usize, Option<Vec<String>>)>,
    /// Per pattern: the term and the index of the pattern in it.
    pattern: Vec<(usize, usize)>,
}

impl std::fmt::Debug for TagIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagIndex")
            .field("patterns", &self.owner.len())
            .finish()
    }
}

/// `_vocabulary.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct VocabularyFile {
    #[serde(default)]
    pub(crate) interventions: Vec<TermDef>,
    #[serde(default)]
    pub(crate) conditions: Vec<TermDef>,
}

/// One term as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct TermDef {
    pub(crate) id: String,
    pub(crate) label: String,
    #[serde(default)]
    pub(crate) broader: Vec<String>,
    #[serde(default)]
    pub(crate) patterns: Vec<String>,
    /// Free-text note for maintainers; not shown to users.
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) note: Option<String>,
}

/// A built-in vocabulary pattern, as [`compile_pattern`] makes it, without
/// the check (`tests/registry.rs` checks the built-ins).
pub(crate) fn builtin_pattern(src: &str) -> LazyRegex {
    LazyRegex::new(src.to_string(), PATTERN_SIZE_LIMIT * 4).case_insensitive(true)
}

/// Compiles one vocabulary pattern with the registry's limits.
pub(crate) fn compile_pattern(src: &str) -> Result<LazyRegex, String> {
    if src.chars().count() > PATTERN_MAX_LEN {
        return Err(format!(
            "パターンが長すぎます（{PATTERN_MAX_LEN} 文字まで）"
        ));
    }
    // Checking needs only the NFA: the full regex (DFA, prefilters) is built
    // when the slow path first wants it, which it almost never does. The NFA
    // size limit is the same measure `regex`'s `size_limit` applies.
    let nfa = thompson::Compiler::new()
        .syntax(syntax::Config::new().case_insensitive(true))
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(PATTERN_SIZE_LIMIT))
                .which_captures(thompson::WhichCaptures::None),
        )
        .build(src)
        .map_err(|e| match e.size_limit() {
            Some(n) => {
                format!("パターンが大きすぎます（コンパイル後 {n} バイトの上限を超えます）")
            }
            None => format!("正規表現として不正です: {}", first_line(&e.to_string())),
        })?;
    let vm = regex_automata::nfa::thompson::pikevm::PikeVM::new_from_nfa(nfa)
        .map_err(|e| e.to_string())?;
    if vm.is_match(&mut vm.create_cache(), "") {
        return Err(
            "空文字列にマッチするパターンは使えません（どの文にもマッチしてしまいます）"
                .to_string(),
        );
    }
    Ok(builtin_pattern(src))
}

fn first_line(s: &str) -> String {
    // regex errors are multi-line ASCII art; keep the gist for one diagnostic.
    s.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| s.lines().next().unwrap_or(""))
        .trim_start_matches("error:")
        .trim()
        .to_string()
}

impl Vocabulary {
    /// All terms in load order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The term with this id, of either kind.
    pub fn get(&self, id: &str) -> Option<&Term> {
        self.by_id.get(id).and_then(|&i| self.terms.get(i))
    }

    /// True when `id` is a term of `kind`.
    pub fn contains(&self, kind: TermKind, id: &str) -> bool {
        self.get(id).is_some_and(|t| t.kind == kind)
    }

    /// Terms of one kind.
    pub fn of_kind(&self, kind: TermKind) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(move |t| t.kind == kind)
    }

    /// `narrow` is `broad` or lies below it through `broader` links.
    /// Unknown ids are only equal to themselves. Cycles are tolerated.
    pub fn is_a(&self, narrow: &str, broad: &str) -> bool {
        narrow == broad
            || self
                .relations()
                .ancestors
                .get(narrow)
                .is_some_and(|up| up.iter().any(|a| a == broad))
    }

    fn relations(&self) -> &Relations {
        self.relations.get_or_init(|| {
            let ancestors: FxMap<String, Vec<String>> = self
                .by_id
                .keys()
                .map(|id| {
                    let up = self.ancestors(id).into_iter().map(str::to_string);
                    (id.clone(), up.collect())
                })
                .collect();
            let n = self.terms.len();
            let canon = (self.terms.iter())
                .map(|t| self.by_id.get(&t.id).copied().unwrap_or(t.ordinal) as u32)
                .collect();
            let mut ids: Vec<&str> = self.terms.iter().map(|t| t.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let rank = (self.terms.iter())
                .map(|t| ids.binary_search(&t.id.as_str()).unwrap_or(0) as u32)
                .collect();
            let mut is_a = vec![0u64; (n * n).div_ceil(64)];
            for (i, a) in self.terms.iter().enumerate() {
                let up = ancestors.get(&a.id);
                for (j, b) in self.terms.iter().enumerate() {
                    if a.id == b.id || up.is_some_and(|up| up.contains(&b.id)) {
                        let bit = i * n + j;
                        is_a[bit / 64] |= 1 << (bit % 64);
                    }
                }
            }
            Arc::new(Relations {
                ancestors,
                canon,
                rank,
                is_a,
                n,
            })
        })
    }

    /// The id a tag stands for.
    pub fn id(&self, t: TermId) -> &str {
        self.terms.get(t.0 as usize).map_or("", |t| t.id.as_str())
    }

    /// The term a tag stands for.
    pub fn term(&self, t: TermId) -> Option<&Term> {
        self.terms.get(t.0 as usize)
    }

    /// [`Vocabulary::is_a`] between two terms.
    pub fn is_a_term(&self, narrow: TermId, broad: TermId) -> bool {
        let (a, b) = (narrow.0 as usize, broad.0 as usize);
        a == b || (a < self.terms.len() && b < self.terms.len() && self.relations().is_a(a, b))
    }

    /// The tag for a term.
    pub fn term_id(&self, term: &Term) -> TermId {
        TermId(
            self.relations()
                .canon
                .get(term.ordinal)
                .copied()
                .unwrap_or(0),
        )
    }

    /// The tag for an id, if the id is a term.
    pub fn lookup(&self, id: &str) -> Option<TermId> {
        self.by_id.get(id).map(|&i| TermId(i as u32))
    }

    /// Every term above `id` through `broader` links (not including `id`),
    /// nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = VecDeque::new();
        queue.push_back(id);
        seen.insert(id);
        while let Some(cur) = queue.pop_front() {
            let Some(t) = self.get(cur) else { continue };
            for b in &t.broader {
                if seen.insert(b.as_str()) {
                    out.push(b.as_str());
                    queue.push_back(b.as_str());
                }
            }
        }
        out
    }

    /// Every match of every pattern of every term in `text`, sorted by start.
    pub fn find_terms<'v>(&'v self, text: &str) -> Vec<TermMatch<'v>> {
        let mut out = match self.tag_index() {
            Some(index) => {
                let mut starts: Vec<(usize, usize, usize)> = Vec::new();
                let mut cache = index.scanner.cache();
                index
                    .scanner
                    .scan(&mut cache, text, 0..text.len(), |pid, s, e| {
                        starts.push((pid, s, e));
                    });
                self.first_matches(index, &mut starts, 0)
            }
            None => self.find_terms_slowly(text),
        };
        self.sort_matches(&mut out);
        out
    }

    /// Each pattern's own `find_iter` matches, rebuilt from every start
    /// where it matches: the first start at or after the end of the
    /// previous match, pattern by pattern in term order. Ranges are made
    /// relative to `base`.
    fn first_matches<'v>(
        &'v self,
        index: &TagIndex,
        starts: &mut [(usize, usize, usize)],
        base: usize,
    ) -> Vec<TermMatch<'v>> {
        let mut out = Vec::with_capacity(starts.len());
        self.first_matches_into(index, starts, base, &mut out);
        out
    }

    /// [`Vocabulary::first_matches`] appended to `out`.
    fn first_matches_into<'v>(
        &'v self,
        index: &TagIndex,
        starts: &mut [(usize, usize, usize)],
        base: usize,
        out: &mut Vec<TermMatch<'v>>,
    ) {
        starts.sort_unstable();
        let mut last: Option<(usize, usize)> = None;
        for &(pid, s, e) in starts.iter() {
            if last.is_some_and(|(p, end)| p == pid && s < end) {
                continue;
            }
            last = Some((pid, e));
            out.push(TermMatch {
                term: &self.terms[index.owner[pid]],
                range: s - base..e - base,
            });
        }
    }

    /// Sorted by start, longest first, then id; one match per id and range.
    fn sort_matches(&self, out: &mut Vec<TermMatch<'_>>) {
        let rel = self.relations();
        out.sort_unstable_by_key(|m| {
            (
                m.range.start,
                std::cmp::Reverse(m.range.end),
                rel.rank[m.term.ordinal],
                m.term.ordinal,
            )
        });
        out.dedup_by(|a, b| {
            rel.canon[a.term.ordinal] == rel.canon[b.term.ordinal] && a.range == b.range
        });
    }

    /// Builds now what [`Vocabulary::index`] needs, instead of on first use.
    pub fn warm(&self) {
        self.tag_index();
    }

    /// Every vocabulary match in `text`, found in one walk, for tagging any
    /// part of it with [`Tags::tag`].
    pub fn index<'v>(&'v self, text: &str) -> Tags<'v> {
        let mut starts = Vec::new();
        if let Some(index) = self.tag_index() {
            let mut cache = index.scanner.cache();
            index
                .scanner
                .scan(&mut cache, text, 0..text.len(), |pid, s, e| {
                    if !index.lookaround[pid] {
                        starts.push((s, e, pid));
                    }
                });
            // The walk reports starts in order, patterns at one start in order.
        }
        Tags {
            vocab: self,
            starts,
            scratch: RefCell::default(),
        }
    }

    /// [`Vocabulary::index`] of a text, from the matches an earlier index
    /// of the same text kept ([`Tags::into_starts`]): a long page's first
    /// pass indexes each section's prose for the page's topics, and the
    /// second pass, which builds the same prose again, need not walk it.
    pub fn reindex<'v>(&'v self, starts: Vec<TagStart>) -> Tags<'v> {
        Tags {
            vocab: self,
            starts,
            scratch: RefCell::default(),
        }
    }

    /// Every term's regexes one by one: the definition of
    /// [`Vocabulary::find_terms`], before sorting.
    fn find_terms_slowly<'v>(&'v self, text: &str) -> Vec<TermMatch<'v>> {
        let mut out = Vec::new();
        for term in &self.terms {
            for re in &term.patterns {
                for m in re.get().find_iter(text) {
                    if !m.is_empty() {
                        out.push(TermMatch {
                            term,
                            range: m.range(),
                        });
                    }
                }
            }
        }
        out
    }

    /// Every pattern of every term, in term order: what tagging scans for.
    pub(crate) fn scanner_patterns(&self) -> Vec<&str> {
        (self.terms.iter())
            .flat_map(|t| t.patterns.iter().map(|re| re.as_str()))
            .collect()
    }

    fn tag_index(&self) -> Option<&TagIndex> {
        self.index
            .get_or_init(|| {
                let pattern: Vec<(usize, usize)> = (self.terms.iter().enumerate())
                    .flat_map(|(ti, t)| (0..t.patterns.len()).map(move |k| (ti, k)))
                    .collect();
                let owner = pattern.iter().map(|&(ti, _)| ti).collect();
                let patterns = self.scanner_patterns();
                // Parsing every pattern to learn this cost more than the
                // rest of a small file's run; the text tells it.
                let lookaround: Vec<bool> = patterns.iter().map(|p| may_look(p)).collect();
                // Each pattern compiled alone, so together they should too;
                // if not, tagging falls back to the regexes one by one.
                let scanner = StartScanner::new(&patterns, true).ok()?;
                let around = (0..lookaround.len())
                    .filter(|&p| lookaround[p])
                    .map(|p| {
                        let hir = regex_syntax::ParserBuilder::new()
                            .case_insensitive(true)
                            .build()
                            .parse(patterns[p])
                            .ok();
                        (p, hir.as_ref().and_then(prefixes))
                    })
                    .collect();
                Some(Arc::new(TagIndex {
                    scanner,
                    owner,
                    lookaround,
                    around,
                    pattern,
                }))
            })
            .as_deref()
    }

    /// Like [`Vocabulary::find_terms`], but keeps only the most specific
    /// reading of each phrase: a match is dropped when another match covers
    /// its range and is the same term or a narrower one. So
    /// 「脂肪由来幹細胞エクソソーム」 yields `adsc-exosome` alone, not also
    /// `msc-exosome` and `exosome`.
    pub fn tag<'v>(&'v self, text: &str) -> Vec<TermMatch<'v>> {
        self.most_specific(self.find_terms(text))
    }

    /// The matches of `all` (as [`Vocabulary::find_terms`] sorts them) that
    /// no other match covers with the same term or a narrower one.
    fn most_specific<'v>(&'v self, all: Vec<TermMatch<'v>>) -> Vec<TermMatch<'v>> {
        let mut out = Vec::new();
        self.most_specific_into(&all, &mut Vec::new(), &mut out);
        out
    }

    /// [`Vocabulary::most_specific`] of `all` appended to `out`, with
    /// `open` as room to work in.
    fn most_specific_into<'v>(
        &'v self,
        all: &[TermMatch<'v>],
        open: &mut Vec<usize>,
        out: &mut Vec<TermMatch<'v>>,
    ) {
        let rel = self.relations();
        let dominated = |i: usize, candidates: &[usize]| {
            let m = &all[i];
            candidates.iter().any(|&j| {
                let o = &all[j];
                let covers = o.range.start <= m.range.start && m.range.end <= o.range.end;
                if j == i || !covers || !rel.is_a(o.term.ordinal, m.term.ordinal) {
                    return false;
                }
                if o.range == m.range && rel.is_a(m.term.ordinal, o.term.ordinal) {
                    // Equivalent terms (a cycle) on the same text: keep the first.
                    return j < i;
                }
                true
            })
        };
        // Only a match that is still open where another starts can cover it:
        // sweep in start order keeping those, so that a page with 100,000
        // mentions is not compared pairwise.
        open.clear();
        let mut i = 0;
        while i < all.len() {
            let start = all[i].range.start;
            let group_end = i + all[i..].partition_point(|m| m.range.start == start);
            open.retain(|&o| all[o].range.end > start);
            open.extend(i..group_end);
            out.extend(
                (i..group_end)
                    .filter(|&m| !dominated(m, open))
                    .map(|m| all[m].clone()),
            );
            i = group_end;
        }
    }

    /// Appends a term; the first definition of an id wins lookups, and
    /// [`super::Registry::check`] reports the later ones.
    pub(crate) fn insert(&mut self, mut term: Term) {
        self.index = OnceLock::new();
        self.relations = OnceLock::new();
        term.ordinal = self.terms.len();
        self.by_id
            .entry(term.id.clone())
            .or_insert(self.terms.len());
        self.terms.push(term);
    }

    pub(crate) fn remap_sources(&mut self, map: &HashMap<usize, usize>) {
        for t in &mut self.terms {
            if let Some(&n) = map.get(&t.source) {
                t.source = n;
            }
        }
    }
}

/// The literals one of which begins every match of `hir`, if they can be
/// listed and none is empty.
/// Whether `pattern` may hold a look-around assertion (`^`, `$`, `\b`,
/// `\B`, `\A`, `\z`, `\<`, `\>`, or `\b{…}`), read from its text: never
/// false for one that does; true for any that cannot be read (so it is
/// searched on its own, which is always right).
fn may_look(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut class = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let Some(&c) = b.get(i + 1) else {
                    return true;
                };
                if class == 0 && matches!(c, b'b' | b'B' | b'A' | b'z' | b'<' | b'>') {
                    return true;
                }
                i += 2;
                continue;
            }
            b'[' => {
                class += 1;
                // `]` first in a class (after an optional `^`) is literal.
                if b.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if class > 0 => class -= 1,
            b'^' | b'$' if class == 0 => return true,
            _ => {}
        }
        i += 1;
    }
    class > 0
}

fn prefixes(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    let seq = regex_syntax::hir::literal::Extractor::new()
        .kind(regex_syntax::hir::literal::ExtractKind::Prefix)
        .extract(hir);
    // A literal cut inside a character is no use to `str::contains`.
    let lits: Vec<String> = (seq.literals()?.iter())
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .collect::<Option<_>>()?;
    (!lits.is_empty() && lits.iter().all(|l| !l.is_empty())).then_some(lits)
}

/// Where a pattern without look-around matches: (start, end, pattern).
pub type TagStart = (usize, usize, usize);

/// Every vocabulary match of one text (see [`Vocabulary::index`]).
pub struct Tags<'v> {
    vocab: &'v Vocabulary,
    /// (start, end, pattern) of every pattern without look-around at every
    /// place it matches, in order of start, then pattern.
    starts: Vec<TagStart>,
    /// Room for [`Tags::tag_with`] to work in, kept from call to call: a
    /// page's claims tag their words and sentences one by one.
    scratch: RefCell<TagScratch<'v>>,
}

#[derive(Default)]
struct TagScratch<'v> {
    starts: Vec<(usize, usize, usize)>,
    all: Vec<TermMatch<'v>>,
    open: Vec<usize>,
    out: Vec<TermMatch<'v>>,
}

impl<'v> Tags<'v> {
    /// Exactly `vocabulary.tag(&text[range])` (ranges relative to the
    /// range), from the matches found once for the whole `text`, which must
    /// be the text indexed. A match of the whole text that runs past the
    /// end of the range is searched again within it; patterns with
    /// look-around are run on the range itself.
    pub fn tag(&self, text: &str, range: Range<usize>) -> Vec<TermMatch<'v>> {
        self.tag_with(text, range, <[TermMatch<'v>]>::to_vec)
    }

    /// [`Tags::tag`] handed to `f` as a slice: the matches and the lists
    /// that find them stay in buffers kept for the next call.
    pub fn tag_with<R>(
        &self,
        text: &str,
        range: Range<usize>,
        f: impl FnOnce(&[TermMatch<'v>]) -> R,
    ) -> R {
        let vocab = self.vocab;
        let Some(sub) = text.get(range.clone()) else {
            return f(&[]);
        };
        let Some(index) = vocab.tag_index() else {
            return f(&vocab.tag(sub));
        };
        // A call made from inside `f` finds the buffers taken, and works
        // in fresh ones.
        let mut scratch = self.scratch.try_borrow_mut().ok();
        let mut fresh = TagScratch::default();
        let TagScratch {
            starts,
            all,
            open,
            out,
        } = match scratch.as_deref_mut() {
            Some(s) => s,
            None => &mut fresh,
        };
        starts.clear();
        let lo = self.starts.partition_point(|m| m.0 < range.start);
        let mut cache = None;
        for &(s, e, pid) in &self.starts[lo..] {
            if s >= range.end {
                break;
            }
            if e <= range.end {
                starts.push((pid, s, e));
                continue;
            }
            // Without look-around, the pattern's match with the text cut
            // at the range's end is its search there with that limit.
            let cache = cache.get_or_insert_with(|| index.scanner.cache());
            if let Some(end) = index.scanner.search(cache, pid, text, s, range.end) {
                if end > s {
                    starts.push((pid, s, end));
                }
            }
        }
        for (pid, prefixes) in &index.around {
            if prefixes
                .as_ref()
                .is_some_and(|p| !p.iter().any(|p| sub.contains(p.as_str())))
            {
                continue;
            }
            let pid = *pid;
            let (ti, k) = index.pattern[pid];
            for m in vocab.terms[ti].patterns[k].get().find_iter(sub) {
                if !m.is_empty() {
                    starts.push((pid, range.start + m.start(), range.start + m.end()));
                }
            }
        }
        all.clear();
        vocab.first_matches_into(index, starts, range.start, all);
        vocab.sort_matches(all);
        out.clear();
        vocab.most_specific_into(all, open, out);
        f(out)
    }

    /// The matches found, for [`Vocabulary::reindex`] of the same text.
    pub fn into_starts(self) -> Vec<TagStart> {
        self.starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_look(p: &str) -> bool {
        let hir = regex_syntax::ParserBuilder::new().build().parse(p).unwrap();
        !hir.properties().look_set().is_empty()
    }

    #[test]
    fn look_around_is_read_from_the_text() {
        let registry = crate::registry::Registry::builtin();
        let builtin = registry.vocabulary().scanner_patterns();
        for p in builtin.iter().copied().chain([
            r"\bPRP\b",
            r"^幹細胞",
            r"再生医療$",
            r"(?m)^AGA",
            r"[^a-z]exosome",
            r"[]^$]+",
            r"[[:alpha:]]+\b",
            r"[\]^]x",
            r"a\$b\^c",
            r"\b{start}MSC",
            r"(?i)\Bexo",
        ]) {
            // Exact for the built-ins (none is searched alone for nothing);
            // never missing one elsewhere.
            assert_eq!(may_look(p), has_look(p), "{p}");
        }
    }

    fn term(id: &str, broader: &[&str], pats: &[&str]) -> Term {
        Term {
            id: id.into(),
            kind: TermKind::Intervention,
            label: id.into(),
            broader: broader.iter().map(|s| s.to_string()).collect(),
            patterns: pats
                .iter()
                .filter_map(|p| compile_pattern(p).ok())
                .collect(),
            source: 0,
            index: 0,
            ordinal: 0,
        }
    }

    fn vocab() -> Vocabulary {
        let mut v = Vocabulary::default();
        for t in [
            term("exosome", &[], &["エクソソーム", "exosomes?"]),
            term(
                "msc-exosome",
                &["exosome"],
                &["幹細胞(?:由来)?エクソソーム"],
            ),
            term(
                "adsc-exosome",
                &["msc-exosome"],
                &["脂肪由来幹細胞(?:の)?エクソソーム", "ADSC-?Exos?"],
            ),
        ] {
            v.insert(t);
        }
        v
    }

    #[test]
    fn broader_closure_is_transitive() {
        let v = vocab();
        assert!(v.is_a("adsc-exosome", "exosome"));
        assert!(v.is_a("exosome", "exosome"));
        assert!(!v.is_a("exosome", "adsc-exosome"));
        assert_eq!(v.ancestors("adsc-exosome"), vec!["msc-exosome", "exosome"]);
    }

    #[test]
    fn term_ids_keep_order_past_the_inline_room() {
        let want: Vec<TermId> = (0..11).map(TermId).collect();
        for n in 0..want.len() {
            let mut ids = TermIds::default();
            for &id in &want[..n] {
                ids.push(id);
            }
            assert_eq!(&*ids, &want[..n]);
            assert_eq!(ids.clone(), ids);
            assert_eq!(want[..n].iter().copied().collect::<TermIds>(), ids);
            assert_eq!(format!("{ids:?}"), format!("{:?}", &want[..n]));
        }
        let (mut a, b): (TermIds, TermIds) =
            ([TermId(1)].into_iter().collect(), Default::default());
        assert_ne!(a, b);
        a = TermIds::default();
        assert_eq!(a, b);
    }

    #[test]
    fn tag_keeps_the_most_specific_term() {
        let v = vocab();
        let text = "脂肪由来幹細胞エクソソームと、ただのEXOSOMES";
        let ids: Vec<&str> = v.tag(text).iter().map(|m| m.term.id.as_str()).collect();
        assert_eq!(ids, vec!["adsc-exosome", "exosome"]);
        assert!(v.find_terms(text).len() > 2);
    }

    #[test]
    fn rejects_bad_patterns() {
        assert!(compile_pattern("(").is_err());
        assert!(compile_pattern("a*").is_err());
        assert!(compile_pattern("\\w{1000}{1000}").is_err());
        assert!(compile_pattern(&"a".repeat(PATTERN_MAX_LEN + 1)).is_err());
        assert!(compile_pattern("上清液").is_ok());
    }

    /// The one-walk tagger finds exactly the matches of the regexes run one
    /// by one, on the annotated corpus.
    #[test]
    fn scanner_agrees_with_the_regexes() {
        let registry = crate::registry::Registry::builtin();
        let v = registry.vocabulary();
        let sorted = |mut out: Vec<TermMatch<'_>>| {
            out.sort_by(|a, b| {
                (a.range.start, std::cmp::Reverse(a.range.end), &a.term.id).cmp(&(
                    b.range.start,
                    std::cmp::Reverse(b.range.end),
                    &b.term.id,
                ))
            });
            out.dedup_by(|a, b| a.term.id == b.term.id && a.range == b.range);
            out.into_iter()
                .map(|m| (m.range, m.term.id.clone(), m.term.index))
                .collect::<Vec<_>>()
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut checked = 0;
        for dir in ["markdown", "html", "text"] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                let fast = sorted(v.find_terms(&text));
                checked += fast.len();
                assert_eq!(fast, sorted(v.find_terms_slowly(&text)), "{:?}", e.path());
            }
        }
        assert!(checked > 100, "the corpus has vocabulary in it");
    }

    /// Tagging a range from the whole text's matches gives what tagging the
    /// range alone gives: ranges that cut through matches, look-around at
    /// their edges (`\bAGA`), every sentence and line of the corpus.
    #[test]
    fn tags_of_a_range_are_the_tags_of_its_text() {
        let registry = crate::registry::Registry::builtin();
        let v = registry.vocabulary();
        let key = |out: Vec<TermMatch<'_>>| -> Vec<(Range<usize>, usize)> {
            out.into_iter().map(|m| (m.range, m.term.ordinal)).collect()
        };
        let mut texts = vec![
            "FAGAの治療とAGA治療。脂肪由来幹細胞エクソソームと幹細胞エクソソーム、エクソソーム。"
                .to_string(),
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for dir in ["markdown", "html", "text"] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                texts.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        let mut checked = 0;
        for text in &texts {
            let tags = v.index(text);
            let mut bounds: Vec<usize> = text
                .char_indices()
                .filter(|&(_, c)| matches!(c, '。' | '\n' | '、' | 'ー' | '幹' | 'A'))
                .map(|(i, _)| i)
                .chain([0, text.len()])
                .collect();
            bounds.sort_unstable();
            bounds.dedup();
            for w in bounds.windows(3) {
                for range in [w[0]..w[1], w[0]..w[2], w[1]..w[2]] {
                    let want = key(v.tag(&text[range.clone()]));
                    checked += want.len();
                    assert_eq!(
                        key(tags.tag(text, range.clone())),
                        want,
                        "{:?}",
                        &text[range]
                    );
                }
            }
            assert_eq!(key(tags.tag(text, 0..text.len())), key(v.tag(text)));
            // The kept buffers: a call made while another holds them (from
            // inside its `f`) works in fresh ones, and neither sees the
            // other's matches.
            let half = (0..=text.len() / 2)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let (outer, inner) = tags.tag_with(text, 0..half, |m| {
                let inner = tags.tag_with(text, half..text.len(), |n| key(n.to_vec()));
                (key(m.to_vec()), inner)
            });
            assert_eq!(outer, key(v.tag(&text[..half])));
            assert_eq!(inner, key(v.tag(&text[half..])));
        }
        assert!(checked > 1000, "{checked}");
    }

    /// The built-in patterns are loaded unchecked; they must pass the
    /// checks a team's patterns get.
    #[test]
    fn builtin_patterns_pass_the_checks() {
        let registry = crate::registry::Registry::builtin();
        let mut n = 0;
        for t in registry.vocabulary().terms() {
            for p in &t.patterns {
                assert!(
                    compile_pattern(p.as_str()).is_ok(),
                    "{}: {}",
                    t.id,
                    p.as_str()
                );
                n += 1;
            }
        }
        assert!(n > 100, "{n}");
    }

    #[test]
    fn ancestors_survive_cycles() {
        let mut v = Vocabulary::default();
        v.insert(term("a", &["b"], &["x"]));
        v.insert(term("b", &["a"], &["y"]));
        assert!(v.is_a("a", "b") && v.is_a("b", "a"));
    }
}
