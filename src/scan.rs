//! Every start of every pattern in a text, in one walk over its characters.
//!
//! Claim rules and vocabulary terms are defined by "the leftmost-first match
//! of the pattern at each place it can start". Running every pattern's
//! unanchored search over the whole text costs one pass per pattern, and the
//! lazy DFA of an unanchored search over patterns full of bounded gaps
//! (`[^。]{0,24}?`) keeps building new states. Instead, [`StartScanner`]
//! looks the first one or two characters at each position up in tables of
//! every pattern's possible prefixes (from `regex-syntax`'s literal
//! extractor) and runs a pattern's anchored search only where it can start.
//! An anchored leftmost-first search at a start gives exactly the match an
//! unanchored search reports when it finds that start, so callers rebuild
//! the usual semantics (`find_iter`, restart-after-start) from these matches.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::syntax;
use regex_automata::{meta, Anchored, Input, MatchKind, PatternID};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::Hir;
use std::ops::Range;
use std::sync::OnceLock;

/// Slots of the first-character tables; a collision only costs a search.
const SINGLE_BITS: u32 = 12;
const PAIR_BITS: u32 = 16;

fn hash_one(c: char) -> usize {
    ((c as u32).wrapping_mul(0x9E37_79B1) >> (32 - SINGLE_BITS)) as usize
}

fn hash_two(a: char, b: char) -> usize {
    ((a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32).wrapping_mul(0x85EB_CA77)).rotate_left(7)
        as usize
        & ((1 << PAIR_BITS) - 1)
}

/// Pattern ids per table slot, stored flat.
struct Table {
    /// `ids[offsets[h]..offsets[h + 1]]` are the patterns of slot `h`.
    offsets: Vec<u32>,
    ids: Vec<u32>,
}

impl Table {
    fn new(slots: usize, entries: &mut [(usize, u32)]) -> Table {
        entries.sort_unstable();
        let mut offsets = Vec::with_capacity(slots + 1);
        let mut ids = Vec::with_capacity(entries.len());
        let mut e = 0;
        for slot in 0..slots {
            offsets.push(ids.len() as u32);
            while e < entries.len() && entries[e].0 == slot {
                if ids.len() as u32 == offsets[slot] || ids.last() != Some(&entries[e].1) {
                    ids.push(entries[e].1);
                }
                e += 1;
            }
        }
        offsets.push(ids.len() as u32);
        Table { offsets, ids }
    }

    fn get(&self, slot: usize) -> &[u32] {
        &self.ids[self.offsets[slot] as usize..self.offsets[slot + 1] as usize]
    }
}

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync>;

/// Search state for one thread; get one per document with
/// [`StartScanner::cache`].
pub(crate) struct ScanCache<'a> {
    dfa: Option<PoolGuard<'a, Cache, CacheFn>>,
}

/// Compiled patterns with first-character tables; see the module docs.
pub(crate) struct StartScanner {
    dfa: Option<DFA>,
    /// Does every search the DFA cannot (a Unicode word boundary next to
    /// non-ASCII text), with the same semantics. Compiling it costs as much
    /// as the DFA, and most pattern sets never need it: built on first use
    /// unless there is no DFA at all.
    fallback: OnceLock<Option<meta::Regex>>,
    sources: Vec<String>,
    case_insensitive: bool,
    single: Table,
    pair: Table,
    /// Patterns whose first characters cannot be listed: tried everywhere.
    always: Vec<u32>,
    pool: Option<Pool<Cache, CacheFn>>,
}

impl StartScanner {
    /// Compiles `patterns` (regex syntax, case-insensitive if asked) with
    /// one anchored start per pattern.
    pub(crate) fn new(patterns: &[&str], case_insensitive: bool) -> Result<StartScanner, String> {
        // Start-up is most of the cost of linting a small file, so the two
        // cores share it: the patterns are parsed in two halves at once, then
        // one thread compiles the automaton while the other lists prefixes.
        let hirs = parse_all(patterns, case_insensitive);
        let (dfa, tables) = std::thread::scope(|scope| {
            let dfa = scope.spawn(|| build_dfa(hirs.as_deref()));
            let tables = prefix_tables(hirs.as_deref());
            (dfa.join().ok().flatten(), tables)
        });
        let fallback = OnceLock::new();
        if dfa.is_none() {
            let re = build_fallback(patterns, case_insensitive)?;
            let _ = fallback.set(Some(re));
        }
        let (single, pair, always) = tables.unwrap_or_else(|| {
            (
                Table::new(1 << SINGLE_BITS, &mut []),
                Table::new(1 << PAIR_BITS, &mut []),
                (0..patterns.len() as u32).collect(),
            )
        });
        let pool = dfa.clone().map(|d| {
            let make: CacheFn = Box::new(move || d.create_cache());
            Pool::new(make)
        });
        Ok(StartScanner {
            dfa,
            fallback,
            sources: patterns.iter().map(|p| p.to_string()).collect(),
            case_insensitive,
            single,
            pair,
            always,
            pool,
        })
    }

    /// Search state for the calling thread.
    pub(crate) fn cache(&self) -> ScanCache<'_> {
        ScanCache {
            dfa: self.pool.as_ref().map(Pool::get),
        }
    }

    /// Calls `found(pattern, start, end)` for every position `start` in
    /// `range` (on character boundaries of `text`) where pattern `pattern`
    /// has a nonempty match, with the end of its leftmost-first match there
    /// (which may lie beyond `range`). Positions come in order; at one
    /// position the patterns come in no particular order.
    pub(crate) fn scan(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        range: Range<usize>,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let Some(rest) = text.get(range.start..) else {
            return;
        };
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let p = range.start + i;
            if p >= range.end {
                break;
            }
            let next = chars.peek().map(|&(_, d)| d);
            let single = self.single.get(hash_one(c));
            let pair = next.map_or(&[][..], |d| self.pair.get(hash_two(c, d)));
            // A pattern may sit in more than one list; the lists are short.
            for (k, &pid) in single.iter().chain(pair).chain(&self.always).enumerate() {
                let seen = if k < single.len() {
                    false
                } else if k < single.len() + pair.len() {
                    single.contains(&pid)
                } else {
                    single.contains(&pid) || pair.contains(&pid)
                };
                if seen {
                    continue;
                }
                let pid = pid as usize;
                if let Some(end) = self.anchored(cache, pid, text, p) {
                    if end > p {
                        found(pid, p, end);
                    }
                }
            }
        }
    }

    /// End of pattern `pid`'s leftmost-first match anchored at `p`.
    fn anchored(
        &self,
        cache: &mut ScanCache<'_>,
        pid: usize,
        text: &str,
        p: usize,
    ) -> Option<usize> {
        let input = Input::new(text)
            .span(p..text.len())
            .anchored(Anchored::Pattern(PatternID::new_unchecked(pid)));
        if let (Some(dfa), Some(c)) = (&self.dfa, cache.dfa.as_mut()) {
            if let Ok(m) = dfa.try_search_fwd(c, &input) {
                return m.map(|m| m.offset());
            }
        }
        self.fallback
            .get_or_init(|| build_fallback(&self.sources, self.case_insensitive).ok())
            .as_ref()
            .and_then(|re| re.search_half(&input))
            .map(|m| m.offset())
    }
}

fn build_fallback<P: AsRef<str>>(
    patterns: &[P],
    case_insensitive: bool,
) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .configure(meta::Config::new().nfa_size_limit(Some(64 << 20)))
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// Every pattern parsed, or `None` if one does not parse (then the caller's
/// fallback reports the error).
fn parse_all(patterns: &[&str], case_insensitive: bool) -> Option<Vec<Hir>> {
    let parse = |p: &&str| {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(case_insensitive)
            .build()
            .parse(p)
            .ok()
    };
    // Halves of about equal source length: one rule's patterns can be a
    // third of all of them.
    let total: usize = patterns.iter().map(|p| p.len()).sum();
    let mut acc = 0;
    let split = patterns
        .iter()
        .position(|p| {
            acc += p.len();
            acc * 2 >= total
        })
        .map_or(patterns.len(), |i| i + 1);
    let (a, b) = patterns.split_at(split);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| b.iter().map(parse).collect::<Option<Vec<_>>>());
        let first = a.iter().map(parse).collect::<Option<Vec<_>>>();
        (first, second.join().ok().flatten())
    });
    let mut all = first?;
    all.extend(second?);
    Some(all)
}

fn build_dfa(hirs: Option<&[Hir]>) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(thompson::WhichCaptures::None)
                .nfa_size_limit(Some(64 << 20)),
        )
        .build_many_from_hir(hirs?)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                .starts_for_each_pattern(true)
                // The claim rules' anchored searches settle at about
                // 10 MB of states; a smaller cache is cleared and rebuilt
                // over and over. Memory is only taken as states are made.
                .cache_capacity(32 << 20)
                .unicode_word_boundary(true),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// The first-character tables of every pattern, and the patterns tried
/// everywhere.
fn prefix_tables(hirs: Option<&[Hir]>) -> Option<(Table, Table, Vec<u32>)> {
    let mut single = Vec::new();
    let mut pair = Vec::new();
    let mut always = Vec::new();
    for (pid, hir) in hirs?.iter().enumerate() {
        match prefixes(hir) {
            Some(set) => {
                for (a, b) in set {
                    match b {
                        None => single.push((hash_one(a), pid as u32)),
                        Some(b) => pair.push((hash_two(a, b), pid as u32)),
                    }
                }
            }
            None => always.push(pid as u32),
        }
    }
    Some((
        Table::new(1 << SINGLE_BITS, &mut single),
        Table::new(1 << PAIR_BITS, &mut pair),
        always,
    ))
}

/// The first one or two characters of every match of `hir`, or `None`
/// when they cannot be listed (a leading negated class, an empty match).
fn prefixes(hir: &Hir) -> Option<Vec<(char, Option<char>)>> {
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(300)
        .limit_repeat(2)
        .limit_literal_len(8)
        .limit_total(20_000);
    let seq = ex.extract(hir);
    let mut out = Vec::new();
    for lit in seq.literals()? {
        let bytes = lit.as_bytes();
        // Literals are cut at a byte limit, possibly inside a character.
        let valid = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
        };
        let mut cs = valid.chars();
        match (cs.next(), cs.next()) {
            (None, _) => return None,
            (Some(a), b) => out.push((a, b)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start of every pattern, by brute force with `regex`.
    fn brute(patterns: &[&str], ci: bool, text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (pid, p) in patterns.iter().enumerate() {
            let re = regex::RegexBuilder::new(&format!("^(?:{p})"))
                .case_insensitive(ci)
                .build()
                .unwrap();
            for (s, _) in text.char_indices() {
                // `^` anchors at the slice start; look-behind context is not
                // needed for these patterns.
                if let Some(m) = re.find(&text[s..]) {
                    if !m.is_empty() {
                        out.push((pid, s, s + m.end()));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_every_start_of_every_pattern() {
        let patterns = [
            "効果(?:が|は)?(?:ある|得られ)",
            "[ァ-ヴー]{2,}由来",
            "[0-9０-９]+(?:ヶ月|か月)で",
            "[^。]{0,3}安全",
            "exosomes?",
            "a|ab|abc",
        ];
        let text = "当院の効果がある治療。エクソソーム由来で1ヶ月で安全。Exosomes and EXOSOME. abc";
        for ci in [false, true] {
            let s = StartScanner::new(&patterns, ci).unwrap();
            let mut cache = s.cache();
            let mut got = Vec::new();
            s.scan(&mut cache, text, 0..text.len(), |p, a, b| {
                got.push((p, a, b))
            });
            got.sort_unstable();
            assert_eq!(got, brute(&patterns, ci, text), "case_insensitive={ci}");
        }
    }
}
