//! The invariants each fuzz target asserts. Shared with the regression test
//! in `tests/robustness.rs`, which runs every input saved under
//! `fuzz/regressions/<target>/` through the same function.

#![allow(dead_code)]

use exolint::citations::{self, TitleIndex};
use exolint::decode::{self, Charset, DecodeError, Options};
use exolint::lint::{self, check_str, Linter};
use exolint::markup;
use exolint::prose::Prose;
use exolint::registry::{self, Registry};
use exolint::report::diagnostics;
use exolint::segment;
use exolint::source::Format;
use std::sync::OnceLock;

fn linter() -> &'static Linter {
    static L: OnceLock<Linter> = OnceLock::new();
    L.get_or_init(Linter::builtin)
}

/// The first byte picks the format, the rest is the document (lossily
/// decoded, so that no execution is spent on invalid UTF-8).
pub(crate) fn split_format(data: &[u8]) -> (Format, String) {
    let (first, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let format = match first % 3 {
        0 => Format::Markdown,
        1 => Format::Html,
        _ => Format::Text,
    };
    (format, String::from_utf8_lossy(rest).into_owned())
}

fn slices(text: &str, r: &std::ops::Range<usize>, what: &str) {
    assert!(r.start <= r.end, "{what}: reversed range {r:?}");
    assert!(
        text.get(r.clone()).is_some(),
        "{what}: {r:?} out of bounds or off a char boundary (len {})",
        text.len()
    );
}

/// Markup → prose: the offset map holds, every range slices its text.
pub(crate) fn prose(text: &str, format: Format) -> Prose {
    let prose = markup::extract(text, format);
    if let Err(e) = prose.check_invariants(text) {
        panic!("prose invariants: {e}");
    }
    for b in &prose.blocks {
        slices(&prose.text, &b.range, "block");
        slices(text, &prose.source_range(b.range.clone()), "block source");
    }
    for l in &prose.links {
        slices(&prose.text, &l.text, "link text");
        slices(text, &l.url_source, "link url");
    }
    for d in &prose.directives {
        slices(text, &d.source, "directive");
    }
    for q in &prose.quotes {
        slices(&prose.text, q, "quote");
    }
    // The map is monotonic: later prose never maps before earlier prose.
    let mut last = 0;
    for (i, _) in prose.text.char_indices() {
        let s = prose.source_range(i..i);
        assert!(s.start >= last, "source map goes backwards at prose {i}");
        last = s.start;
    }
    prose
}

/// Sentences are ordered, disjoint, inside their block, and slice the prose.
pub(crate) fn sentences(text: &str, format: Format) {
    let prose = prose(text, format);
    let mut end = 0;
    for s in segment::split(&prose) {
        assert!(s.range.start >= end, "sentences overlap");
        slices(&prose.text, &s.range, "sentence");
        let block = prose.blocks.get(s.block).expect("sentence block");
        assert!(
            block.range.start <= s.range.start && s.range.end <= block.range.end,
            "sentence outside its block"
        );
        slices(
            text,
            &prose.source_range(s.range.clone()),
            "sentence source",
        );
        end = s.range.end;
    }
}

/// The whole pipeline: every finding's spans slice the source, and its
/// line/column positions agree with the span.
pub(crate) fn lint(text: &str, format: Format) {
    let a = check_str(text, format, linter());
    for f in &a.findings {
        slices(text, &f.span, "finding");
        slices(text, &f.sentence, "finding sentence");
        assert!(f.span.start < f.span.end, "empty finding span");
        assert!(
            f.sentence.start <= f.span.start && f.span.end <= f.sentence.end,
            "finding outside its sentence"
        );
        for c in &f.citations {
            slices(text, &c.span, "finding citation");
        }
    }
    for d in diagnostics("fuzz", text, |o| o, &a.findings) {
        let before = &text[..d.span.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        assert_eq!((d.start.line, d.start.column), (line, column));
        assert_eq!(d.text, &text[d.span.clone()]);
    }
    sections(text, format);
}

/// The same document cut into tiny sections (as the command line cuts a
/// large file): the sections tile the text on char boundaries and every
/// finding lies in its own section.
fn sections(text: &str, format: Format) {
    let parts = lint::sections(text, format, 48);
    let mut at = 0;
    for r in &parts {
        assert_eq!(r.start, at, "sections do not tile the text");
        slices(text, r, "section");
        at = r.end;
    }
    assert_eq!(at, text.len(), "sections stop short");
    let doc = lint::document(text, format, linter(), &parts);
    let mut before = None;
    for r in &parts {
        let a = lint::check_section(text, format, linter(), r, &doc, &mut before);
        for f in &a.findings {
            slices(text, &f.span, "section finding");
            assert!(
                r.start <= f.span.start && f.span.end <= r.end,
                "finding {:?} outside its section {r:?}",
                f.span
            );
            for c in &f.citations {
                slices(text, &c.span, "section finding citation");
            }
        }
    }
}

/// Citation extraction against the built-in registry.
pub(crate) fn citations(text: &str, format: Format) {
    static T: OnceLock<TitleIndex> = OnceLock::new();
    let registry = &linter().registry;
    let titles = T.get_or_init(|| TitleIndex::new(registry));
    let prose = markup::extract(text, format);
    for c in citations::extract(&prose, registry, titles) {
        slices(&prose.text, &c.range, "citation");
        slices(
            text,
            &prose.source_range(c.range.clone()),
            "citation source",
        );
        if let Some(s) = &c.source {
            slices(text, s, "citation url");
        }
    }
}

/// The registry loader: hostile YAML is an error at a range of the file,
/// never a panic; rendering the errors never panics either. The first byte
/// picks entries or vocabulary, on an empty or the built-in vocabulary.
pub(crate) fn registry(data: &[u8]) {
    let (first, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let text = String::from_utf8_lossy(rest);
    let name = if first & 1 == 0 {
        "fuzz.yaml"
    } else {
        "_vocabulary.yaml"
    };
    let mut r = if first & 2 == 0 {
        Registry::empty()
    } else {
        Registry::with_builtin_vocabulary()
    };
    let mut errors = r.load_str(name, &text).err().unwrap_or_default();
    errors.extend(r.check());
    for e in &errors {
        if e.origin == name {
            slices(&text, &e.range, "registry error");
            assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        }
    }
    let _ = registry::render_errors(&r, &errors);
    let _ = registry::render_list(&r);
}

/// Decoding: offsets map into the original bytes, monotonically, and each
/// decoded character's original bytes decode to it.
pub(crate) fn decode(data: &[u8]) {
    // The first byte picks the `--encoding` option (or none, with sniffing).
    let (first, data) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let charsets = [
        None,
        Some(Charset::Utf8),
        Some(Charset::Utf16Le),
        Some(Charset::Utf16Be),
        Some(Charset::ShiftJis),
        Some(Charset::EucJp),
    ];
    {
        let options = Options {
            charset: charsets[usize::from(first) % charsets.len()],
            sniff_meta: first < 128,
        };
        match decode::decode_with(data.to_vec(), options) {
            Ok(d) => {
                assert_eq!(d.original(0), d.offset);
                assert_eq!(d.original(d.text.len()), data.len());
                let encoding = match d.charset {
                    Charset::Utf8 => encoding_rs::UTF_8,
                    Charset::Utf16Le => encoding_rs::UTF_16LE,
                    Charset::Utf16Be => encoding_rs::UTF_16BE,
                    Charset::ShiftJis => encoding_rs::SHIFT_JIS,
                    Charset::EucJp => encoding_rs::EUC_JP,
                };
                let mut prev = d.offset;
                for (at, c) in d.text.char_indices() {
                    let start = d.original(at);
                    let end = d.original(at + c.len_utf8());
                    assert_eq!(start, prev, "gap before {c:?}");
                    assert!(start < end && end <= data.len());
                    let (s, bad) = encoding.decode_without_bom_handling(&data[start..end]);
                    assert!(!bad && s.chars().eq(std::iter::once(c)), "{c:?} ≠ {s:?}");
                    prev = end;
                }
            }
            Err(DecodeError::Invalid { offset, .. }) => assert!(offset <= data.len()),
            Err(_) => {}
        }
    }
}
