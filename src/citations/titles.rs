//! Registry titles and aliases in prose, and the registry's identifiers.
//!
//! A name matches as the case-insensitive pattern of its words joined by
//! `\s+` matches (all names in one alternation, longest first). Rather than
//! run that alternation over every byte, each name has an anchor: a stretch
//! of its characters that every match of it holds as they are (up to ASCII
//! case). Long anchors are found by reading a few bytes every few bytes and
//! looking them up; the names with no long stretch (short Latin words:
//! "Cho et al., 2018") through short anchors searched for together. Each
//! anchor found is extended to the whole name around it, and the matches
//! are then chosen as the alternation chooses them.

use super::scan::Literals;
use crate::fx::FxMap;
use crate::registry::{validate, Entry, Registry};
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
use std::ops::Range;
use std::sync::OnceLock;

/// Titles and aliases of registry entries, for finding them as written and
/// as quoted with small differences, and the registry's identifiers for
/// looking entries up. The `registry` given with it to the functions of
/// [`super`] must be the one it was built from.
pub struct TitleIndex {
    /// Every title and alias of at least four characters, longest first so
    /// a full title beats a short alias, with the id of its entry.
    names: Vec<(String, String)>,
    exact: OnceLock<Exact>,
    fuzzy: OnceLock<Fuzzy>,
    keys: Keys,
}

impl TitleIndex {
    /// Builds the index for `registry`. What finding names needs is built
    /// on first use, so a run that never looks for a title does not pay
    /// for it.
    pub fn new(registry: &Registry) -> TitleIndex {
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
        TitleIndex {
            names,
            exact: OnceLock::new(),
            fuzzy: OnceLock::new(),
            keys: Keys::new(registry.entries()),
        }
    }

    /// Builds now what finding names needs, instead of on first use.
    pub fn warm(&self) {
        if !self.names.is_empty() {
            self.exact.get_or_init(|| Exact::new(&self.names));
        }
    }

    /// Every name written in `text`, as the alternation of all names finds
    /// them: the match and the id of its entry.
    pub(super) fn find<'s>(&'s self, text: &str) -> Vec<(Range<usize>, &'s str)> {
        if self.names.is_empty() {
            return Vec::new();
        }
        let exact = self.exact.get_or_init(|| Exact::new(&self.names));
        exact
            .find(text)
            .into_iter()
            .map(|(r, name)| (r, self.names[name].1.as_str()))
            .collect()
    }

    pub(super) fn fuzzy(&self) -> &Fuzzy {
        self.fuzzy.get_or_init(|| Fuzzy::new(&self.names))
    }

    pub(super) fn keys(&self) -> &Keys {
        &self.keys
    }
}

/// Anchors are found by reading `GRAM` bytes every few bytes and looking
/// them up: eight bytes (two or three kanji or kana) for anchors of at
/// least `WIDE` bytes, four for the names with no such run of characters
/// but one of at least `NARROW`; four bytes of Japanese text are a
/// character and a bit, too common to look up often.
const WIDE: usize = 13;
const NARROW: usize = 9;
/// Size of the filter of each tier's grams, in bits (log 2): a few KB, so
/// that it stays in the L1 cache however long the text.
const FILTER_BITS: u32 = 16;
/// The grams are filed in buckets by the top bits of the same hash.
const BUCKET_BITS: u32 = 10;

/// One part of a word of a name.
enum Piece {
    /// Characters that match only themselves, or for an ASCII letter also
    /// its other case: compared byte for byte, ASCII case folded (and kept
    /// in lower case).
    Run(Box<[u8]>),
    /// A character with other case variants (`k`, `s`, `é`, `Σ`): the set
    /// the case-insensitive pattern matches for it.
    Fold(Box<[char]>),
}

impl Piece {
    fn run(mut bytes: Vec<u8>) -> Piece {
        bytes.make_ascii_lowercase();
        Piece::Run(bytes.into_boxed_slice())
    }

    fn forward(&self, text: &str, at: usize) -> Option<usize> {
        match self {
            Piece::Run(b) => folded_at(text, at, b).then_some(at + b.len()),
            Piece::Fold(set) => {
                let c = text.get(at..)?.chars().next()?;
                set.contains(&c).then_some(at + c.len_utf8())
            }
        }
    }

    fn backward(&self, text: &str, at: usize) -> Option<usize> {
        match self {
            Piece::Run(b) => {
                let start = at.checked_sub(b.len())?;
                folded_at(text, start, b).then_some(start)
            }
            Piece::Fold(set) => {
                let c = text.get(..at)?.chars().next_back()?;
                set.contains(&c).then_some(at - c.len_utf8())
            }
        }
    }
}

/// Whether `text` holds `bytes` (in lower case, as every name's bytes are
/// kept) at `at`, ASCII case folded, eight bytes at a time. Bytes of a
/// whole character sequence equal to text bytes start and end on
/// character boundaries of the text.
fn folded_at(text: &str, at: usize, bytes: &[u8]) -> bool {
    let Some(t) = text.as_bytes().get(at..at.saturating_add(bytes.len())) else {
        return false;
    };
    let (mut t8, mut b8) = (t.chunks_exact(8), bytes.chunks_exact(8));
    let word = |c: &[u8]| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    (&mut t8)
        .zip(&mut b8)
        .all(|(t, b)| lower_gram(word(t)) == word(b))
        && t8.remainder().eq_ignore_ascii_case(b8.remainder())
}

/// The characters the case-insensitive pattern matches for `c`, when they
/// are more than `c` and its ASCII other case.
fn case_variants(c: char) -> Option<Box<[char]>> {
    // The tables are searched only for letters outside ASCII, kana and
    // kanji: no other character has a case variant, and of ASCII letters
    // only `k` and `s` have one beyond their other case (the Kelvin sign,
    // long s). The tests check all of this against the tables.
    match c {
        'k' | 'K' => return Some(['K', 'k', '\u{212A}'].into()),
        's' | 'S' => return Some(['S', 's', '\u{17F}'].into()),
        _ if c.is_ascii() || ('\u{3000}'..='\u{9FFF}').contains(&c) || !c.is_alphabetic() => {
            return None
        }
        _ => {}
    }
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    let set: Box<[char]> = class.iter().flat_map(|r| r.start()..=r.end()).collect();
    (set.len() > 1).then_some(set)
}

/// A name as its pattern: words, each a sequence of pieces.
struct Name {
    words: Vec<Vec<Piece>>,
}

impl Name {
    fn new(name: &str) -> Name {
        let words = name
            .split_whitespace()
            .map(|w| {
                let mut pieces = Vec::with_capacity(1);
                let mut run: Vec<u8> = Vec::with_capacity(w.len());
                for c in w.chars() {
                    match case_variants(c) {
                        None => run.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                        Some(set) => {
                            if !run.is_empty() {
                                pieces.push(Piece::run(std::mem::take(&mut run)));
                            }
                            pieces.push(Piece::Fold(set));
                        }
                    }
                }
                if !run.is_empty() {
                    pieces.push(Piece::run(run));
                }
                pieces
            })
            .collect();
        Name { words }
    }

    /// The whole match around an anchor found at `at..at + len`, which
    /// stands at `site` in this name. Words are separated by `\s+`: a word
    /// neither starts nor ends with a space, so the spaces between two
    /// words are all of those in a row.
    fn around(&self, text: &str, at: usize, len: usize, site: &Site) -> Option<(usize, usize)> {
        let word = self.words.get(site.word)?;
        let (mut start, mut end) = match word.get(site.piece)? {
            Piece::Run(run) => {
                let start = at.checked_sub(site.offset)?;
                let (head, tail) = (run.get(..site.offset)?, run.get(site.offset + len..)?);
                if !folded_at(text, start, head) || !folded_at(text, at + len, tail) {
                    return None;
                }
                (start, at + len + tail.len())
            }
            Piece::Fold(_) => (at, at + len),
        };
        for p in word[..site.piece].iter().rev() {
            start = p.backward(text, start)?;
        }
        for p in &word[site.piece + 1..] {
            end = p.forward(text, end)?;
        }
        for w in self.words[..site.word].iter().rev() {
            let head = text.get(..start)?.trim_end();
            if head.len() == start {
                return None;
            }
            start = head.len();
            for p in w.iter().rev() {
                start = p.backward(text, start)?;
            }
        }
        for w in &self.words[site.word + 1..] {
            let rest = text.get(end..)?;
            let spaces = rest.len() - rest.trim_start().len();
            if spaces == 0 {
                return None;
            }
            end += spaces;
            for p in w {
                end = p.forward(text, end)?;
            }
        }
        Some((start, end))
    }
}

/// Where an anchor sits in a name: in word `word`, piece `piece`, from byte
/// `offset` of that piece.
struct Site {
    name: usize,
    word: usize,
    piece: usize,
    offset: usize,
}

/// What an anchor is.
enum Key {
    /// Bytes, ASCII lower case, found ASCII case folded.
    Bytes(Box<[u8]>),
    /// One character of a [`Piece::Fold`].
    Fold(Box<[char]>),
}

impl Key {
    /// The length of the anchor found at `at`.
    fn at(&self, text: &str, at: usize) -> Option<usize> {
        match self {
            Key::Bytes(b) => folded_at(text, at, b).then_some(b.len()),
            Key::Fold(set) => {
                let c = text.get(at..)?.chars().next()?;
                set.contains(&c).then_some(c.len_utf8())
            }
        }
    }

    /// Every way the anchor can be written.
    fn spellings(&self) -> Vec<Vec<u8>> {
        match self {
            Key::Bytes(b) => ascii_cases(b),
            Key::Fold(set) => set.iter().map(|c| c.to_string().into_bytes()).collect(),
        }
    }

    /// The anchor as one byte string, the same for the same anchor.
    fn id(&self) -> Vec<u8> {
        match self {
            Key::Bytes(b) => b.to_vec(),
            Key::Fold(set) => set.iter().collect::<String>().into_bytes(),
        }
    }
}

/// `bytes` in every combination of ASCII case.
fn ascii_cases(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut all = vec![Vec::with_capacity(bytes.len())];
    for &b in bytes {
        if b.is_ascii_alphabetic() {
            let upper: Vec<Vec<u8>> = all
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.push(b.to_ascii_uppercase());
                    v
                })
                .collect();
            all.iter_mut().for_each(|v| v.push(b.to_ascii_lowercase()));
            all.extend(upper);
        } else {
            all.iter_mut().for_each(|v| v.push(b));
        }
    }
    all
}

struct Anchor {
    key: Key,
    sites: Vec<Site>,
}

/// A place in a name an anchor could be taken from: bytes `range` of a
/// [`Piece::Run`], or a whole [`Piece::Fold`] (`range` empty).
struct Window {
    word: usize,
    piece: usize,
    range: Range<usize>,
}

impl Window {
    fn piece<'n>(&self, name: &'n Name) -> &'n Piece {
        &name.words[self.word][self.piece]
    }

    fn bytes<'n>(&self, name: &'n Name) -> Option<&'n [u8]> {
        match self.piece(name) {
            Piece::Run(run) => run.get(self.range.clone()),
            Piece::Fold(_) => None,
        }
    }

    fn key(&self, name: &Name) -> Key {
        match self.piece(name) {
            Piece::Run(run) => Key::Bytes(run[self.range.clone()].into()),
            Piece::Fold(set) => Key::Fold(set.clone()),
        }
    }
}

/// Kana are the commonest characters of Japanese text: an anchor of kana
/// is found everywhere. (U+3040–U+30FF: E3 81–83 xx.)
fn kana(s: &[u8]) -> usize {
    s.windows(2)
        .filter(|w| w[0] == 0xE3 && (0x81..=0x83).contains(&w[1]))
        .count()
}

/// Every stretch of characters of `name` that could anchor it: within a
/// [`Piece::Run`], from each character, the shortest stretch of at least
/// `min` bytes, or with `min == 0` every stretch of up to four bytes (and
/// each [`Piece::Fold`]).
fn windows(name: &Name, min: usize) -> Vec<Window> {
    let bytes: usize = name
        .words
        .iter()
        .flatten()
        .map(|p| match p {
            Piece::Run(run) => run.len(),
            Piece::Fold(_) => 1,
        })
        .sum();
    let mut out = Vec::with_capacity(if min > 0 { bytes } else { 4 * bytes });
    for (w, word) in name.words.iter().enumerate() {
        for (p, piece) in word.iter().enumerate() {
            let window = |range| Window {
                word: w,
                piece: p,
                range,
            };
            let run = match piece {
                Piece::Run(run) => run,
                Piece::Fold(_) if min == 0 => {
                    out.push(window(0..0));
                    continue;
                }
                Piece::Fold(_) => continue,
            };
            // The first character boundary at or after `i`.
            let boundary = |mut i: usize| {
                while run.get(i).is_some_and(|b| b & 0xC0 == 0x80) {
                    i += 1;
                }
                i
            };
            let mut i = 0;
            while i < run.len() {
                if min > 0 {
                    if i + min <= run.len() {
                        out.push(window(i..boundary(i + min)));
                    }
                } else {
                    let mut j = boundary(i + 1);
                    out.push(window(i..j));
                    while j < run.len() && boundary(j + 1) - i <= 4 {
                        j = boundary(j + 1);
                        out.push(window(i..j));
                    }
                }
                i = boundary(i + 1);
            }
        }
    }
    out
}

/// Long anchors found by sampling: every anchor is at least `step + gram -
/// 1` bytes, so of the positions read every `step` bytes one lies in each
/// occurrence, with `gram` bytes of it from there.
struct Sampled {
    gram: usize,
    anchors: Vec<Anchor>,
    /// Each gram (folded, little-endian) of an anchor at an offset below
    /// the step, with the anchor and that offset, by bucket.
    grams: Vec<(u64, u32, u32)>,
    /// Where each bucket's grams start in `grams`.
    buckets: Box<[u32; BUCKETS + 1]>,
    /// The grams hashed, a bit set for each.
    filter: Box<[u64; FILTER_WORDS]>,
}

const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);
const BUCKETS: usize = 1 << BUCKET_BITS;

fn filter_slot(gram: u64) -> usize {
    (gram.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

/// `gram` with bit 5 of every byte set: grams equal up to ASCII case
/// fold alike, and so may a few others, which only costs a closer look.
/// (One instruction at every sampled position, where lowering the ASCII
/// letters alone would take eight.)
fn fold_gram(gram: u64) -> u64 {
    gram | 0x2020_2020_2020_2020
}

/// `gram` with its ASCII upper-case letters in lower case.
fn lower_gram(gram: u64) -> u64 {
    let low7 = gram & 0x7F7F_7F7F_7F7F_7F7F;
    let from_a = low7.wrapping_add(0x3F3F_3F3F_3F3F_3F3F);
    let past_z = low7.wrapping_add(0x2525_2525_2525_2525);
    let upper = from_a & !past_z & !gram & 0x8080_8080_8080_8080;
    gram | (upper >> 2)
}

impl Sampled {
    fn new(gram: usize) -> Sampled {
        Sampled {
            gram,
            anchors: Vec::new(),
            grams: Vec::new(),
            buckets: Box::new([0; BUCKETS + 1]),
            filter: Box::new([0; FILTER_WORDS]),
        }
    }

    /// Indexes the grams of every anchor once `step` is known.
    fn index(&mut self, step: usize) {
        for (a, anchor) in self.anchors.iter().enumerate() {
            let Key::Bytes(b) = &anchor.key else {
                continue;
            };
            for off in 0..step.min(b.len() + 1 - self.gram) {
                let mut key = [0u8; 8];
                key[..self.gram].copy_from_slice(&b[off..off + self.gram]);
                let key = fold_gram(u64::from_le_bytes(key)) & self.mask();
                self.grams.push((key, a as u32, off as u32));
                let slot = filter_slot(key);
                self.filter[slot >> 6] |= 1 << (slot & 63);
            }
        }
        let bucket = |g: u64| filter_slot(g) >> (FILTER_BITS - BUCKET_BITS);
        self.grams.sort_unstable_by_key(|&(g, ..)| bucket(g));
        for &(g, ..) in &self.grams {
            self.buckets[bucket(g) + 1] += 1;
        }
        for b in 0..BUCKETS {
            self.buckets[b + 1] += self.buckets[b];
        }
    }

    /// The bytes of a gram read as eight.
    fn mask(&self) -> u64 {
        u64::MAX >> (64 - 8 * self.gram)
    }

    /// Whether `gram` may be part of an anchor: the test made at every
    /// sampled position, kept to a few instructions.
    #[inline(always)]
    fn may_hold(&self, gram: u64) -> bool {
        let slot = filter_slot(gram);
        self.filter[slot >> 6] & (1 << (slot & 63)) != 0
    }

    /// The anchors that `gram`, read at `p`, is part of: each found there,
    /// and where.
    #[inline(never)]
    fn probe(
        &self,
        text: &str,
        p: usize,
        gram: u64,
        found: &mut impl FnMut(&Anchor, usize, usize),
    ) {
        let b = filter_slot(gram) >> (FILTER_BITS - BUCKET_BITS);
        let bucket = &self.grams[self.buckets[b] as usize..self.buckets[b + 1] as usize];
        for &(_, a, off) in bucket.iter().filter(|e| e.0 == gram) {
            let anchor = &self.anchors[a as usize];
            if let Some(at) = p.checked_sub(off as usize) {
                if let Some(len) = anchor.key.at(text, at) {
                    found(anchor, at, len);
                }
            }
        }
    }
}

/// Finds names exactly.
struct Exact {
    names: Vec<Name>,
    wide: Sampled,
    narrow: Sampled,
    step: usize,
    /// Anchors of names with no long run of characters, searched for
    /// together.
    short: Vec<Anchor>,
    short_search: Option<Literals>,
}

/// Adds the site of `window` in name `name` to the anchor of its key in
/// `anchors`.
fn add_site(
    anchors: &mut Vec<Anchor>,
    index: &mut FxMap<Vec<u8>, usize>,
    names: &[Name],
    name: usize,
    window: Window,
) {
    let key = window.key(&names[name]);
    let k = *index.entry(key.id()).or_insert_with(|| {
        anchors.push(Anchor {
            key,
            sites: Vec::new(),
        });
        anchors.len() - 1
    });
    anchors[k].sites.push(Site {
        name,
        word: window.word,
        piece: window.piece,
        offset: window.range.start,
    });
}

/// Of each name's windows, the one the fewest other names share (words
/// every name has, such as 再生医療 or エクソソーム, are what documents
/// about them repeat), then the one with the fewest kana.
fn rarest(names: &[Name], windows: Vec<Vec<Window>>) -> Vec<Option<Window>> {
    // Each window's bytes hashed (a collision only blurs the choice), and
    // for each hash how many names have it.
    let hashes: Vec<Vec<u64>> = windows
        .iter()
        .enumerate()
        .map(|(i, ws)| {
            ws.iter()
                .map(|w| w.bytes(&names[i]).map_or(0, quick_hash))
                .collect()
        })
        .collect();
    let mut shared: FxMap<u64, (usize, usize)> = FxMap::default();
    for (i, hs) in hashes.iter().enumerate() {
        for &h in hs {
            let e = shared.entry(h).or_insert((0, usize::MAX));
            if e.1 != i {
                *e = (e.0 + 1, i);
            }
        }
    }
    windows
        .into_iter()
        .zip(hashes)
        .enumerate()
        .map(|(i, (ws, hs))| {
            let best = (0..ws.len()).min_by_key(|&k| {
                let kana = ws[k].bytes(&names[i]).map_or(0, kana);
                (shared.get(&hs[k]).map_or(0, |e| e.0), kana)
            });
            best.and_then(|k| ws.into_iter().nth(k))
        })
        .collect()
}

/// A hash of a few bytes: their first and last eight, and their length.
fn quick_hash(b: &[u8]) -> u64 {
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        let n = s.len().min(8);
        w[..n].copy_from_slice(&s[..n]);
        u64::from_le_bytes(w)
    };
    let last = word(&b[b.len().saturating_sub(8)..]);
    (word(b).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ last).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95)
        ^ b.len() as u64
}

impl Exact {
    fn new(list: &[(String, String)]) -> Exact {
        let names: Vec<Name> = list.iter().map(|(n, _)| Name::new(n)).collect();
        let mut wide = Sampled::new(8);
        let mut narrow = Sampled::new(4);
        let mut short: Vec<Anchor> = Vec::new();
        let mut index: [FxMap<Vec<u8>, usize>; 3] = Default::default();
        let wide_windows = rarest(&names, names.iter().map(|n| windows(n, WIDE)).collect());
        let narrow_windows = rarest(
            &names,
            names
                .iter()
                .zip(&wide_windows)
                .map(|(n, w)| {
                    if w.is_some() {
                        Vec::new()
                    } else {
                        windows(n, NARROW)
                    }
                })
                .collect(),
        );
        for (i, (w, n)) in wide_windows.into_iter().zip(narrow_windows).enumerate() {
            if let Some(w) = w {
                add_site(&mut wide.anchors, &mut index[0], &names, i, w);
            } else if let Some(w) = n {
                add_site(&mut narrow.anchors, &mut index[1], &names, i, w);
            } else {
                // No long run: a window that is not all kana, in few
                // spellings (they are searched for together, and a search
                // for few strings is much faster), of up to four bytes.
                let best = windows(&names[i], 0).into_iter().min_by_key(|w| {
                    let (len, all_kana, spellings) = match (w.bytes(&names[i]), w.piece(&names[i]))
                    {
                        (Some(b), _) => {
                            let chars = b.iter().filter(|&&c| c & 0xC0 != 0x80).count();
                            let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
                            (b.len(), kana(b) == chars, 1usize << letters)
                        }
                        (None, Piece::Fold(set)) => (
                            set.iter().map(|c| c.len_utf8()).min().unwrap_or(0),
                            false,
                            set.len(),
                        ),
                        (None, Piece::Run(_)) => (0, true, usize::MAX),
                    };
                    (
                        all_kana,
                        spellings > 16,
                        std::cmp::Reverse(len.min(4)),
                        spellings,
                    )
                });
                // A name of no word (an alias of spaces) has no window and
                // matches nothing.
                if let Some(w) = best {
                    add_site(&mut short, &mut index[2], &names, i, w);
                }
            }
        }
        let step = [&wide, &narrow]
            .iter()
            .flat_map(|t| t.anchors.iter().map(move |a| (a, t.gram)))
            .filter_map(|(a, gram)| match &a.key {
                Key::Bytes(b) => Some(b.len() + 1 - gram),
                Key::Fold(_) => None,
            })
            .min()
            .unwrap_or(1);
        wide.index(step);
        narrow.index(step);
        let short_search = (!short.is_empty()).then(|| {
            let spellings: Vec<Vec<u8>> = short.iter().flat_map(|a| a.key.spellings()).collect();
            Literals::new(&spellings)
        });
        Exact {
            names,
            wide,
            narrow,
            step,
            short,
            short_search,
        }
    }

    /// The matches of the alternation of all names in `text`, with the
    /// index of the name each is.
    fn find(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        let mut verify = |anchor: &Anchor, at: usize, len: usize| {
            for site in &anchor.sites {
                if let Some((s, e)) = self.names[site.name].around(text, at, len, site) {
                    found.push((s, site.name, e));
                }
            }
        };
        let bytes = text.as_bytes();
        let (wide, narrow) = (
            !self.wide.anchors.is_empty(),
            !self.narrow.anchors.is_empty(),
        );
        if wide || narrow {
            let mut p = 0;
            while let Some(raw) = bytes.get(p..p + 8) {
                let gram = fold_gram(u64::from_le_bytes([
                    raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                ]));
                if wide && self.wide.may_hold(gram) {
                    self.wide.probe(text, p, gram, &mut verify);
                }
                if narrow && self.narrow.may_hold(gram & 0xFFFF_FFFF) {
                    self.narrow.probe(text, p, gram & 0xFFFF_FFFF, &mut verify);
                }
                p += self.step;
            }
            // The last bytes, too few for a wide gram.
            while let Some(raw) = bytes.get(p..p + 4).filter(|_| narrow) {
                let gram = fold_gram(u64::from(u32::from_le_bytes([
                    raw[0], raw[1], raw[2], raw[3],
                ]))) & 0xFFFF_FFFF;
                if self.narrow.may_hold(gram) {
                    self.narrow.probe(text, p, gram, &mut verify);
                }
                p += self.step;
            }
        }
        if let Some(search) = &self.short_search {
            let mut at = 0;
            while let Some(m) = search.find_from(text, at) {
                let p = m.start;
                for anchor in &self.short {
                    if let Some(len) = anchor.key.at(text, p) {
                        verify(anchor, p, len);
                    }
                }
                at = p + 1;
            }
        }
        // Leftmost first: the earliest start, and there the first name in
        // the alternation; the search then resumes where that match ends.
        found.sort_unstable();
        let mut out = Vec::new();
        let mut at = 0;
        for (s, name, e) in found {
            if s >= at {
                out.push((s..e, name));
                at = e;
            }
        }
        out
    }
}

/// Letters and digits only, lower-cased: punctuation, spaces and bracket
/// widths differ between the way a title is quoted and the way it is stored.
fn fold_into(s: &str, out: &mut Vec<char>) {
    out.clear();
    for c in s.chars() {
        // ASCII and kana or kanji (which have no case) first: most of copy.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if ('\u{3000}'..='\u{9FFF}').contains(&c) {
            if c.is_alphanumeric() {
                out.push(c);
            }
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
}

/// The character bigrams of `s`, folded, sorted and deduplicated.
pub(super) fn bigrams_into(s: &str, chars: &mut Vec<char>, out: &mut Vec<(char, char)>) {
    fold_into(s, chars);
    out.clear();
    out.extend(chars.windows(2).map(|w| (w[0], w[1])));
    out.sort_unstable();
    out.dedup();
}

/// Titles of at least ten letters and digits as bigrams, for titles quoted
/// with small differences.
pub(super) struct Fuzzy {
    pub(super) titles: Vec<(Vec<(char, char)>, String)>,
    /// For each bigram, the titles that contain it, ascending: a quoted
    /// phrase is scored only against titles it shares a bigram with.
    postings: FxMap<(char, char), Range<u32>>,
    /// The titles of each bigram, in bigram order: `postings` points into it.
    titles_of: Vec<u32>,
}

/// Buffers reused from one quoted phrase to the next.
#[derive(Default)]
pub(super) struct Scratch {
    chars: Vec<char>,
    pub(super) grams: Vec<(char, char)>,
    shared: Vec<u32>,
    touched: Vec<u32>,
}

impl Fuzzy {
    fn new(names: &[(String, String)]) -> Fuzzy {
        let mut chars = Vec::new();
        let titles: Vec<(Vec<(char, char)>, String)> = names
            .iter()
            .filter_map(|(n, id)| {
                fold_into(n, &mut chars);
                (chars.len() >= 10).then(|| {
                    let mut grams = Vec::with_capacity(chars.len());
                    bigrams_into(n, &mut chars, &mut grams);
                    (grams, id.clone())
                })
            })
            .collect();
        // Counted first, so that each bigram's titles take one slice of
        // `titles_of` (its range's end is the count, then the cursor).
        let mut postings: FxMap<(char, char), Range<u32>> = FxMap::default();
        for g in titles.iter().flat_map(|(grams, _)| grams) {
            postings.entry(*g).or_insert(0..0).end += 1;
        }
        let mut at = 0;
        for r in postings.values_mut() {
            let n = r.end;
            *r = at..at;
            at += n;
        }
        let mut titles_of = vec![0; at as usize];
        for (i, (grams, _)) in titles.iter().enumerate() {
            for g in grams {
                if let Some(r) = postings.get_mut(g) {
                    titles_of[r.end as usize] = i as u32;
                    r.end += 1;
                }
            }
        }
        Fuzzy {
            titles,
            postings,
            titles_of,
        }
    }

    /// The entry of the title `phrase` quotes: a Dice coefficient of their
    /// bigrams of at least 0.75.
    pub(super) fn quoted<'f>(&'f self, phrase: &str, scratch: &mut Scratch) -> Option<&'f String> {
        let mut grams = std::mem::take(&mut scratch.grams);
        bigrams_into(phrase, &mut scratch.chars, &mut grams);
        // Dice ≥ 0.75 (8·common ≥ 3·(n + title bigrams)) with a title of at
        // least 0.6 of the phrase's bigrams (see `closest`) needs 5·common ≥
        // 3·n, and common is at most the phrase bigrams any title has: most
        // quoted phrases share too few to be scored.
        let known = grams
            .iter()
            .filter(|g| self.postings.contains_key(g))
            .count();
        let id = if 5 * known < 3 * grams.len() {
            None
        } else {
            self.closest(&grams, scratch)
                .filter(|&(score, _)| score >= 0.75)
                .map(|(_, id)| id)
        };
        scratch.grams = grams;
        id
    }

    /// The title with the highest Dice coefficient over `grams` (sorted,
    /// deduplicated bigrams), among titles of comparable length; ties go
    /// to the first title. Shared bigrams are counted through the postings,
    /// so only titles that share one with the phrase are looked at; the
    /// coefficient is then 2·shared / (phrase bigrams + title bigrams).
    pub(super) fn closest(
        &self,
        grams: &[(char, char)],
        scratch: &mut Scratch,
    ) -> Option<(f64, &String)> {
        let Scratch {
            shared, touched, ..
        } = scratch;
        shared.resize(self.titles.len(), 0);
        for g in grams {
            let range = self
                .postings
                .get(g)
                .map_or(0..0, |r| r.start as usize..r.end as usize);
            for &t in &self.titles_of[range] {
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
            .map(|&t| (&self.titles[t as usize], shared[t as usize]))
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
}

/// The registry's identifiers, normalised, each to the first entry with
/// it: what `Registry::find_by_*` would return, without normalising every
/// entry's identifiers for every lookup.
pub(super) struct Keys {
    pmid: FxMap<String, usize>,
    pmcid: FxMap<String, usize>,
    doi: FxMap<String, usize>,
    nct: FxMap<String, usize>,
    url: FxMap<String, usize>,
    /// (year, a word of the first author's name or the whole name, lower
    /// case): what an author–year citation resolves by.
    author: FxMap<(u16, String), usize>,
}

impl Keys {
    fn new(entries: &[Entry]) -> Keys {
        let mut k = Keys {
            pmid: FxMap::default(),
            pmcid: FxMap::default(),
            doi: FxMap::default(),
            nct: FxMap::default(),
            url: FxMap::default(),
            author: FxMap::default(),
        };
        for (i, e) in entries.iter().enumerate() {
            let first = |map: &mut FxMap<String, usize>, key: String| {
                map.entry(key).or_insert(i);
            };
            if let Some(v) = &e.pmid {
                first(&mut k.pmid, validate::normalize_pmid(v));
            }
            if let Some(v) = &e.pmcid {
                first(&mut k.pmcid, validate::normalize_pmcid(v));
            }
            if let Some(v) = &e.doi {
                first(&mut k.doi, validate::normalize_doi(v));
            }
            if let Some(v) = &e.nct {
                first(&mut k.nct, validate::normalize_nct(v));
            }
            for u in &e.url {
                first(&mut k.url, validate::normalize_url(u));
            }
            if let (Some(year), Some(a)) = (e.year, e.authors.first()) {
                // "Byong Seung Cho" or "Cho BS": the surname is one of the words.
                let a = a.to_lowercase();
                for w in a.split([' ', ',', '.']).chain([a.as_str()]) {
                    k.author.entry((year, w.to_string())).or_insert(i);
                }
            }
        }
        k
    }

    fn get<'r>(
        registry: &'r Registry,
        map: &FxMap<String, usize>,
        key: String,
    ) -> Option<&'r Entry> {
        map.get(&key).and_then(|&i| registry.entries().get(i))
    }

    pub(super) fn pmid<'r>(&self, registry: &'r Registry, pmid: &str) -> Option<&'r Entry> {
        Self::get(registry, &self.pmid, validate::normalize_pmid(pmid))
    }

    pub(super) fn pmcid<'r>(&self, registry: &'r Registry, pmcid: &str) -> Option<&'r Entry> {
        Self::get(registry, &self.pmcid, validate::normalize_pmcid(pmcid))
    }

    pub(super) fn doi<'r>(&self, registry: &'r Registry, doi: &str) -> Option<&'r Entry> {
        Self::get(registry, &self.doi, validate::normalize_doi(doi))
    }

    pub(super) fn nct<'r>(&self, registry: &'r Registry, nct: &str) -> Option<&'r Entry> {
        Self::get(registry, &self.nct, validate::normalize_nct(nct))
    }

    pub(super) fn url<'r>(&self, registry: &'r Registry, url: &str) -> Option<&'r Entry> {
        Self::get(registry, &self.url, validate::normalize_url(url))
    }

    /// The first entry of `year` whose first author has the surname `name`.
    pub(super) fn author_year<'r>(
        &self,
        registry: &'r Registry,
        name: &str,
        year: &str,
    ) -> Option<&'r Entry> {
        let year: u16 = year.parse().ok()?;
        self.author
            .get(&(year, name.to_lowercase()))
            .and_then(|&i| registry.entries().get(i))
    }
}
