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
//!
//! Start-up is most of the cost of linting one small file, and compiling
//! every pattern up front was most of start-up. So a pattern is split into
//! *units* (its top-level alternatives for [`StartScanner::new_within`], the
//! whole pattern otherwise), each compiled to its own lazy DFA the first time
//! a text needs it: a 2 KB page needs about a tenth of the claim units. The
//! tables of first and last characters come from parsing every pattern;
//! for the built-in rules and vocabulary they are generated ahead of time
//! (`index.rs`, checked by `tests::builtin_index_is_current`), so a run with
//! the built-ins parses no pattern it does not search with.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::syntax;
use regex_automata::{meta, Anchored, Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

// Generated: long lines and data, not code to format.
#[rustfmt::skip]
mod index;
pub(crate) mod prog;

use prog::Prog;

/// Slots of the first-character tables; a collision only costs a search.
const SINGLE_BITS: u32 = 12;
const PAIR_BITS: u32 = 16;

fn hash_one(c: char) -> usize {
    hash_code(c as u32)
}

/// [`hash_one`] of a code point, as character classes list them.
fn hash_code(c: u32) -> usize {
    (c.wrapping_mul(0x9E37_79B1) >> (32 - SINGLE_BITS)) as usize
}

/// A set of table slots, a bit each.
#[derive(Debug)]
struct Bits(Box<[u64]>);

impl Bits {
    fn new(slots: usize) -> Bits {
        Bits(vec![0; slots.div_ceil(64)].into())
    }

    fn insert(&mut self, slot: usize) {
        self.0[slot / 64] |= 1 << (slot % 64);
    }

    fn remove(&mut self, slot: usize) {
        self.0[slot / 64] &= !(1 << (slot % 64));
    }

    #[inline]
    fn contains(&self, slot: usize) -> bool {
        self.0[slot / 64] >> (slot % 64) & 1 == 1
    }
}

/// Characters by the slot of their [`hash_one`]: most characters of a text
/// are not in a given set, and one bit tells so before anything else is
/// read; a collision only costs a search. The characters keys start and
/// end with, and those a program's matches can begin with.
#[derive(Debug)]
pub(crate) struct CharSet(Bits);

impl CharSet {
    pub(crate) fn new() -> CharSet {
        CharSet(Bits::new(1 << SINGLE_BITS))
    }

    /// Adds the character with code point `c`.
    pub(crate) fn insert(&mut self, c: u32) {
        self.0.insert(hash_code(c));
    }

    #[inline]
    pub(crate) fn has(&self, c: char) -> bool {
        self.0.contains(hash_one(c))
    }
}

fn hash_two(a: char, b: char) -> usize {
    ((a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32).wrapping_mul(0x85EB_CA77)).rotate_left(7)
        as usize
        & ((1 << PAIR_BITS) - 1)
}

/// A table key: one character, or two in a row. Endings `…ab` are keyed
/// `(a, Some(b))` and `…b` as `(b, None)`, like starts.
pub(crate) type Key = (char, Option<char>);

/// Unit ids per table slot, stored flat for the slots that have any. Most
/// of the 65,536 pair slots are empty: a bit per slot and a running count
/// of set bits replace an offset per slot, so a table takes a few KB where
/// offsets took 256 KB, which a small file's run paid for in page faults,
/// and the bits of a long text's lookups stay in the L1 cache.
struct Table {
    /// Per 64 slots: a bit for each that has units, and how many slots
    /// before them do; side by side, so a lookup reads one place.
    words: Box<[(u64, u32)]>,
    /// `ids[offsets[r]..offsets[r + 1]]` are the units of the `r`-th
    /// filled slot.
    offsets: Box<[u32]>,
    ids: Box<[u32]>,
}

impl Table {
    /// `entries` come in the order units were filed, each unit's slots
    /// without repeats ([`Filing`]), so a counting sort leaves each
    /// slot's ids ascending and distinct.
    fn new(slots: usize, entries: &[(usize, u32)]) -> Table {
        debug_assert!(entries.windows(2).all(|w| w[0].1 <= w[1].1 && w[0] != w[1]));
        let mut filled = Bits::new(slots);
        for &(slot, _) in entries {
            filled.insert(slot);
        }
        let mut words = Vec::with_capacity(filled.0.len());
        let mut total = 0u32;
        for &w in filled.0.iter() {
            words.push((w, total));
            total += w.count_ones();
        }
        let mut table = Table {
            words: words.into(),
            offsets: vec![0u32; total as usize + 1].into(),
            ids: vec![0u32; entries.len()].into(),
        };
        for &(slot, _) in entries {
            if let Some(r) = table.rank_of(slot) {
                table.offsets[r + 1] += 1;
            }
        }
        for r in 0..total as usize {
            table.offsets[r + 1] += table.offsets[r];
        }
        // offsets[r + 1] is now the end of filled slot r: placing each id
        // just before it, last entry first, walks it back to the start.
        for &(slot, id) in entries.iter().rev() {
            if let Some(r) = table.rank_of(slot) {
                table.offsets[r + 1] -= 1;
                let at = table.offsets[r + 1] as usize;
                table.ids[at] = id;
            }
        }
        table.offsets.copy_within(1.., 0);
        table.offsets[total as usize] = entries.len() as u32;
        table
    }

    /// The rank of `slot` among the filled slots; `None` if it is empty.
    #[inline]
    fn rank_of(&self, slot: usize) -> Option<usize> {
        let &(bits, before) = self.words.get(slot / 64)?;
        if bits >> (slot % 64) & 1 == 0 {
            return None;
        }
        let below = bits & ((1u64 << (slot % 64)) - 1);
        Some(before as usize + below.count_ones() as usize)
    }

    #[inline]
    fn get(&self, slot: usize) -> &[u32] {
        let Some(r) = self.rank_of(slot) else {
            return &[];
        };
        match self.offsets.get(r..r + 2) {
            Some(&[a, b]) => self.ids.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// One unit of a pattern as the generated index lists it.
pub(crate) struct IndexedUnit {
    /// The unit as a regex with case folding spelled out (compiled as is).
    pub(crate) source: &'static str,
    /// The first one or two characters of its matches; `None`: any.
    pub(crate) starts: Option<&'static [Key]>,
    /// Keys one of which every match contains ([`factors`]); `None`: not
    /// listed (whole patterns, or none could be).
    pub(crate) needs: Option<&'static [Key]>,
    /// Its backtracking program ([`Prog::encode`]); empty when it has none.
    pub(crate) prog: &'static str,
}

/// A pattern of the built-in rules or vocabulary, split into units.
pub(crate) struct IndexedPattern {
    pub(crate) pattern: &'static str,
    pub(crate) case_insensitive: bool,
    pub(crate) within: bool,
    pub(crate) units: &'static [IndexedUnit],
}

/// A unit ready to be filed: from the index or from parsing its pattern.
struct UnitPlan {
    source: Cow<'static, str>,
    starts: Option<Cow<'static, [Key]>>,
    needs: Option<Cow<'static, [Key]>>,
    prog: PlannedProg,
}

/// A unit's program: generated text to decode on first use, or compiled
/// from the pattern just parsed.
enum PlannedProg {
    Text(&'static str),
    Built(Option<Prog>),
}

/// A string as a map key, hashed by its length and its ends only. The
/// built-in patterns run to kilobytes; hashing them whole to fill the maps
/// and again to look each up cost more than the rest of building a scanner.
#[derive(PartialEq, Eq)]
struct Ends<'a>(&'a str);

impl std::hash::Hash for Ends<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let b = self.0.as_bytes();
        h.write_usize(b.len());
        h.write(&b[..b.len().min(32)]);
        h.write(&b[b.len().saturating_sub(32)..]);
    }
}

/// The generated program of a built-in regex (lexicon, rule exceptions,
/// vocabulary, the claim filters' fixed patterns), by source and flag.
pub(crate) fn builtin_prog(source: &str, case_insensitive: bool) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<(Ends<'static>, bool), &'static str>> = OnceLock::new();
    let map: &HashMap<(Ends<'_>, bool), &'static str> = MAP.get_or_init(|| {
        (index::REGEXES.iter())
            .map(|&(src, ci, prog)| ((Ends(src), ci), prog))
            .collect()
    });
    map.get(&(Ends(source), case_insensitive)).copied()
}

fn builtin_index() -> &'static HashMap<Ends<'static>, Vec<&'static IndexedPattern>> {
    static MAP: OnceLock<HashMap<Ends<'static>, Vec<&'static IndexedPattern>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<Ends<'static>, Vec<&'static IndexedPattern>> = HashMap::new();
        for p in index::PATTERNS {
            map.entry(Ends(p.pattern)).or_default().push(p);
        }
        map
    })
}

/// The units of `pattern`: from the generated index when it lists the
/// pattern (an exact match of its text and flags), else by parsing it.
fn plan(pattern: &str, case_insensitive: bool, within: bool) -> Result<Vec<UnitPlan>, String> {
    let index: &HashMap<Ends<'_>, _> = builtin_index();
    let indexed = index.get(&Ends(pattern)).and_then(|v| {
        v.iter()
            .find(|p| p.case_insensitive == case_insensitive && p.within == within)
    });
    if let Some(p) = indexed {
        return Ok(p
            .units
            .iter()
            .map(|u| UnitPlan {
                source: Cow::Borrowed(u.source),
                starts: u.starts.map(Cow::Borrowed),
                needs: u.needs.map(Cow::Borrowed),
                prog: PlannedProg::Text(u.prog),
            })
            .collect());
    }
    parse_plan(pattern, case_insensitive, within)
}

/// [`plan`] worked out from the pattern itself.
fn parse_plan(
    pattern: &str,
    case_insensitive: bool,
    within: bool,
) -> Result<Vec<UnitPlan>, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    let mut list = Vec::new();
    if within {
        branches_of(&hir, &mut list);
    } else {
        list.push(&hir);
    }
    Ok(list
        .into_iter()
        .map(|unit| UnitPlan {
            // The printer's output parses back to an equivalent expression,
            // with case-insensitivity already folded into its classes.
            source: Cow::Owned(unit.to_string()),
            starts: prefixes(unit).map(Cow::Owned),
            needs: within.then(|| factors(unit)).flatten().map(Cow::Owned),
            prog: PlannedProg::Built(Prog::new(unit)),
        })
        .collect())
}

/// Search state of every unit for one thread, kept from document to
/// document.
struct Caches {
    /// Boxed for the same reason as [`Unit::dfa`].
    dfa: Vec<Option<Box<Cache>>>,
    /// Backtracking steps each unit's searches have taken on this thread.
    steps: Vec<u32>,
}

/// Backtracking steps after which a unit's searches on a thread go to its
/// lazy DFA. Both engines give the same answers. The backtracker needs no
/// compiling and settles most searches in a few steps, so a small file is
/// linted without building any automaton; a unit searched thousands of
/// times (every number on a long page) has by then spent about what its DFA
/// costs to build, and the warm DFA answers it faster.
const DFA_AFTER_STEPS: u32 = 5_000;
type CacheFn = Box<dyn Fn() -> Caches + Send + Sync>;

/// Search state for one thread; get one per document with
/// [`StartScanner::cache`].
pub(crate) struct ScanCache<'a> {
    dfa: PoolGuard<'a, Caches, CacheFn>,
    /// `live[u] == round`: one of unit `u`'s [`Needs`] keys occurs in the
    /// range being scanned by [`StartScanner::scan_within`], at or after
    /// the position it has come back to.
    live: Vec<u32>,
    round: u32,
    /// Units that can start at the current position.
    candidates: Vec<u32>,
    /// Matches of the range being scanned, found from its end back.
    hits: Vec<(usize, usize, usize)>,
}

/// A unit and its compiled forms, built on first use.
struct Unit {
    /// The pattern the unit belongs to.
    owner: u32,
    source: Cow<'static, str>,
    /// The backtracker that answers most searches (see [`prog`]); `None`
    /// when the unit uses something it does not model.
    prog: OnceLock<Option<Prog>>,
    /// The generated program text, decoded into `prog` on first use.
    prog_text: &'static str,
    /// Boxed: most units never need one, and a DFA held inline made every
    /// unit, built or not, several hundred bytes.
    dfa: OnceLock<Option<Box<DFA>>>,
    /// Does every search the DFA cannot (a Unicode word boundary next to
    /// non-ASCII text), with the same semantics; built only if needed.
    fallback: OnceLock<Option<meta::Regex>>,
}

/// Keys (one or two characters) one of which each unit's matches contain
/// ([`factors`]), for [`StartScanner::scan_within`].
struct Needs {
    single: Table,
    pair: Table,
    /// Characters some key ends with.
    tail: CharSet,
    /// Units whose keys cannot be listed: live in every range.
    unbounded: Vec<u32>,
}

/// Patterns split into lazily compiled units, with first-character tables;
/// see the module docs.
pub(crate) struct StartScanner {
    units: Vec<Unit>,
    single: Table,
    pair: Table,
    /// Characters some start key begins with.
    lead: CharSet,
    /// Units whose first characters cannot be listed: tried everywhere.
    always: Vec<u32>,
    needs: Option<Needs>,
    pool: Pool<Caches, CacheFn>,
    /// Which engines answer: both as [`DFA_AFTER_STEPS`] decides, or (to
    /// test one against the other) only one.
    #[cfg(test)]
    engines: Engines,
}

#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engines {
    Both,
    DfaOnly,
    ProgOnly,
}

impl StartScanner {
    /// Indexes `patterns` (regex syntax, case-insensitive if asked), one
    /// unit per pattern.
    pub(crate) fn new(patterns: &[&str], case_insensitive: bool) -> Result<StartScanner, String> {
        StartScanner::build(patterns, case_insensitive, false)
    }

    /// A scanner for [`StartScanner::scan_within`]: one unit per top-level
    /// alternative, indexed by how it starts and by what its matches
    /// contain.
    pub(crate) fn new_within(patterns: &[&str]) -> Result<StartScanner, String> {
        StartScanner::build(patterns, false, true)
    }

    fn build(
        patterns: &[&str],
        case_insensitive: bool,
        within: bool,
    ) -> Result<StartScanner, String> {
        let mut units = Vec::with_capacity(patterns.len());
        let mut single = Filing::new(1 << SINGLE_BITS);
        let mut pair = Filing::new(1 << PAIR_BITS);
        let mut always = Vec::new();
        let mut need_single = Filing::new(1 << SINGLE_BITS);
        let mut need_pair = Filing::new(1 << PAIR_BITS);
        let mut unbounded = Vec::new();
        let mut lead = CharSet::new();
        let mut tail = CharSet::new();
        for (pid, pattern) in patterns.iter().enumerate() {
            for unit in plan(pattern, case_insensitive, within)? {
                let id = units.len() as u32;
                index(
                    unit.starts.as_deref(),
                    id,
                    &mut single,
                    &mut pair,
                    &mut always,
                    &mut lead,
                    false,
                );
                if within {
                    index(
                        unit.needs.as_deref(),
                        id,
                        &mut need_single,
                        &mut need_pair,
                        &mut unbounded,
                        &mut tail,
                        true,
                    );
                }
                for f in [&mut single, &mut pair, &mut need_single, &mut need_pair] {
                    f.next_unit();
                }
                let (prog, prog_text) = match unit.prog {
                    PlannedProg::Built(p) => (OnceLock::from(p), ""),
                    PlannedProg::Text(t) => (OnceLock::new(), t),
                };
                units.push(Unit {
                    owner: pid as u32,
                    source: unit.source,
                    prog,
                    prog_text,
                    dfa: OnceLock::new(),
                    fallback: OnceLock::new(),
                });
            }
        }
        let needs = within.then(|| Needs {
            single: need_single.table(),
            pair: need_pair.table(),
            tail,
            unbounded,
        });
        let n = units.len();
        let make: CacheFn = Box::new(move || Caches {
            dfa: (0..n).map(|_| None).collect(),
            steps: vec![0; n],
        });
        Ok(StartScanner {
            units,
            single: single.table(),
            pair: pair.table(),
            lead,
            always,
            needs,
            pool: Pool::new(make),
            #[cfg(test)]
            engines: Engines::Both,
        })
    }

    /// Search state for the calling thread.
    pub(crate) fn cache(&self) -> ScanCache<'_> {
        ScanCache {
            dfa: self.pool.get(),
            live: vec![
                0;
                if self.needs.is_some() {
                    self.units.len()
                } else {
                    0
                }
            ],
            round: 0,
            candidates: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Calls `found(pattern, start, end)` for every position `start` in
    /// `range` where `pattern` has a nonempty leftmost-first match that lies
    /// within the range, searched as if the text ended at `range.end` (look-
    /// around still sees past it). Most searches are skipped: a match lying
    /// inside the range contains one of its unit's [`Needs`] keys, so a unit
    /// none of whose keys occur in the range after a position cannot match
    /// from there. Positions come in order, patterns at one position in
    /// order. A scanner from [`StartScanner::new`] lists no such keys and
    /// tries every unit.
    pub(crate) fn scan_within(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        range: Range<usize>,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let Some(slice) = text.get(range.clone()) else {
            return;
        };
        let Some(needs) = &self.needs else {
            return self.walk(cache, text, range.clone(), range.end, found);
        };
        cache.round = cache.round.wrapping_add(1);
        if cache.round == 0 {
            cache.live.fill(0);
            cache.round = 1;
        }
        let round = cache.round;
        let mut any = !needs.unbounded.is_empty();
        for &u in &needs.unbounded {
            cache.live[u as usize] = round;
        }
        // Backwards, in one pass: a unit's keys lie inside its matches, so
        // a match starting at `p` contains an occurrence of one that starts
        // at `p` or later, and by the time `p` is tried every such
        // occurrence has been marked. Keys are marked only inside the
        // range; the character after it still shows which units can start
        // at its last position, as a forward walk would see it.
        let mut hits = std::mem::take(&mut cache.hits);
        hits.clear();
        let mut next_in: Option<char> = None;
        let mut next = text.get(range.end..).and_then(|t| t.chars().next());
        for (i, c) in slice.char_indices().rev() {
            let p = range.start + i;
            let mut mark = |units: &[u32]| {
                for &u in units {
                    cache.live[u as usize] = round;
                }
                any |= !units.is_empty();
            };
            if needs.tail.has(c) {
                mark(needs.single.get(hash_one(c)));
            }
            if let Some(d) = next_in.filter(|&d| needs.tail.has(d)) {
                mark(needs.pair.get(hash_two(c, d)));
            }
            if any && (!self.always.is_empty() || self.lead.has(c)) {
                self.try_at(
                    cache,
                    text,
                    (p, c, next),
                    range.end,
                    Some(round),
                    &mut |o, s, e| hits.push((o, s, e)),
                );
            }
            next_in = Some(c);
            next = Some(c);
        }
        // Found from the last position back, and at each position in
        // pattern order: reversing the whole, then each position's run,
        // gives positions in order with their patterns in order.
        hits.reverse();
        for run in hits.chunk_by_mut(|a, b| a.1 == b.1) {
            run.reverse();
        }
        for &(o, s, e) in &hits {
            found(o, s, e);
        }
        cache.hits = hits;
    }

    /// Calls `found(pattern, start, end)` for every position `start` in
    /// `range` (on character boundaries of `text`) where `pattern` has a
    /// nonempty match, with the end of its leftmost-first match there (which
    /// may lie beyond `range`). Positions come in order, patterns at one
    /// position in order.
    pub(crate) fn scan(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        range: Range<usize>,
        found: impl FnMut(usize, usize, usize),
    ) {
        self.walk(cache, text, range, text.len(), found);
    }

    /// The walk of [`StartScanner::scan`] and [`StartScanner::scan_within`]:
    /// at each position, the units that can start there (and, if `live`,
    /// can end in the range) in unit order; a pattern's match is that of its
    /// first unit that matches, as leftmost-first alternation prefers.
    fn walk(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        range: Range<usize>,
        limit: usize,
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
            if self.always.is_empty() && !self.lead.has(c) {
                continue;
            }
            let next = chars.peek().map(|&(_, d)| d);
            self.try_at(cache, text, (p, c, next), limit, None, &mut found);
        }
    }

    /// Searches at position `p`, character `c`, followed by `next`: the
    /// units that can start there (and, given the round of
    /// [`StartScanner::scan_within`], are live in it) in unit order; a
    /// pattern's match is that of its first unit that matches, as
    /// leftmost-first alternation prefers.
    #[inline]
    fn try_at(
        &self,
        cache: &mut ScanCache<'_>,
        text: &str,
        (p, c, next): (usize, char, Option<char>),
        limit: usize,
        live: Option<u32>,
        found: &mut impl FnMut(usize, usize, usize),
    ) {
        let one = self.single.get(hash_one(c));
        let two = next.map_or(&[][..], |d| self.pair.get(hash_two(c, d)));
        let candidates = &mut cache.candidates;
        candidates.clear();
        for list in [one, two, &self.always[..]] {
            for &u in list {
                if live.is_none_or(|round| cache.live[u as usize] == round) {
                    candidates.push(u);
                }
            }
        }
        if candidates.is_empty() {
            return;
        }
        if candidates.len() > 1 {
            candidates.sort_unstable();
            candidates.dedup();
        }
        let mut settled = None;
        for &u in candidates.iter() {
            let owner = self.units[u as usize].owner;
            if settled == Some(owner) {
                continue;
            }
            if let Some(end) = self.anchored(&mut cache.dfa, u as usize, text, p, limit) {
                settled = Some(owner);
                if end > p {
                    found(owner as usize, p, end);
                }
            }
        }
    }

    /// End of `pattern`'s leftmost-first match anchored at `start`,
    /// searching up to `limit` (look-around still sees past it): that of
    /// its first unit that matches there, as [`StartScanner::scan`] reports.
    pub(crate) fn search(
        &self,
        cache: &mut ScanCache<'_>,
        pattern: usize,
        text: &str,
        start: usize,
        limit: usize,
    ) -> Option<usize> {
        let first = self.units.partition_point(|u| (u.owner as usize) < pattern);
        (first..self.units.len())
            .take_while(|&u| self.units[u].owner as usize == pattern)
            .find_map(|u| self.anchored(&mut cache.dfa, u, text, start, limit))
    }

    /// End of unit `u`'s leftmost-first match anchored at `p`, searching
    /// up to `limit`.
    fn anchored(
        &self,
        caches: &mut Caches,
        u: usize,
        text: &str,
        p: usize,
        limit: usize,
    ) -> Option<usize> {
        let unit = &self.units[u];
        let spent = &mut caches.steps[u];
        #[cfg(test)]
        match self.engines {
            Engines::DfaOnly => *spent = u32::MAX,
            Engines::ProgOnly => *spent = 0,
            Engines::Both => {}
        }
        if *spent < DFA_AFTER_STEPS {
            let prog = unit.prog.get_or_init(|| Prog::decode(unit.prog_text));
            if let Some(prog) = prog {
                if let Ok(end) = prog.find(text, p, limit, spent) {
                    return end;
                }
            }
        }
        let input = Input::new(text).span(p..limit).anchored(Anchored::Yes);
        if let Some(dfa) = unit
            .dfa
            .get_or_init(|| build_dfa(&unit.source).map(Box::new))
        {
            let cache = caches.dfa[u].get_or_insert_with(|| Box::new(dfa.create_cache()));
            if let Ok(m) = dfa.try_search_fwd(cache, &input) {
                return m.map(|m| m.offset());
            }
        }
        unit.fallback
            .get_or_init(|| build_fallback(&unit.source).ok())
            .as_ref()
            .and_then(|re| re.search_half(&input))
            .map(|m| m.offset())
    }
}

fn build_fallback(source: &str) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .configure(meta::Config::new().nfa_size_limit(Some(64 << 20)))
        .build(source)
        .map_err(|e| e.to_string())
}

fn build_dfa(source: &str) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .syntax(syntax::Config::new())
        .configure(
            thompson::Config::new()
                .which_captures(thompson::WhichCaptures::None)
                .nfa_size_limit(Some(64 << 20)),
        )
        .build(source)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                // Memory is only taken as states are made; the largest claim
                // units settle at a few hundred KB on long pages.
                .cache_capacity(8 << 20)
                .unicode_word_boundary(true),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// The entries of one table as units are filed: (slot, unit id), each
/// unit's slots once. A unit's keys often share a slot; a bit per slot,
/// cleared after each unit, drops the repeats for a few KB and no sorting.
struct Filing {
    slots: usize,
    entries: Vec<(usize, u32)>,
    taken: Bits,
    unit_start: usize,
}

impl Filing {
    fn new(slots: usize) -> Filing {
        Filing {
            slots,
            entries: Vec::new(),
            taken: Bits::new(slots),
            unit_start: 0,
        }
    }

    fn push(&mut self, slot: usize, id: u32) {
        if !self.taken.contains(slot) {
            self.taken.insert(slot);
            self.entries.push((slot, id));
        }
    }

    /// Ends the current unit's filing: the next may use its slots again.
    fn next_unit(&mut self) {
        for &(slot, _) in &self.entries[self.unit_start..] {
            self.taken.remove(slot);
        }
        self.unit_start = self.entries.len();
    }

    fn table(&self) -> Table {
        Table::new(self.slots, &self.entries)
    }
}

/// Files `id` under each of its keys (one character, or two in a row) in
/// the entries of the single and pair tables, or among those looked up
/// everywhere when its keys cannot be listed.
fn index(
    keys: Option<&[Key]>,
    id: u32,
    single: &mut Filing,
    pair: &mut Filing,
    everywhere: &mut Vec<u32>,
    seen: &mut CharSet,
    last: bool,
) {
    match keys {
        Some(keys) => {
            for &(a, b) in keys {
                match b {
                    None => single.push(hash_one(a), id),
                    Some(b) => pair.push(hash_two(a, b), id),
                }
                seen.insert(match (last, b) {
                    (true, Some(b)) => b,
                    _ => a,
                } as u32);
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

/// The last one or two characters of every match of `hir` as table keys,
/// or `None` when they cannot be listed (an empty match, an ending class too
/// large).
fn endings(hir: &Hir) -> Option<Vec<Key>> {
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
            (Some(b), Some(a)) => out.push((a, Some(b))),
            (Some(b), None) => out.push((b, None)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// Keys one of which every match of `hir` contains, chosen to be rare in
/// text: its endings ([`endings`]) or the first characters of one of the
/// parts it is a sequence of, whichever [`rarity`] prefers. The endings of
/// inflected stems are mostly common kana (す, た, て), where a part in the
/// middle (持続, 効果) rules a unit out of far more sentences. The part it
/// starts with is left out: [`prefixes`] already checks it where a match
/// would start. (A second group of keys, required as well, was tried: on
/// the bench corpus marking it cost more than the searches it saved.)
fn factors(hir: &Hir) -> Option<Vec<Key>> {
    let mut parts = Vec::new();
    sequence_of(hir, &mut parts);
    let mut best = endings(hir);
    let mut best_cost = best.as_deref().map_or(u64::MAX, rarity);
    for part in parts.iter().skip(1) {
        if let Some(keys) = prefixes(part) {
            let cost = rarity(&keys);
            if cost < best_cost {
                (best, best_cost) = (Some(keys), cost);
            }
        }
    }
    best
}

/// The parts `hir` is a sequence of, through groups and nested sequences;
/// every match of `hir` contains a match of each.
fn sequence_of<'h>(hir: &'h Hir, out: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|h| sequence_of(h, out)),
        HirKind::Capture(c) => sequence_of(&c.sub, out),
        _ => out.push(hir),
    }
}

/// How often some key of `keys` can be expected in Japanese prose: kana,
/// digits and punctuation turn up everywhere, a kanji or katakana pair
/// rarely. Smaller is rarer; the figures only need to order sets well.
fn rarity(keys: &[Key]) -> u64 {
    fn weight(c: char) -> u64 {
        match c {
            'ぁ'..='ゖ' => 8,
            'ァ'..='ヺ' => 2,
            'ー' | '々' => 6,
            '\u{4E00}'..='\u{9FFF}' => 1,
            _ if c.is_alphanumeric() => 4,
            _ => 10,
        }
    }
    (keys.iter())
        .map(|&(a, b)| match b {
            Some(b) => weight(a) * weight(b),
            None => weight(a) * 16,
        })
        .sum()
}

/// The first one or two characters of every match of `hir`, or `None`
/// when they cannot be listed (a leading negated class, an empty match).
fn prefixes(hir: &Hir) -> Option<Vec<Key>> {
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

/// The generated index (`src/scan/index.rs`) for `patterns`, given as
/// (pattern, case-insensitive, within): Rust source.
#[cfg(test)]
pub(crate) fn generate_index(
    patterns: &[(&str, bool, bool)],
    regexes: &[(&str, bool)],
) -> Result<String, String> {
    use std::fmt::Write;
    let keys = |k: &Option<Cow<'static, [Key]>>| match k {
        None => "None".to_string(),
        Some(k) => {
            let list: Vec<String> = (k.iter())
                .map(|&(a, b)| match b {
                    None => format!("({a:?}, None)"),
                    Some(b) => format!("({a:?}, Some({b:?}))"),
                })
                .collect();
            format!("Some(&[{}])", list.join(", "))
        }
    };
    let mut out = String::from(
        "// @generated by `EXOLINT_BLESS=1 cargo test --lib builtin_index_is_current`\n\
         // from the built-in claim rules and vocabulary. Do not edit: a pattern\n\
         // this file does not list exactly is parsed at start-up instead.\n\n\
         use super::{IndexedPattern as P, IndexedUnit as U};\n\n\
         pub(super) static PATTERNS: &[P] = &[\n",
    );
    let mut seen = std::collections::HashSet::new();
    for &(pattern, ci, within) in patterns {
        if !seen.insert((pattern, ci, within)) {
            continue;
        }
        let units = parse_plan(pattern, ci, within)?;
        writeln!(
            out,
            "    P {{\n        pattern: {pattern:?},\n        case_insensitive: {ci},\n        within: {within},\n        units: &["
        )
        .expect("write to String");
        for u in &units {
            writeln!(
                out,
                "            U {{\n                source: {:?},\n                starts: {},\n                needs: {},\n                prog: {:?},\n            }},",
                u.source,
                keys(&u.starts),
                keys(&u.needs),
                match &u.prog {
                    PlannedProg::Built(Some(p)) => p.encode(),
                    _ => String::new(),
                }
            )
            .expect("write to String");
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n\n/// (source, case-insensitive, program) of other built-in regexes.\npub(super) static REGEXES: &[(&str, bool, &str)] = &[\n");
    let mut seen = std::collections::HashSet::new();
    for &(src, ci) in regexes {
        if !seen.insert((src, ci)) {
            continue;
        }
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(ci)
            .build()
            .parse(src)
            .map_err(|e| e.to_string())?;
        // Unanchored searches step past every match; one that may be
        // empty is left to the regex.
        if hir.properties().minimum_len().is_none_or(|n| n == 0) {
            continue;
        }
        if let Some(prog) = Prog::new(&hir) {
            writeln!(out, "    ({src:?}, {ci}, {:?}),", prog.encode()).expect("write to String");
        }
    }
    out.push_str("];\n");
    Ok(out)
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

    /// Every start of every pattern with a nonempty match when the text is
    /// searched up to `end` only, by brute force with `regex-automata`.
    fn brute_within(
        patterns: &[&str],
        text: &str,
        range: Range<usize>,
    ) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (pid, p) in patterns.iter().enumerate() {
            let re = meta::Regex::new(p).unwrap();
            for (s, _) in text[range.clone()].char_indices() {
                let s = range.start + s;
                let input = Input::new(text).range(s..range.end).anchored(Anchored::Yes);
                if let Some(m) = re.find(input) {
                    if !m.is_empty() {
                        out.push((pid, s, m.end()));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// `scan_within` reports, for every sentence-like range of the text, the
    /// matches of each pattern searched as if the text ended with the range;
    /// `scan` on the same scanner (units are branches) the matches over the
    /// whole text: patterns whose branches start and end differently, a
    /// branch that matches empty, an earlier branch that matches past the
    /// range while a later one fits, endings cut inside a character,
    /// look-around at the range's end.
    #[test]
    fn units_are_keyed_on_their_rarest_part() {
        let parse = |p: &str| regex_syntax::Parser::new().parse(p).unwrap();
        // Endings of common kana lose to a part in the middle.
        let hir = parse("(?:す|ま)[^。]{0,8}?(?:持続|続)(?:する|します)");
        assert_eq!(factors(&hir), Some(vec![('持', Some('続')), ('続', None)]));
        // A rare ending stays.
        let hir = parse("(?:効果|効き目)が?[^。]{0,6}?持続");
        assert_eq!(factors(&hir), Some(vec![('持', Some('続'))]));
        // The part a match starts with is checked by the start keys already.
        let hir = parse("持続(?:する|した)");
        assert_eq!(
            factors(&hir),
            Some(vec![('し', Some('た')), ('す', Some('る'))])
        );
    }

    #[test]
    fn scan_within_finds_what_the_pattern_finds_inside_the_range() {
        let patterns = [
            "効果(?:が|は)?(?:ある|得られ)|必ず[^。]{0,4}?治|[0-9０-９]+(?:ヶ月|か月)で",
            "(?:髪|肌)(?:が|も)?[^。！]{0,6}?(?:生え|若返)(?:る|た|ます)",
            "x?|安全(?:です|性)",
            "(?:とても|非常に)?効(?:く|き(?:ます|目))",
            "[ぁ-ゖ]{2}ように(?:なっ|なる)",
            "(?m:^)当院(?:だけ|のみ)\\b",
            "([A-Z][a-z]+)+ et al",
            "治療[^\\n]{0,12}効く|治療",
            "効きます(?m:$)|効き",
            // Keyed on the part in the middle (持続, 続), not on its endings.
            "(?:す|ま)[^。]{0,8}?(?:持続|続)(?:する|します)",
        ];
        let text =
            "当院の効果がある治療。必ずすぐ治ります！髪がぐんぐん生えた。1ヶ月で肌も若返る。\n\
                    安全性。とても効きます。よくねむれるようになった。\n当院だけ。Li et al。効き目。\n\
                    治療。効く治療です。効きます\n\
                    ますます持続します。すぐに続する。まず続く持続する。続すま持続\n";
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
                let mut got = Vec::new();
                s.scan_within(&mut cache, text, a..b, |p, x, y| got.push((p, x, y)));
                // Positions in order, patterns at one position in order.
                assert!(
                    got.windows(2).all(|w| (w[0].1, w[0].0) < (w[1].1, w[1].0)),
                    "range {a}..{b}: out of order: {got:?}"
                );
                got.sort_unstable();
                assert_eq!(
                    got,
                    brute_within(&patterns, text, a..b),
                    "range {a}..{b}: {:?}",
                    &text[a..b]
                );
            }
        }
        let mut whole = Vec::new();
        s.scan(&mut cache, text, 0..text.len(), |p, x, y| {
            whole.push((p, x, y))
        });
        whole.sort_unstable();
        assert_eq!(whole, brute(&patterns, false, text));
        let mut all = Vec::new();
        s.scan_within(&mut cache, text, 0..text.len(), |p, x, y| {
            all.push((p, x, y))
        });
        assert!(all.len() >= 10, "{all:?}");
    }

    /// Every built-in unit's backtracking program (from the generated text)
    /// answers every search as its automaton does: the claim scanner and the
    /// vocabulary tagger run over the whole corpus with each engine alone.
    #[test]
    fn programs_agree_with_automata() {
        let rules = crate::rules::RuleSet::builtin();
        let registry = crate::registry::Registry::builtin();
        let claims = crate::claims::scanner_patterns(&rules);
        let vocab = registry.vocabulary().scanner_patterns();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut text = String::new();
        for dir in ["markdown", "html", "text"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            paths.sort();
            for p in paths {
                text.push_str(&std::fs::read_to_string(p).unwrap_or_default());
            }
        }
        for (patterns, within) in [(claims, true), (vocab, false)] {
            let run = |engines: Engines| {
                let mut s = if within {
                    StartScanner::new_within(&patterns).unwrap()
                } else {
                    StartScanner::new(&patterns, true).unwrap()
                };
                s.engines = engines;
                let mut cache = s.cache();
                let mut out = Vec::new();
                let mut from = 0;
                for (i, c) in text.char_indices() {
                    if matches!(c, '。' | '\n' | '！' | '？') {
                        let end = i + c.len_utf8();
                        if within {
                            s.scan_within(&mut cache, &text, from..end, |p, x, y| {
                                out.push((p, x, y))
                            });
                        } else {
                            s.scan(&mut cache, &text, from..end, |p, x, y| out.push((p, x, y)));
                        }
                        from = end;
                    }
                }
                out
            };
            let prog = run(Engines::ProgOnly);
            assert!(prog.len() > 500, "{}", prog.len());
            assert_eq!(prog, run(Engines::DfaOnly), "within={within}");
        }
    }

    /// The generated index lists exactly what parsing the built-in patterns
    /// gives; `EXOLINT_BLESS=1` rewrites it when the rules or vocabulary
    /// changed.
    #[test]
    fn builtin_index_is_current() {
        let rules = crate::rules::RuleSet::builtin();
        let registry = crate::registry::Registry::builtin();
        let mut patterns: Vec<(&str, bool, bool)> = Vec::new();
        patterns.extend(
            crate::claims::scanner_patterns(&rules)
                .into_iter()
                .map(|p| (p, false, true)),
        );
        patterns.extend(
            registry
                .vocabulary()
                .scanner_patterns()
                .into_iter()
                .map(|p| (p, true, false)),
        );
        let regexes = crate::rules::builtin_regexes(&rules, &registry);
        let generated = generate_index(&patterns, &regexes).unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scan/index.rs");
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if generated != current {
            if std::env::var_os("EXOLINT_BLESS").is_some() {
                std::fs::write(&path, &generated).unwrap();
            } else {
                panic!(
                    "src/scan/index.rs is out of date with the built-in rules or vocabulary; \
                     run `EXOLINT_BLESS=1 cargo test --lib builtin_index_is_current`"
                );
            }
        }
    }

    /// A pattern the index lists and the same pattern parsed at start-up
    /// scan alike.
    #[test]
    fn indexed_and_parsed_patterns_scan_alike() {
        let rules = crate::rules::RuleSet::builtin();
        let patterns = crate::claims::scanner_patterns(&rules);
        let indexed = StartScanner::new_within(&patterns).unwrap();
        // A trailing empty group makes the text differ, so nothing is found
        // in the index; the pattern means the same.
        let renamed: Vec<String> = patterns.iter().map(|p| format!("{p}(?:)")).collect();
        let renamed: Vec<&str> = renamed.iter().map(String::as_str).collect();
        let parsed = StartScanner::new_within(&renamed).unwrap();
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus/markdown/001-aga-exosome-clinic.md"),
        )
        .unwrap();
        let run = |s: &StartScanner| {
            let mut cache = s.cache();
            let mut out = Vec::new();
            let mut from = 0;
            for (i, c) in text.char_indices() {
                if matches!(c, '。' | '\n') {
                    s.scan_within(&mut cache, &text, from..i + c.len_utf8(), |p, x, y| {
                        out.push((p, x, y))
                    });
                    from = i + c.len_utf8();
                }
            }
            out
        };
        let a = run(&indexed);
        assert!(a.len() > 20, "{a:?}");
        assert_eq!(a, run(&parsed));
    }
}
