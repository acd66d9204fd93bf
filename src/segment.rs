//! Prose → sentences. A sentence ends at 。！？!? (with any closing marks
//! that follow), at a line separator, and at the end of its block. A 。 inside
//! 「」『』（）【】 does not end a sentence: quoted speech and parenthetical notes
//! are part of the sentence that carries them.

use crate::prose::Prose;
use std::ops::Range;

/// A sentence: a range of prose within one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub range: Range<usize>,
    /// Index into `Prose::blocks`.
    pub block: usize,
}

fn opens(c: char) -> bool {
    matches!(
        c,
        '「' | '『' | '（' | '(' | '【' | '〔' | '［' | '《' | '〈' | '“'
    )
}

fn closes(c: char) -> bool {
    matches!(
        c,
        '」' | '』' | '）' | ')' | '】' | '〕' | '］' | '》' | '〉' | '”'
    )
}

fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '｡')
}

/// Marks that stay with the sentence they follow (「…です。」 or 「！？」).
fn trails(c: char) -> bool {
    is_terminal(c) || closes(c) || matches!(c, '♪' | '☆' | '★' | '…' | '‼' | '⁉')
}

/// Splits every block of `prose` into sentences, in prose order.
pub fn split(prose: &Prose) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (bi, block) in prose.blocks.iter().enumerate() {
        let Some(text) = prose.text.get(block.range.clone()) else {
            continue;
        };
        split_block(text, block.range.start, bi, &mut out);
    }
    out
}

fn split_block(text: &str, base: usize, block: usize, out: &mut Vec<Sentence>) {
    let mut start = 0;
    let mut depth = 0usize;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end = if c == '\n' {
            depth = 0;
            Some((i, i + 1))
        } else if opens(c) {
            depth += 1;
            None
        } else if closes(c) {
            depth = depth.saturating_sub(1);
            // 「…！」 standing alone ends a sentence; 「…！」と話す continues it.
            let after_terminal = text[..i].ends_with(is_terminal);
            let continues = iter
                .peek()
                .is_none_or(|&(_, n)| is_hiragana(n) || closes(n));
            (depth == 0 && after_terminal && !continues)
                .then_some((i + c.len_utf8(), i + c.len_utf8()))
        } else if is_terminal(c) && depth == 0 && !is_ascii_mid_token(c, iter.peek()) {
            let mut e = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if !trails(d) {
                    break;
                }
                if closes(d) {
                    depth = depth.saturating_sub(1);
                }
                e = j + d.len_utf8();
                iter.next();
            }
            Some((e, e))
        } else {
            None
        };
        if let Some((e, next)) = end {
            push(text, base, start..e, block, out);
            start = next;
        }
    }
    push(text, base, start..text.len(), block, out);
}

pub(crate) fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

/// `?` and `!` inside a URL or an identifier (`?a=1`, `Yahoo!JAPAN`) do not end a sentence.
fn is_ascii_mid_token(c: char, next: Option<&(usize, char)>) -> bool {
    matches!(c, '?' | '!')
        && next.is_some_and(|&(_, n)| n.is_ascii_alphanumeric() || matches!(n, '=' | '&' | '/'))
}

fn push(text: &str, base: usize, r: Range<usize>, block: usize, out: &mut Vec<Sentence>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(Sentence {
            range: base + r.start + lead..base + r.end - trail,
            block,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::text;

    fn sentences(src: &str) -> Vec<String> {
        let p = text::extract(src);
        split(&p)
            .iter()
            .map(|s| p.text[s.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn splits_on_japanese_and_ascii_terminals() {
        assert_eq!(
            sentences("効果があります。安全です！本当？ Yes! OK"),
            vec!["効果があります。", "安全です！", "本当？", "Yes!", "OK"]
        );
    }

    #[test]
    fn full_stop_inside_brackets_does_not_split() {
        assert_eq!(
            sentences("患者様は「髪が増えた。嬉しい。」と話します。次です。"),
            vec!["患者様は「髪が増えた。嬉しい。」と話します。", "次です。"]
        );
        assert_eq!(
            sentences("効果（個人差あり。）があります。"),
            vec!["効果（個人差あり。）があります。"]
        );
    }

    #[test]
    fn closing_marks_stay_with_their_sentence() {
        assert_eq!(
            sentences("「必ず生えます！」次。"),
            vec!["「必ず生えます！」", "次。"]
        );
        assert_eq!(sentences("すごい！！？まだ"), vec!["すごい！！？", "まだ"]);
    }

    #[test]
    fn urls_keep_their_question_marks() {
        assert_eq!(
            sentences("詳しくは https://x.jp/?id=1 を参照。"),
            vec!["詳しくは https://x.jp/?id=1 を参照。"]
        );
    }

    #[test]
    fn unbalanced_bracket_resets_at_line_end() {
        assert_eq!(
            sentences("「開いたまま。\n次の行。"),
            vec!["「開いたまま。", "次の行。"]
        );
    }
}
