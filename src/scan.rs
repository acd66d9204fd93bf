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
use regex_syntax::hir::{Hir, HirKind};
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
    /// `live[b] == round`: branch `b` can end inside the range being
    /// scanned by [`StartScanner::scan_within`].
    live: Vec<u32>,
    round: u32,
    /// `wanted[pattern] == position + 1`: already searched at `position`.
    wanted: Vec<usize>,
}

/// The top-level alternatives ("branches") of every pattern, indexed by the
/// first characters they can start with and the last bytes they can end
/// with, for [`StartScanner::scan_within`].
struct Branches {
    /// The pattern each branch belongs to.
    owner: Vec<u32>,
    single: Table,
    pair: Table,
    /// Branches whose first characters cannot be listed.
    always: Vec<u32>,
    /// The last one or two characters every match of a branch can end
    /// with, as tables like the first-character ones.
    end_single: Table,
    end_pair: Table,
    /// Branches whose endings cannot be listed: live in every range.
    unbounded: Vec<u32>,
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
    branches: Option<Branches>,
    pool: Option<Pool<Cache, CacheFn>>,
}

impl StartScanner {
    /// Compiles `patterns` (regex syntax, case-insensitive if asked) with
    /// one anchored start per pattern.
    pub(crate) fn new(patterns: &[&str], case_insensitive: bool) -> Result<StartScanner, String> {
        StartScanner::build(patterns, case_insensitive, false)
    }

    /// A scanner for [`StartScanner::scan_within`]: it also indexes the
    /// branches of every pattern by how they start and end.
    pub(crate) fn new_within(patterns: &[&str]) -> Result<StartScanner, String> {
        StartScanner::build(patterns, false, true)
    }

    fn build(
        patterns: &[&str],
        case_insensitive: bool,
        within: bool,
    ) -> Result<StartScanner, String> {
        // Start-up is most of the cost of linting a small file, so the two
        // cores share it: the patterns are parsed in two halves at once, then
        // one thread compiles the automaton while the other lists prefixes.
        let hirs = parse_all(patterns, case_insensitive);
        let (dfa, (tables, branches)) = std::thread::scope(|scope| {
            let dfa = scope.spawn(|| build_dfa(hirs.as_deref()));
            // `scan_within` needs only the branch tables.
            let branches = hirs.as_deref().filter(|_| within).map(branch_tables);
            let tables = if branches.is_some() {
                None
            } else {
                prefix_tables(hirs.as_deref())
            };
            (dfa.join().ok().flatten(), (tables, branches))
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
            branches,
            pool,
        })
    }

    /// Search state for the calling thread.
    pub(crate) fn cache(&self) -> ScanCache<'_> {
        ScanCache {
            dfa: self.pool.as_ref().map(Pool::get),
            live: vec![0; self.branches.as_ref().map_or(0, |b| b.owner.len())],
            round: 0,
            wanted: vec![0; self.sources.len()],
        }
    }

    /// Like [`StartScanner::scan`], but only for matches that end within
    /// `range`, which lets most searches be skipped: a match ending inside
    /// the range ends with one of its branch's endings, so a branch none
    /// of whose endings occur in the range cannot match there, and a
    /// pattern is searched at a position only if one of its live branches
    /// can start there. A pattern that is searched is searched whole, so
    /// each match is exactly the one [`StartScanner::scan`] reports.
    pub(crate) fn scan_within(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        range: Range<usize>,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let Some(b) = &self.branches else {
            let end = range.end;
            return self.scan(cache, text, range, |pid, s, e| {
                if e <= end {
                    found(pid, s, e)
                }
            });
        };
        let Some(slice) = text.get(range.clone()) else {
            return;
        };
        cache.round = cache.round.wrapping_add(1);
        if cache.round == 0 {
            cache.live.fill(0);
            cache.round = 1;
        }
        let round = cache.round;
        let mut any = false;
        for &br in &b.unbounded {
            cache.live[br as usize] = round;
            any = true;
        }
        let mut prev: Option<char> = None;
        for c in slice.chars() {
            let ends = b.end_single.get(hash_one(c));
            let pairs = prev.map_or(&[][..], |a| b.end_pair.get(hash_two(a, c)));
            for &br in ends.iter().chain(pairs) {
                cache.live[br as usize] = round;
                any = true;
            }
            prev = Some(c);
        }
        if !any {
            return;
        }
        let mut chars = slice.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let p = range.start + i;
            let next = chars.peek().map(|&(_, d)| d);
            let single = b.single.get(hash_one(c));
            let pair = next.map_or(&[][..], |d| b.pair.get(hash_two(c, d)));
            for &br in single.iter().chain(pair).chain(&b.always) {
                if cache.live[br as usize] != round {
                    continue;
                }
                let pid = b.owner[br as usize] as usize;
                if cache.wanted[pid] == p + 1 {
                    continue;
                }
                cache.wanted[pid] = p + 1;
                if let Some(end) = self.anchored(cache, pid, text, p) {
                    if end > p && end <= range.end {
                        found(pid, p, end);
                    }
                }
            }
        }
        // Positions restart at every range: forget them.
        cache.wanted.fill(0);
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

/// Files `id` under each of its keys (one character, or two in a row) in
/// the entries of the single and pair tables, or among those looked up
/// everywhere when its keys cannot be listed.
fn index(
    keys: Option<Vec<(char, Option<char>)>>,
    id: u32,
    single: &mut Vec<(usize, u32)>,
    pair: &mut Vec<(usize, u32)>,
    everywhere: &mut Vec<u32>,
) {
    match keys {
        Some(keys) => {
            for (a, b) in keys {
                match b {
                    None => single.push((hash_one(a), id)),
                    Some(b) => pair.push((hash_two(a, b), id)),
                }
            }
        }
        None => everywhere.push(id),
    }
}

/// The branches of a pattern: its top-level alternatives, through groups.
fn branches_of<'h>(hir: &'h Hir, out: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Alternation(subs) => subs.iter().for_each(|h| branches_of(h, out)),
        HirKind::Capture(c) => branches_of(&c.sub, out),
        _ => out.push(hir),
    }
}

/// The last one or two characters of every match of `hir`, or `None`
/// when they cannot be listed (an empty match, an ending class too large).
fn endings(hir: &Hir) -> Option<Vec<(Option<char>, char)>> {
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Suffix)
        .limit_class(64)
        .limit_repeat(2)
        .limit_literal_len(6)
        .limit_total(1_000);
    let seq = ex.extract(hir);
    let mut out = Vec::new();
    for lit in seq.literals()? {
        let bytes = lit.as_bytes();
        // Suffixes are cut at a byte limit, possibly inside a character:
        // keep the whole characters at the end.
        let start = (0..=bytes.len())
            .find(|&i| std::str::from_utf8(&bytes[i..]).is_ok())
            .unwrap_or(bytes.len());
        let valid = std::str::from_utf8(&bytes[start..]).ok()?;
        let mut cs = valid.chars().rev();
        match (cs.next(), cs.next()) {
            (None, _) => return None,
            (Some(b), a) => out.push((a, b)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

fn branch_tables(hirs: &[Hir]) -> Branches {
    let mut owner = Vec::new();
    let mut single = Vec::new();
    let mut pair = Vec::new();
    let mut always = Vec::new();
    let mut end_single = Vec::new();
    let mut end_pair = Vec::new();
    let mut unbounded = Vec::new();
    for (pid, hir) in hirs.iter().enumerate() {
        let mut list = Vec::new();
        branches_of(hir, &mut list);
        for branch in list {
            let br = owner.len() as u32;
            owner.push(pid as u32);
            index(prefixes(branch), br, &mut single, &mut pair, &mut always);
            // An ending `…ab` is looked up as the pair (a, b), `…b` as b.
            let ends = endings(branch).map(|set| {
                set.into_iter()
                    .map(|(a, b)| match a {
                        Some(a) => (a, Some(b)),
                        None => (b, None),
                    })
                    .collect()
            });
            index(ends, br, &mut end_single, &mut end_pair, &mut unbounded);
        }
    }
    Branches {
        owner,
        single: Table::new(1 << SINGLE_BITS, &mut single),
        pair: Table::new(1 << PAIR_BITS, &mut pair),
        always,
        end_single: Table::new(1 << SINGLE_BITS, &mut end_single),
        end_pair: Table::new(1 << PAIR_BITS, &mut end_pair),
        unbounded,
    }
}

/// The first-character tables of every pattern, and the patterns tried
/// everywhere.
fn prefix_tables(hirs: Option<&[Hir]>) -> Option<(Table, Table, Vec<u32>)> {
    let mut single = Vec::new();
    let mut pair = Vec::new();
    let mut always = Vec::new();
    for (pid, hir) in hirs?.iter().enumerate() {
        index(
            prefixes(hir),
            pid as u32,
            &mut single,
            &mut pair,
            &mut always,
        );
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

    /// `scan_within` reports exactly the matches of `scan` that end inside
    /// the range, for every sentence-like range of the text: patterns with
    /// alternatives that start and end differently, an alternative that
    /// matches empty, endings cut inside a character, look-around.
    #[test]
    fn scan_within_keeps_every_match_that_ends_inside() {
        let patterns = [
            "効果(?:が|は)?(?:ある|得られ)|必ず[^。]{0,4}?治|[0-9０-９]+(?:ヶ月|か月)で",
            "(?:髪|肌)(?:が|も)?[^。！]{0,6}?(?:生え|若返)(?:る|た|ます)",
            "x?|安全(?:です|性)",
            "(?:とても|非常に)?効(?:く|き(?:ます|目))",
            "[ぁ-ゖ]{2}ように(?:なっ|なる)",
            "(?m:^)当院(?:だけ|のみ)\\b",
            "([A-Z][a-z]+)+ et al",
        ];
        let text =
            "当院の効果がある治療。必ずすぐ治ります！髪がぐんぐん生えた。1ヶ月で肌も若返る。\n\
                    安全性。とても効きます。よくねむれるようになった。\n当院だけ。Li et al。効き目";
        let s = StartScanner::new_within(&patterns).unwrap();
        let mut cache = s.cache();
        let bounds: Vec<usize> = text
            .char_indices()
            .filter(|&(_, c)| matches!(c, '。' | '！' | '\n'))
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        let mut starts = vec![0];
        starts.extend(&bounds);
        let mut ends = bounds.clone();
        ends.push(text.len());
        // Ranges of one sentence and of several in a row.
        for (k, &a) in starts.iter().enumerate() {
            for &b in ends.iter().skip(k).take(3) {
                let mut want = Vec::new();
                s.scan(&mut cache, text, a..b, |p, x, y| {
                    if y <= b {
                        want.push((p, x, y))
                    }
                });
                let mut got = Vec::new();
                s.scan_within(&mut cache, text, a..b, |p, x, y| got.push((p, x, y)));
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "range {a}..{b}: {:?}", &text[a..b]);
            }
        }
        let mut all = Vec::new();
        s.scan_within(&mut cache, text, 0..text.len(), |p, x, y| {
            all.push((p, x, y))
        });
        assert!(all.len() >= 10, "{all:?}");
    }
}
