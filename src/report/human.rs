//! The default format: codespan-reporting snippets with the claim as the
//! primary label and any citation as a secondary one.

use crate::lint::Finding;
use crate::rules::Severity;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// Builds the codespan diagnostic for one finding.
pub fn diagnostic(f: &Finding) -> Diagnostic<()> {
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

/// Renders all findings of one file; `color` adds ANSI styles.
pub fn render(path: &str, text: &str, findings: &[Finding], color: bool) -> String {
    let file = SimpleFile::new(path, text);
    let config = Config::default();
    let mut buf = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for f in findings {
        // An out-of-range span would be a bug upstream; never let it abort output.
        if term::emit_to_write_style(&mut buf, &config, &file, &diagnostic(f)).is_err() {
            continue;
        }
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
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
