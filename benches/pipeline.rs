//! Pipeline stages on realistic copy: `cargo bench`.
//!
//! The input is the annotated corpus (`corpus/`), every document repeated
//! until each format has about 1 MB, so the figures are per-stage costs on
//! the kind of text exolint lints, with every claim category, citations,
//! quotes and tables. Whole-process figures (start-up, threads, memory, the
//! ratio to ripgrep) come from `scripts/bench.sh`.

use divan::{black_box, Bencher};
use exolint::citations::{self, TitleIndex};
use exolint::claims::{self, Matcher};
use exolint::evidence::Topics;
use exolint::lint::{self, Linter};
use exolint::markup;
use exolint::registry::Registry;
use exolint::report::{self, json};
use exolint::rules::RuleSet;
use exolint::segment;
use exolint::source::Format;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// About 1 MB of corpus text in `format`.
fn input(format: Format) -> &'static str {
    static MD: OnceLock<String> = OnceLock::new();
    static HTML: OnceLock<String> = OnceLock::new();
    let (cell, dir, ext) = match format {
        Format::Html => (&HTML, "html", "html"),
        _ => (&MD, "markdown", "md"),
    };
    cell.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(dir);
        let mut docs: Vec<String> = std::fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == ext))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        docs.sort();
        let mut out = String::new();
        while out.len() < 1 << 20 && !docs.is_empty() {
            for d in &docs {
                out.push_str(d);
                out.push_str("\n\n");
            }
        }
        out
    })
}

fn linter() -> &'static Linter {
    static L: OnceLock<Linter> = OnceLock::new();
    L.get_or_init(Linter::builtin)
}

const FORMATS: [Format; 2] = [Format::Markdown, Format::Html];

#[divan::bench(args = FORMATS)]
fn markup(b: Bencher<'_, '_>, format: Format) {
    let text = input(format);
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| markup::extract(black_box(text), format));
}

#[divan::bench]
fn segment(b: Bencher<'_, '_>) {
    let text = input(Format::Markdown);
    let prose = markup::extract(text, Format::Markdown);
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| segment::split(black_box(&prose)));
}

#[divan::bench]
fn claims(b: Bencher<'_, '_>) {
    let text = input(Format::Markdown);
    let rules = &linter().rules;
    let matcher = Matcher::new(rules);
    let prose = markup::extract(text, Format::Markdown);
    let sentences = segment::split(&prose);
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| claims::detect_with(&matcher, black_box(&prose), &sentences, rules, false));
}

#[divan::bench]
fn citations(b: Bencher<'_, '_>) {
    let text = input(Format::Markdown);
    let registry = &linter().registry;
    let titles = TitleIndex::new(registry);
    let prose = markup::extract(text, Format::Markdown);
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| citations::extract(black_box(&prose), registry, &titles));
}

#[divan::bench]
fn topics(b: Bencher<'_, '_>) {
    let text = input(Format::Markdown);
    let registry = &linter().registry;
    let prose = markup::extract(text, Format::Markdown);
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| Topics::dominant(registry, black_box(&prose.text)));
}

/// Everything `check_str` does: markup to findings with verdicts.
#[divan::bench(args = FORMATS)]
fn check_str(b: Bencher<'_, '_>, format: Format) {
    let text = input(format);
    let linter = linter();
    b.counter(divan::counter::BytesCount::of_str(text))
        .bench(|| lint::check_str(black_box(text), format, linter));
}

/// Positions and the JSON document for the findings of 1 MB, as a run does
/// it: the findings are taken (copied outside the timing), and the
/// diagnostics dropped once written.
#[divan::bench]
fn report_json(b: Bencher<'_, '_>) {
    let text = input(Format::Markdown);
    let findings = lint::check_str(text, Format::Markdown, linter()).findings;
    b.counter(divan::counter::BytesCount::of_str(text))
        .with_inputs(|| findings.clone())
        .bench_values(|findings| {
            let diagnostics = report::into_diagnostics("bench.md", text, |o| o, findings);
            let mut out = Vec::new();
            let mut stream = json::Stream::begin(&mut out).expect("in memory");
            stream
                .diagnostics(&mut out, &diagnostics)
                .expect("in memory");
            drop(diagnostics);
            stream
                .finish(&mut out, &report::Summary::default())
                .expect("in memory");
            out
        });
}

/// Start-up: the embedded rules and registry compiled, as every run does.
#[divan::bench(sample_count = 10)]
fn startup() -> Linter {
    Linter::new(RuleSet::builtin(), Registry::builtin())
}
