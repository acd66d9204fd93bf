//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff.
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`.
//! Columns count characters (GitHub does not document a unit; code points
//! match SARIF's default and what the diff view shows).

use crate::report::{decimal, headline_message, relative_path, write_headline_tag, Diagnostic};
use crate::rules::Severity;
use std::path::Path;

/// Escapes a command's message (the data after `::`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape(s, false, |piece| out.push_str(piece));
    out
}

/// Escapes a property value (`file=`, `title=`): `:` and `,` would end it.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape(s, true, |piece| out.push_str(piece));
    out
}

/// `s` percent-encoded for a workflow command, handed to `piece` as runs
/// of `s` and escapes: `%`, CR and LF, and for a property `:` and `,`.
fn escape(s: &str, property: bool, mut piece: impl FnMut(&str)) {
    let special = |b| matches!(b, b'%' | b'\r' | b'\n') || (property && matches!(b, b':' | b','));
    // Nearly nothing needs an escape: one pass without an early exit (which
    // vectorises) says so, and the whole is one piece.
    if !s.bytes().fold(false, |any, b| any | special(b)) {
        piece(s);
        return;
    }
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'%' => "%25",
            b'\r' => "%0D",
            b'\n' => "%0A",
            b':' if property => "%3A",
            b',' if property => "%2C",
            _ => continue,
        };
        piece(&s[run..i]);
        piece(escaped);
        run = i + 1;
    }
    piece(&s[run..]);
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command per diagnostic, appended to `buf`; paths are made
/// relative to `root` (the workspace) because that is how GitHub matches
/// them to the diff.
pub fn write(buf: &mut Vec<u8>, diagnostics: &[Diagnostic], root: Option<&Path>) {
    // A file's diagnostics come together: its path is resolved and escaped
    // once.
    let mut file: Option<(&str, String)> = None;
    for d in diagnostics {
        let f = &d.finding;
        let path = match &file {
            Some((path, escaped)) if *path == &*d.path => escaped,
            _ => {
                let escaped = escape_property(relative_path(&d.path, root).as_str());
                &file.insert((&d.path, escaped)).1
            }
        };
        buf.extend_from_slice(b"::");
        buf.extend_from_slice(command(f.severity).as_bytes());
        buf.extend_from_slice(b" file=");
        buf.extend_from_slice(path.as_bytes());
        buf.extend_from_slice(b",line=");
        decimal(buf, d.start.line);
        buf.extend_from_slice(b",endLine=");
        decimal(buf, d.end.line);
        // GitHub rejects columns on an annotation that spans lines.
        if d.start.line == d.end.line {
            buf.extend_from_slice(b",col=");
            decimal(buf, d.start.column);
            buf.extend_from_slice(b",endColumn=");
            decimal(buf, d.end.column);
        }
        buf.extend_from_slice(b",title=");
        let mut piece = |piece: &str| buf.extend_from_slice(piece.as_bytes());
        escape(&f.code, true, &mut piece);
        piece(" ");
        escape(&f.name, true, &mut piece);
        piece("::");
        write_headline_tag(buf, f);
        escape(&headline_message(f), false, |piece| {
            buf.extend_from_slice(piece.as_bytes());
        });
        buf.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::headline;
    use std::fmt::Write as _;

    /// The commands are what the properties and message escaped one by one
    /// make; columns only on a one-line claim.
    #[test]
    fn commands_escape_each_part() {
        let mut diagnostics = crate::report::samples();
        diagnostics[1].end.line += 1;
        let root = Path::new("/work");
        let mut lines = Vec::new();
        write(&mut lines, &diagnostics, Some(root));
        let mut expected = String::new();
        for d in &diagnostics {
            let f = &d.finding;
            let path = relative_path(&d.path, Some(root));
            let _ = write!(
                expected,
                "::{} file={},line={},endLine={}",
                command(f.severity),
                escape_property(path.as_str()),
                d.start.line,
                d.end.line
            );
            if d.start.line == d.end.line {
                let _ = write!(
                    expected,
                    ",col={},endColumn={}",
                    d.start.column, d.end.column
                );
            }
            let title = escape_property(&format!("{} {}", f.code, f.name));
            let _ = writeln!(expected, ",title={title}::{}", escape_data(&headline(d)));
        }
        assert_eq!(String::from_utf8(lines).unwrap(), expected);
    }

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
