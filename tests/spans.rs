//! Property tests: for the corpus and for random edits of it, every span is
//! in bounds, on char boundaries, slices the text it reports, and agrees with
//! its line/column; the prose offset map keeps its invariants.

use exolint::lint::{check_str, Linter};
use exolint::markup;
use exolint::report::diagnostics;
use exolint::source::Format;
use proptest::prelude::*;
use std::sync::OnceLock;

fn linter() -> &'static Linter {
    static R: OnceLock<Linter> = OnceLock::new();
    R.get_or_init(Linter::builtin)
}

fn corpus() -> &'static Vec<(String, Format)> {
    static C: OnceLock<Vec<(String, Format)>> = OnceLock::new();
    C.get_or_init(|| {
        let mut docs = Vec::new();
        for dir in ["corpus/markdown", "corpus/html", "corpus/text"] {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| Format::from_extension(p).is_some())
                .collect();
            paths.sort();
            for p in paths {
                docs.push((
                    std::fs::read_to_string(&p).unwrap(),
                    Format::from_extension(&p).unwrap(),
                ));
            }
        }
        docs
    })
}

/// Checks every invariant a report relies on; returns the number of findings.
fn check_document(text: &str, format: Format) -> usize {
    let prose = markup::extract(text, format);
    prose.check_invariants(text).unwrap();
    // The offset map is monotonic: later prose never maps to earlier source.
    let mut last = 0;
    for (i, _) in prose.text.char_indices() {
        let at = prose.source_range(i..i).start;
        assert!(at >= last, "offset map goes backwards at prose {i}");
        assert!(text.is_char_boundary(at));
        last = at;
    }
    let a = check_str(text, format, linter());
    for f in &a.findings {
        assert!(f.span.start < f.span.end, "empty span");
        let slice = text.get(f.span.clone()).expect("span on char boundaries");
        assert!(text.get(f.sentence.clone()).is_some());
        assert!(f.sentence.start <= f.span.start && f.span.end <= f.sentence.end);
        assert!(!slice.trim().is_empty());
    }
    for l in diagnostics("x", text, |o| o, &a.findings) {
        let before = &text[..l.span.start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        assert_eq!((l.start.line, l.start.column), (line, col));
        let before = &text[..l.span.end];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        assert_eq!((l.end.line, l.end.column), (line, col));
        assert_eq!(l.text, &text[l.span.clone()]);
    }
    a.findings.len()
}

#[test]
fn corpus_spans_slice_the_source_and_agree_with_positions() {
    let total: usize = corpus().iter().map(|(t, f)| check_document(t, *f)).sum();
    assert!(total > 100);
}

/// Edits that tend to break markup: markers, tags, entities, multi-byte text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<".to_string()),
        Just(">".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("```\n".to_string()),
        Just("\n> ".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("<strong>".to_string()),
        Just("</p>".to_string()),
        Just("[^1]".to_string()),
        Just("\n- ".to_string()),
        Just("|".to_string()),
        Just("「".to_string()),
        Just("」".to_string()),
        Just("。".to_string()),
        Just("𠮷".to_string()),
        Just("\r\n".to_string()),
        Just("必ず".to_string()),
        "[a-z<>&;/ ]{0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn edited_corpus_documents_keep_every_invariant(
        doc in 0usize..64,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, fragment()), 1..6),
    ) {
        let (text, format) = &corpus()[doc % corpus().len()];
        let mut text = text.clone();
        for (at, kind, frag) in edits {
            let mut pos = at.index(text.len() + 1);
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            match kind {
                0 => text.insert_str(pos, &frag),
                1 => {
                    let mut end = (pos + frag.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(pos..end, "");
                }
                _ => text.truncate(pos),
            }
        }
        check_document(&text, *format);
    }
}

/// Documents made from scratch: markup fragments, ASCII and Japanese runs.
fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            fragment(),
            "[ -~]{0,4}",
            "[ぁ-んァ-ン一-龠。、！？「」（）]{0,4}",
            Just("効果があります".to_string()),
            Just("安全です".to_string()),
            Just("（Choら, 2018）".to_string()),
            Just("PMID: 29996938".to_string()),
            Just("<a href=\"https://doi.org/10.1186/s13287-018-0939-5\">".to_string()),
        ],
        0..48,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_markdown_keeps_every_invariant(text in soup()) {
        check_document(&text, Format::Markdown);
    }

    #[test]
    fn arbitrary_html_keeps_every_invariant(text in soup()) {
        check_document(&text, Format::Html);
    }

    #[test]
    fn arbitrary_text_keeps_every_invariant(text in soup()) {
        check_document(&text, Format::Text);
    }

    #[test]
    fn any_string_keeps_every_invariant(text in any::<String>(), format in 0usize..3) {
        let format = [Format::Markdown, Format::Html, Format::Text][format];
        check_document(&text, format);
    }
}
