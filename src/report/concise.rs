//! `--format concise`: `path:line:col: CODE [category/verdict] message`, one
//! finding per line, for errorformat (`%f:%l:%c: %m`), editors' quickfix
//! lists and grep. Columns count characters, like the human format.

use crate::report::{decimal, headline_message, write_headline_tag, Diagnostic};

/// One line per diagnostic, in the order given (path, then position),
/// appended to `buf`.
pub fn write(buf: &mut Vec<u8>, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let f = &d.finding;
        buf.extend_from_slice(d.path.as_bytes());
        buf.push(b':');
        decimal(buf, d.start.line);
        buf.push(b':');
        decimal(buf, d.start.column);
        buf.extend_from_slice(b": ");
        buf.extend_from_slice(f.code.as_bytes());
        buf.push(b' ');
        write_headline_tag(buf, f);
        buf.extend_from_slice(headline_message(f).as_bytes());
        buf.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::headline;

    #[test]
    fn lines_are_path_position_code_and_headline() {
        let diagnostics = crate::report::samples();
        let mut lines = Vec::new();
        write(&mut lines, &diagnostics);
        let expected: String = diagnostics
            .iter()
            .map(|d| {
                let (p, f) = (d.start, &d.finding);
                format!(
                    "{}:{}:{}: {} {}\n",
                    d.path,
                    p.line,
                    p.column,
                    f.code,
                    headline(d)
                )
            })
            .collect();
        assert_eq!(String::from_utf8(lines).unwrap(), expected);
    }
}
