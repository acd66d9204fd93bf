//! The forms that need no regular expression, each found exactly as its
//! pattern (kept in `reference.rs`) finds it, and the two patterns that do,
//! searched only where a match could be.
//!
//! The hand-written matchers follow the leftmost-first semantics of the
//! patterns they replace; where a pattern has a choice (a greedy count, an
//! optional part), the comments say why only one choice can succeed.

use aho_corasick::{AhoCorasick, Input};
use regex::{Captures, Regex, RegexBuilder};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};
use std::ops::Range;
use std::sync::OnceLock;

/// `[0-9０-９]`.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// The first character of `text` at `at`, if `at` is inside it.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// Where the run of `\s` (Unicode `White_Space`, as `char::is_whitespace`)
/// starting at `at` ends.
fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + rest.len() - rest.trim_start().len()
}

/// Footnote markers, as
/// `\[\^[^\]\s]{1,20}\]|※\s*[0-9０-９]{1,3}|[\[［][0-9０-９]{1,3}(?:[,，\-–][0-9０-９]{1,3})*[\]］]`
/// finds them: `[^note]`, `※1`, `[1]`, `［１－３］`.
pub(super) struct Markers<'t> {
    text: &'t str,
    at: usize,
    /// The next `[`, `※` and `［` at or after `at`, each searched for again
    /// only once passed (a search for all three at once would stop at every
    /// character that shares their last byte, such as ・).
    next: [Option<usize>; 3],
}

pub(super) fn markers(text: &str) -> Markers<'_> {
    let mut m = Markers {
        text,
        at: 0,
        next: [None; 3],
    };
    for k in 0..3 {
        m.next[k] = m.search(k, 0);
    }
    m
}

impl Markers<'_> {
    fn search(&self, k: usize, from: usize) -> Option<usize> {
        static OPENERS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
        let hay = self.text.as_bytes().get(from..)?;
        let found = match k {
            0 => memchr::memchr(b'[', hay),
            _ => {
                let [kome, wide] = OPENERS
                    .get_or_init(|| ["※", "［"].map(|s| memchr::memmem::Finder::new(s.as_bytes())));
                if k == 1 { kome } else { wide }.find(hay)
            }
        };
        found.map(|i| from + i)
    }
}

impl Iterator for Markers<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        loop {
            for k in 0..3 {
                if self.next[k].is_some_and(|n| n < self.at) {
                    self.next[k] = self.search(k, self.at);
                }
            }
            let start = self.next.iter().flatten().min().copied()?;
            match marker_at(self.text, start) {
                Some(end) => {
                    self.at = end;
                    return Some(start..end);
                }
                None => self.at = start + 1,
            }
        }
    }
}

/// The end of the marker opening at `start` (at `[`, `［` or `※`).
fn marker_at(text: &str, start: usize) -> Option<usize> {
    let open = char_at(text, start)?;
    let after = start + open.len_utf8();
    if open == '※' {
        // `\s*` then up to three digits, greedy; nothing has to follow.
        let (n, end) = digits(text, skip_spaces(text, after));
        return (n > 0).then_some(end);
    }
    if open == '[' && text.as_bytes().get(after) == Some(&b'^') {
        // `[^\]\s]{1,20}\]`: the label stops at the first `]` or space, and
        // only a `]` there closes it.
        let label = after + 1;
        for (n, (i, c)) in text[label..].char_indices().enumerate() {
            if c == ']' {
                return (1..=20).contains(&n).then_some(label + i + 1);
            }
            if c.is_whitespace() || n >= 20 {
                return None;
            }
        }
        return None;
    }
    // `[0-9０-９]{1,3}(?:[,，\-–][0-9０-９]{1,3})*[\]］]`: a run of digits can
    // only be followed by a separator or the closing bracket, so each run
    // is taken whole and must be one to three digits long.
    let mut at = after;
    loop {
        let (n, end) = digits(text, at);
        if !(1..=3).contains(&n) {
            return None;
        }
        match char_at(text, end) {
            Some(c @ (']' | '］')) => return Some(end + c.len_utf8()),
            Some(c @ (',' | '，' | '-' | '–')) => at = end + c.len_utf8(),
            _ => return None,
        }
    }
}

/// How many digits `[0-9０-９]` follow `at` in a row (counting up to four),
/// and where the first three of them end.
fn digits(text: &str, at: usize) -> (usize, usize) {
    let mut end = at;
    let mut n = 0;
    for c in text.get(at..).unwrap_or_default().chars().take(4) {
        if !is_digit(c) {
            break;
        }
        n += 1;
        if n <= 3 {
            end += c.len_utf8();
        }
    }
    (n, end)
}

/// A title quoted in 「」 or 『』, as `[「『]([^「」『』\n]{10,160})[」』]`
/// finds it: the whole quote and its inside.
pub(super) fn quotes(text: &str) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
    static OPEN: OnceLock<Literals> = OnceLock::new();
    let open = OPEN.get_or_init(|| Literals::new(&["「", "『"]));
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(m) = open.find_from(text, at) {
            // The inside cannot hold a bracket (E3 80 8C–8F) or a newline,
            // so it ends at the first of them, and only a closing bracket
            // (8D, 8F) there matches.
            let inner = m.end;
            let mut chars = 0;
            let mut i = inner;
            let stop = loop {
                match bytes.get(i..) {
                    None | Some([]) => break None,
                    Some([b'\n', ..]) => break None,
                    Some([0xE3, 0x80, b @ 0x8C..=0x8F, ..]) => break Some(*b),
                    Some([b, ..]) => {
                        if b & 0xC0 != 0x80 {
                            chars += 1;
                            if chars > 160 {
                                break None;
                            }
                        }
                        i += 1;
                    }
                }
            };
            match stop {
                Some(0x8D | 0x8F) if chars >= 10 => {
                    at = i + 3;
                    return Some((m.start..at, inner..i));
                }
                _ => at = inner,
            }
        }
        None
    })
}

/// Literal strings searched for together: with Teddy (SIMD, for up to 64
/// of them) rather than with Aho–Corasick, whose prefilter for a few
/// Japanese words reads bytes every kana has.
pub(super) enum Literals {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Literals {
    pub(super) fn new<B: AsRef<[u8]>>(words: &[B]) -> Literals {
        match aho_corasick::packed::Searcher::new(words) {
            Some(s) => Literals::Packed(s),
            None => Literals::Automaton(
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .build(words)
                    .expect("literals within the size limit"),
            ),
        }
    }

    /// Where the first occurrence starting at or after `at` is.
    pub(super) fn find_from(&self, text: &str, at: usize) -> Option<Range<usize>> {
        let span = at.min(text.len())..text.len();
        match self {
            Literals::Packed(s) => s
                .find_in(text, aho_corasick::Span::from(span))
                .map(|m| m.range()),
            Literals::Automaton(ac) => ac.find(Input::new(text).span(span)).map(|m| m.range()),
        }
    }
}

/// Whether a block opens with a note marker, as
/// `^\s*(?:※\s*([0-9０-９]{1,3})|[\[［]([0-9０-９]{1,3})[\]］])` finds it.
pub(super) fn opens_with_note(text: &str) -> bool {
    let at = skip_spaces(text, 0);
    match char_at(text, at) {
        Some('※') => digits(text, skip_spaces(text, at + '※'.len_utf8())).0 > 0,
        Some(c @ ('[' | '［')) => {
            let (n, end) = digits(text, at + c.len_utf8());
            (1..=3).contains(&n) && matches!(char_at(text, end), Some(']' | '］'))
        }
        _ => false,
    }
}

/// Whether a line names sources (`出典:`, `【参考文献】`, `References`), as
/// `^\s*(?:[【\[［(（]?\s*)?(?:出典|参考文献|参考資料|参考|引用元?|文献|ソース|Source|References?)…`
/// case-insensitively finds it; what follows the word is optional, so
/// only the word decides.
pub(super) fn is_source_line(text: &str) -> bool {
    let at = skip_spaces(text, 0);
    // A bracket there must be the optional one: no word starts with it.
    let at = match char_at(text, at) {
        Some(c @ ('【' | '[' | '［' | '(' | '（')) => skip_spaces(text, at + c.len_utf8()),
        _ => at,
    };
    starts_with_source(&text[at..])
}

fn starts_with_source(s: &str) -> bool {
    ["出典", "参考", "引用", "文献", "ソース"]
        .iter()
        .any(|w| s.starts_with(w))
        || starts_with_folded(s, "source")
        || starts_with_folded(s, "reference")
}

/// Whether `s` starts with `word` (ASCII, lower case) matched as a
/// case-insensitive regex matches it: `s` also matches `ſ` (U+017F) and
/// `k` the Kelvin sign (U+212A).
fn starts_with_folded(s: &str, word: &str) -> bool {
    let mut chars = s.chars();
    word.chars().all(|w| {
        chars.next().is_some_and(|c| {
            c.eq_ignore_ascii_case(&w) || (w == 's' && c == 'ſ') || (w == 'k' && c == 'K')
        })
    })
}

/// A note that points at the advertiser's own data:
/// `(?:当社|当院|自社|弊社|当法人|当クリニック|当グループ|社内)(?:調べ|調査|データ|試験|実施)|アンケート|モニター|未公表|未発表|社内資料`.
pub(super) fn is_in_house(text: &str) -> bool {
    static WORDS: OnceLock<Literals> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let mut w = product(
            &[
                "当社",
                "当院",
                "自社",
                "弊社",
                "当法人",
                "当クリニック",
                "当グループ",
                "社内",
            ],
            &["調べ", "調査", "データ", "試験", "実施"],
        );
        w.extend(["アンケート", "モニター", "未公表", "未発表", "社内資料"].map(String::from));
        Literals::new(&w)
    });
    words.find_from(text, 0).is_some()
}

/// `heads` followed by `tails`, every pair.
fn product(heads: &[&str], tails: &[&str]) -> Vec<String> {
    heads
        .iter()
        .flat_map(|h| tails.iter().map(move |t| format!("{h}{t}")))
        .collect()
}

/// Whether a sentence points back to a study cited before it:
/// `(?:この|その|同じ|同|本|上記の|前述の|先の)(?:研究|結果|データ|知見|論文|試験|報告|総説|レビュー|調査|実験)|著者ら|研究者ら|研究チーム|(?:総説|レビュー)(?:で|では|によると|によれば)`.
/// Every alternative holds one of the nouns or 著者ら: each of those found
/// is checked for what must come before or after it.
pub(super) fn is_anaphoric(text: &str) -> bool {
    const NOUNS: [&str; 12] = [
        "研究",
        "結果",
        "データ",
        "知見",
        "論文",
        "試験",
        "報告",
        "総説",
        "レビュー",
        "調査",
        "実験",
        "著者ら",
    ];
    static FIND: OnceLock<Literals> = OnceLock::new();
    let find = FIND.get_or_init(|| Literals::new(&NOUNS));
    let heads = [
        "この",
        "その",
        "同じ",
        "同",
        "本",
        "上記の",
        "前述の",
        "先の",
    ];
    let mut at = 0;
    while let Some(m) = find.find_from(text, at) {
        let (noun, after) = (&text[m.clone()], &text[m.end..]);
        let before = &text[..m.start];
        if noun == "著者ら"
            || heads.iter().any(|h| before.ends_with(h))
            || (noun == "研究" && (after.starts_with("者ら") || after.starts_with("チーム")))
            || (matches!(noun, "総説" | "レビュー")
                && (after.starts_with('で')
                    || after.starts_with("によると")
                    || after.starts_with("によれば")))
        {
            return true;
        }
        // No two nouns start alike, but one may start inside another.
        at = m.start + 1;
    }
    false
}

/// A case-insensitive pattern compiled on first use, with the characters
/// its matches can hold.
pub(super) struct Lazy {
    pub(super) pattern: &'static str,
    compiled: OnceLock<(Regex, Chars)>,
}

impl Lazy {
    pub(super) const fn new(pattern: &'static str) -> Lazy {
        Lazy {
            pattern,
            compiled: OnceLock::new(),
        }
    }

    fn get(&self) -> &(Regex, Chars) {
        self.compiled.get_or_init(|| {
            let re = RegexBuilder::new(self.pattern)
                .case_insensitive(true)
                .build()
                .expect("constant citation pattern");
            (re, Chars::of(self.pattern))
        })
    }

    /// Every match in the runs of `text` around `triggers` (ascending
    /// positions, each inside the match that could hold it), as
    /// `captures_iter` over the whole text finds them: a match holds only
    /// characters its pattern can match, so it lies inside one run of
    /// them, and a run with no trigger holds no match. The patterns used
    /// here have no look-around, so a run searched alone matches as it
    /// does inside the text.
    pub(super) fn captures_near<'t>(
        &self,
        text: &'t str,
        triggers: impl Iterator<Item = usize>,
    ) -> Vec<Captures<'t>> {
        let mut out = Vec::new();
        let mut done = 0;
        for t in triggers {
            if t < done {
                continue;
            }
            let (re, chars) = self.get();
            let run = chars.run_around(text, t);
            let hay = &text[..run.end];
            let mut at = run.start;
            // Neither pattern matches the empty string, so each search
            // resumes where the last match ended.
            while let Some(c) = re.captures_at(hay, at) {
                let Some(end) = c.get(0).map(|m| m.end()).filter(|&e| e > at) else {
                    break;
                };
                at = end;
                out.push(c);
            }
            done = run.end;
        }
        out
    }
}

/// A set of characters, as sorted inclusive ranges.
struct Chars(Vec<(char, char)>);

impl Chars {
    /// Every character a match of the case-insensitive `pattern` can hold.
    fn of(pattern: &str) -> Chars {
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(pattern)
            .expect("constant citation pattern");
        let mut set = ClassUnicode::empty();
        collect_chars(&hir, &mut set);
        Chars(set.iter().map(|r| (r.start(), r.end())).collect())
    }

    fn contains(&self, c: char) -> bool {
        let i = self.0.partition_point(|&(_, hi)| hi < c);
        self.0.get(i).is_some_and(|&(lo, _)| lo <= c)
    }

    /// The longest stretch of these characters around `at`.
    fn run_around(&self, text: &str, at: usize) -> Range<usize> {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| self.contains(c))
            .last()
            .map_or(at, |(i, _)| i);
        let end = text[at..]
            .char_indices()
            .find(|&(_, c)| !self.contains(c))
            .map_or(text.len(), |(i, _)| at + i);
        start..end
    }
}

fn collect_chars(hir: &Hir, set: &mut ClassUnicode) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            for c in String::from_utf8_lossy(&lit.0).chars() {
                set.union(&ClassUnicode::new([ClassUnicodeRange::new(c, c)]));
            }
        }
        HirKind::Class(Class::Unicode(class)) => set.union(class),
        HirKind::Class(Class::Bytes(class)) => {
            for r in class.iter() {
                set.union(&ClassUnicode::new([ClassUnicodeRange::new(
                    char::from(r.start()),
                    char::from(r.end()),
                )]));
            }
        }
        HirKind::Repetition(rep) => collect_chars(&rep.sub, set),
        HirKind::Capture(cap) => collect_chars(&cap.sub, set),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().for_each(|h| collect_chars(h, set))
        }
    }
}

/// Surname (Latin, or 1–6 kanji/katakana), an optional "et al."/ら/ほか,
/// then a year, possibly in brackets of either width.
pub(super) static AUTHOR_YEAR: Lazy = Lazy::new(
    r"([A-Z][A-Za-z'\-]+|[\p{Han}\p{Katakana}ー]{1,6})(?:\s*(?:et\s*al\.?|and\s+[A-Z][A-Za-z'\-]+|&\s*[A-Z][A-Za-z'\-]+)|\s*(?:ら|ほか|他|等))(?:の|による)?(?:研究チーム|研究グループ|研究|論文|報告|チーム|グループ)?[\s,，、．.]*[(（]?\s*((?:19|20)[0-9]{2})\s*年?\s*[)）]?",
);

/// The part of an [`AUTHOR_YEAR`] match that is the citation: without the
/// white space its pattern allows at the end, and without a closing bracket
/// whose opening one lies before the match (（Cho et al., 2018） is cited as
/// `Cho et al., 2018`, 「Cho et al. (2018)」 keeps its brackets).
pub(super) fn author_year_span(text: &str, m: Range<usize>) -> Range<usize> {
    let t = text[m.clone()].trim_end();
    let t = match t.strip_suffix([')', '）']) {
        Some(inner) if !inner.contains(['(', '（']) => inner.trim_end(),
        _ => t,
    };
    m.start..m.start + t.len()
}

/// Where a year (`19xx`, `20xx`) starts that an author–year citation could
/// end with: what comes before it allows a connective (et al., and, &, ら,
/// ほか, 他, 等) right before the brackets, punctuation, particle (の,
/// による) and noun (研究, 論文, …) the pattern allows between the two.
pub(super) fn author_year_triggers(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'1', b'2', bytes).filter(move |&y| {
        matches!(
            bytes.get(y..y + 4),
            Some([b'1', b'9', c, d] | [b'2', b'0', c, d]) if c.is_ascii_digit() && d.is_ascii_digit()
        ) && connective_before(&text[..y])
    })
}

/// Whether `before` (the text before a year) can end with the part of the
/// author–year pattern that precedes the year.
fn connective_before(before: &str) -> bool {
    // `[\s,，、．.]*[(（]?\s*`; an `al.` loses its full stop here too.
    let before = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '，' | '、' | '．' | '.' | '(' | '（')
    });
    let nouns = [
        "研究チーム",
        "研究グループ",
        "研究",
        "論文",
        "報告",
        "チーム",
        "グループ",
    ];
    std::iter::once(before)
        .chain(nouns.iter().filter_map(|n| before.strip_suffix(n)))
        .flat_map(|b| {
            [Some(b), b.strip_suffix('の'), b.strip_suffix("による")]
                .into_iter()
                .flatten()
        })
        .any(ends_with_connective)
}

/// `[A-Za-z'\-]` matched case-insensitively.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\'' | '-' | 'ſ' | 'K')
}

fn ends_with_connective(s: &str) -> bool {
    if s.ends_with(['ら', '他', '等']) || s.ends_with("ほか") {
        return true;
    }
    let ends_folded = |s: &str, w: &str| {
        s.len() >= w.len()
            && s.is_char_boundary(s.len() - w.len())
            && s[s.len() - w.len()..].eq_ignore_ascii_case(w)
    };
    // `et\s*al\.?`
    let al = s.strip_suffix('.').unwrap_or(s);
    if ends_folded(al, "al") && ends_folded(al[..al.len() - 2].trim_end(), "et") {
        return true;
    }
    // `and\s+Name`, `&\s*Name`
    let name = s.trim_end_matches(is_name_char);
    if name.len() == s.len() {
        return false;
    }
    let spaced = name.trim_end();
    spaced.ends_with('&') || (spaced.len() < name.len() && ends_folded(spaced, "and"))
}

/// An organisation's statement named by its date (再生医療抗加齢学会の
/// 2024年8月5日の声明).
pub(super) static STATEMENT: Lazy = Lazy::new(
    r"([\p{Han}\p{Katakana}ー・]{2,24}(?:学会|省|庁|協会|研究会|機構|委員会|局|課|センター))(?:は|も|が|の)?[、,]?\s*((?:19|20)[0-9]{2})年\s*([0-9]{1,2})月\s*([0-9]{1,2})日(?:付け?)?の?(?:声明|通知|事務連絡|見解|提言|ガイダンス|注意喚起|発表|文書)",
);

/// Where a statement could end: one of the words a statement ends with,
/// right after a date (`5日`, `5日付けの`).
pub(super) fn statement_triggers(text: &str) -> impl Iterator<Item = usize> + '_ {
    static HINT: OnceLock<Literals> = OnceLock::new();
    let hint = HINT.get_or_init(|| {
        Literals::new(&[
            "声明",
            "通知",
            "事務連絡",
            "見解",
            "提言",
            "ガイダンス",
            "注意喚起",
            "発表",
            "文書",
        ])
    });
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(m) = hint.find_from(text, at) {
            // Resume inside this word: another may start within it.
            at = m.start + char_at(text, m.start).map_or(1, char::len_utf8);
            if dated(&text[..m.start]) {
                return Some(m.start);
            }
        }
        None
    })
}

/// Whether `before` ends with `[0-9]日(?:付け?)?の?`.
fn dated(before: &str) -> bool {
    let b = before.strip_suffix('の').unwrap_or(before);
    [
        b,
        b.strip_suffix("付け").unwrap_or(b),
        b.strip_suffix('付').unwrap_or(b),
    ]
    .iter()
    .any(|b| {
        b.strip_suffix('日')
            .is_some_and(|d| d.ends_with(|c: char| c.is_ascii_digit()))
    })
}

/// Identifier patterns, each compiled on first use and only tried on a
/// text that holds the literal every match of it holds.
pub(super) struct Ids;

impl Ids {
    /// `(?:PMID\s*[:：]?\s*|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)([0-9]{1,9})`:
    /// each match with its number. No two of the three start alike, and
    /// what follows each allows one way only: spaces are all taken (a
    /// colon or digit is not one), then the colon if there, then up to
    /// nine digits.
    pub(super) fn pmids(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> + '_ {
        let bytes = text.as_bytes();
        let starting = |first: u8, words: &'static [&'static [u8]]| {
            memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes).filter_map(move |i| {
                let w = words.iter().find(|w| {
                    bytes
                        .get(i..i + w.len())
                        .is_some_and(|r| r.eq_ignore_ascii_case(w))
                })?;
                Some((i, w.len()))
            })
        };
        let mut words: Vec<(usize, usize)> =
            starting(b'p', &[b"pmid", b"pubmed.ncbi.nlm.nih.gov/"])
                .chain(starting(b'n', &[b"ncbi.nlm.nih.gov/pubmed/"]))
                .collect();
        words.sort_unstable();
        let mut at = 0;
        words.into_iter().filter_map(move |(p, len)| {
            if p < at {
                return None;
            }
            let number = match len {
                4 => {
                    let q = skip_spaces(text, p + 4);
                    match char_at(text, q) {
                        Some(c @ (':' | '：')) => skip_spaces(text, q + c.len_utf8()),
                        _ => q,
                    }
                }
                _ => p + len,
            };
            let n = bytes[number..]
                .iter()
                .take(9)
                .take_while(|b| b.is_ascii_digit())
                .count();
            (n > 0).then(|| {
                at = number + n;
                (p..at, &text[number..at])
            })
        })
    }

    /// `\bPMC\s*[0-9]{3,9}\b`.
    pub(super) fn pmcids(text: &str) -> impl Iterator<Item = regex::Match<'_>> + '_ {
        static RE: OnceLock<Regex> = OnceLock::new();
        contains_folded(text, "pmc")
            .then(|| compiled(&RE, r"\bPMC\s*[0-9]{3,9}\b").find_iter(text))
            .into_iter()
            .flatten()
    }

    /// `(?:doi\s*[:：]\s*|doi\.org/)?(10\.[0-9]{4,9}/[^\s、。，」』）)\]<>"]+)`:
    /// each match with the DOI, which starts at the first `1` (the prefix
    /// holds none).
    pub(super) fn dois(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> + '_ {
        static RE: OnceLock<Regex> = OnceLock::new();
        memchr::memmem::find(text.as_bytes(), b"10.")
            .map(|_| {
                compiled(
                    &RE,
                    r#"(?:doi\s*[:：]\s*|doi\.org/)?10\.[0-9]{4,9}/[^\s、。，」』）)\]<>"]+"#,
                )
                .find_iter(text)
                .map(|m| {
                    let s = m.as_str();
                    (m.range(), s.find('1').map_or(s, |i| &s[i..]))
                })
            })
            .into_iter()
            .flatten()
    }

    /// `\bNCT[0-9]{8}\b`.
    pub(super) fn ncts(text: &str) -> impl Iterator<Item = regex::Match<'_>> + '_ {
        static RE: OnceLock<Regex> = OnceLock::new();
        contains_folded(text, "nct")
            .then(|| compiled(&RE, r"\bNCT[0-9]{8}\b").find_iter(text))
            .into_iter()
            .flatten()
    }
}

fn compiled<'r>(cell: &'r OnceLock<Regex>, pattern: &str) -> &'r Regex {
    cell.get_or_init(|| {
        RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .expect("constant citation pattern")
    })
}

/// Whether `text` holds `word` (ASCII, lower case, no `k` or `s`, whose
/// only case variant is then their ASCII upper case) in any case.
fn contains_folded(text: &str, word: &str) -> bool {
    let (hay, w) = (text.as_bytes(), word.as_bytes());
    memchr::memchr2_iter(w[0], w[0].to_ascii_uppercase(), hay).any(|i| {
        hay.get(i..i + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
    })
}

/// The first year as `\b(?:19|20)[0-9]{2}\b` finds it.
pub(super) fn first_year(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let word = |c: Option<char>| c.is_some_and(regex_syntax::is_word_character);
    memchr::memchr2_iter(b'1', b'2', bytes)
        .find(|&y| {
            matches!(
                bytes.get(y..y + 4),
                Some([b'1', b'9', c, d] | [b'2', b'0', c, d]) if c.is_ascii_digit() && d.is_ascii_digit()
            ) && !word(text[..y].chars().next_back())
                && !word(text[y + 4..].chars().next())
        })
        .map(|y| &text[y..y + 4])
}
