//! `--format junit`: JUnit XML for GitLab merge-request test reports
//! (`artifacts:reports:junit`) and Jenkins' JUnit plugin.
//!
//! Shape, as ESLint's formatter and most linters use it because both readers
//! accept it: one `<testsuite>` per linted file (named after the file); one
//! `<testcase>` per finding, named `CODE name (line:col)` with the file as
//! `classname` and one `<failure>` whose `message` is the finding's message
//! and whose body is `path:line:col: severity CODE name` plus the message.
//! A clean file has a single passing `<testcase>`, so it counts as a passed
//! test; a file that could not be read has one with an `<error>`. A test case
//! holds one failure only: Jenkins keeps only the first of several.
//! Columns count characters.

use crate::report::{by_file, headline, xml, Diagnostic, FailedFile};
use std::fmt::Write as _;

pub fn render(diagnostics: &[Diagnostic], files: &[String], failed: &[FailedFile]) -> String {
    let groups = by_file(diagnostics, files);
    let tests: usize = groups.iter().map(|(_, ds)| ds.len().max(1)).sum::<usize>() + failed.len();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"exolint\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" time=\"0\">",
        diagnostics.len(),
        failed.len()
    );
    for (path, ds) in groups {
        let p = xml::attr(path);
        let _ = writeln!(
            s,
            "  <testsuite name=\"{p}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0\">",
            ds.len().max(1),
            ds.len()
        );
        if ds.is_empty() {
            let _ = writeln!(
                s,
                "    <testcase name=\"exolint\" classname=\"{p}\" file=\"{p}\" time=\"0\"/>"
            );
        }
        for d in ds {
            let f = &d.finding;
            let name = format!(
                "{} {} ({}:{})",
                f.code, f.name, d.start.line, d.start.column
            );
            let message = headline(d);
            let body = format!(
                "{}:{}:{}: {} {} {}\n{}",
                d.path, d.start.line, d.start.column, f.severity, f.code, f.name, message
            );
            let _ = writeln!(
                s,
                "    <testcase name=\"{}\" classname=\"{p}\" file=\"{p}\" line=\"{}\" time=\"0\">",
                xml::attr(&name),
                d.start.line
            );
            let _ = writeln!(
                s,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml::attr(&message),
                xml::attr(&f.code),
                xml::text(&body)
            );
            s.push_str("    </testcase>\n");
        }
        s.push_str("  </testsuite>\n");
    }
    for e in failed {
        let p = xml::attr(&e.path);
        let _ = writeln!(
            s,
            "  <testsuite name=\"{p}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">"
        );
        let _ = writeln!(
            s,
            "    <testcase name=\"exolint\" classname=\"{p}\" file=\"{p}\" time=\"0\">"
        );
        let _ = writeln!(
            s,
            "      <error message=\"{}\">{}</error>",
            xml::attr(&e.message),
            xml::text(&format!("{}: {}", e.path, e.message))
        );
        s.push_str("    </testcase>\n  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}
