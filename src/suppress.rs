//! Inline suppressions: `exolint-…` comments in Markdown and HTML.
//!
//! `disable-next-line [SEL …] [-- reason]` silences the line after the
//! comment, `disable [SEL …]` … `enable [SEL …]` a range, `disable-file
//! [SEL …]` the whole file; without selectors every claim is silenced. A
//! selector is anything `.exolint.yaml` accepts (code, prefix, name,
//! category). Findings silenced here are dropped; what the comments got
//! wrong becomes findings of its own, at the comment: `EXL930` (silences
//! nothing, like ruff's unused `noqa`), `EXL931` (no reason, with
//! `--require-reason`) and `EXL932` (not understood). Plain text has no
//! comments, so suppressions work in Markdown and HTML only.

use crate::config::Selector;
use crate::lint::{Finding, Verdict};
use crate::prose::Directive;
use crate::rules::{Category, RuleSet, Severity};
use std::ops::Range;

/// A suppression that silenced nothing.
pub const UNUSED: &str = "EXL930";
/// A suppression without `-- reason` under `--require-reason`.
pub const NO_REASON: &str = "EXL931";
/// A directive that could not be understood (unknown kind or selector, an
/// `enable` with no open `disable`).
pub const INVALID: &str = "EXL932";

/// The directive kinds, as written after `exolint-`.
const KINDS: [&str; 4] = ["disable-next-line", "disable", "enable", "disable-file"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NextLine,
    Disable,
    Enable,
    File,
}

/// One selector of a suppression (or the implicit "everything"), with the
/// source bytes it covers and whether it silenced anything.
#[derive(Debug, Clone)]
struct Entry {
    text: String,
    /// `None`: every claim.
    selector: Option<Selector>,
    covers: Range<usize>,
    /// Open `disable` ranges still wait for their `enable`.
    open: bool,
    used: bool,
}

#[derive(Debug, Clone)]
struct Suppression {
    comment: Range<usize>,
    body: String,
    entries: Vec<Entry>,
    reason: Option<String>,
}

/// A directive split into its kind word, selectors and reason.
struct Parts<'a> {
    kind: &'a str,
    selectors: Vec<&'a str>,
    reason: Option<&'a str>,
}

/// `disable-next-line EXL101, EXL106 -- 理由` → kind, selectors, reason. The
/// reason starts at the first `--` that begins a word.
fn split(body: &str) -> Parts<'_> {
    let bytes = body.as_bytes();
    let dash = (0..bytes.len().saturating_sub(1)).find(|&i| {
        bytes[i] == b'-' && bytes[i + 1] == b'-' && (i == 0 || bytes[i - 1].is_ascii_whitespace())
    });
    let (head, reason) = match dash {
        Some(i) => (
            &body[..i],
            Some(body[i + 2..].trim()).filter(|r| !r.is_empty()),
        ),
        None => (body, None),
    };
    let mut words = head
        .split(|c: char| c.is_whitespace() || c == ',' || c == '、')
        .filter(|w| !w.is_empty());
    Parts {
        kind: words.next().unwrap_or(""),
        selectors: words.collect(),
        reason,
    }
}

/// Applies the suppressions in `directives` (of a document whose source is
/// `text`) to `findings`: returns the findings left, followed by the
/// findings about the comments themselves.
pub fn apply(
    text: &str,
    directives: &[Directive],
    findings: Vec<Finding>,
    rules: &RuleSet,
    require_reason: bool,
) -> Vec<Finding> {
    if directives.is_empty() {
        return findings;
    }
    let mut s = Suppressor::new(text, directives, rules, require_reason);
    let mut kept = s.filter(findings);
    kept.extend(s.finish());
    kept
}

/// The suppressions of one document, applied to its findings in as many
/// batches as it is linted in (see [`crate::lint::check_section`]); which
/// comments went unused is known only at the end.
pub struct Suppressor<'r> {
    rules: &'r RuleSet,
    require_reason: bool,
    suppressions: Vec<Suppression>,
    /// Findings about the comments found while reading them.
    problems: Vec<Finding>,
}

impl<'r> Suppressor<'r> {
    /// Reads the `directives` of a document whose source is `text`.
    pub fn new(
        text: &str,
        directives: &[Directive],
        rules: &'r RuleSet,
        require_reason: bool,
    ) -> Suppressor<'r> {
        let mut problems = Vec::new();
        let mut suppressions: Vec<Suppression> = Vec::new();
        for d in directives {
            let parts = split(&d.body);
            let kind = match parts.kind {
                "disable-next-line" => Kind::NextLine,
                "disable" => Kind::Disable,
                "enable" => Kind::Enable,
                "disable-file" => Kind::File,
                other => {
                    problems.push(directive_finding(
                        INVALID,
                        d,
                        Category::Evidence,
                        format!(
                            "`exolint-{other}` は不明な指示です。使えるのは {} です",
                            KINDS.map(|k| format!("exolint-{k}")).join("、")
                        ),
                    ));
                    continue;
                }
            };
            let mut selectors = Vec::new();
            let mut bad = false;
            for s in &parts.selectors {
                match Selector::parse(s, rules) {
                    Ok(sel) => selectors.push(((*s).to_string(), Some(sel))),
                    Err(m) => {
                        bad = true;
                        problems.push(directive_finding(INVALID, d, Category::Evidence, m));
                    }
                }
            }
            // Only bad selectors: the comment silences nothing rather than
            // everything, and the bad selectors were reported above.
            if bad && selectors.is_empty() {
                continue;
            }
            if parts.selectors.is_empty() {
                selectors.push((String::new(), None));
            }
            if kind == Kind::Enable {
                let mut closed = false;
                for e in suppressions
                    .iter_mut()
                    .flat_map(|s| s.entries.iter_mut())
                    .filter(|e| e.open)
                {
                    let ends = selectors
                        .iter()
                        .any(|(_, sel)| sel.is_none() || *sel == e.selector);
                    if ends {
                        e.open = false;
                        e.covers.end = d.source.start;
                        closed = true;
                    }
                }
                if !closed {
                    problems.push(directive_finding(
                        INVALID,
                        d,
                        Category::Evidence,
                        "対応する `exolint-disable` のない `exolint-enable` です".to_string(),
                    ));
                }
                continue;
            }
            let covers = match kind {
                Kind::NextLine => {
                    let start = line_after(text, d.source.end);
                    start..line_after(text, start)
                }
                Kind::Disable => d.source.end..text.len(),
                _ => 0..text.len(),
            };
            suppressions.push(Suppression {
                comment: d.source.clone(),
                body: d.body.clone(),
                entries: selectors
                    .into_iter()
                    .map(|(text, selector)| Entry {
                        text,
                        selector,
                        covers: covers.clone(),
                        open: kind == Kind::Disable,
                        used: false,
                    })
                    .collect(),
                reason: parts.reason.map(str::to_string),
            });
        }

        Suppressor {
            rules,
            require_reason,
            suppressions,
            problems,
        }
    }

    /// The findings no comment silences.
    pub fn filter(&mut self, findings: Vec<Finding>) -> Vec<Finding> {
        let rules = self.rules;
        let suppressions = &mut self.suppressions;
        if suppressions.is_empty() {
            return findings;
        }
        let mut kept = Vec::with_capacity(findings.len());
        for f in findings {
            let mut silenced = false;
            if f.directive.is_none() {
                for e in suppressions.iter_mut().flat_map(|s| s.entries.iter_mut()) {
                    let inside = overlaps(&f.span, &e.covers);
                    if inside && e.selector.as_ref().is_none_or(|s| s.matches(&f, rules)) {
                        e.used = true;
                        silenced = true;
                    }
                }
            }
            if !silenced {
                kept.push(f);
            }
        }
        kept
    }

    /// The findings about the comments themselves: invalid, unused, without
    /// a reason.
    pub fn finish(self) -> Vec<Finding> {
        let Suppressor {
            rules,
            require_reason,
            suppressions,
            mut problems,
        } = self;
        for s in &suppressions {
            let d = Directive {
                body: s.body.clone(),
                source: s.comment.clone(),
            };
            let category = s
                .entries
                .iter()
                .find_map(|e| category_of(e.selector.as_ref()?, rules))
                .unwrap_or(Category::Evidence);
            let unused: Vec<&str> = s
                .entries
                .iter()
                .filter(|e| !e.used)
                .map(|e| e.text.as_str())
                .collect();
            if unused.len() == s.entries.len() {
                problems.push(directive_finding(
                    UNUSED,
                    &d,
                    category,
                    format!(
                    "抑制コメント `exolint-{}` は何も抑制していません（不要なら削除してください）",
                    crate::lint::one_line(&s.body)
                ),
                ));
            } else if !unused.is_empty() {
                problems.push(directive_finding(
                    UNUSED,
                    &d,
                    category,
                    format!(
                        "抑制コメントのうち {} は何も抑制していません",
                        unused
                            .iter()
                            .map(|u| format!("`{u}`"))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ));
            }
            if require_reason && s.reason.is_none() {
                problems.push(directive_finding(
                    NO_REASON,
                    &d,
                    category,
                    "抑制コメントに理由がありません（`-- 理由` の形で書いてください）".to_string(),
                ));
            }
        }
        problems
    }
}

/// Where the line after the one holding byte `at` starts (or the end).
fn line_after(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| at + i + 1)
}

/// Whether a finding's span touches the covered bytes; an empty span counts
/// as the character it sits on.
fn overlaps(span: &Range<usize>, covers: &Range<usize>) -> bool {
    span.start < covers.end && span.end.max(span.start + 1) > covers.start
}

/// The category a selector stands for, when it names one claim rule or
/// category.
fn category_of(sel: &Selector, rules: &RuleSet) -> Option<Category> {
    match sel {
        Selector::Category(c) => Some(*c),
        Selector::Code(code) => rules.find(code).and_then(|r| r.file.category),
        _ => None,
    }
}

/// A finding about directive `d` itself.
fn directive_finding(code: &str, d: &Directive, category: Category, message: String) -> Finding {
    let (name, severity) = match code {
        UNUSED => ("unused-suppression", Severity::Warning),
        NO_REASON => ("suppression-without-reason", Severity::Error),
        _ => ("invalid-suppression", Severity::Warning),
    };
    Finding {
        code: code.to_string(),
        name: name.to_string(),
        severity,
        category,
        verdict: Verdict::Unsupported,
        modality: crate::claims::Modality::Asserted,
        scope: None,
        message,
        span: d.source.clone(),
        sentence: d.source.clone(),
        citations: Vec::new(),
        evidence: Vec::new(),
        notes: Vec::new(),
        directive: Some(d.body.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{self, Linter};
    use crate::source::Format;

    /// `CODE@line` for every finding left.
    fn run(text: &str, require_reason: bool) -> Vec<String> {
        let linter = Linter::builtin();
        let a = lint::check_str(text, Format::Markdown, &linter);
        apply(
            text,
            &a.prose.directives,
            a.findings,
            &linter.rules,
            require_reason,
        )
        .into_iter()
        .map(|f| {
            let line = text[..f.span.start].matches('\n').count() + 1;
            format!("{}@{line}", f.code)
        })
        .collect()
    }

    #[test]
    fn splits_kind_selectors_and_reason() {
        let p = split("disable-next-line EXL101, absolute -- 医師監修の引用");
        assert_eq!(p.kind, "disable-next-line");
        assert_eq!(p.selectors, ["EXL101", "absolute"]);
        assert_eq!(p.reason, Some("医師監修の引用"));
        let p = split("disable-file --");
        assert_eq!(
            (p.kind, p.selectors.len(), p.reason),
            ("disable-file", 0, None)
        );
    }

    #[test]
    fn next_line_silences_only_the_next_line() {
        let t =
            "<!-- exolint-disable-next-line EXL106 -- 引用 -->\n必ず治ります。\n\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL101@2", "EXL106@4", "EXL101@4"]);
        let t = "<!-- exolint-disable-next-line -- 引用 -->\n必ず治ります。\n\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL106@4", "EXL101@4"]);
    }

    #[test]
    fn ranges_and_files_silence_and_unused_ones_are_reported() {
        let t = "<!-- exolint-disable absolute efficacy -->\n必ず治ります。\n<!-- exolint-enable -->\n\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL106@5", "EXL101@5"]);
        let t = "<!-- exolint-disable absolute -->\n必ず治ります。\n<!-- exolint-enable absolute -->\n<!-- exolint-enable -->\n";
        assert_eq!(run(t, false), ["EXL101@2", "EXL932@4"]);
        let t = "本文。\n<!-- exolint-disable-file -->\n必ず治ります。\n";
        assert!(run(t, false).is_empty());
        let t = "<!-- exolint-disable-next-line EXL104 -->\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL106@2", "EXL101@2", "EXL930@1"]);
        let t = "<!-- exolint-disable-next-line EXL104 EXL106 -->\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL101@2", "EXL930@1"]);
    }

    #[test]
    fn reasons_and_bad_directives_are_reported() {
        let t = "<!-- exolint-disable-next-line -->\n必ず治ります。\n";
        assert!(run(t, false).is_empty());
        assert_eq!(run(t, true), ["EXL931@1"]);
        let t = "<!-- exolint-disable-nextline -->\n必ず治ります。\n<!-- exolint-enable -->\n";
        assert_eq!(
            run(t, false),
            ["EXL106@2", "EXL101@2", "EXL932@1", "EXL932@3"]
        );
        let t = "<!-- exolint-disable-next-line EXL1O6 -->\n必ず治ります。\n";
        assert_eq!(run(t, false), ["EXL106@2", "EXL101@2", "EXL932@1"]);
    }
}
