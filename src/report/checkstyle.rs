//! `--format checkstyle`: Checkstyle 4.3 XML, read by reviewdog
//! (`-f=checkstyle`), Jenkins Warnings NG and danger-checkstyle_format.
//! Columns count characters, like Checkstyle itself.

use crate::report::{by_file, headline, xml, Diagnostic};
use std::fmt::Write as _;

/// Every linted file gets a `<file>` element, empty when clean, so that
/// consumers can tell "checked and clean" from "not checked".
pub fn render(diagnostics: &[Diagnostic], files: &[String]) -> String {
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for (path, of_file) in by_file(diagnostics, files) {
        if of_file.is_empty() {
            let _ = writeln!(s, "  <file name=\"{}\"/>", xml::attr(path));
            continue;
        }
        let _ = writeln!(s, "  <file name=\"{}\">", xml::attr(path));
        for d in of_file {
            let f = &d.finding;
            let _ = writeln!(
                s,
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"{}\"/>",
                d.start.line,
                d.start.column,
                f.severity.as_str(),
                xml::attr(&headline(d)),
                xml::attr(&f.code)
            );
        }
        s.push_str("  </file>\n");
    }
    s.push_str("</checkstyle>\n");
    s
}
