//! Controlled vocabulary for `interventions` and `conditions`: ids with a
//! Japanese label, `broader` ids (a DAG: `adsc-exosome` ⊂ `msc-exosome` ⊂
//! `exosome`) and regexes that find the term in marketing copy. The evidence
//! engine tags claims with these ids and compares them with entries.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

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
    /// Compiled patterns, case-insensitive.
    pub patterns: Vec<Regex>,
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
pub(crate) fn compile_pattern(src: &str) -> Result<Regex, String> {
    if src.chars().count() > PATTERN_MAX_LEN {
        return Err(format!(
            "パターンが長すぎます（{PATTERN_MAX_LEN} 文字まで）"
        ));
    }
    let re = RegexBuilder::new(src)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(4 * PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(n) => {
                format!("パターンが大きすぎます（コンパイル後 {n} バイトの上限を超えます）")
            }
            other => format!("正規表現として不正です: {}", first_line(&other.to_string())),
        })?;
    if re.is_match("") {
        return Err(
            "空文字列にマッチするパターンは使えません（どの文にもマッチしてしまいます）"
                .to_string(),
        );
    }
    Ok(re)
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
        narrow == broad || self.ancestors(narrow).contains(&broad)
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
        let mut out = Vec::new();
        for term in &self.terms {
            for re in &term.patterns {
                for m in re.find_iter(text) {
                    if !m.is_empty() {
                        out.push(TermMatch {
                            term,
                            range: m.range(),
                        });
                    }
                }
            }
        }
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

    /// Like [`Vocabulary::find_terms`], but keeps only the most specific
    /// reading of each phrase: a match is dropped when another match covers
    /// its range and is the same term or a narrower one. So
    /// 「脂肪由来幹細胞エクソソーム」 yields `adsc-exosome` alone, not also
    /// `msc-exosome` and `exosome`.
    pub fn tag<'v>(&'v self, text: &str) -> Vec<TermMatch<'v>> {
        let all = self.find_terms(text);
        let dominated = |i: usize| {
            let m = &all[i];
            all.iter().enumerate().any(|(j, o)| {
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
        (0..all.len())
            .filter(|&i| !dominated(i))
            .map(|i| all[i].clone())
            .collect()
    }

    /// Appends a term; the first definition of an id wins lookups, and
    /// [`super::Registry::check`] reports the later ones.
    pub(crate) fn insert(&mut self, term: Term) {
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

    #[test]
    fn ancestors_survive_cycles() {
        let mut v = Vocabulary::default();
        v.insert(term("a", &["b"], &["x"]));
        v.insert(term("b", &["a"], &["y"]));
        assert!(v.is_a("a", "b") && v.is_a("b", "a"));
    }
}
