//! Prose: the readable text of a document, with an exact map back to the
//! bytes of the source it was extracted from.
//!
//! Extractors (Markdown, HTML, text) append pieces of source text verbatim
//! (`push_copy`), replacements such as decoded entities (`push_replace`), and
//! zero-width block separators. Every later stage works on `Prose::text` and
//! maps its ranges back through [`Prose::source_range`]; nothing ever searches
//! the source for a matched string.

use std::ops::Range;

/// How a block of prose was marked up; decides sentence ends and citation scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    TableCell,
    /// A footnote definition (`[^1]: …`, `※1 …`); its text is citation material.
    Footnote,
    /// A line of plain text or any other block-level container.
    Line,
}

/// A block of prose: a paragraph, heading, list item, table cell or footnote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Range in `Prose::text`, without the trailing separator.
    pub range: Range<usize>,
    pub kind: BlockKind,
    /// Inside a blockquote (Markdown `>` or HTML `<blockquote>`).
    pub quote: bool,
    /// Footnote label for `BlockKind::Footnote` blocks (`1` for `[^1]`).
    pub label: Option<String>,
    /// Blocks with the same group form one paragraph (consecutive lines of a
    /// text file); citations found anywhere in the group apply to all of it.
    pub group: usize,
}

/// Paragraph groups of a [`Prose`] (see [`Block::group`]) with their blocks,
/// so that "every block of this paragraph" is a lookup rather than a scan of
/// all blocks for every claim.
#[derive(Debug, Clone, Default)]
pub struct Paragraphs {
    /// Block indices sorted by group, then by position.
    order: Vec<usize>,
    /// Distinct group ids, ascending.
    groups: Vec<usize>,
    /// `order[starts[k]..starts[k + 1]]` are the blocks of `groups[k]`.
    starts: Vec<usize>,
    /// From the smallest start to the largest end of each group's blocks.
    spans: Vec<Range<usize>>,
}

impl Paragraphs {
    fn find(&self, group: usize) -> Option<usize> {
        self.groups.binary_search(&group).ok()
    }

    /// The blocks of `group`, in document order.
    pub fn blocks(&self, group: usize) -> &[usize] {
        self.find(group)
            .map_or(&[][..], |k| &self.order[self.starts[k]..self.starts[k + 1]])
    }

    /// The prose range from the first to the last block of `group`.
    pub fn span(&self, group: usize) -> Option<Range<usize>> {
        self.find(group).map(|k| self.spans[k].clone())
    }
}

/// A hyperlink whose destination was left out of the prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link text in prose (may be empty, e.g. an image or a bare `<a>`).
    pub text: Range<usize>,
    /// The destination URL as written (entities decoded for HTML).
    pub url: String,
    /// Where the destination sits in the source.
    pub url_source: Range<usize>,
}

/// An `exolint-…` directive found in an HTML or Markdown comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The comment's body after `exolint-`, trimmed (`disable-next-line EXL101 -- reason`).
    pub body: String,
    /// The whole comment in the source.
    pub source: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    prose_start: usize,
    prose_len: usize,
    src_start: usize,
    src_len: usize,
    /// Copied runs map byte for byte; replaced runs map as a unit.
    copied: bool,
}

/// Half-width katakana U+FF66–U+FF9D as full-width, in code-point order.
const HALF_KANA: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// The character that the start of `s` folds to and how many bytes it
/// takes: a full-width letter or digit (ＡＧＡ, １ヶ月) to ASCII, half-width
/// katakana (ｴｸｿｿｰﾑ) and its punctuation to full-width, a voiced mark
/// joined to its kana (ｶﾞ to ガ). Rules and vocabulary then see one form.
/// Full-width punctuation（（）！？％）is Japanese text's own and stays.
fn fold_at(s: &str) -> Option<(usize, char)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    let code = c as u32;
    let folded = match code {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => char::from_u32(code - 0xFEE0)?,
        0xFF61 => '。',
        0xFF62 => '「',
        0xFF63 => '」',
        0xFF64 => '、',
        0xFF65 => '・',
        0xFF66..=0xFF9D => HALF_KANA.chars().nth((code - 0xFF66) as usize)?,
        0xFF9E => '゛',
        0xFF9F => '゜',
        _ => return None,
    };
    let len = c.len_utf8();
    let mark = chars.next().map(|m| m as u32);
    let voiced = |base: char, by: u32| -> Option<(usize, char)> {
        Some((len + 3, char::from_u32(base as u32 + by)?))
    };
    match (folded, mark) {
        ('ウ', Some(0xFF9E)) => Some((len + 3, 'ヴ')),
        ('カ'..='ト', Some(0xFF9E)) if !matches!(folded, 'ッ') => voiced(folded, 1),
        ('ハ'..='ホ', Some(0xFF9E)) => voiced(folded, 1),
        ('ハ'..='ホ', Some(0xFF9F)) => voiced(folded, 2),
        _ => Some((len, folded)),
    }
}

/// `s` as it reads in prose: see [`fold_at`]. Borrowed when nothing folds.
pub fn fold_width(s: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    let mut done = 0;
    for (i, len, folded) in folds(s) {
        out.push_str(&s[done..i]);
        out.push(folded);
        done = i + len;
    }
    if done == 0 {
        return std::borrow::Cow::Borrowed(s);
    }
    out.push_str(&s[done..]);
    std::borrow::Cow::Owned(out)
}

/// Each character of `s` that folds: its offset, its length in bytes and
/// what it folds to. Every such character is in U+FF00–U+FFEF, encoded from
/// 0xEF, which is never a continuation byte: the search skips to those.
fn folds(s: &str) -> impl Iterator<Item = (usize, usize, char)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(off) = memchr::memchr(0xEF, &s.as_bytes()[at..]) {
            let i = at + off;
            if let Some((len, folded)) = fold_at(&s[i..]) {
                at = i + len;
                return Some((i, len, folded));
            }
            at = i + 1;
        }
        None
    })
}

/// Extracted prose plus the structure later stages need.
#[derive(Debug, Clone, Default)]
pub struct Prose {
    pub text: String,
    segs: Vec<Seg>,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub directives: Vec<Directive>,
    /// Inline quotation ranges in prose (HTML `<q>`); blockquotes are on `Block::quote`.
    pub quotes: Vec<Range<usize>>,
}

impl Prose {
    /// Moves every source offset `by` bytes on: the prose of a slice of a
    /// document starting at `by` then maps into the whole document.
    pub fn shift_source(&mut self, by: usize) {
        for s in &mut self.segs {
            s.src_start += by;
        }
        for l in &mut self.links {
            l.url_source = l.url_source.start + by..l.url_source.end + by;
        }
        for d in &mut self.directives {
            d.source = d.source.start + by..d.source.end + by;
        }
    }

    /// Maps a prose range to the source bytes it came from. A range that
    /// starts or ends inside a replaced run (an entity) widens to the whole run,
    /// so the result always lies on source char boundaries.
    pub fn source_range(&self, r: Range<usize>) -> Range<usize> {
        self.source_range_near(r, &mut None)
    }

    /// [`Prose::source_range`] for ranges that lie near one another (the
    /// claims of a page, one after the other, and their sentences): each
    /// lookup starts from the segment the last one found, kept in `near`,
    /// and gallops out from it. A long page has hundreds of thousands of
    /// segments, and a binary search over all of them misses the cache at
    /// almost every step.
    pub fn source_range_near(&self, r: Range<usize>, near: &mut Option<usize>) -> Range<usize> {
        let start = self.source_start(r.start, near);
        let end = if r.end > r.start {
            self.source_end(r.end, near)
        } else {
            start
        };
        start..end.max(start)
    }

    /// The last segment whose prose start is <= `pos`, searched from
    /// `near` outwards when given; `near` is set to the answer.
    fn seg_index(&self, pos: usize, near: &mut Option<usize>) -> Option<usize> {
        let segs = &self.segs;
        let found = match *near {
            Some(h) if h < segs.len() => {
                // Bracket the answer in [lo, hi) with steps that double,
                // then search inside the bracket.
                let (mut lo, mut hi) = (h, h + 1);
                let mut step = 1;
                if segs[h].prose_start <= pos {
                    while hi < segs.len() && segs[hi].prose_start <= pos {
                        lo = hi;
                        hi = (hi + step).min(segs.len());
                        step *= 2;
                    }
                } else {
                    while lo > 0 && segs[lo].prose_start > pos {
                        hi = lo;
                        lo = lo.saturating_sub(step);
                        step *= 2;
                    }
                }
                (lo + segs[lo..hi].partition_point(|s| s.prose_start <= pos)).checked_sub(1)
            }
            _ => segs
                .partition_point(|s| s.prose_start <= pos)
                .checked_sub(1),
        };
        if found.is_some() {
            *near = found;
        }
        found
    }

    fn source_start(&self, pos: usize, near: &mut Option<usize>) -> usize {
        match self.seg_index(pos, near) {
            Some(i) => {
                let s = self.segs[i];
                let off = pos - s.prose_start;
                if off >= s.prose_len {
                    s.src_start + s.src_len
                } else if s.copied {
                    s.src_start + off
                } else {
                    s.src_start
                }
            }
            None => 0,
        }
    }

    fn source_end(&self, pos: usize, near: &mut Option<usize>) -> usize {
        // Map the last byte before `pos`, then take the end of what it came from.
        let Some(i) = self.seg_index(pos - 1, near) else {
            return 0;
        };
        let s = self.segs[i];
        let off = pos - s.prose_start;
        if s.copied && off <= s.prose_len {
            s.src_start + off
        } else {
            s.src_start + s.src_len
        }
    }

    /// The block that contains prose offset `pos`, if any.
    pub fn block_at(&self, pos: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.range.start <= pos);
        let i = i.checked_sub(1)?;
        (self.blocks[i].range.end >= pos).then_some(i)
    }

    /// The blocks of each paragraph group, computed once per document (see
    /// [`Paragraphs`]).
    pub fn paragraphs(&self) -> Paragraphs {
        let mut order: Vec<usize> = (0..self.blocks.len()).collect();
        order.sort_by_key(|&i| (self.blocks[i].group, i));
        let mut groups = Vec::new();
        let mut starts = Vec::new();
        let mut spans = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            let b = &self.blocks[i];
            if groups.last() != Some(&b.group) {
                groups.push(b.group);
                starts.push(k);
                spans.push(b.range.clone());
            }
            if let Some(span) = spans.last_mut() {
                span.start = span.start.min(b.range.start);
                span.end = span.end.max(b.range.end);
            }
        }
        starts.push(order.len());
        Paragraphs {
            order,
            groups,
            starts,
            spans,
        }
    }

    /// Whether prose offset `pos` is inside an inline quotation.
    pub fn in_inline_quote(&self, pos: usize) -> bool {
        self.quotes.iter().any(|q| q.contains(&pos))
    }

    /// Checks the map's invariants against `source`; used by tests and fuzzers.
    pub fn check_invariants(&self, source: &str) -> Result<(), String> {
        let mut prose_pos = 0;
        let mut src_pos = 0;
        for s in &self.segs {
            if s.prose_start != prose_pos {
                return Err(format!("gap in prose at {prose_pos}"));
            }
            if s.src_start < src_pos {
                return Err(format!("source map goes backwards at {}", s.src_start));
            }
            let src = source
                .get(s.src_start..s.src_start + s.src_len)
                .ok_or_else(|| format!("segment {s:?} is off a char boundary"))?;
            let prose = self
                .text
                .get(s.prose_start..s.prose_start + s.prose_len)
                .ok_or_else(|| format!("segment {s:?} is off a prose boundary"))?;
            if s.copied && src != prose {
                return Err(format!("copied segment differs: {src:?} vs {prose:?}"));
            }
            prose_pos += s.prose_len;
            src_pos = s.src_start + s.src_len;
        }
        if prose_pos != self.text.len() {
            return Err("segments do not cover the prose".into());
        }
        Ok(())
    }
}

/// Appends to a [`Prose`] while keeping its map consistent.
#[derive(Debug, Default)]
pub struct ProseBuilder {
    prose: Prose,
    open_block: Option<(usize, BlockKind, bool, Option<String>)>,
    /// Depth of open blockquotes.
    pub quote_depth: usize,
    group: usize,
    /// When set, the next block joins the current paragraph group.
    pub continue_group: bool,
}

impl ProseBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Current length of the prose text.
    pub fn len(&self) -> usize {
        self.prose.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prose.text.is_empty()
    }

    /// The prose written so far.
    pub fn text(&self) -> &str {
        &self.prose.text
    }

    /// Appends `text`, which is exactly the source bytes at `src_start..`,
    /// with full-width letters and digits and half-width katakana folded
    /// ([`fold_width`]): each folded character is a replaced run, so spans
    /// still map to whole source characters.
    pub fn push_copy(&mut self, src_start: usize, text: &str) {
        let mut done = 0;
        for (i, len, folded) in folds(text) {
            self.push_verbatim(src_start + done, &text[done..i]);
            let mut buf = [0; 4];
            self.push_replace(
                src_start + i..src_start + i + len,
                folded.encode_utf8(&mut buf),
            );
            done = i + len;
        }
        self.push_verbatim(src_start + done, &text[done..]);
    }

    fn push_verbatim(&mut self, src_start: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        let prose_start = self.prose.text.len();
        self.prose.text.push_str(text);
        if let Some(last) = self.prose.segs.last_mut() {
            if last.copied
                && last.prose_start + last.prose_len == prose_start
                && last.src_start + last.src_len == src_start
            {
                last.prose_len += text.len();
                last.src_len += text.len();
                return;
            }
        }
        self.prose.segs.push(Seg {
            prose_start,
            prose_len: text.len(),
            src_start,
            src_len: text.len(),
            copied: true,
        });
    }

    /// Appends `replacement` standing for the source bytes `src`.
    pub fn push_replace(&mut self, src: Range<usize>, replacement: &str) {
        if replacement.is_empty() {
            return;
        }
        let prose_start = self.prose.text.len();
        self.prose.text.push_str(replacement);
        self.prose.segs.push(Seg {
            prose_start,
            prose_len: replacement.len(),
            src_start: src.start,
            src_len: src.end.saturating_sub(src.start),
            copied: false,
        });
    }

    /// Appends a single space standing for the source bytes `src` (collapsed
    /// whitespace or an inline break), unless prose already ends in white space.
    pub fn push_space(&mut self, src: Range<usize>) {
        if self.prose.text.is_empty() || self.prose.text.ends_with([' ', '\n']) {
            return;
        }
        self.push_replace(src, " ");
    }

    /// Starts a block at the current position; an open block is closed first.
    pub fn start_block(&mut self, kind: BlockKind, src_pos: usize) {
        self.start_block_labeled(kind, src_pos, None);
    }

    /// Starts a block carrying a footnote label.
    pub fn start_block_labeled(&mut self, kind: BlockKind, src_pos: usize, label: Option<String>) {
        self.end_block(src_pos);
        if !std::mem::take(&mut self.continue_group) {
            self.group += 1;
        }
        let quote = self.quote_depth > 0;
        self.open_block = Some((self.prose.text.len(), kind, quote, label));
    }

    /// Ends the open block (if any) with a zero-width newline separator at `src_pos`.
    pub fn end_block(&mut self, src_pos: usize) {
        if let Some((start, kind, quote, label)) = self.open_block.take() {
            let mut end = self.prose.text.len();
            // Trailing spaces are not part of the block.
            while end > start && self.prose.text.as_bytes()[end - 1] == b' ' {
                end -= 1;
            }
            if end > start {
                self.prose.blocks.push(Block {
                    range: start..end,
                    kind,
                    quote,
                    label,
                    group: self.group,
                });
            }
        }
        self.separator(src_pos);
    }

    /// Ends whatever block is open if text has been written since it began.
    pub fn separator(&mut self, src_pos: usize) {
        if !self.prose.text.is_empty() && !self.prose.text.ends_with('\n') {
            self.push_replace(src_pos..src_pos, "\n");
        }
    }

    /// Whether a block is open.
    pub fn in_block(&self) -> bool {
        self.open_block.is_some()
    }

    /// Kind and label of the open block, to resume it after text that
    /// interrupts it as a block of its own (an image's alternative text).
    pub fn open_kind(&self) -> Option<(BlockKind, Option<String>)> {
        (self.open_block.as_ref()).map(|(_, kind, _, label)| (*kind, label.clone()))
    }

    pub fn add_link(&mut self, text: Range<usize>, url: String, url_source: Range<usize>) {
        self.prose.links.push(Link {
            text,
            url,
            url_source,
        });
    }

    pub fn add_directive(&mut self, body: String, source: Range<usize>) {
        self.prose.directives.push(Directive { body, source });
    }

    pub fn add_quote(&mut self, range: Range<usize>) {
        if range.end > range.start {
            self.prose.quotes.push(range);
        }
    }

    /// Appends prose extracted from the source slice that starts at
    /// `src_offset` (an HTML block inside Markdown), shifting all its ranges.
    pub fn append(&mut self, other: Prose, src_offset: usize) {
        self.end_block(src_offset);
        let base = self.prose.text.len();
        self.prose.text.push_str(&other.text);
        for s in other.segs {
            self.prose.segs.push(Seg {
                prose_start: s.prose_start + base,
                src_start: s.src_start + src_offset,
                ..s
            });
        }
        let shift = |r: Range<usize>| r.start + base..r.end + base;
        for b in other.blocks {
            self.group += 1;
            self.prose.blocks.push(Block {
                range: shift(b.range),
                quote: b.quote || self.quote_depth > 0,
                group: self.group,
                ..b
            });
        }
        for l in other.links {
            self.prose.links.push(Link {
                text: shift(l.text),
                url: l.url,
                url_source: l.url_source.start + src_offset..l.url_source.end + src_offset,
            });
        }
        for d in other.directives {
            self.prose.directives.push(Directive {
                body: d.body,
                source: d.source.start + src_offset..d.source.end + src_offset,
            });
        }
        for q in other.quotes {
            self.prose.quotes.push(shift(q));
        }
    }

    /// Finishes the prose; `src_len` is the length of the source.
    pub fn finish(mut self, src_len: usize) -> Prose {
        self.end_block(src_len);
        self.prose.blocks.sort_by_key(|b| b.range.start);
        self.prose
    }
}

/// If a comment body is an exolint directive, returns what follows `exolint-`.
pub fn directive_body(comment: &str) -> Option<String> {
    let t = comment.trim();
    t.strip_prefix("exolint-")
        .map(|rest| rest.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_replace_map_back() {
        let src = "当院は&amp;安全";
        let mut b = ProseBuilder::new();
        b.start_block(BlockKind::Paragraph, 0);
        b.push_copy(0, "当院は");
        b.push_replace(9..14, "&");
        b.push_copy(14, "安全");
        let p = b.finish(src.len());
        p.check_invariants(src).unwrap();
        assert_eq!(p.text, "当院は&安全\n");
        let amp = p.text.find('&').unwrap();
        assert_eq!(p.source_range(amp..amp + 1), 9..14);
        let anzen = p.text.find("安全").unwrap();
        assert_eq!(&src[p.source_range(anzen..anzen + 6)], "安全");
        assert_eq!(&src[p.source_range(0..p.text.len() - 1)], src);
    }

    #[test]
    fn blocks_get_separators_and_are_found() {
        let mut b = ProseBuilder::new();
        b.start_block(BlockKind::Heading, 0);
        b.push_copy(2, "見出し");
        b.start_block(BlockKind::Paragraph, 12);
        b.push_copy(12, "本文");
        let p = b.finish(18);
        assert_eq!(p.text, "見出し\n本文\n");
        assert_eq!(p.blocks.len(), 2);
        assert_eq!(p.block_at(p.text.find("本文").unwrap()), Some(1));
    }

    #[test]
    fn directive_prefix() {
        assert_eq!(
            directive_body(" exolint-disable-next-line EXL101 "),
            Some("disable-next-line EXL101".into())
        );
        assert_eq!(directive_body("ordinary"), None);
    }

    /// Full-width letters and digits and half-width katakana reach the
    /// rules in one form, each folded character mapping back to exactly its
    /// source bytes.
    #[test]
    fn widths_fold_and_map_back() {
        let src = "ＡＧＡにｴｸｿｿｰﾑ。ｶﾞﾊﾟｳﾞﾞ１２";
        let mut b = ProseBuilder::new();
        b.start_block(BlockKind::Paragraph, 0);
        b.push_copy(0, src);
        b.end_block(src.len());
        let p = b.finish(src.len());
        p.check_invariants(src).unwrap();
        let text = p.text.trim_end_matches('\n');
        assert_eq!(text, "AGAにエクソソーム。ガパヴ゛12");
        assert_eq!(fold_width(src), text);
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            &src[p.source_range(start..start + needle.len())]
        };
        assert_eq!(at("AGA"), "ＡＧＡ");
        assert_eq!(at("G"), "Ｇ");
        assert_eq!(at("エクソソーム"), "ｴｸｿｿｰﾑ");
        assert_eq!(at("ガ"), "ｶﾞ");
        assert_eq!(at("パ"), "ﾊﾟ");
        assert_eq!(at("ヴ゛"), "ｳﾞﾞ");
        assert_eq!(at("12"), "１２");
        assert!(matches!(
            fold_width("エクソソーム（PMC）！"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// A lookup started from any segment gives what the full search gives,
    /// and leaves the segment it found as the next start.
    #[test]
    fn lookups_near_a_segment_agree_with_the_full_search() {
        // Copied and replaced runs in turn, so segments differ in length and
        // kind: 「安全&amp;」 repeated.
        let unit = "安全&amp;";
        let src = unit.repeat(40);
        let mut b = ProseBuilder::new();
        b.start_block(BlockKind::Paragraph, 0);
        for k in 0..40 {
            let at = k * unit.len();
            b.push_copy(at, "安全");
            b.push_replace(at + 6..at + 11, "&");
        }
        b.end_block(src.len());
        let p = b.finish(src.len());
        p.check_invariants(&src).unwrap();
        let bounds: Vec<usize> = (0..=p.text.len())
            .filter(|&i| p.text.is_char_boundary(i))
            .collect();
        for hint in [
            None,
            Some(0),
            Some(1),
            Some(17),
            Some(p.segs.len() - 1),
            Some(p.segs.len() + 5),
        ] {
            for (k, &a) in bounds.iter().enumerate() {
                for &e in &bounds[k..] {
                    let mut near = hint;
                    let got = p.source_range_near(a..e, &mut near);
                    assert_eq!(got, p.source_range(a..e), "{a}..{e} from {hint:?}");
                    let mut again = near;
                    assert_eq!(p.source_range_near(a..e, &mut again), got);
                }
            }
        }
    }
}
