//! The default format: codespan-reporting snippets with the claim as the
//! primary label and any citation as a secondary one.

use crate::lint::Finding;
use crate::rules::Severity;
use crate::source::LineIndex;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Config};
use std::ops::Range;

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// Builds the codespan diagnostic for one finding.
pub fn diagnostic(f: &Finding) -> Diagnostic<()> {
    if f.directive.is_some() {
        return directive_diagnostic(f);
    }
    let mut labels = vec![Label::primary((), f.span.clone()).with_message(format!(
        "{}の主張（{}）",
        f.category.label(),
        f.modality.label()
    ))];
    for c in &f.citations {
        let what = match &c.id {
            Some(id) => format!("引用: {id}"),
            None => "引用（レジストリに未登録）".to_string(),
        };
        labels.push(Label::secondary((), c.span.clone()).with_message(what));
    }
    let mut notes = Vec::new();
    notes.push(format!(
        "分類: {}/{}{}",
        f.category,
        f.verdict.as_str(),
        f.scope
            .as_deref()
            .map(|s| format!("（範囲: {s}）"))
            .unwrap_or_default()
    ));
    notes.extend(f.notes.iter().cloned());
    notes.push(format!("詳しくは: exolint explain {}", f.code));
    Diagnostic::new(severity(f.severity))
        .with_code(f.code.clone())
        .with_message(format!(
            "[{}/{}] {}",
            f.category,
            f.verdict.as_str(),
            f.message
        ))
        .with_labels(labels)
        .with_notes(notes)
}

/// A finding about a suppression comment: no claim, category or verdict to show.
fn directive_diagnostic(f: &Finding) -> Diagnostic<()> {
    Diagnostic::new(severity(f.severity))
        .with_code(f.code.clone())
        .with_message(f.message.clone())
        .with_labels(vec![
            Label::primary((), f.span.clone()).with_message(format!("抑制コメント（{}）", f.name))
        ])
        .with_notes(vec![
            "抑制コメントの書き方: README の「Suppressions」を参照".to_string(),
        ])
}

/// Renders all findings of one file; `color` adds ANSI styles.
pub fn render(path: &str, text: &str, findings: &[Finding], color: bool) -> String {
    render_with(path, text, &LineIndex::new(text), findings, color)
}

/// [`render`] with the text's line index built once, for a file whose
/// findings come in batches.
pub fn render_with(
    path: &str,
    text: &str,
    index: &LineIndex,
    findings: &[Finding],
    color: bool,
) -> String {
    let config = Config::default();
    let mut buf = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for f in findings {
        let d = diagnostic(f);
        let file = Clipped {
            name: path,
            text,
            index,
            labels: d.labels.iter().map(|l| l.range.clone()).collect(),
        };
        // An out-of-range span would be a bug upstream; never let it abort output.
        if term::emit_to_write_style(&mut buf, &config, &file, &d).is_err() {
            continue;
        }
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Lines longer than this are shown as a window around the labels.
const LONG_LINE: usize = 1024;
/// Bytes of context kept on each side of the labels in a long line.
const CONTEXT: usize = 240;

/// The file as codespan sees it while rendering one diagnostic: long lines
/// (minified HTML, a 20 MB export on one line) are cut to a window around
/// that diagnostic's labels, instead of being printed whole for every
/// finding. Locations still count from the real start of the line.
struct Clipped<'a> {
    name: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    labels: Vec<Range<usize>>,
}

impl<'a> Files<'a> for Clipped<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.index.line_of(byte_index))
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.index.position(self.text, byte_index).column)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let last = self.index.line_of(self.text.len());
        if line_index > last {
            return Err(files::Error::LineTooLarge {
                given: line_index,
                max: last,
            });
        }
        let start = self.index.line_start(line_index);
        let end = if line_index < last {
            self.index.line_start(line_index + 1)
        } else {
            self.text.len()
        };
        if end - start <= LONG_LINE {
            return Ok(start..end);
        }
        // Every label end that falls on this line must stay inside the window.
        let points = self
            .labels
            .iter()
            .flat_map(|r| [r.start, r.end])
            .filter(|p| (start..=end).contains(p));
        let (lo, hi) = points.fold((usize::MAX, 0), |(lo, hi), p| (lo.min(p), hi.max(p)));
        let (mut lo, mut hi) = if lo == usize::MAX {
            (start, start + 2 * CONTEXT)
        } else {
            (lo.saturating_sub(CONTEXT).max(start), hi + CONTEXT)
        };
        hi = hi.min(end);
        while !self.text.is_char_boundary(lo) {
            lo -= 1;
        }
        while !self.text.is_char_boundary(hi) {
            hi += 1;
        }
        Ok(lo..hi)
    }
}

/// The closing line of the human format.
pub fn summary_line(s: &crate::report::Summary, had_error: bool) -> String {
    if s.diagnostics == 0 && !had_error {
        format!("問題は見つかりませんでした（{} ファイル）\n", s.files)
    } else {
        format!(
            "{} ファイル: エラー {} 件、警告 {} 件、情報 {} 件\n",
            s.files, s.errors, s.warnings, s.infos
        )
    }
}
