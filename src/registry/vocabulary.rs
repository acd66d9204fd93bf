//! Controlled vocabulary for `interventions` and `conditions`: ids with a
//! Japanese label, `broader` ids (a DAG: `adsc-exosome` ⊂ `msc-exosome` ⊂
//! `exosome`) and regexes that find the term in marketing copy. The evidence
//! engine tags claims with these ids and compares them with entries.

use crate::rules::LazyRegex;
use crate::scan::StartScanner;
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use serde::Deserialize;
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
    by_id: HashMap<String, usize>,
    /// Every term's patterns compiled together, built on first tagging and
    /// dropped when a term is added.
    index: OnceLock<Option<Arc<TagIndex>>>,
    /// [`Vocabulary::ancestors`] of every id, built on first use.
    closure: OnceLock<Arc<HashMap<String, Vec<String>>>>,
}

/// All patterns of all terms in one [`StartScanner`]: tagging a text is one
/// walk over it rather than a search per pattern.
struct TagIndex {
    scanner: StartScanner,
    /// The term of each scanner pattern; patterns are numbered term by term,
    /// in each term's order.
    owner: Vec<usize>,
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
    Ok(LazyRegex::new(src.to_string(), PATTERN_SIZE_LIMIT * 4).case_insensitive(true))
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
        // The closure is computed once: tagging and the evidence engine ask
        // this for every pair of ids they compare.
        narrow == broad
            || self
                .closure
                .get_or_init(|| {
                    Arc::new(
                        self.by_id
                            .keys()
                            .map(|id| {
                                let up = self.ancestors(id).into_iter().map(str::to_string);
                                (id.clone(), up.collect())
                            })
                            .collect(),
                    )
                })
                .get(narrow)
                .is_some_and(|up| up.iter().any(|a| a == broad))
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
                // Each pattern's own `find_iter` matches, rebuilt from every
                // start where it matches: the first start at or after the end
                // of the previous match, pattern by pattern in term order.
                let mut starts: Vec<(usize, usize, usize)> = Vec::new();
                let mut cache = index.scanner.cache();
                index
                    .scanner
                    .scan(&mut cache, text, 0..text.len(), |pid, s, e| {
                        starts.push((pid, s, e));
                    });
                starts.sort_unstable();
                let mut out = Vec::with_capacity(starts.len());
                let mut last: Option<(usize, usize)> = None;
                for (pid, s, e) in starts {
                    if last.is_some_and(|(p, end)| p == pid && s < end) {
                        continue;
                    }
                    last = Some((pid, e));
                    out.push(TermMatch {
                        term: &self.terms[index.owner[pid]],
                        range: s..e,
                    });
                }
                out
            }
            None => self.find_terms_slowly(text),
        };
        out.sort_by(|a, b| {
            (a.range.start, std::cmp::Reverse(a.range.end), &a.term.id).cmp(&(
                b.range.start,
                std::cmp::Reverse(b.range.end),
                &b.term.id,
            ))
        });
        out.dedup_by(|a, b| a.term.id == b.term.id && a.range == b.range);
        out
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
                let owner = (self.terms.iter().enumerate())
                    .flat_map(|(ti, t)| t.patterns.iter().map(move |_| ti))
                    .collect();
                let patterns = self.scanner_patterns();
                // Each pattern compiled alone, so together they should too;
                // if not, tagging falls back to the regexes one by one.
                let scanner = StartScanner::new(&patterns, true).ok()?;
                Some(Arc::new(TagIndex { scanner, owner }))
            })
            .as_deref()
    }

    /// Like [`Vocabulary::find_terms`], but keeps only the most specific
    /// reading of each phrase: a match is dropped when another match covers
    /// its range and is the same term or a narrower one. So
    /// 「脂肪由来幹細胞エクソソーム」 yields `adsc-exosome` alone, not also
    /// `msc-exosome` and `exosome`.
    pub fn tag<'v>(&'v self, text: &str) -> Vec<TermMatch<'v>> {
        let all = self.find_terms(text);
        let dominated = |i: usize, candidates: &[usize]| {
            let m = &all[i];
            candidates.iter().any(|&j| {
                let o = &all[j];
                let covers = o.range.start <= m.range.start && m.range.end <= o.range.end;
                if j == i || !covers || !self.is_a(&o.term.id, &m.term.id) {
                    return false;
                }
                if o.range == m.range && self.is_a(&m.term.id, &o.term.id) {
                    // Equivalent terms (a cycle) on the same text: keep the first.
                    return j < i;
                }
                true
            })
        };
        // Only a match that is still open where another starts can cover it:
        // sweep in start order keeping those, so that a page with 100,000
        // mentions is not compared pairwise.
        let mut open: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let start = all[i].range.start;
            let group_end = i + all[i..].partition_point(|m| m.range.start == start);
            open.retain(|&o| all[o].range.end > start);
            open.extend(i..group_end);
            out.extend(
                (i..group_end)
                    .filter(|&m| !dominated(m, &open))
                    .map(|m| all[m].clone()),
            );
            i = group_end;
        }
        out
    }

    /// Appends a term; the first definition of an id wins lookups, and
    /// [`super::Registry::check`] reports the later ones.
    pub(crate) fn insert(&mut self, term: Term) {
        self.index = OnceLock::new();
        self.closure = OnceLock::new();
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ancestors_survive_cycles() {
        let mut v = Vocabulary::default();
        v.insert(term("a", &["b"], &["x"]));
        v.insert(term("b", &["a"], &["y"]));
        assert!(v.is_a("a", "b") && v.is_a("b", "a"));
    }
}
