//! `--format concise`: `path:line:col: CODE [category/verdict] message`, one
//! finding per line, for errorformat (`%f:%l:%c: %m`), editors' quickfix
//! lists and grep. Columns count characters, like the human format.

use crate::report::{headline, Diagnostic};
use std::fmt::Write as _;

/// One line per diagnostic, in the order given (path, then position).
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut s = String::new();
    for d in diagnostics {
        let _ = writeln!(s, "{}", line(d));
    }
    s
}

/// The line for one diagnostic.
pub fn line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {} {}",
        d.path,
        d.start.line,
        d.start.column,
        d.finding.code,
        headline(d)
    )
}
