//! A minimal XML escaper for the checkstyle and JUnit formats; the
//! documents are flat enough that a writer library would add nothing.

/// Whether XML 1.0 allows `c` at all (`Char` production). Anything else
/// cannot even be written as a character reference, so it is dropped.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for an attribute value in double or single quotes. Line
/// breaks and tabs become character references, because parsers normalise
/// literal ones in attributes to spaces.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes `s` for element content; line breaks stay readable.
pub fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A bare CR would be normalised to LF by parsers, in content too.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(attr(r#"<&">'"#), "&lt;&amp;&quot;&gt;&apos;");
        assert_eq!(text(r#"a<b & "c">"#), "a&lt;b &amp; &quot;c&quot;&gt;");
    }

    #[test]
    fn drops_characters_xml_forbids() {
        assert_eq!(attr("a\u{0}b\u{1b}c\u{FFFE}d\u{FFFF}"), "abcd");
        assert_eq!(text("𠮷\u{8}野"), "𠮷野");
    }

    #[test]
    fn keeps_line_breaks_apart_from_spaces() {
        assert_eq!(attr("a\nb\tc\rd"), "a&#10;b&#9;c&#13;d");
        assert_eq!(text("a\nb\rc"), "a\nb&#13;c");
    }
}
