//! Markdown (CommonMark + GFM) to prose, through pulldown-cmark's offset
//! iterator so every piece of text is tied to its source bytes.
//!
//! Code, front matter and link destinations are skipped, and image text
//! unless it holds Japanese; HTML
//! blocks go through the HTML extractor; comments may carry directives.

use crate::markup::html;
use crate::prose::{directive_body, BlockKind, Prose, ProseBuilder};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_GFM
}

/// Extracts prose from a Markdown document.
pub fn extract(src: &str) -> Prose {
    let mut b = ProseBuilder::new();
    // Depth of constructs whose text is not prose (code blocks, images, front matter).
    let mut skip = 0usize;
    let mut footnote: Option<String> = None;
    let mut links: Vec<(usize, String, Range<usize>)> = Vec::new();
    let mut html_block: Option<Range<usize>> = None;
    // Container blocks (items, cells) whose own text would otherwise lose its block.
    let mut containers: Vec<BlockKind> = Vec::new();
    // The image whose alternative text is being read.
    let mut image: Option<AltText> = None;

    for (event, range) in Parser::new_ext(src, options()).into_offset_iter() {
        if let Some(h) = html_block.as_mut() {
            match event {
                Event::End(TagEnd::HtmlBlock) => {
                    let r = html_block.take().unwrap_or(0..0);
                    if let Some(slice) = src.get(r.clone()) {
                        b.append(html::extract(slice), r.start);
                    }
                }
                _ => {
                    h.start = h.start.min(range.start);
                    h.end = h.end.max(range.end);
                }
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                // An image's alternative text is prose when it holds Japanese
                // (see `markup::alt_is_prose`); an image inside it is not.
                Tag::Image { .. } if skip == 0 && image.is_none() => {
                    image = Some(AltText {
                        resume: b.open_kind(),
                        started: false,
                    });
                }
                Tag::CodeBlock(_) | Tag::Image { .. } | Tag::MetadataBlock(_) => skip += 1,
                _ if skip > 0 => {}
                Tag::Paragraph => match &footnote {
                    Some(label) => {
                        b.start_block_labeled(BlockKind::Footnote, range.start, Some(label.clone()))
                    }
                    None => {
                        let kind = match containers.last() {
                            Some(BlockKind::TableCell) => BlockKind::TableCell,
                            _ => BlockKind::Paragraph,
                        };
                        b.start_block(kind, range.start)
                    }
                },
                Tag::Heading { .. } => b.start_block(BlockKind::Heading, range.start),
                Tag::Item | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                    containers.push(BlockKind::ListItem);
                    b.start_block(BlockKind::ListItem, range.start);
                }
                Tag::TableCell => {
                    containers.push(BlockKind::TableCell);
                    b.start_block(BlockKind::TableCell, range.start);
                }
                Tag::BlockQuote(_) => {
                    b.end_block(range.start);
                    b.quote_depth += 1;
                }
                Tag::FootnoteDefinition(label) => {
                    footnote = Some(label.to_string());
                    b.start_block_labeled(
                        BlockKind::Footnote,
                        range.start,
                        Some(label.to_string()),
                    );
                }
                Tag::HtmlBlock => {
                    b.end_block(range.start);
                    html_block = Some(range.start..range.start);
                }
                Tag::Link { dest_url, .. } => {
                    let url = dest_url.to_string();
                    let url_source = locate_destination(src, &range, &url);
                    links.push((b.len(), url, url_source));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Image if skip == 0 && image.is_some() => {
                    if let Some(AltText {
                        resume,
                        started: true,
                    }) = image.take()
                    {
                        b.end_block(range.end);
                        if let Some((kind, label)) = resume {
                            // The rest of the interrupted paragraph.
                            b.continue_group = true;
                            b.start_block_labeled(kind, range.end, label);
                        }
                    }
                }
                TagEnd::CodeBlock | TagEnd::Image | TagEnd::MetadataBlock(_) => {
                    skip = skip.saturating_sub(1)
                }
                _ if skip > 0 => {}
                TagEnd::Paragraph | TagEnd::Heading(_) => {
                    b.end_block(range.end);
                    // Text after a nested paragraph still belongs to the item or cell.
                    if let Some(&kind) = containers.last() {
                        b.start_block_labeled(kind, range.end, footnote.clone());
                    }
                }
                TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition => {
                    containers.pop();
                    b.end_block(range.end);
                }
                TagEnd::BlockQuote(_) => {
                    b.end_block(range.end);
                    b.quote_depth = b.quote_depth.saturating_sub(1);
                }
                TagEnd::FootnoteDefinition => {
                    footnote = None;
                    b.end_block(range.end);
                }
                TagEnd::Link => {
                    if let Some((start, url, url_source)) = links.pop() {
                        // A banner's alt text ends its own block inside the link.
                        let end = start.max(b.text().trim_end_matches(['\n', ' ']).len());
                        b.add_link(start..end, url, url_source);
                    }
                }
                _ => {}
            },
            _ if skip > 0 => {}
            Event::Text(text) if image.is_some() => {
                let Some(AltText { resume, started }) = image.as_mut() else {
                    continue;
                };
                if !*started {
                    if !super::alt_is_prose(&text) {
                        continue;
                    }
                    let kind = (resume.as_ref().map(|r| r.0))
                        .or_else(|| containers.last().copied())
                        .unwrap_or(BlockKind::Paragraph);
                    b.continue_group = resume.is_some();
                    b.start_block(kind, range.start);
                    *started = true;
                }
                push_text(&mut b, src, range, &text);
            }
            // Inside alternative text only words count (no notes, breaks or
            // comments of the page around it).
            _ if image.is_some() => {}
            Event::Text(text) => {
                ensure_block(&mut b, &containers, range.start);
                push_text(&mut b, src, range, &text);
            }
            Event::FootnoteReference(_) => {
                // Keep the marker so citations can resolve it to its definition.
                if let Some(s) = src.get(range.clone()) {
                    ensure_block(&mut b, &containers, range.start);
                    b.push_copy(range.start, s);
                }
            }
            Event::SoftBreak => {
                // Japanese has no spaces between words: a wrapped line joins
                // directly, while Latin words keep a space between them. A
                // line that ends with a closing bracket before one that does
                // not go on in hiragana is a unit of its own (a quote and
                // its attribution, then the next quote): joined, two
                // testimonials would be one sentence and one finding.
                if b.text().ends_with(|c: char| c.is_ascii_alphanumeric()) {
                    b.push_space(range);
                } else if b.text().ends_with(['」', '』', '）', ')'])
                    && !src[range.end..]
                        .trim_start_matches([' ', '\t', '>'])
                        .starts_with(|c: char| crate::segment::is_hiragana(c) || c == '\n')
                {
                    b.separator(range.start);
                }
            }
            Event::HardBreak => b.separator(range.start),
            Event::Html(html) | Event::InlineHtml(html) => {
                if let Some(body) = html
                    .strip_prefix("<!--")
                    .and_then(|rest| directive_body(rest.trim_end().trim_end_matches("-->")))
                {
                    b.add_directive(body, range);
                } else if is_break_tag(&html) {
                    b.separator(range.start);
                } else if is_img_tag(&html) {
                    // Raw <img> inside a paragraph: its alt text is read as
                    // the HTML extractor reads it, then the paragraph goes on.
                    let alt = src.get(range.clone()).map(html::extract);
                    if let Some(alt) = alt.filter(|p| !p.blocks.is_empty()) {
                        let resume = b.open_kind();
                        b.append(alt, range.start);
                        if let Some((kind, label)) = resume {
                            b.start_block_labeled(kind, range.end, label);
                        }
                    }
                }
            }
            Event::Rule => b.end_block(range.start),
            Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::TaskListMarker(_) => {}
        }
    }
    b.finish(src.len())
}

/// Writes a text event: copied when it is its source verbatim, else as a
/// replacement of its source (entities, escapes).
fn push_text(b: &mut ProseBuilder, src: &str, range: Range<usize>, text: &str) {
    match src.get(range.clone()) {
        Some(s) if s == text => b.push_copy(range.start, s),
        _ => b.push_replace(range, text),
    }
}

/// An image whose alternative text is being read.
struct AltText {
    /// The block the image interrupts, resumed after it.
    resume: Option<(BlockKind, Option<String>)>,
    /// Whether the alt text's own block has begun (at its first Japanese).
    started: bool,
}

/// Text directly inside an item or cell (tight lists) needs an open block.
fn ensure_block(b: &mut ProseBuilder, containers: &[BlockKind], pos: usize) {
    if !b.in_block() {
        b.start_block(
            containers.last().copied().unwrap_or(BlockKind::Paragraph),
            pos,
        );
    }
}

fn is_img_tag(html: &str) -> bool {
    html.get(..4)
        .is_some_and(|t| t.eq_ignore_ascii_case("<img"))
        && html[4..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
}

fn is_break_tag(html: &str) -> bool {
    let t = html.trim().to_ascii_lowercase();
    t.starts_with("<br") || t.starts_with("<hr")
}

/// Where an inline link's destination sits inside the link's own source
/// (`[text](url)`); a reference link's destination lives elsewhere, so the
/// whole link stands for it.
fn locate_destination(src: &str, link: &Range<usize>, url: &str) -> Range<usize> {
    let Some(s) = src.get(link.clone()) else {
        return link.clone();
    };
    match s.rfind("](") {
        Some(i) if !url.is_empty() => match s[i..].find(url) {
            Some(j) => link.start + i + j..link.start + i + j + url.len(),
            None => link.clone(),
        },
        _ => link.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(src: &str) -> Prose {
        let p = extract(src);
        p.check_invariants(src).unwrap();
        p
    }

    #[test]
    fn skips_code_front_matter_and_link_destinations() {
        let src = "---\ntitle: 必ず治る\n---\n\n# 見出し\n\n本文は`必ず`です。[論文](https://example.org/x)参照。\n\n```\n絶対安全\n```\n";
        let p = prose(src);
        assert_eq!(p.text, "見出し\n本文はです。論文参照。\n");
        assert_eq!(p.links.len(), 1);
        assert_eq!(&src[p.links[0].url_source.clone()], "https://example.org/x");
        assert_eq!(p.blocks[0].kind, BlockKind::Heading);
    }

    #[test]
    fn images_speak_through_their_alt_text() {
        let src = "# 見出し![ロゴ](l.png)\n\n本文![たった1回で*毛穴*が消える ![x](y.png)](a.png)です。\n\n![banner](b.png)\n\n- ![チェック](c.png)痛みが少ない\n\n[![必ず生える](d.png)](https://example.jp)\n\n```\n![コード](z.png)\n```\n";
        let p = prose(src);
        let blocks: Vec<_> = p.blocks.iter().map(|b| &p.text[b.range.clone()]).collect();
        assert_eq!(
            blocks,
            [
                "見出し",
                "ロゴ",
                "本文",
                "たった1回で毛穴が消える",
                "です。",
                "チェック",
                "痛みが少ない",
                "必ず生える"
            ]
        );
        let kinds: Vec<_> = p.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(kinds[..2], [BlockKind::Heading, BlockKind::Heading]);
        assert_eq!(kinds[5..7], [BlockKind::ListItem, BlockKind::ListItem]);
        assert_eq!(p.blocks[2].group, p.blocks[4].group);
        let r = p.text.find("たった").unwrap()..p.text.find("が消").unwrap();
        assert_eq!(&src[p.source_range(r)], "たった1回で*毛穴");
        // A linked banner's words are the link's text.
        assert_eq!(&p.text[p.links[0].text.clone()], "必ず生える");
        // A raw <img> in a paragraph is read too, entities and all.
        let src = "本文<img src=\"a.png\" alt=\"副作用&amp;痛みゼロ\">です。<imgx alt=\"無視\">\n";
        let p = prose(src);
        let blocks: Vec<_> = p.blocks.iter().map(|b| &p.text[b.range.clone()]).collect();
        assert_eq!(blocks, ["本文", "副作用&痛みゼロ", "です。"]);
        let r = p.text.find('副').unwrap()..p.text.find('痛').unwrap();
        assert_eq!(&src[p.source_range(r)], "副作用&amp;");
    }

    #[test]
    fn soft_breaks_join_japanese_lines() {
        let src = "発毛\n効果が得られます。\n";
        let p = prose(src);
        assert_eq!(p.text, "発毛効果が得られます。\n");
        let r = 0..p.text.find('。').unwrap();
        assert_eq!(&src[p.source_range(r)], "発毛\n効果が得られます");
    }

    #[test]
    fn lines_after_a_closing_bracket_stay_apart() {
        let src = "「1回でくすみが取れた」（30代女性）\n「ニキビ跡が目立たなくなった」（20代女性）\n9割の方が満足と回答しています。\n\n「髪が増えた」\nと話す方もいます。\n";
        let p = prose(src);
        let lines: Vec<&str> = p.text.lines().collect();
        assert_eq!(
            lines,
            [
                "「1回でくすみが取れた」（30代女性）",
                "「ニキビ跡が目立たなくなった」（20代女性）",
                "9割の方が満足と回答しています。",
                "「髪が増えた」と話す方もいます。",
            ]
        );
        let r = 0..p.text.find('（').unwrap();
        assert_eq!(&src[p.source_range(r)], "「1回でくすみが取れた」");
    }

    #[test]
    fn blockquotes_lists_tables_and_footnotes() {
        let src = "> 髪が増えました。\n\n- 安全です\n- 安心です\n\n| a | b |\n|---|---|\n| 最安 | 日本一 |\n\n本文[^1]。\n\n[^1]: Cho et al., 2018\n";
        let p = prose(src);
        assert!(p.blocks[0].quote);
        let kinds: Vec<_> = p.blocks.iter().map(|b| b.kind).collect();
        assert!(kinds.contains(&BlockKind::ListItem));
        assert!(kinds.contains(&BlockKind::TableCell));
        let foot = p
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Footnote)
            .unwrap();
        assert_eq!(foot.label.as_deref(), Some("1"));
        assert_eq!(&p.text[foot.range.clone()], "Cho et al., 2018");
        assert!(p.text.contains("本文[^1]。"));
        assert!(!p.blocks[1].quote);
    }

    #[test]
    fn entities_and_escapes_map_to_their_source() {
        let src = "A&amp;B \\*安全\\*\n";
        let p = prose(src);
        assert_eq!(p.text, "A&B *安全*\n");
        let amp = p.text.find('&').unwrap();
        assert_eq!(&src[p.source_range(amp..amp + 1)], "&amp;");
    }

    #[test]
    fn comments_carry_directives() {
        let src = "<!-- exolint-disable-next-line EXL101 -- 理由 -->\n必ず治る。\n";
        let p = prose(src);
        assert_eq!(p.directives.len(), 1);
        assert_eq!(p.directives[0].body, "disable-next-line EXL101 -- 理由");
        assert!(p.text.contains("必ず治る。"));
    }
}
