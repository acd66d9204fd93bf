//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff.
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`.
//! Columns count characters (GitHub does not document a unit; code points
//! match SARIF's default and what the diff view shows).

use crate::report::{headline, relative_path, Diagnostic};
use crate::rules::Severity;
use std::fmt::Write as _;
use std::path::Path;

/// Escapes a command's message (the data after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): `:` and `,` would end it.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command per diagnostic; paths are made relative to `root`
/// (the workspace) because that is how GitHub matches them to the diff.
pub fn render(diagnostics: &[Diagnostic], root: Option<&Path>) -> String {
    let mut s = String::new();
    for d in diagnostics {
        let _ = writeln!(s, "{}", line(d, root));
    }
    s
}

/// The command for one diagnostic.
pub fn line(d: &Diagnostic, root: Option<&Path>) -> String {
    let f = &d.finding;
    let path = relative_path(&d.path, root);
    let mut props = format!(
        "file={},line={},endLine={}",
        escape_property(path.as_str()),
        d.start.line,
        d.end.line
    );
    // GitHub rejects columns on an annotation that spans lines.
    if d.start.line == d.end.line {
        let _ = write!(props, ",col={},endColumn={}", d.start.column, d.end.column);
    }
    let title = format!("{} {}", f.code, f.name);
    let _ = write!(props, ",title={}", escape_property(&title));
    format!(
        "::{} {props}::{}",
        command(f.severity),
        escape_data(&headline(d))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("100%, a:b\r\nc"), "100%25, a:b%0D%0Ac");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("100%, a:b\nc"), "100%25%2C a%3Ab%0Ac");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_property("%3A"), "%253A");
    }
}
