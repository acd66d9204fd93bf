//! A backtracking matcher for the scanner's anchored searches.
//!
//! The scanner asks one question millions of times per large page: "does
//! this unit match at this position, and where does its leftmost-first match
//! end?" Most answers are "no" after a character or two. A lazy DFA answers
//! it with a start-state lookup and transitions through per-unit caches
//! scattered in memory, about half a microsecond each, and must first be
//! compiled (most of the start-up of a run on a small file). The units are
//! small expressions over literal alternatives, character classes and
//! bounded gaps, which a backtracker walks directly: it tries alternatives in
//! order and repetitions greedily or lazily, which is exactly the
//! leftmost-first semantics of `regex` (that semantics is defined as the
//! first match a backtracking search finds), and it is built from the parsed
//! expression without any automaton.
//!
//! Anything it does not model exactly (empty-matching repetitions, byte
//! classes, the rarer look-around assertions) makes [`Prog::new`] return
//! `None`, and a search that takes too many steps or recurses too deep (a
//! 20 MB line made of one repeated phrase) gives up with [`Abort`]; the
//! caller then runs the automaton instead, so answers never depend on this
//! module's limits.

use super::CharSet;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A search gave up: too many steps or too deep a recursion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Abort;

/// Steps (node visits) one search may take before it gives up.
const MAX_STEPS: u32 = 50_000;
/// Nested continuations one search may hold before it gives up; each costs
/// a few stack frames, so this bounds the stack a search can take.
const MAX_DEPTH: u32 = 400;
/// Branches of one alternation worth trying at one position.
const MAX_BRANCHES: usize = 64;

/// One unit compiled for backtracking.
#[derive(Debug)]
pub(crate) struct Prog {
    root: Node,
}

/// Literal bytes: borrowed from a generated program's text, or owned when
/// compiled at run time.
#[derive(Debug, Clone)]
enum Lit {
    Static(&'static [u8]),
    Owned(Box<[u8]>),
}

impl std::ops::Deref for Lit {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Lit::Static(b) => b,
            Lit::Owned(b) => b,
        }
    }
}

#[derive(Debug)]
enum Node {
    Empty,
    Bytes(Lit),
    Class(CharClass),
    Look(Look),
    /// Alternatives in order of preference.
    Alt(Box<Alt>),
    Concat(Box<[Node]>),
    Repeat(Box<Repeat>),
}

#[derive(Debug)]
struct Repeat {
    sub: Node,
    min: u32,
    /// `u32::MAX` for no upper bound.
    max: u32,
    greedy: bool,
}

/// A set of characters: a bitmap for ASCII, sorted ranges for the rest.
#[derive(Debug)]
struct CharClass {
    ascii: u128,
    ranges: Box<[(u32, u32)]>,
}

impl CharClass {
    #[inline]
    fn contains(&self, c: u32) -> bool {
        if c < 128 {
            return self.ascii >> c & 1 == 1;
        }
        let i = self.ranges.partition_point(|&(_, hi)| hi < c);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
    }
}

/// An alternation. Most branches of the rules' alternations begin with a
/// literal (`ある`, `伸び(?:る|て)`, `効果`): a trie of those leading
/// literals finds, in one walk, the few branches worth trying at a position,
/// instead of trying each of a hundred in turn. Building the trie costs
/// about as much as a few hundred tries without it, and a small file tries
/// most alternations a few times only: until `build_after` tries, the
/// leading literals are compared one by one.
#[derive(Debug)]
struct Alt {
    /// Each branch as its leading literal and the rest.
    branches: Box<[(Lit, Node)]>,
    /// Branches that start with no literal: tried everywhere, in order.
    always: Box<[u32]>,
    trie: std::sync::OnceLock<Trie>,
    tries: std::sync::atomic::AtomicU32,
    build_after: u32,
}

/// Leading literals as a byte trie, in three flat arrays.
#[derive(Debug, Default)]
struct Trie {
    /// Per node: its children in `edges[first..first + count]`, sorted by
    /// byte, and the branches whose literal ends at it in
    /// `ends[end_first..end_first + end_count]`.
    nodes: Vec<TrieNode>,
    edges: Vec<(u8, u32)>,
    ends: Vec<u32>,
}

#[derive(Debug, Default, Clone, Copy)]
struct TrieNode {
    first: u32,
    count: u32,
    end_first: u32,
    end_count: u32,
}

impl Trie {
    /// The trie of `leads` (literal, branch), leaving out empty literals.
    fn new(leads: &[(&[u8], u32)]) -> Trie {
        let mut sorted: Vec<(&[u8], u32)> =
            leads.iter().filter(|l| !l.0.is_empty()).copied().collect();
        sorted.sort_unstable();
        let mut t = Trie::default();
        t.nodes.push(TrieNode::default());
        t.fill(0, &sorted, 0);
        t
    }

    /// Fills node `node`, the prefix of length `depth` shared by `leads`.
    /// `leads` is sorted, so the literals that end here come first, in
    /// branch order, and each child's literals are a contiguous run.
    fn fill(&mut self, node: usize, leads: &[(&[u8], u32)], depth: usize) {
        let done = leads.partition_point(|l| l.0.len() == depth);
        self.nodes[node].end_first = self.ends.len() as u32;
        self.nodes[node].end_count = done as u32;
        self.ends.extend(leads[..done].iter().map(|l| l.1));
        let rest = &leads[done..];
        let run = |i: usize| {
            let b = rest[i].0[depth];
            (b, i + rest[i..].partition_point(|l| l.0[depth] == b))
        };
        // Children are numbered in a block before any is filled, so that
        // each node's edges stay contiguous.
        let base = self.nodes.len();
        self.nodes[node].first = self.edges.len() as u32;
        let mut i = 0;
        while i < rest.len() {
            let (b, j) = run(i);
            self.edges.push((b, self.nodes.len() as u32));
            self.nodes.push(TrieNode::default());
            i = j;
        }
        self.nodes[node].count = (self.nodes.len() - base) as u32;
        let (mut i, mut child) = (0, base);
        while i < rest.len() {
            let (_, j) = run(i);
            self.fill(child, &rest[i..j], depth + 1);
            child += 1;
            i = j;
        }
    }
}

impl Alt {
    fn new(branches: Vec<(Lit, Node)>) -> Alt {
        let always = (branches.iter().enumerate())
            .filter(|(_, (lead, _))| lead.is_empty())
            .map(|(i, _)| i as u32)
            .collect();
        // A walk of the trie costs about one step per byte matched; a try
        // without it, one comparison per branch; building it, a few dozen
        // steps per byte of the literals.
        let lead_bytes: usize = branches.iter().map(|(lead, _)| lead.len()).sum();
        let build_after = (32 * lead_bytes / branches.len().max(1)).clamp(16, 1024) as u32;
        Alt {
            branches: branches.into(),
            always,
            trie: std::sync::OnceLock::new(),
            tries: std::sync::atomic::AtomicU32::new(0),
            build_after,
        }
    }

    /// The branches whose leading literal matches at `at` without passing
    /// `limit` (the `always` ones among them), in order of preference, into
    /// `out`; how many. Too many to fit is an [`Abort`], as from the trie.
    fn candidates(
        &self,
        h: &[u8],
        at: usize,
        limit: usize,
        out: &mut [u32; MAX_BRANCHES],
    ) -> Result<usize, Abort> {
        use std::sync::atomic::Ordering::Relaxed;
        if let Some(trie) = self.trie.get() {
            return trie.matches(h, at, limit, &self.always, out);
        }
        if self.tries.fetch_add(1, Relaxed) >= self.build_after {
            return self.trie().matches(h, at, limit, &self.always, out);
        }
        let rest = h.get(at..limit).unwrap_or_default();
        let mut n = 0;
        for (i, (lead, _)) in self.branches.iter().enumerate() {
            if rest.starts_with(lead) {
                *out.get_mut(n).ok_or(Abort)? = i as u32;
                n += 1;
            }
        }
        Ok(n)
    }

    fn trie(&self) -> &Trie {
        self.trie.get_or_init(|| {
            let leads: Vec<(&[u8], u32)> = (self.branches.iter().enumerate())
                .map(|(i, (lead, _))| (&lead[..], i as u32))
                .collect();
            Trie::new(&leads)
        })
    }
}

impl Trie {
    /// The branches whose leading literal matches at `at` without passing
    /// `limit`, and the `always` ones, in order of preference, into `out`;
    /// how many.
    fn matches(
        &self,
        h: &[u8],
        at: usize,
        limit: usize,
        always: &[u32],
        out: &mut [u32; MAX_BRANCHES],
    ) -> Result<usize, Abort> {
        let mut n = 0;
        for &b in always {
            // More candidate branches than fit: let the automaton answer.
            *out.get_mut(n).ok_or(Abort)? = b;
            n += 1;
        }
        if !self.nodes.is_empty() {
            let mut node = self.nodes[0];
            let mut i = at;
            loop {
                let ends = &self.ends[node.end_first as usize..][..node.end_count as usize];
                for &b in ends {
                    *out.get_mut(n).ok_or(Abort)? = b;
                    n += 1;
                }
                if i >= limit {
                    break;
                }
                let edges = &self.edges[node.first as usize..][..node.count as usize];
                let b = h[i];
                let next = if edges.len() <= 8 {
                    edges.iter().find(|e| e.0 == b).map(|e| e.1)
                } else {
                    edges
                        .binary_search_by_key(&b, |e| e.0)
                        .ok()
                        .map(|k| edges[k].1)
                };
                match next {
                    Some(c) => {
                        node = self.nodes[c as usize];
                        i += 1;
                    }
                    None => break,
                }
            }
        }
        if n > 1 {
            out[..n].sort_unstable();
        }
        Ok(n)
    }
}

impl Prog {
    /// Compiles `hir`, or `None` when it uses something this matcher does
    /// not model exactly.
    pub(crate) fn new(hir: &Hir) -> Option<Prog> {
        Some(Prog {
            root: compile(hir)?,
        })
    }

    /// End of the leftmost-first match anchored at `at` that lies within
    /// `at..limit` (look-around sees all of `haystack`), `None` if there is
    /// none, or [`Abort`] when the search took too long. Adds the steps it
    /// took to `steps`, a measure of its cost.
    pub(crate) fn find(
        &self,
        haystack: &str,
        at: usize,
        limit: usize,
        steps: &mut u32,
    ) -> Result<Option<usize>, Abort> {
        let h = haystack.as_bytes();
        if at > limit || limit > h.len() {
            return Ok(None);
        }
        let mut run = Run {
            h,
            limit,
            steps: 0,
            depth: 0,
        };
        let found = run.node(&self.root, at, &K::Done);
        *steps = steps.saturating_add(run.steps);
        found
    }
}

/// The text form of programs, so that the built-in patterns' programs are
/// generated ahead of time (`index.rs`) and a run parses no expression:
/// `E` empty, `L<len>:<bytes>` literal, `C<n>:<lo>-<hi>,…` class (code
/// points), `K<look>` assertion, `A<n>:` then each branch as its leading
/// literal (`L…`, `L0:` for none) and the rest, `S<n>:` concatenation,
/// `R<min>,<max>,<g|l>` then the repeated node (`max` 0 for none).
impl Prog {
    #[cfg(test)]
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        encode(&self.root, &mut out);
        out
    }

    /// A program from [`Prog::encode`]'s text; `None` if it is malformed.
    pub(crate) fn decode(text: &'static str) -> Option<Prog> {
        let mut d = Decoder {
            s: text.as_bytes(),
            at: 0,
        };
        let root = d.node(0)?;
        (d.at == d.s.len()).then_some(Prog { root })
    }
}

const LOOKS: [Look; 10] = [
    Look::Start,
    Look::End,
    Look::StartLF,
    Look::EndLF,
    Look::StartCRLF,
    Look::EndCRLF,
    Look::WordAscii,
    Look::WordAsciiNegate,
    Look::WordUnicode,
    Look::WordUnicodeNegate,
];

#[cfg(test)]
fn encode(n: &Node, out: &mut String) {
    use std::fmt::Write;
    let lit = |b: &[u8], out: &mut String| {
        // Literals of a Unicode expression hold whole characters.
        let _ = write!(out, "L{}:{}", b.len(), String::from_utf8_lossy(b));
    };
    match n {
        Node::Empty => out.push('E'),
        Node::Bytes(b) => lit(b, out),
        Node::Class(c) => {
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            let mut c0 = 0u32;
            while c0 < 128 {
                if c.ascii >> c0 & 1 == 1 {
                    let lo = c0;
                    while c0 < 128 && c.ascii >> c0 & 1 == 1 {
                        c0 += 1;
                    }
                    ranges.push((lo, c0 - 1));
                } else {
                    c0 += 1;
                }
            }
            ranges.extend(c.ranges.iter().copied());
            let _ = write!(out, "C{}:", ranges.len());
            for (lo, hi) in ranges {
                let _ = write!(out, "{lo}-{hi},");
            }
        }
        Node::Look(l) => {
            let i = LOOKS.iter().position(|x| x == l).unwrap_or(0);
            let _ = write!(out, "K{i}");
        }
        Node::Alt(a) => {
            let _ = write!(out, "A{}:", a.branches.len());
            for (lead, rest) in a.branches.iter() {
                lit(lead, out);
                encode(rest, out);
            }
        }
        Node::Concat(ns) => {
            let _ = write!(out, "S{}:", ns.len());
            ns.iter().for_each(|n| encode(n, out));
        }
        Node::Repeat(r) => {
            let max = if r.max == u32::MAX { 0 } else { r.max + 1 };
            let _ = write!(
                out,
                "R{},{},{}",
                r.min,
                max,
                if r.greedy { 'g' } else { 'l' }
            );
            encode(&r.sub, out);
        }
    }
}

struct Decoder {
    s: &'static [u8],
    at: usize,
}

impl Decoder {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.s.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.byte()? == b).then_some(())
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        let mut n: u32 = 0;
        while let Some(d) = self.s.get(self.at).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
            self.at += 1;
        }
        (self.at > start).then_some(n)
    }

    fn literal(&mut self) -> Option<Lit> {
        self.expect(b'L')?;
        let len = self.number()? as usize;
        self.expect(b':')?;
        let b = self.s.get(self.at..self.at + len)?;
        self.at += len;
        Some(Lit::Static(b))
    }

    /// A node, no deeper than programs are.
    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > 200 {
            return None;
        }
        Some(match *self.s.get(self.at)? {
            b'E' => {
                self.at += 1;
                Node::Empty
            }
            b'L' => Node::Bytes(self.literal()?),
            b'C' => {
                self.at += 1;
                let n = self.number()?;
                self.expect(b':')?;
                let mut ascii = 0u128;
                let mut ranges = Vec::new();
                for _ in 0..n {
                    let lo = self.number()?;
                    self.expect(b'-')?;
                    let hi = self.number()?;
                    self.expect(b',')?;
                    if lo < 128 {
                        for c in lo..=hi.min(127) {
                            ascii |= 1 << c;
                        }
                    }
                    if hi >= 128 {
                        ranges.push((lo.max(128), hi));
                    }
                }
                Node::Class(CharClass {
                    ascii,
                    ranges: ranges.into(),
                })
            }
            b'K' => {
                self.at += 1;
                Node::Look(*LOOKS.get(self.number()? as usize)?)
            }
            b'A' => {
                self.at += 1;
                let n = self.number()?;
                self.expect(b':')?;
                // `n` is from the text: cap the reservation.
                let mut branches = Vec::with_capacity((n as usize).min(self.s.len()));
                for _ in 0..n {
                    let lead = self.literal()?;
                    branches.push((lead, self.node(depth + 1)?));
                }
                Node::Alt(Box::new(Alt::new(branches)))
            }
            b'S' => {
                self.at += 1;
                let n = self.number()?;
                self.expect(b':')?;
                let mut nodes = Vec::with_capacity((n as usize).min(self.s.len()));
                for _ in 0..n {
                    nodes.push(self.node(depth + 1)?);
                }
                Node::Concat(nodes.into())
            }
            b'R' => {
                self.at += 1;
                let min = self.number()?;
                self.expect(b',')?;
                let max = self.number()?;
                self.expect(b',')?;
                let greedy = match self.byte()? {
                    b'g' => true,
                    b'l' => false,
                    _ => return None,
                };
                let sub = self.node(depth + 1)?;
                Node::Repeat(Box::new(Repeat {
                    sub,
                    min,
                    max: max.checked_sub(1).unwrap_or(u32::MAX),
                    greedy,
                }))
            }
            _ => return None,
        })
    }
}

impl Prog {
    /// Whether every match must start at the start of the haystack (`^`),
    /// so an unanchored search need try only there.
    pub(crate) fn anchored_at_start(&self) -> bool {
        fn anchored(n: &Node) -> bool {
            match n {
                Node::Look(Look::Start) => true,
                Node::Concat(ns) => ns.first().is_some_and(anchored),
                Node::Alt(a) => {
                    (a.branches.iter()).all(|(lead, rest)| lead.is_empty() && anchored(rest))
                }
                _ => false,
            }
        }
        anchored(&self.root)
    }

    /// The first characters of its matches, or `None` when they are too
    /// many to be worth listing or a match can be empty.
    pub(crate) fn first_chars(&self) -> Option<CharSet> {
        let mut set = CharSet::new();
        let nullable = first(&self.root, &mut set)?;
        (!nullable).then_some(set)
    }
}

/// Adds the first characters of `n` to `set`; whether `n` can match
/// nothing (then what follows it can begin a match too). `None`: too many.
fn first(n: &Node, set: &mut CharSet) -> Option<bool> {
    let mut add = |c: u32| set.insert(c);
    Some(match n {
        Node::Empty | Node::Look(_) => true,
        Node::Bytes(b) => match std::str::from_utf8(b).ok()?.chars().next() {
            Some(c) => {
                add(c as u32);
                false
            }
            None => true,
        },
        Node::Class(c) => {
            let mut count = c.ascii.count_ones() as u64;
            for &(lo, hi) in c.ranges.iter() {
                count += u64::from(hi - lo) + 1;
            }
            if count > 512 {
                return None;
            }
            (0..128)
                .filter(|&b| c.ascii >> b & 1 == 1)
                .for_each(&mut add);
            for &(lo, hi) in c.ranges.iter() {
                (lo..=hi).for_each(&mut add);
            }
            false
        }
        Node::Alt(a) => {
            let mut nullable = false;
            for (lead, rest) in a.branches.iter() {
                nullable |= if lead.is_empty() {
                    first(rest, set)?
                } else {
                    first(&Node::Bytes(lead.clone()), set)?
                };
            }
            nullable
        }
        Node::Concat(ns) => {
            for n in ns.iter() {
                if !first(n, set)? {
                    return Some(false);
                }
            }
            true
        }
        Node::Repeat(r) => first(&r.sub, set)? || r.min == 0,
    })
}

fn compile(hir: &Hir) -> Option<Node> {
    Some(match hir.kind() {
        HirKind::Empty => Node::Empty,
        HirKind::Literal(lit) => Node::Bytes(Lit::Owned(lit.0.clone())),
        HirKind::Class(Class::Unicode(cls)) => {
            let mut ascii = 0u128;
            let mut ranges = Vec::new();
            for r in cls.ranges() {
                let (lo, hi) = (r.start() as u32, r.end() as u32);
                for c in lo..=hi.min(127) {
                    ascii |= 1 << c;
                }
                if hi >= 128 {
                    ranges.push((lo.max(128), hi));
                }
            }
            Node::Class(CharClass {
                ascii,
                ranges: ranges.into(),
            })
        }
        // Byte classes can match inside a character; the automaton handles them.
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Look(look) => match look {
            Look::Start
            | Look::End
            | Look::StartLF
            | Look::EndLF
            | Look::StartCRLF
            | Look::EndCRLF
            | Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordUnicode
            | Look::WordUnicodeNegate => Node::Look(*look),
            _ => return None,
        },
        HirKind::Repetition(rep) => {
            // Unbounded, an iteration that can match nothing makes regex's
            // semantics (where such a loop stops) subtle: leave it to the
            // automaton. Bounded (`(?:[^。]{0,6}?)?`), regex unrolls it, which
            // is what backtracking over the count does.
            if rep.max.is_none() && rep.sub.properties().minimum_len().is_none_or(|n| n == 0) {
                return None;
            }
            Node::Repeat(Box::new(Repeat {
                sub: compile(&rep.sub)?,
                min: rep.min,
                max: rep.max.unwrap_or(u32::MAX),
                greedy: rep.greedy,
            }))
        }
        HirKind::Capture(cap) => compile(&cap.sub)?,
        HirKind::Concat(subs) => {
            let mut nodes: Vec<Node> = Vec::with_capacity(subs.len());
            for s in subs {
                match (nodes.last_mut(), compile(s)?) {
                    (_, Node::Empty) => {}
                    (Some(Node::Bytes(a)), Node::Bytes(b)) => {
                        let mut v = a.to_vec();
                        v.extend_from_slice(&b);
                        *a = Lit::Owned(v.into());
                    }
                    (_, n) => nodes.push(n),
                }
            }
            match nodes.len() {
                0 => Node::Empty,
                1 => nodes.pop()?,
                _ => Node::Concat(nodes.into()),
            }
        }
        HirKind::Alternation(subs) => {
            let mut branches = Vec::with_capacity(subs.len());
            for sub in subs {
                branches.push(match compile(sub)? {
                    Node::Bytes(b) => (b, Node::Empty),
                    Node::Concat(nodes) => match &nodes[..] {
                        [Node::Bytes(_), ..] => {
                            let mut nodes = nodes.into_vec();
                            let Node::Bytes(lead) = nodes.remove(0) else {
                                return None;
                            };
                            let rest = if nodes.len() == 1 {
                                nodes.pop()?
                            } else {
                                Node::Concat(nodes.into())
                            };
                            (lead, rest)
                        }
                        _ => (Lit::Static(&[]), Node::Concat(nodes)),
                    },
                    n => (Lit::Static(&[]), n),
                });
            }
            Node::Alt(Box::new(Alt::new(branches)))
        }
    })
}

/// What is left to match after a node: the rest of a concatenation, or
/// more iterations of a repetition, then what follows them.
enum K<'a> {
    Done,
    Then(&'a [Node], &'a K<'a>),
    Rep {
        rep: &'a Repeat,
        /// Iterations matched so far.
        count: u32,
        next: &'a K<'a>,
    },
}

struct Run<'h> {
    h: &'h [u8],
    limit: usize,
    steps: u32,
    depth: u32,
}

type R = Result<Option<usize>, Abort>;

impl Run<'_> {
    fn tick(&mut self) -> Result<(), Abort> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            Err(Abort)
        } else {
            Ok(())
        }
    }

    /// Matches `n` at `at`, then `k`.
    fn node(&mut self, n: &Node, at: usize, k: &K<'_>) -> R {
        self.tick()?;
        match n {
            Node::Empty => self.cont(k, at),
            Node::Bytes(lit) => {
                let end = at + lit.len();
                if end <= self.limit && self.h.get(at) == lit.first() && self.h[at..end] == lit[..]
                {
                    self.cont(k, end)
                } else {
                    Ok(None)
                }
            }
            Node::Class(cls) => match self.char_at(at) {
                Some((c, len)) if cls.contains(c) => self.cont(k, at + len),
                _ => Ok(None),
            },
            Node::Look(look) => {
                if self.look(*look, at) {
                    self.cont(k, at)
                } else {
                    Ok(None)
                }
            }
            Node::Alt(alt) => {
                let mut found = [0u32; MAX_BRANCHES];
                let n = alt.candidates(self.h, at, self.limit, &mut found)?;
                for &b in &found[..n] {
                    let (lead, rest) = &alt.branches[b as usize];
                    if let Some(m) = self.node(rest, at + lead.len(), k)? {
                        return Ok(Some(m));
                    }
                }
                Ok(None)
            }
            Node::Concat(nodes) => {
                self.nest(|run| run.node(&nodes[0], at, &K::Then(&nodes[1..], k)))
            }
            Node::Repeat(rep) => {
                if let Node::Class(cls) = &rep.sub {
                    self.repeat_class(rep, cls, at, k)
                } else {
                    self.repeat(rep, 0, at, k)
                }
            }
        }
    }

    /// Runs `f` one continuation deeper, giving up past [`MAX_DEPTH`].
    fn nest(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Abort);
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn cont(&mut self, k: &K<'_>, at: usize) -> R {
        match *k {
            K::Done => Ok(Some(at)),
            K::Then(rest, next) => match rest {
                [] => self.cont(next, at),
                [only] => self.node(only, at, next),
                [first, tail @ ..] => self.nest(|run| run.node(first, at, &K::Then(tail, next))),
            },
            K::Rep { rep, count, next } => self.repeat(rep, count, at, next),
        }
    }

    /// A repetition of any node, `count` iterations in, at `at`.
    fn repeat(&mut self, rep: &Repeat, count: u32, at: usize, next: &K<'_>) -> R {
        self.tick()?;
        let more = |run: &mut Self| {
            run.nest(|run| {
                run.node(
                    &rep.sub,
                    at,
                    &K::Rep {
                        rep,
                        count: count + 1,
                        next,
                    },
                )
            })
        };
        if count < rep.min {
            return more(self);
        }
        if count == rep.max {
            return self.cont(next, at);
        }
        if rep.greedy {
            match more(self)? {
                Some(end) => Ok(Some(end)),
                None => self.cont(next, at),
            }
        } else {
            match self.cont(next, at)? {
                Some(end) => Ok(Some(end)),
                None => more(self),
            }
        }
    }

    /// A repetition of one character class: the gaps of the claim
    /// patterns (`[^。！？]{0,24}?`), tried without recursion.
    fn repeat_class(&mut self, rep: &Repeat, cls: &CharClass, at: usize, next: &K<'_>) -> R {
        let mut pos = at;
        let mut count = 0u32;
        while count < rep.min {
            match self.char_at(pos) {
                Some((c, len)) if cls.contains(c) => {
                    pos += len;
                    count += 1;
                }
                _ => return Ok(None),
            }
        }
        if rep.greedy {
            let floor = pos;
            while count < rep.max {
                match self.char_at(pos) {
                    Some((c, len)) if cls.contains(c) => {
                        pos += len;
                        count += 1;
                    }
                    _ => break,
                }
                self.tick()?;
            }
            // Longest first, one character back at a time.
            loop {
                self.tick()?;
                if let Some(m) = self.cont(next, pos)? {
                    return Ok(Some(m));
                }
                if pos == floor {
                    return Ok(None);
                }
                pos -= 1;
                while self.h[pos] & 0xC0 == 0x80 {
                    pos -= 1;
                }
            }
        } else {
            loop {
                self.tick()?;
                if let Some(m) = self.cont(next, pos)? {
                    return Ok(Some(m));
                }
                if count >= rep.max {
                    return Ok(None);
                }
                match self.char_at(pos) {
                    Some((c, len)) if cls.contains(c) => {
                        pos += len;
                        count += 1;
                    }
                    _ => return Ok(None),
                }
            }
        }
    }

    /// The character at `at`, if it ends by the limit.
    #[inline]
    fn char_at(&self, at: usize) -> Option<(u32, usize)> {
        let h = self.h;
        let b0 = *h.get(at)? as u32;
        let (c, len) = if b0 < 0x80 {
            (b0, 1)
        } else if b0 < 0xE0 {
            ((b0 & 0x1F) << 6 | (h[at + 1] as u32 & 0x3F), 2)
        } else if b0 < 0xF0 {
            (
                (b0 & 0x0F) << 12 | (h[at + 1] as u32 & 0x3F) << 6 | (h[at + 2] as u32 & 0x3F),
                3,
            )
        } else {
            (
                (b0 & 0x07) << 18
                    | (h[at + 1] as u32 & 0x3F) << 12
                    | (h[at + 2] as u32 & 0x3F) << 6
                    | (h[at + 3] as u32 & 0x3F),
                4,
            )
        };
        (at + len <= self.limit).then_some((c, len))
    }

    /// Look-around sees the whole haystack, as regex's do with a span.
    fn look(&self, look: Look, at: usize) -> bool {
        let h = self.h;
        let len = h.len();
        match look {
            Look::Start => at == 0,
            Look::End => at == len,
            Look::StartLF => at == 0 || h[at - 1] == b'\n',
            Look::EndLF => at == len || h[at] == b'\n',
            Look::StartCRLF => {
                at == 0
                    || h[at - 1] == b'\n'
                    || (h[at - 1] == b'\r' && (at == len || h[at] != b'\n'))
            }
            Look::EndCRLF => {
                at == len || h[at] == b'\r' || (h[at] == b'\n' && (at == 0 || h[at - 1] != b'\r'))
            }
            Look::WordAscii | Look::WordAsciiNegate => {
                let before = at > 0 && is_word_byte(h[at - 1]);
                let after = at < len && is_word_byte(h[at]);
                (before != after) == (look == Look::WordAscii)
            }
            Look::WordUnicode | Look::WordUnicodeNegate => {
                let before = char_before(h, at).is_some_and(is_word_char);
                let after = char_after(h, at).is_some_and(is_word_char);
                (before != after) == (look == Look::WordUnicode)
            }
            // `compile` admits no other assertion.
            _ => false,
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

fn is_word_char(c: char) -> bool {
    // The Perl classes ship with regex-syntax's default features, which
    // this crate uses; without them no word boundary would compile at all.
    regex_syntax::try_is_word_character(c).unwrap_or(false)
}

fn char_after(h: &[u8], at: usize) -> Option<char> {
    std::str::from_utf8(h.get(at..(at + 4).min(h.len()))?)
        .or_else(|e| std::str::from_utf8(&h[at..at + e.valid_up_to()]))
        .ok()?
        .chars()
        .next()
}

fn char_before(h: &[u8], at: usize) -> Option<char> {
    let from = at.saturating_sub(4);
    let tail = h.get(from..at)?;
    (0..tail.len())
        .find_map(|i| std::str::from_utf8(&tail[i..]).ok())?
        .chars()
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::{meta, Anchored, Input};

    fn parse(p: &str) -> Hir {
        regex_syntax::ParserBuilder::new().build().parse(p).unwrap()
    }

    /// The backtracker and regex's own anchored search agree at every
    /// position of `text`, with every limit at a char boundary after it.
    fn agree(pattern: &str, text: &str) {
        let prog = Prog::new(&parse(pattern)).unwrap_or_else(|| panic!("{pattern} unsupported"));
        // The generated text form gives the same program back.
        let text_form: &'static str = prog.encode().leak();
        let prog = Prog::decode(text_form).unwrap_or_else(|| panic!("{text_form}"));
        assert_eq!(prog.encode(), text_form);
        let re = meta::Regex::new(pattern).unwrap();
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        // Alternations compare their branches one by one until tried often
        // enough to build their trie: check both ways.
        for with_tries in [false, true] {
            if with_tries {
                build_tries(&prog.root);
            }
            for (k, &at) in bounds.iter().enumerate() {
                for &limit in &bounds[k..] {
                    let input = Input::new(text).span(at..limit).anchored(Anchored::Yes);
                    let want = re.find(input).map(|m| m.end());
                    assert_eq!(
                        prog.find(text, at, limit, &mut 0),
                        Ok(want),
                        "{pattern:?} on {text:?} at {at}..{limit}, tries built: {with_tries}"
                    );
                }
            }
        }
    }

    fn build_tries(n: &Node) {
        match n {
            Node::Alt(a) => {
                a.trie();
                a.branches.iter().for_each(|(_, n)| build_tries(n));
            }
            Node::Concat(ns) => ns.iter().for_each(build_tries),
            Node::Repeat(r) => build_tries(&r.sub),
            _ => {}
        }
    }

    #[test]
    fn agrees_with_regex_on_the_constructs_of_the_rules() {
        let text =
            "当院の効果がある治療。効果がとても高いです！必ずすぐ治ります\n髪がぐんぐん生えた。\
                    肌のハリが1.8倍にアップ。abc_def AGA治療 aga。効果的です";
        for p in [
            "効果",
            "効(?:く|き(?:ます|まし|目|め)|いた)",
            "(?:効果|効果的)(?:が|は)?",
            "(?:効果的|効果)(?:です|が)?",
            "効果(?:が|は)?(?:とても|非常に)?(?:ある|高い|高く)",
            "(?:髪|肌)(?:が|の)?[^。！？!?\\n、]{0,8}?(?:生え|アップ|ハリ)",
            "(?:髪|肌)(?:が|の)?[^。！？!?\\n、]{0,8}(?:生え|アップ|ハリ)",
            "[ぁ-ゖ]{2,4}(?:た|す)",
            "[ぁ-ゖ]{2,4}?(?:た|す)",
            "[0-9０-９]+(?:[.．][0-9０-９]+)?倍",
            "(?:[・やと]?(?:ハリ|肌|髪))*(?:が|の)",
            "(?:[・やと]?(?:ハリ|肌|髪))+?(?:が|の)",
            "治(?:ります|る)(?m:$)",
            "(?m:^)髪",
            "\\bAGA\\b",
            "(?-u:\\b)AGA",
            "\\Bcd",
            "(?i)aga",
            "(?:a|ab|abc)(?:c|_d)",
            "必ず[^。]{0,3}?治",
            "x|",
            "",
            "効果(?:[^。！？]{0,6}?)?(?:ある|高い)",
            "(?:(?:髪|肌)?(?:が)?){2}生え",
            "(?:a?){0,3}b",
        ] {
            agree(p, text);
        }
    }

    #[test]
    fn refuses_what_it_cannot_model() {
        for p in ["(?:a?)*", "(?:a?)+", "(?-u:[a-z])", "\\b{start}x"] {
            assert!(Prog::new(&parse(p)).is_none(), "{p}");
        }
    }

    #[test]
    fn gives_up_instead_of_recursing_without_bound() {
        let prog = Prog::new(&parse("(?:[・や](?:シワ|シミ))*の改善")).unwrap();
        let text = "・シワ".repeat(100_000);
        assert_eq!(prog.find(&text, 0, text.len(), &mut 0), Err(Abort));
        let short = "・シワやシミの改善";
        assert_eq!(
            prog.find(short, 0, short.len(), &mut 0),
            Ok(Some(short.len()))
        );
    }
}
