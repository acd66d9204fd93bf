//! Located registry errors (`EXL9xx`) and their rendering as codespan
//! diagnostics that point into the YAML file.

use super::Registry;
use crate::yaml::{self, YamlError};
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use std::fmt;
use std::ops::Range;

/// YAML could not be parsed (also: empty file, nesting too deep, not UTF-8).
pub const YAML_SYNTAX: &str = "EXL901";
/// Unknown key, wrong type, missing key or a value outside its enum.
pub const SCHEMA: &str = "EXL902";
/// An entry or vocabulary id defined twice.
pub const DUPLICATE_ID: &str = "EXL903";
/// A malformed identifier: DOI, PMID, PMCID, NCT, URL or an id itself.
pub const MALFORMED_IDENTIFIER: &str = "EXL904";
/// A vocabulary id or entry id that is not defined, or a `broader` cycle.
pub const DANGLING_REFERENCE: &str = "EXL905";
/// A vocabulary pattern that is not a valid, bounded, non-empty regex.
pub const INVALID_PATTERN: &str = "EXL906";
/// An entry file whose stem differs from its `id`.
pub const ID_FILENAME_MISMATCH: &str = "EXL907";
/// A date that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub const INVALID_DATE: &str = "EXL908";
/// An entry that contradicts itself (a level above its design, a year that
/// differs from `published`).
pub const INCONSISTENT_ENTRY: &str = "EXL909";
/// A registry path that cannot be read.
pub const IO: &str = "EXL910";

/// Every registry error code with its kebab-case name, in order.
pub const CODES: [(&str, &str); 10] = [
    (YAML_SYNTAX, "yaml-syntax"),
    (SCHEMA, "schema"),
    (DUPLICATE_ID, "duplicate-id"),
    (MALFORMED_IDENTIFIER, "malformed-identifier"),
    (DANGLING_REFERENCE, "dangling-reference"),
    (INVALID_PATTERN, "invalid-pattern"),
    (ID_FILENAME_MISMATCH, "id-filename-mismatch"),
    (INVALID_DATE, "invalid-date"),
    (INCONSISTENT_ENTRY, "inconsistent-entry"),
    (IO, "io"),
];

/// The kebab-case name of a registry error code.
pub fn code_name(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("registry", |(_, n)| n)
}

/// Short Japanese label for the caret.
fn code_label(code: &str) -> &'static str {
    match code {
        YAML_SYNTAX => "YAML の構文エラー",
        SCHEMA => "スキーマ違反",
        DUPLICATE_ID => "重複した ID",
        MALFORMED_IDENTIFIER => "不正な識別子",
        DANGLING_REFERENCE => "未定義の参照",
        INVALID_PATTERN => "不正なパターン",
        ID_FILENAME_MISMATCH => "ID とファイル名の不一致",
        INVALID_DATE => "不正な日付",
        INCONSISTENT_ENTRY => "矛盾した記述",
        _ => "",
    }
}

/// A problem in a registry file, at a place in its YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    /// Stable code, `EXL901`…`EXL910` (see the constants in this module).
    pub code: &'static str,
    /// File path, or `<builtin>/registry/…` for the embedded registry.
    pub origin: String,
    /// Byte range in the YAML text (on char boundaries; may be empty).
    pub range: Range<usize>,
    /// 1-based line of `range.start` (0 for an unreadable path, `EXL910`).
    pub line: usize,
    /// 1-based column of `range.start`, in characters (0 with `line` 0).
    pub column: usize,
    /// Japanese message.
    pub message: String,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.origin, self.line, self.column, self.code, self.message
        )
    }
}

impl std::error::Error for RegistryError {}

impl RegistryError {
    /// An error at a byte range of `text` (clamped to char boundaries).
    pub fn at(
        code: &'static str,
        origin: &str,
        text: &str,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> RegistryError {
        let start = yaml::floor_char_boundary(text, range.start);
        let end = yaml::floor_char_boundary(text, range.end).max(start);
        let (line, column) = yaml::line_column(text, start);
        RegistryError {
            code,
            origin: origin.to_string(),
            range: start..end,
            line,
            column,
            message: message.into(),
        }
    }

    /// Converts a parser error, translating serde_yaml's English into a
    /// Japanese message and choosing `EXL901` or `EXL902`.
    pub fn from_yaml(err: &YamlError, text: &str) -> RegistryError {
        let start = if err.line == 0 {
            0
        } else {
            yaml::byte_offset(text, err.line, err.column)
        };
        let mut range = start..token_end(text, start);
        let (code, message) = translate(&err.message);
        // serde_yaml puts a duplicate key at its mapping's start; point at the
        // second occurrence instead.
        if let Some(key) = duplicate_key_name(&err.message) {
            let stripped = strip_locations(&err.message);
            let (path, _) = split_path(&stripped);
            let segs = parse_serde_path(path.unwrap_or(""));
            if let Some(r) = yaml::Outline::parse(text).duplicate_key(&segs, key) {
                range = r;
            }
        }
        RegistryError::at(code, &err.origin, text, range, message)
    }
}

fn duplicate_key_name(msg: &str) -> Option<&str> {
    let i = msg.find("duplicate field `")?;
    let rest = &msg[i + "duplicate field `".len()..];
    rest.split('`').next()
}

/// `supports[0].conditions` → `[Key("supports"), Index(0), Key("conditions")]`.
fn parse_serde_path(path: &str) -> Vec<yaml::PathSeg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            out.push(yaml::PathSeg::Key(key));
        }
        for idx in pieces {
            if let Ok(i) = idx.trim_end_matches(']').parse::<usize>() {
                out.push(yaml::PathSeg::Index(i));
            }
        }
    }
    out
}

/// End of the token at `start`: up to whitespace or YAML punctuation.
fn token_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let mut end = start;
    for (i, ch) in rest.char_indices() {
        if ch.is_whitespace() || matches!(ch, ':' | ',' | '[' | ']' | '{' | '}' | '#') {
            if i == 0 && !ch.is_whitespace() {
                end = start + ch.len_utf8();
            }
            return end;
        }
        end = start + i + ch.len_utf8();
    }
    end
}

/// Removes every " at line N column M" fragment serde_yaml appends.
fn strip_locations(msg: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip_num = |s: &str| s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let after_line = &tail[tail.len() - skip_num(tail)..];
        if let Some(col) = after_line.strip_prefix(" column ") {
            rest = &col[col.len() - skip_num(col)..];
        } else {
            out.push_str(" at line ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Splits serde_yaml's `path: message` prefix (`supports[0].level: …`);
/// a path never contains spaces, serde's and libyaml's phrases always do.
fn split_path(msg: &str) -> (Option<&str>, &str) {
    if let Some((p, m)) = msg.split_once(": ") {
        let is_path = !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'));
        if is_path {
            let p = p.trim_start_matches('.');
            return (if p.is_empty() { None } else { Some(p) }, m);
        }
    }
    (None, msg)
}

/// Names in backticks: "unknown field `x`, expected one of `a`, `b`".
fn ticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn translate(raw: &str) -> (&'static str, String) {
    let msg = strip_locations(raw);
    let (path, body) = split_path(&msg);
    let at = path.map(|p| format!("`{p}`: ")).unwrap_or_default();
    let names = ticked(body);
    let list = |v: &[&str]| v.join(", ");
    if body.starts_with("unknown field") {
        let key = names.first().copied().unwrap_or("?");
        let allowed = names.get(1..).unwrap_or(&[]);
        let hint = suggest(key, allowed)
            .map(|s| format!("`{s}` の誤りではありませんか。"))
            .unwrap_or_default();
        return (
            SCHEMA,
            format!(
                "{at}不明なキー `{key}` です。{hint}使えるキー: {}",
                list(allowed)
            ),
        );
    }
    if body.starts_with("unknown variant") {
        let value = names.first().copied().unwrap_or("?");
        let allowed = names.get(1..).unwrap_or(&[]);
        return (
            SCHEMA,
            format!(
                "{at}`{value}` は使えない値です。使える値: {}",
                list(allowed)
            ),
        );
    }
    if body.starts_with("missing field") {
        let key = names.first().copied().unwrap_or("?");
        return (SCHEMA, format!("{at}必須のキー `{key}` がありません"));
    }
    if body.starts_with("duplicate field") {
        let key = names.first().copied().unwrap_or("?");
        return (SCHEMA, format!("{at}キー `{key}` が二度書かれています"));
    }
    if let Some(rest) = body.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return (
            SCHEMA,
            format!(
                "{at}型が違います。{}が必要ですが、{}が書かれています",
                english_type(expected),
                english_type(found)
            ),
        );
    }
    if body.starts_with("invalid value") || body.starts_with("invalid length") {
        return (SCHEMA, format!("{at}値が不正です（{body}）"));
    }
    if body.starts_with("data did not match any variant") {
        return (
            SCHEMA,
            format!("{at}型が違います。文字列か文字列のリストが必要です"),
        );
    }
    if body.starts_with("EOF while parsing") {
        return (
            YAML_SYNTAX,
            "ファイルが空か、途中で終わっています".to_string(),
        );
    }
    if body.starts_with("recursion limit exceeded") {
        return (YAML_SYNTAX, "入れ子が深すぎます".to_string());
    }
    if body.starts_with("repetition limit exceeded") {
        return (YAML_SYNTAX, "エイリアスの展開が多すぎます".to_string());
    }
    if body.contains("more than one document") {
        return (
            YAML_SYNTAX,
            "1 つのファイルに複数の YAML 文書（---）は書けません".to_string(),
        );
    }
    (
        YAML_SYNTAX,
        format!("YAML の構文エラーです（{}）", msg.trim()),
    )
}

/// Japanese for serde's type words, leaving quoted values as they are.
fn english_type(s: &str) -> String {
    let s = s.trim();
    let table = [
        (
            "a string or a sequence of strings",
            "文字列か文字列のリスト",
        ),
        ("a string or a number", "文字列か数値"),
        ("a sequence", "リスト"),
        ("a string", "文字列"),
        ("string", "文字列"),
        ("u16", "整数（年）"),
        ("a map", "マッピング"),
        ("map", "マッピング"),
        ("struct Entry", "エントリ（マッピング）"),
        ("field identifier", "キー名"),
        ("struct VocabularyFile", "語彙ファイル（マッピング）"),
        ("sequence", "リスト"),
        ("unit value", "空の値"),
        ("integer", "整数"),
        ("floating point", "小数"),
        ("boolean", "真偽値"),
    ];
    for (en, ja) in table {
        if s == en {
            return ja.to_string();
        }
        if let Some(rest) = s.strip_prefix(en) {
            if rest.starts_with(' ') {
                return format!("{ja}{rest}");
            }
        }
    }
    s.to_string()
}

/// The closest allowed name, when it is close enough to be a typo.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let best = candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .min_by_key(|(d, _)| *d)?;
    let limit = (word.chars().count() / 3).max(1);
    (best.0 <= limit).then_some(best.1)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// The diagnostic for one error, for a file registered as `file_id` (whose
/// text must be the YAML the error was found in).
pub fn error_to_diagnostic(err: &RegistryError, file_id: usize) -> Diagnostic<usize> {
    Diagnostic::error()
        .with_code(err.code)
        .with_message(err.message.clone())
        .with_labels(vec![
            Label::primary(file_id, err.range.clone()).with_message(code_label(err.code))
        ])
        .with_notes(vec![format!(
            "exolint registry check: {} ({})",
            err.code,
            code_name(err.code)
        )])
}

/// Renders errors as plain-text codespan diagnostics with carets into the
/// YAML files loaded in `registry`. Errors whose origin is not one of its
/// sources (an unreadable path) are rendered as a single line.
pub fn render_errors(registry: &Registry, errors: &[RegistryError]) -> String {
    let mut files = SimpleFiles::new();
    let ids: Vec<usize> = registry
        .sources()
        .iter()
        .map(|s| files.add(s.name.clone(), s.text.clone()))
        .collect();
    let config = term::Config::default();
    let mut out = String::new();
    for err in errors {
        let file = registry
            .sources()
            .iter()
            .position(|s| s.name == err.origin)
            .and_then(|i| ids.get(i).copied());
        let rendered = file.and_then(|id| {
            term::emit_into_string(&config, &files, &error_to_diagnostic(err, id)).ok()
        });
        match rendered {
            Some(s) => out.push_str(&s),
            None => {
                out.push_str(&format!(
                    "error[{}]: {}\n  --> {}\n\n",
                    err.code, err.message, err.origin
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_serde_messages() {
        let (c, m) = translate("supports[0]: unknown field `levl`, expected one of `category`, `level`, `wording` at line 5 column 5");
        assert_eq!(c, SCHEMA);
        assert!(
            m.contains("`levl`") && m.contains("`level` の誤り") && m.starts_with("`supports[0]`"),
            "{m}"
        );
        let (c, m) = translate("year: invalid type: string \"x\", expected u16 at line 2 column 7");
        assert_eq!(c, SCHEMA);
        assert!(m.contains("整数"), "{m}");
        let (c, _) = translate("did not find expected key at line 3 column 1, while parsing a block mapping at line 1 column 1");
        assert_eq!(c, YAML_SYNTAX);
        assert_eq!(
            strip_locations("a at line 3 column 1, b at line 1 column 12"),
            "a, b"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("levl", &["level", "wording"]), Some("level"));
        assert_eq!(suggest("zzz", &["level", "wording"]), None);
    }
}
