//! Sentences × claim rules → claims, each with its modality.
//!
//! One walk over the characters of each sentence finds every rule's matches
//! (see [`Matcher`]): a rule's anchored search runs only where the first
//! characters can start one of its patterns. Negated
//! sentences, questions and wording masked as names of laws or notices are
//! dropped here; hedges are recorded so the report can lower severity by at
//! most one step.

use crate::prose::{BlockKind, Prose};
use crate::rules::{Category, LazyRegex, Lexicon, RuleSet};
use crate::scan::StartScanner;
use crate::segment::{is_hiragana, Sentence};
use serde::Serialize;
use std::ops::Range;
use std::sync::OnceLock;

/// How a claim is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Asserted,
    Hedged,
    Reported,
    Conditional,
    Quoted,
    Negated,
    Question,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Hedged => "hedged",
            Modality::Reported => "reported",
            Modality::Conditional => "conditional",
            Modality::Quoted => "quoted",
            Modality::Negated => "negated",
            Modality::Question => "question",
        }
    }

    /// Japanese label used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Asserted => "断定",
            Modality::Hedged => "推量",
            Modality::Reported => "伝聞・報告",
            Modality::Conditional => "条件付き",
            Modality::Quoted => "引用",
            Modality::Negated => "否定",
            Modality::Question => "疑問",
        }
    }

    /// Negated sentences and questions make no claim.
    pub fn is_claim(self) -> bool {
        !matches!(self, Modality::Negated | Modality::Question)
    }
}

/// A claim found in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Index into `RuleSet::rules`.
    pub rule: usize,
    pub category: Category,
    /// The matched wording, in prose.
    pub range: Range<usize>,
    /// Index into the sentence list.
    pub sentence: usize,
    pub modality: Modality,
    /// A hedge marker (期待できる, 可能性…) softens the wording.
    pub hedged: bool,
    /// The model the sentence limits itself to (`animal`, `in-vitro`).
    pub scope: Option<String>,
}

/// Finds the claims in `sentences`. With `keep_non_claims`, negated and
/// question matches are returned too (for `exolint debug`).
///
/// Compiles a [`Matcher`] for `rules` first; a caller that lints many
/// documents keeps one (as [`crate::lint::Linter`] does) and calls
/// [`detect_with`].
pub fn detect(
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    keep_non_claims: bool,
) -> Vec<Claim> {
    detect_with(
        &Matcher::new(rules),
        prose,
        sentences,
        rules,
        keep_non_claims,
    )
}

/// [`detect`] with a matcher compiled once for `rules`.
pub fn detect_with(
    matcher: &Matcher,
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    keep_non_claims: bool,
) -> Vec<Claim> {
    let text = prose.text.as_str();
    let raw = matcher.find_all(text, sentences, rules);
    let mut candidates: Vec<Claim> = Vec::new();
    if raw.is_empty() {
        return candidates;
    }
    let masks = Masks::new(
        rules
            .lexicon
            .not_claims
            .find_iter(text)
            .chain(title_masks(text))
            .chain(reference_entries(text, sentences)),
    );
    let quotes = Masks::new(prose.quotes.iter().cloned());
    // Per sentence, what every claim in it shares: the exception matches of
    // the rule being scanned and the model the sentence limits itself to.
    let mut exceptions: Vec<Range<usize>> = Vec::new();
    let mut exceptions_for: Option<(usize, usize)> = None;
    let mut scope: Option<(usize, Option<String>)> = None;
    // The accepted claim of the current rule and sentence that reaches
    // furthest: a later match of the same rule inside it is not a new claim.
    let mut reach: Option<(usize, usize, usize)> = None;
    // Matches come sentence by sentence, so one sentence's marks are kept
    // at a time.
    let mut marks = SentenceMarks::default();
    let mut marks_of = None;
    for m in &raw {
        let (ri, si) = (m.rule, m.sentence);
        let Some(category) = rules.rules[ri].file.category else {
            continue;
        };
        if reach.is_some_and(|(r, s, end)| r == ri && s == si && m.end <= end) {
            continue;
        }
        let sentence = &sentences[si];
        let s_text = &text[sentence.range.clone()];
        let rel = m.start - sentence.range.start..m.end - sentence.range.start;
        if let Some(ex) = &rules.rules[ri].exceptions {
            if exceptions_for != Some((ri, si)) {
                exceptions.clear();
                exceptions.extend(ex.find_iter(s_text));
                exceptions_for = Some((ri, si));
            }
            if exceptions
                .iter()
                .any(|x| x.start < rel.end && rel.start < x.end)
            {
                continue;
            }
        }
        if masks.contain(m.start, m.end) {
            continue;
        }
        let quoted_block = prose.blocks[sentence.block].quote || quotes.hold(m.start);
        if marks_of != Some(si) {
            marks_of = Some(si);
            marks.reset();
        }
        let (modality, hedged) = classify_in(
            &rules.lexicon,
            s_text,
            rel.clone(),
            quoted_block,
            &mut marks,
        );
        if !modality.is_claim() && !keep_non_claims {
            continue;
        }
        // A study's follow-up time (12週後に毛髪密度が増えたと報告) says when it was
        // measured, not how fast the treatment works; only wording that stresses
        // speed (たった, 最短, すぐ) stays an onset claim in a reported sentence.
        if category == Category::Onset
            && modality == Modality::Reported
            && !speed_emphasis().is_match(s_text)
        {
            continue;
        }
        if scope.as_ref().is_none_or(|(s, _)| *s != si) {
            scope = Some((si, scope_of(&rules.lexicon, s_text)));
        }
        reach = match reach {
            Some((r, s, end)) if r == ri && s == si => Some((r, s, end.max(m.end))),
            _ => Some((ri, si, m.end)),
        };
        candidates.push(Claim {
            rule: ri,
            category,
            range: m.start..m.end,
            sentence: si,
            modality,
            hedged,
            scope: scope.as_ref().and_then(|(_, s)| s.clone()),
        });
    }
    if keep_non_claims {
        candidates.sort_by_key(|c| (c.range.start, c.rule));
        return candidates;
    }
    add_quoted_testimonials(prose, sentences, rules, &mut candidates);
    drop_attribution_testimonials(prose, sentences, &mut candidates);
    drop_warned_examples(prose, sentences, &mut candidates);
    // One claim per sentence and category: the most assertive wording wins,
    // then the earliest.
    candidates.sort_by_key(|c| (c.sentence, c.category, c.hedged, c.range.start));
    candidates.dedup_by(|b, a| a.sentence == b.sentence && a.category == b.category);
    share_sentence_modality(&mut candidates);
    end_at_word_ends(text, sentences, &mut candidates);
    candidates.sort_by_key(|c| (c.range.start, c.category));
    candidates
}

/// Runs every claim on to the end of its word ([`word_end`]), within its
/// sentence.
fn end_at_word_ends(text: &str, sentences: &[Sentence], claims: &mut [Claim]) {
    for c in claims {
        // A pattern that ends on the sentence's end (との声も。, お客様も！) takes
        // the mark with it; the claim is the words.
        let words = text[c.range.clone()].trim_end_matches(['。', '．', '！', '!', '…', '♪']);
        if !words.is_empty() {
            c.range.end = c.range.start + words.len();
        }
        c.range.end = word_end(text, c.range.end, sentences[c.sentence].range.end);
    }
}

/// Patterns end on a stem so that one pattern covers every inflection
/// (効 for 効く, 効きます, 効いた), which left spans and messages ending
/// mid-word: 「すぐに効」「肌が生まれ変わ」. A claim that ends on a kanji or
/// hiragana runs on over the hiragana of its inflection, up to
/// [`INFLECTION_MAX`], and stops before a particle that starts the next
/// phrase (が, を, に, で, と, は, も, の, へ, や, か, ね, よ), before a word of
/// [`FOLLOWERS`] and at the end of its sentence. An inflection longer than
/// that (感じていただいております) ends after its last て rather than
/// mid-word (「感じていただいていま」).
fn word_end(text: &str, end: usize, limit: usize) -> usize {
    let is_kanji = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々';
    let Some(last) = text.get(..end).and_then(|h| h.chars().next_back()) else {
        return end;
    };
    if !(is_hiragana(last) || is_kanji(last)) {
        return end;
    }
    let mut end = end;
    // The second half of a compound verb (ツヤを引き|出します, 毛穴を引き|締めます)
    // is part of the word: after a stem in the い row, one kanji of
    // [`COMPOUND_TAILS`] that hiragana follows.
    if "きしちにひみりいぎじびぴ".contains(last) {
        let next = text.get(end..limit).unwrap_or_default();
        let mut cs = next.chars();
        if let (Some(k), Some(h)) = (cs.next(), cs.next()) {
            if COMPOUND_TAILS.contains(&k) && is_hiragana(h) && !PARTICLES.contains(&h) {
                end += k.len_utf8();
            }
        }
    }
    let rest = text.get(end..limit).unwrap_or_default();
    let runs_on = |i: usize, c: char| {
        is_hiragana(c)
            && !PARTICLES.contains(&c)
            && !FOLLOWERS.iter().any(|w| rest[i..].starts_with(w))
            && (!rest[i..].starts_with("だけ") || text[..end + i].ends_with('た'))
    };
    let mut at = end;
    let mut after_te = None;
    // An honorific prefix belongs to the word after it (安心してご|相談ください).
    let prefix_of_next = |i: usize, c: char| {
        matches!(c, 'ご' | 'お') && rest[i + c.len_utf8()..].starts_with(|n: char| !is_hiragana(n))
    };
    for (n, (i, c)) in rest.char_indices().enumerate() {
        if !runs_on(i, c) || prefix_of_next(i, c) {
            return at;
        }
        if n == INFLECTION_MAX {
            return after_te.unwrap_or(at);
        }
        at += c.len_utf8();
        if c == 'て' {
            after_te = Some(at);
        }
    }
    at
}

/// Kanji that end a compound verb after a stem (引き出す, 引き締める,
/// 取り戻す, 呼び起こす, 持ち上げる, 生まれ変わる).
const COMPOUND_TAILS: [char; 12] = [
    '出', '締', '上', '込', '戻', '起', '直', '返', '変', '続', '立', '整',
];

/// The most hiragana [`word_end`] runs a claim on by.
const INFLECTION_MAX: usize = 12;

/// Particles that start the phrase after a claim. Sets of characters
/// here are arrays, not strings: `str::contains` looks for a character
/// outside ASCII as for a substring, and these run for every character
/// after every claim.
const PARTICLES: [char; 13] = [
    'が', 'を', 'に', 'で', 'と', 'は', 'も', 'の', 'へ', 'や', 'か', 'ね', 'よ',
];

/// Words in hiragana that follow an inflected verb or adjective without a
/// particle first: 濃くなること, 効いたため, 続くまで, 受けながら.
const FOLLOWERS: [&str; 16] = [
    "こと",
    // Limiters: 減るだけでなく is not "only reduces". だけ is checked
    // apart, since いただけます runs on.
    "ばかり",
    "のみ",
    "んじゃ",
    "のでは",
    "ところ",
    "まで",
    "ながら",
    "ほど",
    "ため",
    "けど",
    "けれど",
    "くらい",
    "ぐらい",
    "など",
    // 減ったまま: the state kept, after the word (and まで would cut まま).
    "まま",
];

/// Ranges with a fast "is this span inside one of them" test: sorted by
/// start, with the furthest end reached so far, so a lookup is a binary
/// search instead of a scan of every range (a 50 MB page has many thousands
/// of law names and quoted titles).
struct Masks {
    starts: Vec<usize>,
    reach: Vec<usize>,
}

impl Masks {
    fn new(ranges: impl Iterator<Item = Range<usize>>) -> Masks {
        let mut v: Vec<Range<usize>> = ranges.collect();
        v.sort_by_key(|r| r.start);
        let mut reach = Vec::with_capacity(v.len());
        let mut far = 0;
        for r in &v {
            far = far.max(r.end);
            reach.push(far);
        }
        Masks {
            starts: v.into_iter().map(|r| r.start).collect(),
            reach,
        }
    }

    /// Whether some range holds all of `start..end`.
    fn contain(&self, start: usize, end: usize) -> bool {
        let i = self.starts.partition_point(|&s| s <= start);
        i > 0 && self.reach[i - 1] >= end
    }

    /// Whether some range holds offset `pos` (`Range::contains`).
    fn hold(&self, pos: usize) -> bool {
        let i = self.starts.partition_point(|&s| s <= pos);
        i > 0 && self.reach[i - 1] > pos
    }
}

/// A patient's own words about an effect are a testimonial even without the
/// word 体験談: a quoted effect claim told in the first person or past tense.
fn add_quoted_testimonials(
    prose: &Prose,
    sentences: &[Sentence],
    rules: &RuleSet,
    candidates: &mut Vec<Claim>,
) {
    let Some(ti) = rules
        .rules
        .iter()
        .position(|r| r.file.category == Some(Category::Testimonial))
    else {
        return;
    };
    // Sentences that already hold a testimonial, kept as a set so the check
    // stays constant-time on documents with many claims.
    let mut testimonial: std::collections::HashSet<usize> = candidates
        .iter()
        .filter(|o| o.category == Category::Testimonial)
        .map(|o| o.sentence)
        .collect();
    let mut extra = Vec::new();
    for c in candidates.iter() {
        let effect = matches!(
            c.category,
            Category::Efficacy | Category::Onset | Category::Durability | Category::Safety
        );
        if !effect || c.modality != Modality::Quoted {
            continue;
        }
        let sentence = sentences[c.sentence].range.clone();
        let already = testimonial.contains(&c.sentence);
        // Only the quoted words tell whose experience it is: 担当医は「…増えます」と話しています
        // quotes a doctor's promise, not a patient's account.
        let quoted = quoted_region(prose, sentences[c.sentence].block, sentence, c.range.start);
        if !already && rules.lexicon.experience.is_match(&prose.text[quoted]) {
            testimonial.insert(c.sentence);
            extra.push(Claim {
                rule: ti,
                category: Category::Testimonial,
                ..c.clone()
            });
        }
    }
    candidates.extend(extra);
}

/// All categories in one sentence share its modality, the strongest by the
/// precedence quoted > conditional > reported > hedged > asserted: in
/// 「…肌が変わった」というお声をいただいています the testimonial wording lies
/// outside the quote but the sentence is a quotation.
fn share_sentence_modality(candidates: &mut [Claim]) {
    // Candidates come sorted by sentence: each sentence's claims are a run.
    debug_assert!(candidates.is_sorted_by_key(|c| c.sentence));
    for run in candidates.chunk_by_mut(|a, b| a.sentence == b.sentence) {
        let strongest = run
            .iter()
            .filter(|c| c.modality.is_claim())
            .map(|c| c.modality)
            .max();
        if let Some(m) = strongest {
            for c in run.iter_mut().filter(|c| c.modality.is_claim()) {
                c.modality = m;
            }
        }
    }
}

/// The quoted words around `pos`: the whole sentence in a blockquote, else
/// the `<q>` or 「」 that holds `pos`, else the sentence.
fn quoted_region(prose: &Prose, block: usize, sentence: Range<usize>, pos: usize) -> Range<usize> {
    if prose.blocks[block].quote {
        return sentence;
    }
    if let Some(q) = prose.quotes.iter().find(|q| q.contains(&pos)) {
        return q.clone();
    }
    let s = &prose.text[sentence.clone()];
    let rel = pos - sentence.start;
    if let Some(open) = s[..rel].rfind(['「', '『']) {
        if !s[open..rel].contains(['」', '』']) {
            let end = s[rel..].find(['」', '』']).map_or(s.len(), |i| rel + i);
            return sentence.start + open..sentence.start + end;
        }
    }
    sentence
}

/// Drops the claims of a block that is nothing but a quotation
/// (「確実に生える」) under a heading that warns against such wording
/// (気をつけたい表現, こんな広告に注意): the page lists others' claims as
/// examples. Inside a sentence the same wording is only mentioned
/// (「…」といった広告), which `mentioned` and the title masks see; a bare
/// quotation has only its heading to say so.
fn drop_warned_examples(prose: &Prose, sentences: &[Sentence], candidates: &mut Vec<Claim>) {
    // Claims come by sentence, so a block's answer serves its neighbours.
    let mut last: Option<(usize, bool)> = None;
    candidates.retain(|c| {
        let block = sentences[c.sentence].block;
        let warned = match last {
            Some((b, warned)) if b == block => warned,
            _ => {
                let warned = is_warned_example(prose, block);
                last = Some((block, warned));
                warned
            }
        };
        !warned
    });
}

/// How many blocks back [`is_warned_example`] looks for its heading: a list
/// of examples is short, and a page without headings is not read back to
/// its start for every claim.
const WARNING_HEADING_REACH: usize = 64;

fn is_warned_example(prose: &Prose, b: usize) -> bool {
    let Some(block) = prose.blocks.get(b) else {
        return false;
    };
    if block.kind == BlockKind::Heading {
        return false;
    }
    let text = prose.text[block.range.clone()]
        .trim()
        .trim_end_matches(['。', '．', '、', '！', '!']);
    if !(text.starts_with(['「', '『']) && text.ends_with(['」', '』'])) {
        return false;
    }
    prose.blocks[..b]
        .iter()
        .rev()
        .take(WARNING_HEADING_REACH)
        .find(|h| h.kind == BlockKind::Heading)
        .is_some_and(|h| fixed()[7].is_match(&prose.text[h.range.clone()]))
}

/// An attribution such as （40代男性・会社員） or a blockquote footer
/// 「30代男性・会社員」 names the speaker of the quote before it. When that
/// quote is already a testimonial, the attribution is the same testimonial,
/// not a second one.
fn drop_attribution_testimonials(
    prose: &Prose,
    sentences: &[Sentence],
    candidates: &mut Vec<Claim>,
) {
    let attribution = attribution_only();
    let testimonial: std::collections::HashSet<usize> = candidates
        .iter()
        .filter(|c| c.category == Category::Testimonial)
        .map(|c| c.sentence)
        .collect();
    let has_testimonial = |si: usize| testimonial.contains(&si);
    let mut drop = std::collections::HashSet::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.category != Category::Testimonial {
            continue;
        }
        let si = c.sentence;
        if !attribution.is_match(&prose.text[sentences[si].range.clone()]) {
            continue;
        }
        let block = sentences[si].block;
        let mut prev_block = None;
        for j in (si.saturating_sub(4)..si).rev() {
            let b = sentences[j].block;
            if b != block {
                // The quote may sit in the block just before (<blockquote><p>…</p><footer>…).
                match prev_block {
                    None if prose.blocks[b].quote || prose.blocks[block].quote => {
                        prev_block = Some(b)
                    }
                    Some(p) if p == b => {}
                    _ => break,
                }
            }
            if has_testimonial(j) {
                drop.insert(i);
                break;
            }
        }
    }
    if !drop.is_empty() {
        let mut i = 0;
        candidates.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
    }
}

fn attribution_only() -> &'static LazyRegex {
    &fixed()[0]
}

/// Wording that stresses how fast an effect comes.
fn speed_emphasis() -> &'static LazyRegex {
    &fixed()[1]
}

/// The fixed patterns of the claim filters below.
const FIXED: [&str; 8] = [
    // 0: an attribution alone: （40代男性・会社員）.
    r"^[（(]?\s*[0-9０-９一二三四五六七八九十]+\s*(?:代|歳|才)[^（）()。！？\n]{0,16}[）)]?$",
    // 1: wording that stresses speed.
    r"たった|わずか|僅か|最短|即効|速効|すぐ|早(?:く|い|ければ|期)|直後|翌日|当日",
    // 2: a quote.
    r"「[^「」\n]{1,120}」|『[^『』\n]{1,120}』",
    // 3: what says the quote after it is a title.
    r"(?:タイトル|題名|表題|論文名|書名|標題|見出し|論文|文献|報告書|事務連絡|通知|声明|ガイドライン|ガイダンス|指針)(?:は|が|の|:|：)?\s*$",
    // 4: what says the quote before it is a title, or only someone's
    // wording (「…」「…」などと書かれていますが, 「…」とか言っちゃだめ,
    // 「…」とは言えません).
    r"^\s*(?:(?:[、・とや]|とか)?[「『][^「」『』\n]{0,120}[」』])*(?:(?:など|なんて)?(?:と|って)(?:書かれ|うたわれ|うたって|謳われ|謳って|宣伝され|宣伝して)|(?:と|って)(?:いう|いった|題する|題した|題された)?(?:ような|よう?な)?(?:タイトル|題名|表題|論文|研究|報告書?|文書|声明|通知|記事|書籍|本|資料|事務連絡|ガイドライン|ガイダンス|広告|表現|宣伝|文言|言葉|キャッチコピー|謳い文句|うたい文句|誇大)|(?:と|って|とか|なんて|などと)(?:は)?(?:言|い)(?:っちゃ(?:だめ|ダメ|いけ)|っては(?:いけ|だめ|ダメ)|うのは(?:NG|ＮＧ|だめ|ダメ|禁止|違反|アウト)|えない|えません|わないで)|と題|(?:など|とか)?(?:の|と(?:いう|いった)|といった|みたいな|のような)(?:広告|表現|表記|宣伝|文言|言葉|謳い文句|うたい文句|キャッチコピー|フレーズ|ワード)|を(?:公表|発表|発行|出版|公開|策定|作成|刊行|発出)|に(?:掲載|発表)|(?:令和|平成|昭和)|[0-9０-９]{4}|[（(][^）)\n]{0,40}?(?:et al|ら[,，、\s]*[0-9０-９]{4}|[0-9０-９]{4}|令和|平成)[^）)\n]{0,20}[）)])",
    // 5: a reference-list entry.
    r"(?i)\bdoi\b|PMID|PMC[0-9]|et al\.|[0-9]{4};\s*[0-9]+|\bVol\.|\bpp\.",
    // 6: the wording is only mentioned.
    r"^[^。！？!?\n]{0,30}?(?:と|って)(?:いう|いった|言う|謳う|うたう|断言する|宣伝する|言い切る|約束する|保証する)(?:ような|よう?な)?(?:広告|表現|宣伝|説明|主張|謳い文句|うたい文句|キャッチコピー|触れ込み|噂|うわさ|文言|誇大|クリニック|医院|病院|医師|業者|サイト|記事)|^[^。！？!?\n]{0,30}?(?:なんて|などと?いう|なんていう)(?:こと|話|うまい話)(?:は|も)?(?:絶対に?|決して|一切|全く|まったく)?(?:ない|ありません|ありえ|あり得|ございません)",
    // 7: a heading that warns against the wording listed under it.
    r"(?:気をつけ|気を付け|注意|要注意|NG|ＮＧ|避け|禁止|違反|誇大|怪しい|あやしい|危ない|だまされ|騙され|鵜呑み|うのみ|惑わされ)[^。！？\n]{0,12}?(?:表現|広告|宣伝|文句|言葉|ワード|フレーズ|キャッチコピー|謳い文句|うたい文句|セールストーク|誘い文句)|(?:表現|広告|宣伝|文句|言葉|ワード|フレーズ|キャッチコピー|謳い文句|うたい文句|セールストーク|誘い文句)[^。！？\n]{0,8}?(?:に(?:は)?(?:ご)?(?:注意|気をつけ|気を付け|要注意)|は要注意)",
];

fn fixed() -> &'static [LazyRegex; 8] {
    static R: OnceLock<[LazyRegex; 8]> = OnceLock::new();
    R.get_or_init(|| FIXED.map(|p| LazyRegex::new(p.to_string(), 1 << 24)))
}

/// The sources of the fixed patterns, for the generated programs.
#[cfg(test)]
pub(crate) fn fixed_patterns() -> &'static [&'static str] {
    &FIXED
}

/// Titles of cited works, notices and guidelines in 「」 or 『』: a claim
/// inside a title is the title's, not the page's (README: titles of cited works
/// are `none name`). A quote is a title when its context says so: タイトルは「…」,
/// 「…」という論文, 「…」（Cho et al., 2018）, 「…」令和6年7月31日, 「…」を公表.
/// A quote followed by という広告/表現 only mentions the wording.
fn title_masks(text: &str) -> Vec<Range<usize>> {
    let [_, _, quote, before, after, _, _, _] = fixed();
    quote
        .find_iter(text)
        .filter(|m| {
            let head = &text[..m.start];
            let head = &head[head.char_indices().rev().nth(11).map_or(0, |(i, _)| i)..];
            before.is_match(head) || after.is_match(&text[m.end..])
        })
        .collect()
}

/// Entries of a reference list (Cho BS, et al. Exosomes … alleviate atopic
/// dermatitis（…を軽減する）. Stem Cell Res Ther. 2018;9:187. doi:…): the
/// whole sentence is citation material.
fn reference_entries(text: &str, sentences: &[Sentence]) -> Vec<Range<usize>> {
    let marker = &fixed()[5];
    sentences
        .iter()
        .filter(|s| {
            let t = &text[s.range.clone()];
            // Every match holds one of these letters (in either case) or a
            // semicolon: most sentences are dismissed by one scan of bytes.
            let hint = |b: &u8| matches!(b | 0x20, b'd' | b'p' | b'e' | b'v') || *b == b';';
            t.as_bytes().iter().any(hint)
                && mostly_latin(t)
                && marker.is_match(t)
                // A short claim with its citation in brackets
                // (発毛効果があります（Cho et al., 2018）) is Japanese prose.
                && mostly_latin(&outside_brackets(t))
        })
        .map(|s| s.range.clone())
        .collect()
}

/// `t` without what its round brackets enclose, of either width; an
/// unclosed bracket runs to the end.
fn outside_brackets(t: &str) -> String {
    let mut depth = 0usize;
    t.chars()
        .filter(|&c| {
            match c {
                '(' | '（' => depth += 1,
                ')' | '）' if depth > 0 => {
                    depth -= 1;
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect()
}

/// Whether at least half of the characters of `t` that are not white
/// space are ASCII letters, digits or punctuation. Most sentences of a
/// Japanese page are rejected on two counts over their bytes, without
/// decoding them: Latin characters, and characters that are surely not
/// white space (kana, kanji and full-width forms, U+3040–U+FFFF).
fn mostly_latin(t: &str) -> bool {
    let b = t.as_bytes();
    let latin = b
        .iter()
        .filter(|x| x.is_ascii_alphanumeric() || x.is_ascii_punctuation())
        .count();
    if latin == 0 {
        return false;
    }
    let wide = b.iter().filter(|&&x| (0xE4..=0xEF).contains(&x)).count()
        + b.windows(2)
            .filter(|w| w[0] == 0xE3 && w[1] >= 0x81)
            .count();
    if latin < wide {
        return false;
    }
    let (mut latin, mut all) = (0usize, 0usize);
    for c in t.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if c.is_ascii_alphanumeric() || c.is_ascii_punctuation() {
            latin += 1;
        }
    }
    all > 0 && latin * 2 >= all
}

/// Whether the words right after a research marker say that it proved the
/// point (で証明, により実証され, でも立証済み).
fn claims_proof(after: &str) -> bool {
    let end = after
        .char_indices()
        .enumerate()
        .find(|&(n, (_, c))| n == 8 || matches!(c, '、' | '。' | '，' | '！' | '？'))
        .map_or(after.len(), |(_, (i, _))| i);
    let head = &after[..end];
    ["証明", "実証", "立証"].iter().any(|w| head.contains(w))
}

/// End of the clause that follows a claim: negation belongs to the predicate
/// of the same clause, so a later clause's ない does not negate this one.
fn clause_end(s: &str, from: usize) -> usize {
    s[from..]
        .char_indices()
        .find(|&(_, c)| matches!(c, '、' | '，' | ',' | '。' | '！' | '？' | '!' | '?' | '\n'))
        .map_or(s.len(), |(i, _)| from + i)
}

/// [`clause_end`] for the claim at `rel`: a claim that ends on a
/// te-form followed by a new phrase (髪が生えて痛みもありません) ends its clause
/// there, and the next phrase's ない is its own. Auxiliaries written in
/// kanji (生えて来ない, 使って頂けない) still belong to the claim.
fn own_clause_end(s: &str, rel: Range<usize>) -> usize {
    let te = s[rel.clone()].ends_with(['て', 'で']);
    let next = s[rel.end..].chars().next();
    let end = match next {
        Some(c) if te && !is_hiragana(c) && !AUXILIARY_KANJI.contains(&c) => rel.end,
        _ => clause_end(s, rel.end),
    };
    // A conjunction starts the next clause too (髪が生えた上に副作用もない,
    // 肌が若返ったのに痛みはない). ので and のに only when a new phrase
    // follows: のでは, のです and ものでは are not conjunctions.
    // One walk over the clause, tried only where a conjunction can begin:
    // this runs for every match of every claim rule.
    let tail = &s[rel.end..end];
    tail.char_indices()
        .filter(|&(_, c)| CONJUNCTION_LEADS.contains(&c))
        .find(|&(i, _)| {
            let rest = &tail[i..];
            CONJUNCTIONS.iter().any(|w| {
                rest.starts_with(w)
                    && !(w.starts_with('の')
                        && rest[w.len()..].chars().next().is_none_or(is_hiragana))
            })
        })
        .map_or(end, |(i, _)| rel.end + i)
}

/// The first characters of [`CONJUNCTIONS`].
const CONJUNCTION_LEADS: [char; 7] = ['の', 'け', '上', 'う', '後', 'あ', 'な'];

/// Kanji of auxiliaries after a te-form (生えて来ない, 使って頂けない).
const AUXILIARY_KANJI: [char; 11] = [
    '来', '居', '下', '頂', '戴', '欲', '見', '置', '行', '参', '貰',
];

/// Words that join one clause to the next.
const CONJUNCTIONS: [&str; 12] = [
    "のに",
    "ので",
    "けれど",
    "けど",
    "上に",
    "うえに",
    "後に",
    "後も",
    "後は",
    "あとも",
    "あとに",
    "ながら",
];

/// A sentence that ends as a rhetorical question (髪が生えるのではないでしょうか,
/// 効果があるんじゃないかな) asserts its claim, hedged; it asks nothing.
fn rhetorical(s: &str) -> bool {
    let t = s.trim_end_matches(|c: char| c.is_whitespace() || "。．？?！!」』）)♪…".contains(c));
    let t = t.trim_end_matches(['ね', 'な', 'よ']);
    [
        "ではないか",
        "ではないでしょうか",
        "ではないだろうか",
        "ではないです",
        "じゃないか",
        "じゃないでしょうか",
        "じゃないです",
        "ではなかろうか",
    ]
    .iter()
    .any(|w| t.ends_with(w))
}

/// Kanji of the auxiliary phrases of [`inflection_len`].
const INFLECTION_KANJI: [char; 22] = [
    '言', '限', '断', '確', '証', '明', '立', '認', '保', '約', '出', '来', '得', '見', '分', '判',
    '切', '思', '受', '取', '下', '通',
];

/// Length of the inflection right after a claim: kana and the few kanji of
/// auxiliary phrases (とは言えません, 確認されていない, 承認を受けていない). The claim's own
/// predicate is negated only here; a ない further on belongs to other words
/// (安全で痛みの少ない治療).
fn inflection_len(tail: &str) -> usize {
    tail.char_indices()
        .take(24)
        .find(|&(_, c)| !(('\u{3041}'..='\u{309F}').contains(&c) || INFLECTION_KANJI.contains(&c)))
        .map_or_else(
            || tail.char_indices().nth(24).map_or(tail.len(), |(i, _)| i),
            |(i, _)| i,
        )
}

/// Decides the modality of the claim at `rel` in sentence `s`.
pub fn classify(lex: &Lexicon, s: &str, rel: Range<usize>, quoted_block: bool) -> (Modality, bool) {
    classify_in(lex, s, rel, quoted_block, &mut SentenceMarks::default())
}

/// What [`classify`] reads of a whole sentence, found once for all the
/// claims in it.
#[derive(Debug, Default)]
struct SentenceMarks {
    question: Option<bool>,
    quote_context: Option<bool>,
    /// The report markers' matches, once `reported_known`; the list is
    /// cleared, not dropped, from sentence to sentence.
    reported: Vec<Range<usize>>,
    reported_known: bool,
}

impl SentenceMarks {
    fn reset(&mut self) {
        self.question = None;
        self.quote_context = None;
        self.reported.clear();
        self.reported_known = false;
    }
}

/// [`classify`] with the marks of the sentence `s`, kept across its claims.
fn classify_in(
    lex: &Lexicon,
    s: &str,
    rel: Range<usize>,
    quoted_block: bool,
    marks: &mut SentenceMarks,
) -> (Modality, bool) {
    let tail = &s[rel.end..own_clause_end(s, rel.clone())];
    let window = &tail[..inflection_len(tail)];
    let negated = (lex.negation.is_match(window) || lex.clause_negation.is_match(tail))
        && !lex
            .negation_exceptions
            .as_ref()
            .is_some_and(|e| e.is_match(tail));
    let claim_and_tail = &s[rel.start..];
    let hedged = lex.hedge.is_match(claim_and_tail);
    if negated || mentioned(&s[rel.end..]) {
        return (Modality::Negated, hedged);
    }
    // A question quoted inside a statement (「エクソソームって効くんですか？」という質問に)
    // still asks: the claim's own clause ends at ？.
    let question = *marks
        .question
        .get_or_insert_with(|| lex.question.is_match(s));
    if (question || s[clause_end(s, rel.end)..].starts_with(['？', '?'])) && !rhetorical(s) {
        return (Modality::Question, hedged);
    }
    if quoted_block || in_speech_quote(lex, s, rel.start, &mut marks.quote_context) {
        return (Modality::Quoted, hedged);
    }
    // Precedence (corpus/README.md): quoted > conditional > reported > hedged.
    if lex.conditional.is_match(&s[..rel.start]) {
        return (Modality::Conditional, hedged);
    }
    // Markers inside the claim itself (論文で実証) are the claim, not a report of it.
    if !marks.reported_known {
        // 臨床試験で証明されています claims proof: the research named is the
        // evidence claim's own, not a report that softens the sentence.
        marks.reported.extend(
            lex.reported
                .find_iter(s)
                .filter(|m| !claims_proof(&s[m.end..])),
        );
        marks.reported_known = true;
    }
    if (marks.reported.iter()).any(|m| m.end <= rel.start || m.start >= rel.end) {
        return (Modality::Reported, hedged);
    }
    if hedged {
        return (Modality::Hedged, true);
    }
    (Modality::Asserted, false)
}

/// The claim is only mentioned as someone's wording: 副作用の心配がないという説明は,
/// 髪が生えるといった宣伝, 「必ず生える」という広告, 誰でも生える、なんてことはありません.
fn mentioned(after: &str) -> bool {
    fixed()[6].is_match(after)
}

/// Whether `pos` sits inside 「…」 that quotes someone's words rather than
/// marking a name: the quote is followed by と/って or the sentence names a
/// speaker.
fn in_speech_quote(lex: &Lexicon, s: &str, pos: usize, context: &mut Option<bool>) -> bool {
    let Some(open) = s[..pos].rfind(['「', '『']) else {
        return false;
    };
    if s[open..pos].contains(['」', '』']) {
        return false;
    }
    let close = s[pos..].find(['」', '』']).map(|i| pos + i);
    let after = close.map_or("", |c| &s[c + 3..]);
    // A line that is nothing but a quotation (「もっと早く来ればよかった」) is someone's words.
    let standalone = s[..open].trim().is_empty()
        && close.is_some()
        && after
            .trim_matches(|c: char| c.is_whitespace() || "。．！!♪☆★…".contains(c))
            .is_empty();
    standalone
        || after.starts_with(['と', 'っ'])
        || *context.get_or_insert_with(|| lex.quote_context.is_match(s))
}

fn scope_of(lex: &Lexicon, s: &str) -> Option<String> {
    lex.scope
        .iter()
        .find(|(_, re)| re.is_match(s))
        .map(|(name, _)| name.clone())
}

/// One match of a claim rule, before the filters of [`detect_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RawMatch {
    rule: usize,
    start: usize,
    end: usize,
    sentence: usize,
}

/// The claim rules of a [`RuleSet`] compiled for one pass per document.
///
/// A claim match is, by definition, the rule's leftmost-first match at every
/// place it can start (the search restarts one character after each match
/// start, so a shorter claim inside a longer one is still seen). Running each
/// rule over the whole text that way costs a pass per rule; the
/// [`StartScanner`] walks each sentence once and runs a rule's anchored
/// search only where its patterns can start.
pub struct Matcher {
    /// Rule index (into `RuleSet::rules`) of each scanner pattern.
    rules: Vec<usize>,
    scanner: Option<StartScanner>,
}

/// The claim rules' patterns the [`Matcher`] scans for, in rule order.
pub(crate) fn scanner_patterns(rules: &RuleSet) -> Vec<&str> {
    claim_rules(rules).map(|(_, p)| p).collect()
}

fn claim_rules(rules: &RuleSet) -> impl Iterator<Item = (usize, &str)> {
    rules.rules.iter().enumerate().filter_map(|(ri, rule)| {
        match (&rule.pattern, rule.file.category) {
            (Some(re), Some(_)) => Some((ri, re.as_str())),
            _ => None,
        }
    })
}

impl Matcher {
    /// Indexes the claim rules of `rules`; each part of a pattern is
    /// compiled when a document first needs it.
    pub fn new(rules: &RuleSet) -> Matcher {
        let ids = claim_rules(rules).map(|(ri, _)| ri).collect();
        // The rules already compiled with `regex`, so this succeeds; should
        // it fail anyway, the rules are searched the slow way.
        let scanner = StartScanner::new_within(&scanner_patterns(rules)).ok();
        Matcher {
            rules: ids,
            scanner,
        }
    }

    /// Every nonempty match of every claim rule that starts and ends within
    /// one sentence: by sentence, then by rule, then by start.
    fn find_all(&self, text: &str, sentences: &[Sentence], rules: &RuleSet) -> Vec<RawMatch> {
        let mut out = Vec::new();
        let Some(scanner) = &self.scanner else {
            for &ri in &self.rules {
                slow_matches(text, sentences, rules, ri, &mut out);
            }
            out.sort_unstable_by_key(|m| (m.sentence, m.rule, m.start));
            return out;
        };
        let mut cache = scanner.cache();
        for (si, sentence) in sentences.iter().enumerate() {
            let first = out.len();
            scanner.scan_within(&mut cache, text, sentence.range.clone(), |pid, s, e| {
                out.push(RawMatch {
                    rule: self.rules[pid],
                    start: s,
                    end: e,
                    sentence: si,
                });
            });
            // The scanner gives a sentence's matches by start; the claim
            // filters take each rule's together. Sorting per sentence keeps
            // the sorts small and the matches in the order of the text.
            out[first..].sort_unstable_by_key(|m| (m.rule, m.start));
        }
        out
    }
}

/// The definition of a rule's matches, for when the scanner could not be
/// built: in each sentence, the rule searched as if the text ended with the
/// sentence, restarting one character after every match start.
fn slow_matches(
    text: &str,
    sentences: &[Sentence],
    rules: &RuleSet,
    ri: usize,
    out: &mut Vec<RawMatch>,
) {
    let Some(re) = &rules.rules[ri].pattern else {
        return;
    };
    let Ok(re) = regex_automata::meta::Regex::new(re.as_str()) else {
        return;
    };
    for (si, sentence) in sentences.iter().enumerate() {
        let mut at = sentence.range.start;
        while at < sentence.range.end {
            let input = regex_automata::Input::new(text).range(at..sentence.range.end);
            let Some(m) = re.find(input) else {
                break;
            };
            at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            if !m.is_empty() {
                out.push(RawMatch {
                    rule: ri,
                    start: m.start(),
                    end: m.end(),
                    sentence: si,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup;
    use crate::segment;
    use crate::source::Format;

    /// The straightforward definition of claim matching that [`Matcher`] must
    /// reproduce: each rule over the whole text, restarting one character after
    /// every match start.
    pub(super) fn detect_reference(
        prose: &Prose,
        sentences: &[Sentence],
        rules: &RuleSet,
        keep_non_claims: bool,
    ) -> Vec<Claim> {
        let text = prose.text.as_str();
        let mut candidates: Vec<Claim> = Vec::new();
        let mut masks: Option<Vec<Range<usize>>> = None;
        for (ri, rule) in rules.rules.iter().enumerate() {
            let (Some(re), Some(category)) = (&rule.pattern, rule.file.category) else {
                continue;
            };
            // In each sentence, the rule searched as if the text ended with
            // the sentence, restarting one character after each match start
            // so that a shorter claim inside a longer one is still seen.
            let re = regex_automata::meta::Regex::new(re.as_str()).unwrap();
            let mut found = Vec::new();
            for (si, sentence) in sentences.iter().enumerate() {
                let mut at = sentence.range.start;
                while at < sentence.range.end {
                    let input = regex_automata::Input::new(text).range(at..sentence.range.end);
                    let Some(m) = re.find(input) else {
                        break;
                    };
                    at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                    if !m.is_empty() {
                        found.push((si, m.range()));
                    }
                }
            }
            for (si, m) in found {
                let sentence = &sentences[si];
                if candidates
                    .iter()
                    .rev()
                    .take_while(|c| c.rule == ri)
                    .any(|c| c.sentence == si && c.range.start <= m.start && m.end <= c.range.end)
                {
                    continue;
                }
                let s_text = &text[sentence.range.clone()];
                let rel = m.start - sentence.range.start..m.end - sentence.range.start;
                if let Some(ex) = &rule.exceptions {
                    if overlaps_any(ex.get(), s_text, &rel) {
                        continue;
                    }
                }
                let masks = masks.get_or_insert_with(|| {
                    let mut v: Vec<Range<usize>> = rules
                        .lexicon
                        .not_claims
                        .get()
                        .find_iter(text)
                        .map(|m| m.range())
                        .collect();
                    v.extend(title_masks(text));
                    v.extend(reference_entries(text, sentences));
                    v
                });
                if masks.iter().any(|k| k.start <= m.start && m.end <= k.end) {
                    continue;
                }
                let quoted_block =
                    prose.blocks[sentence.block].quote || prose.in_inline_quote(m.start);
                let (modality, hedged) =
                    classify(&rules.lexicon, s_text, rel.clone(), quoted_block);
                if !modality.is_claim() && !keep_non_claims {
                    continue;
                }
                // A study's follow-up time (12週後に毛髪密度が増えたと報告) says when it was
                // measured, not how fast the treatment works; only wording that stresses
                // speed (たった, 最短, すぐ) stays an onset claim in a reported sentence.
                if category == Category::Onset
                    && modality == Modality::Reported
                    && !speed_emphasis().is_match(s_text)
                {
                    continue;
                }
                candidates.push(Claim {
                    rule: ri,
                    category,
                    range: m.clone(),
                    sentence: si,
                    modality,
                    hedged,
                    scope: scope_of(&rules.lexicon, s_text),
                });
            }
        }
        if keep_non_claims {
            candidates.sort_by_key(|c| (c.range.start, c.rule));
            return candidates;
        }
        add_quoted_testimonials(prose, sentences, rules, &mut candidates);
        drop_attribution_testimonials(prose, sentences, &mut candidates);
        drop_warned_examples(prose, sentences, &mut candidates);
        // One claim per sentence and category: the most assertive wording wins,
        // then the earliest.
        candidates.sort_by_key(|c| (c.sentence, c.category, c.hedged, c.range.start));
        candidates.dedup_by(|b, a| a.sentence == b.sentence && a.category == b.category);
        share_sentence_modality(&mut candidates);
        end_at_word_ends(&prose.text, sentences, &mut candidates);
        candidates.sort_by_key(|c| (c.range.start, c.category));
        candidates
    }

    fn overlaps_any(re: &regex::Regex, hay: &str, r: &Range<usize>) -> bool {
        re.find_iter(hay)
            .any(|m| m.start() < r.end && r.start < m.end())
    }

    fn both(text: &str, format: Format, rules: &RuleSet, matcher: &Matcher) {
        let prose = markup::extract(text, format);
        let sentences = segment::split(&prose);
        for keep in [false, true] {
            let fast = detect_with(matcher, &prose, &sentences, rules, keep);
            let slow = detect_reference(&prose, &sentences, rules, keep);
            assert_eq!(fast, slow, "keep_non_claims={keep} in:\n{text}");
        }
    }

    /// The claims of a Markdown `text`, checked against the reference
    /// detector, as the words they cover.
    fn claim_texts(rules: &RuleSet, matcher: &Matcher, text: &str) -> Vec<String> {
        let prose = markup::extract(text, Format::Markdown);
        let sentences = segment::split(&prose);
        both(text, Format::Markdown, rules, matcher);
        detect_with(matcher, &prose, &sentences, rules, false)
            .iter()
            .map(|c| prose.text[c.range.clone()].to_string())
            .collect()
    }

    /// The modality of the first `claim` in sentence `s`.
    fn modality_of(rules: &RuleSet, s: &str, claim: &str) -> Modality {
        let at = s.find(claim).unwrap();
        classify(&rules.lexicon, s, at..at + claim.len(), false).0
    }

    /// Quotations listed under a heading that warns against them are
    /// examples, not the page's claims; under any other heading, or with
    /// words of the page's own around them, they stay claims.
    #[test]
    fn examples_under_a_warning_heading_are_not_claims() {
        let rules = RuleSet::builtin();
        let matcher = Matcher::new(&rules);
        let claims = |text: &str| claim_texts(&rules, &matcher, text);
        let list = "\n\n- 「確実に生える」\n- 「副作用ゼロ」\n- 『厚労省も認めた治療』。\n";
        for heading in [
            "## クリニックの宣伝で気をつけたい表現",
            "## こんな広告に注意！",
            "### ＮＧワードの例",
            "## 誇大なうたい文句に惑わされないために",
        ] {
            assert_eq!(
                claims(&format!("{heading}{list}")),
                Vec::<String>::new(),
                "{heading}"
            );
        }
        let listed = ["確実に生える", "確実に", "副作用ゼロ", "厚労省も認めた"].map(String::from);
        for heading in ["## 患者様の声", "## 当院が選ばれる理由", ""] {
            let got = claims(&format!("{heading}{list}"));
            assert!(got.ends_with(&listed), "{heading}: {got:?}");
        }
        // Not a bare quotation: the page's own words, or an attribution.
        let own = "## 気をつけたい表現\n\n- 当院なら「確実に生える」治療です\n- 「髪が増えました」（40代男性）\n";
        assert_eq!(
            claims(own),
            ["確実に生える", "確実に", "髪が増えました", "（40代男性）"],
            "{own}"
        );
        // The heading must be near: a long page does not look back to its start.
        let far = format!(
            "## 気をつけたい表現\n\n{}- 「確実に生える」\n",
            "段落です。\n\n".repeat(WARNING_HEADING_REACH + 1)
        );
        assert_eq!(claims(&far), ["確実に生える", "確実に"], "far");
    }

    /// A reference-list entry is citation material, but a short claim whose
    /// citation in brackets outweighs it in Latin letters is still a claim;
    /// wording listed in quotes before などの言葉 or みたいな表現 is mentioned.
    #[test]
    fn bracketed_citations_and_listed_wording() {
        let rules = RuleSet::builtin();
        let matcher = Matcher::new(&rules);
        let claims = |text: &str| claim_texts(&rules, &matcher, text);
        for text in [
            "発毛効果があります（Cho et al., 2018）。",
            "発毛効果があります (Cho et al., 2018)。",
            "発毛効果があります(Cho et al., 2018; Li et al., 2022)。",
        ] {
            assert_eq!(claims(text), ["発毛効果"], "{text}");
        }
        assert_eq!(
            claims("Cho BS, et al. Exosomes alleviate atopic dermatitis（アトピー性皮膚炎を軽減する）. Stem Cell Res Ther. 2018;9:187."),
            Vec::<String>::new()
        );
        for text in [
            "「臨床で証明済み」「医師も認めた」「国内初」などの言葉にも、根拠が示されていないことがあります。",
            "広告でよく見る「臨床で証明済み」とか「国内初」みたいな言葉は、疑ってかかるのが吉。",
            "「アトピーが治る」「副作用なし」といった広告を見かけます。",
            "「必ず生える」のような表現には注意しましょう。",
            "「No.1」などの表記は禁止されています。",
            "「絶対に安全」とか「必ず生える」とか言っちゃだめです。",
            "「副作用ゼロ」なんて言ってはいけません。",
            "「必ず治る」とは言えません。",
        ] {
            assert_eq!(claims(text), Vec::<String>::new(), "{text}");
        }
        // The page's own claim with a quoted word in it is still one.
        assert_eq!(claims("当院の治療は「国内初」です。"), ["国内初"]);
    }

    /// Hearsay reports what others say; すばらしい and 男らしい are no hearsay.
    #[test]
    fn hearsay_is_reported() {
        let rules = RuleSet::builtin();
        let modality = |s: &str, claim: &str| modality_of(&rules, s, claim);
        for (s, claim) in [
            ("ハゲが治るって話もあるｗ", "ハゲが治る"),
            ("友達が受けたら肌がつるつるになったらしい。", "肌がつるつる"),
            ("10歳若返るって聞いた。", "若返る"),
            ("妹いわく、かゆみが落ち着いたとのこと。", "かゆみが落ち着"),
            ("毛が生えたんだって。", "毛が生え"),
        ] {
            assert_eq!(modality(s, claim), Modality::Reported, "{s}");
        }
        for s in [
            "素晴らしい発毛効果があります。",
            "すばらしい発毛効果があります。",
        ] {
            assert_eq!(modality(s, "発毛効果"), Modality::Asserted, "{s}");
        }
    }

    /// Research that proved the point is a claim of proof; research that
    /// found or reported something is a report.
    #[test]
    fn proof_by_research_is_asserted() {
        let rules = RuleSet::builtin();
        let modality = |s: &str, claim: &str| modality_of(&rules, s, claim);
        for s in [
            "エクソソームによる発毛効果は臨床試験で証明されています。",
            "発毛効果は複数の研究により実証済みです。",
            "発毛効果は研究でも立証されています。",
        ] {
            assert_eq!(modality(s, "発毛効果"), Modality::Asserted, "{s}");
        }
        for s in [
            "発毛効果は臨床試験で確認されたと報告されています。",
            "研究では発毛効果が見られました。",
            "マウスの研究で、発毛効果が示されましたが、ヒトでは証明されていません。",
        ] {
            assert_eq!(modality(s, "発毛効果"), Modality::Reported, "{s}");
        }
    }

    /// Spans run on over their inflection and stop at the next phrase's
    /// particle, at non-kana and at the sentence's end.
    #[test]
    fn claims_end_at_the_end_of_their_word() {
        let cases = [
            ("すぐに効きます。", "すぐに効", "すぐに効きます"),
            (
                "肌が生まれ変わります",
                "肌が生まれ変わ",
                "肌が生まれ変わります",
            ),
            ("10歳若く見えます", "10歳若", "10歳若く"),
            ("効いていますね", "効", "効いています"),
            ("効果があるので安心", "効果がある", "効果がある"),
            ("効果が高い治療", "効果", "効果"),
            ("安全です", "安全", "安全"),
            ("100%の実績", "100%", "100%"),
            ("効果を保証します", "効果を保証", "効果を保証します"),
            ("実感していただけます", "実感", "実感していただけます"),
            ("髪が濃くなることは明らか", "髪が濃", "髪が濃くなる"),
            ("効いたため", "効", "効いた"),
            ("効果が続くまで", "効果が続", "効果が続く"),
            ("抜け毛が減るだけでなく", "抜け毛が減", "抜け毛が減る"),
            ("安心してご相談ください", "安心", "安心して"),
            ("安心してお過ごしください", "安心", "安心して"),
            ("生えるばかりか", "生え", "生える"),
            ("抜け毛は減ったままです", "抜け毛は減", "抜け毛は減った"),
            // The second half of a compound verb is part of the word,
            ("ツヤを引き出します", "ツヤを引き", "ツヤを引き出します"),
            ("ハリを取り戻し、", "ハリを取り", "ハリを取り戻し"),
            // but not any kanji after a stem.
            ("効き目が出る", "効き", "効き"),
            // Long polite endings run on whole, within the cap
            (
                "変化を感じていただいています。",
                "変化を感じ",
                "変化を感じていただいています",
            ),
            (
                "実感していただいております",
                "実感",
                "実感していただいております",
            ),
            // and past it, end after their last て, not mid-word.
            (
                "感じていただいていただいています",
                "感じ",
                "感じていただいていただいて",
            ),
        ];
        for (text, matched, want) in cases {
            let end = word_end(text, matched.len(), text.len());
            assert_eq!(&text[..end], want, "{text}");
        }
        // Never past the sentence.
        assert_eq!(word_end("効きます", "効".len(), "効き".len()), "効き".len());
    }

    #[test]
    fn mostly_latin_counts_what_the_definition_counts() {
        let def = |t: &str| {
            let (mut latin, mut all) = (0usize, 0usize);
            for c in t.chars().filter(|c| !c.is_whitespace()) {
                all += 1;
                if c.is_ascii_alphanumeric() || c.is_ascii_punctuation() {
                    latin += 1;
                }
            }
            all > 0 && latin * 2 >= all
        };
        let pieces = [
            "a", "1", ".", " ", "\u{b}", "\u{1}", "あ", "\u{3000}", "\u{a0}", "…", "\u{2028}",
            "漢", "\t",
        ];
        let mut x: u64 = 7;
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..(x % 9) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            x = x.wrapping_add(1);
            assert_eq!(mostly_latin(&t), def(&t), "{t:?}");
        }
    }

    /// The one-pass matcher finds exactly what the definition finds, on the
    /// annotated corpus and on documents made of every rule's examples.
    #[test]
    fn matcher_agrees_with_the_reference() {
        let rules = RuleSet::builtin();
        let matcher = Matcher::new(&rules);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for dir in ["markdown", "html", "text"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                let Some(format) = Format::from_extension(&path) else {
                    continue;
                };
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                both(&text, format, &rules, &matcher);
            }
        }
        let mut sentences: Vec<&str> = Vec::new();
        for r in &rules.rules {
            sentences.extend(r.file.tests.flags.iter().map(String::as_str));
            sentences.extend(r.file.tests.allows.iter().map(String::as_str));
        }
        // Deterministic shuffles joined into paragraphs, lines and quotes.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..8 {
            let mut doc = String::new();
            for i in 0..sentences.len() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let s = sentences[(x as usize) % sentences.len()];
                match (round + i) % 7 {
                    0 => doc.push_str("\n\n"),
                    1 => doc.push_str("\n> "),
                    2 => doc.push_str("\n- "),
                    _ => {}
                }
                doc.push_str(s);
            }
            both(&doc, Format::Markdown, &rules, &matcher);
            both(&doc, Format::Text, &rules, &matcher);
        }
    }
}
