//! The one place that parses YAML. serde_yaml is archived upstream, so every
//! other module goes through these functions; swapping the parser later means
//! editing this file only.

use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::Range;

/// A YAML problem at a 1-based line and column of the named origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// File path or `<builtin>/…` name the text came from.
    pub origin: String,
    /// 1-based line, or 0 when the parser could not tell.
    pub line: usize,
    /// 1-based column in characters, or 0 when unknown.
    pub column: usize,
    /// Byte offset into the YAML text.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

impl std::error::Error for YamlError {}

/// Deserializes `text` into `T`, mapping parser errors to a located [`YamlError`].
pub fn from_str<T: DeserializeOwned>(origin: &str, text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column, offset) = match e.location() {
            Some(loc) => (loc.line(), loc.column(), loc.index()),
            None => (0, 0, 0),
        };
        YamlError {
            origin: origin.to_string(),
            line,
            column,
            offset,
            message: e.to_string(),
        }
    })
}

// `builtin_json(path)`: the build-time JSON of each embedded file (build.rs).
include!(concat!(env!("OUT_DIR"), "/builtin_json.rs"));

/// Like [`from_str`], but for an embedded file (`embedded` is its path from
/// the crate root) reads the JSON that build.rs converted it to, which is
/// about ten times cheaper than running libyaml at every start. Falls back
/// to the YAML when there is no conversion or it does not fit `text`, so
/// errors keep their YAML positions.
pub fn from_str_embedded<T: DeserializeOwned>(
    embedded: Option<&str>,
    origin: &str,
    text: &str,
) -> Result<T, YamlError> {
    if let Some((len, json)) = embedded.and_then(builtin_json) {
        if len == text.len() {
            if let Ok(v) = serde_json::from_str(json) {
                return Ok(v);
            }
        }
    }
    from_str(origin, text)
}

/// Whether `path` (from the crate root) has a build-time JSON conversion
/// that parses as `T` to the same value as its YAML; for the tests.
#[cfg(test)]
pub(crate) fn embedded_agrees<T: DeserializeOwned + fmt::Debug>(
    path: &str,
    text: &str,
) -> Result<(), String> {
    let (len, json) = builtin_json(path).ok_or_else(|| format!("{path}: no JSON conversion"))?;
    if len != text.len() {
        return Err(format!("{path}: JSON converted from other text"));
    }
    let from_json: T = serde_json::from_str(json).map_err(|e| format!("{path}: JSON: {e}"))?;
    let from_yaml: T = from_str(path, text).map_err(|e| e.to_string())?;
    let (a, b) = (format!("{from_json:?}"), format!("{from_yaml:?}"));
    if a == b {
        Ok(())
    } else {
        Err(format!("{path}: JSON and YAML parse differently"))
    }
}

/// Serializes a value as YAML (used by `exolint config` and `registry show`).
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------
// Positions of values. serde_yaml locates syntax, type and unknown-key errors,
// but cannot say where a *valid* value sits, which semantic checks (a bad DOI,
// a dangling id) need. `Outline` is a small, forgiving index over block-style
// YAML (plus one-line or multi-line flow collections) that maps a key path to
// the byte range of its value. It never panics, every range it returns lies on
// char boundaries, and when it cannot tell it falls back to the nearest
// ancestor it did find, or to the document start.
// ---------------------------------------------------------------------------

/// Deepest nesting the outline follows; deeper content is folded into one node.
const OUTLINE_MAX_DEPTH: usize = 64;

/// One step of a path into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSeg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The result of [`Outline::locate`]: a byte range into the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Byte range of the value (for a null value: its key; for a null
    /// sequence item: its dash). Always on char boundaries.
    pub range: Range<usize>,
    /// False when the path could only be followed part of the way and
    /// `range` is that of the deepest ancestor found (or `0..0`).
    pub exact: bool,
}

#[derive(Debug, Clone)]
enum OutlineKind {
    Map(Vec<(String, Range<usize>, usize)>),
    Seq(Vec<usize>),
    Scalar,
}

#[derive(Debug, Clone)]
struct OutlineNode {
    range: Range<usize>,
    kind: OutlineKind,
}

/// A position index over one YAML document (the first, if there are several).
#[derive(Debug, Clone)]
pub struct Outline {
    nodes: Vec<OutlineNode>,
    root: Option<usize>,
    len: usize,
}

/// Whether the root of `text` may be a sequence: its first token, after
/// blank and comment lines, directives and `---`, opens one (`- `, `[`) or
/// could come before one (a tag or an anchor). `false` is certain.
pub fn may_be_sequence(text: &str) -> bool {
    for line in text.lines() {
        let t = line.trim_start_matches([' ', '\t', '\u{feff}']);
        if t.is_empty() || t.starts_with('#') || t.starts_with('%') {
            continue;
        }
        if let Some(rest) = t.strip_prefix("---") {
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                let rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('#') {
                    continue;
                }
                return may_be_sequence(rest);
            }
        }
        return t.starts_with(['-', '[', '!', '&', '*', '?']);
    }
    false
}

/// An [`Outline`] parsed on first use: most files have nothing to point
/// at.
pub struct LazyOutline<'a> {
    text: &'a str,
    cell: std::cell::OnceCell<Outline>,
}

impl<'a> LazyOutline<'a> {
    pub fn new(text: &'a str) -> LazyOutline<'a> {
        LazyOutline {
            text,
            cell: std::cell::OnceCell::new(),
        }
    }

    pub fn get(&self) -> &Outline {
        self.cell.get_or_init(|| Outline::parse(self.text))
    }
}

impl Outline {
    /// Indexes `text`. Works on any input; unparseable parts are skipped.
    pub fn parse(text: &str) -> Outline {
        let toks = outline_tokens(text);
        let mut p = OutlineParser {
            text,
            bytes: text.as_bytes(),
            toks,
            pos: 0,
            skip_until: 0,
            nodes: Vec::new(),
        };
        let root = p.node(None, 0);
        Outline {
            nodes: p.nodes,
            root,
            len: text.len(),
        }
    }

    /// True when the document's top level is a sequence.
    pub fn root_is_sequence(&self) -> bool {
        self.root
            .and_then(|r| self.nodes.get(r))
            .is_some_and(|n| matches!(n.kind, OutlineKind::Seq(_)))
    }

    /// The node at `path`, or the deepest ancestor found (`false`).
    fn walk(&self, path: &[PathSeg<'_>]) -> Option<(usize, bool)> {
        let mut cur = self.root?;
        for seg in path {
            let next = match (&self.nodes[cur].kind, seg) {
                (OutlineKind::Map(entries), PathSeg::Key(k)) => {
                    entries.iter().find(|e| e.0 == *k).map(|e| e.2)
                }
                (OutlineKind::Seq(items), PathSeg::Index(i)) => items.get(*i).copied(),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => return Some((cur, false)),
            }
        }
        Some((cur, true))
    }

    /// The byte range of the value at `path`, or of the deepest ancestor found.
    pub fn locate(&self, path: &[PathSeg<'_>]) -> Located {
        match self.walk(path) {
            Some((n, exact)) => Located {
                range: self.nodes[n].range.clone(),
                exact,
            },
            None => Located {
                range: 0..0,
                exact: false,
            },
        }
    }

    /// The byte range of the key that ends `path` (which must end in a key);
    /// falls back like [`Outline::locate`].
    pub fn locate_key(&self, path: &[PathSeg<'_>]) -> Located {
        let Some((PathSeg::Key(k), parent)) = path.split_last() else {
            return self.locate(path);
        };
        match self.walk(parent) {
            Some((n, true)) => match &self.nodes[n].kind {
                OutlineKind::Map(es) => match es.iter().find(|e| e.0 == *k) {
                    Some(e) => Located {
                        range: e.1.clone(),
                        exact: true,
                    },
                    None => Located {
                        range: self.nodes[n].range.clone(),
                        exact: false,
                    },
                },
                _ => Located {
                    range: self.nodes[n].range.clone(),
                    exact: false,
                },
            },
            _ => Located {
                exact: false,
                ..self.locate(parent)
            },
        }
    }

    /// The range of the second occurrence of `key` in the mapping at `path`.
    pub fn duplicate_key(&self, path: &[PathSeg<'_>], key: &str) -> Option<Range<usize>> {
        match self.walk(path) {
            Some((n, true)) => match &self.nodes[n].kind {
                OutlineKind::Map(es) => {
                    es.iter().filter(|e| e.0 == key).nth(1).map(|e| e.1.clone())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Length of the indexed text, for callers that clamp ranges.
    pub fn text_len(&self) -> usize {
        self.len
    }
}

/// Byte offset of a 1-based line and 1-based column (in characters). Clamps to
/// the end of the line, or of the text; line 0 means offset 0.
pub fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let mut off = start;
    for (n, ch) in line_text.chars().enumerate() {
        if n + 1 >= column {
            return off;
        }
        off += ch.len_utf8();
    }
    off
}

/// 1-based line and 1-based column (in characters) of a byte offset, which is
/// clamped into the text and down to a char boundary.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let off = floor_char_boundary(text, offset);
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..off].chars().count() + 1;
    (line, column)
}

/// The largest char boundary at or below `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut off = offset.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Dash,
    Content,
}

/// One indentation-significant piece of a line: a `-` sequence marker or the
/// content that follows the indentation (or the marker).
#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: TokKind,
    /// Column in bytes from the line start; everything before it is ASCII.
    col: usize,
    start: usize,
    /// End of the line's content (without the line break).
    end: usize,
}

fn outline_tokens(text: &str) -> Vec<Tok> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let nl = text[line_start..].find('\n').map(|i| line_start + i);
        let mut end = nl.unwrap_or(bytes.len());
        let next = nl.map_or(bytes.len(), |i| i + 1);
        if end > line_start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let line = &bytes[line_start..end];
        let is_marker = |m: &[u8]| {
            line.starts_with(m) && !matches!(line.get(3), Some(b) if *b != b' ' && *b != b'\t')
        };
        if is_marker(b"---") || is_marker(b"...") {
            if !toks.is_empty() {
                break;
            }
        } else if !(toks.is_empty() && line.first() == Some(&b'%')) {
            let mut p = line_start;
            while p < end && bytes[p] == b' ' {
                p += 1;
            }
            loop {
                if p >= end || bytes[p] == b'#' {
                    break;
                }
                let dash =
                    bytes[p] == b'-' && (p + 1 == end || matches!(bytes[p + 1], b' ' | b'\t'));
                if dash {
                    toks.push(Tok {
                        kind: TokKind::Dash,
                        col: p - line_start,
                        start: p,
                        end,
                    });
                    p += 1;
                    while p < end && matches!(bytes[p], b' ' | b'\t') {
                        p += 1;
                    }
                    continue;
                }
                toks.push(Tok {
                    kind: TokKind::Content,
                    col: p - line_start,
                    start: p,
                    end,
                });
                break;
            }
        }
        line_start = next;
    }
    toks
}

struct OutlineParser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    toks: Vec<Tok>,
    pos: usize,
    /// Tokens that start before this offset belong to a multi-line flow
    /// collection or quoted scalar already indexed.
    skip_until: usize,
    nodes: Vec<OutlineNode>,
}

impl OutlineParser<'_> {
    fn peek(&mut self) -> Option<Tok> {
        while let Some(t) = self.toks.get(self.pos) {
            if t.start < self.skip_until {
                self.pos += 1;
            } else {
                return Some(*t);
            }
        }
        None
    }

    fn push(&mut self, range: Range<usize>, kind: OutlineKind) -> usize {
        let start = floor_char_boundary(self.text, range.start);
        let end = floor_char_boundary(self.text, range.end).max(start);
        self.nodes.push(OutlineNode {
            range: start..end,
            kind,
        });
        self.nodes.len() - 1
    }

    fn end_of(&self, id: usize) -> usize {
        self.nodes.get(id).map_or(0, |n| n.range.end)
    }

    /// Skips the tokens indented deeper than `col` (continuation lines).
    fn skip_deeper(&mut self, col: Option<usize>) {
        while let Some(t) = self.peek() {
            if col.is_some_and(|c| t.col <= c) {
                break;
            }
            self.pos += 1;
        }
    }

    /// A block node whose tokens are indented deeper than `parent`.
    fn node(&mut self, parent: Option<usize>, depth: usize) -> Option<usize> {
        let t = self.peek()?;
        if parent.is_some_and(|c| t.col <= c) {
            return None;
        }
        if depth > OUTLINE_MAX_DEPTH {
            let start = t.start;
            let mut end = t.end;
            while let Some(u) = self.peek() {
                if parent.is_some_and(|c| u.col <= c) {
                    break;
                }
                end = u.end;
                self.pos += 1;
            }
            return Some(self.push(start..end, OutlineKind::Scalar));
        }
        match t.kind {
            TokKind::Dash => Some(self.seq(t.col, depth)),
            TokKind::Content if self.key_split(&t).is_some() => Some(self.map(t.col, depth)),
            TokKind::Content => {
                self.pos += 1;
                let id = self.inline_value(t.start, t.end, depth);
                self.skip_deeper(parent);
                Some(id)
            }
        }
    }

    fn seq(&mut self, col: usize, depth: usize) -> usize {
        let mut items = Vec::new();
        let mut start = None;
        let mut end = 0;
        while let Some(t) = self.peek() {
            if t.kind != TokKind::Dash || t.col != col {
                break;
            }
            self.pos += 1;
            start.get_or_insert(t.start);
            let item = match self.node(Some(col), depth + 1) {
                Some(n) => n,
                None => self.push(t.start..t.start + 1, OutlineKind::Scalar),
            };
            end = self.end_of(item);
            items.push(item);
        }
        let start = start.unwrap_or(0);
        self.push(start..end.max(start), OutlineKind::Seq(items))
    }

    fn map(&mut self, col: usize, depth: usize) -> usize {
        let mut entries = Vec::new();
        let mut start = None;
        let mut end = 0;
        while let Some(t) = self.peek() {
            if t.kind != TokKind::Content || t.col != col {
                break;
            }
            let Some((key, key_range, value_start)) = self.key_split(&t) else {
                break;
            };
            self.pos += 1;
            start.get_or_insert(t.start);
            let mut v = value_start;
            while v < t.end && matches!(self.bytes[v], b' ' | b'\t') {
                v += 1;
            }
            let value = if v < t.end && self.bytes[v] != b'#' {
                let id = self.inline_value(v, t.end, depth);
                self.skip_deeper(Some(col));
                id
            } else {
                let child = match self.peek() {
                    Some(n) if n.col > col => self.node(Some(col), depth + 1),
                    Some(n) if n.kind == TokKind::Dash && n.col == col => {
                        Some(self.seq(col, depth + 1))
                    }
                    _ => None,
                };
                match child {
                    Some(c) => c,
                    None => self.push(key_range.clone(), OutlineKind::Scalar),
                }
            };
            end = self.end_of(value).max(key_range.end);
            entries.push((key, key_range, value));
        }
        let start = start.unwrap_or(0);
        self.push(start..end.max(start), OutlineKind::Map(entries))
    }

    /// Splits `key: value` at the first mapping colon; returns the key text,
    /// its range and where the value may start.
    fn key_split(&self, t: &Tok) -> Option<(String, Range<usize>, usize)> {
        let b = self.bytes;
        let first = *b.get(t.start)?;
        let colon_ok = |i: usize| {
            i < t.end && b[i] == b':' && (i + 1 == t.end || matches!(b[i + 1], b' ' | b'\t'))
        };
        if first == b'"' || first == b'\'' {
            let close = scan_quoted(b, t.start).min(t.end);
            let mut i = close;
            while i < t.end && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
            if !colon_ok(i) || close < t.start + 2 {
                return None;
            }
            let inner = self.text.get(t.start + 1..close - 1)?;
            let key = if first == b'\'' {
                inner.replace("''", "'")
            } else {
                inner.to_string()
            };
            return Some((key, t.start..close, i + 1));
        }
        if matches!(
            first,
            b'[' | b'{' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?'
        ) {
            return None;
        }
        let mut i = t.start;
        while i < t.end {
            if colon_ok(i) {
                let key_end = trim_end_ascii(b, t.start, i);
                if key_end == t.start {
                    return None;
                }
                let key = self.text.get(t.start..key_end)?.to_string();
                return Some((key, t.start..key_end, i + 1));
            }
            if b[i] == b'#' && i > t.start && matches!(b[i - 1], b' ' | b'\t') {
                return None;
            }
            i += 1;
        }
        None
    }

    /// A value that starts on a key's (or dash's) line at `start`.
    fn inline_value(&mut self, start: usize, line_end: usize, depth: usize) -> usize {
        match self.bytes.get(start) {
            Some(b'[' | b'{') => {
                let (id, end) = self.flow(start, depth);
                self.skip_until = self.skip_until.max(end);
                id
            }
            Some(b'"' | b'\'') => {
                let end = scan_quoted(self.bytes, start);
                self.skip_until = self.skip_until.max(end);
                self.push(start..end, OutlineKind::Scalar)
            }
            _ => {
                let end = plain_end(self.bytes, start, line_end);
                self.push(start..end, OutlineKind::Scalar)
            }
        }
    }

    fn skip_ws(&self, mut p: usize) -> usize {
        let b = self.bytes;
        while p < b.len() {
            match b[p] {
                b' ' | b'\t' | b'\r' | b'\n' => p += 1,
                b'#' if p == 0 || matches!(b[p - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                    while p < b.len() && b[p] != b'\n' {
                        p += 1;
                    }
                }
                _ => break,
            }
        }
        p
    }

    /// A flow collection or flow scalar at `p`; returns the node and the
    /// offset just after it.
    fn flow(&mut self, p: usize, depth: usize) -> (usize, usize) {
        let b = self.bytes;
        let p = self.skip_ws(p);
        match b.get(p) {
            Some(&open) if (open == b'[' || open == b'{') && depth > OUTLINE_MAX_DEPTH => {
                let end = skip_balanced(b, p, open);
                (self.push(p..end, OutlineKind::Scalar), end)
            }
            Some(b'[') => {
                let mut items = Vec::new();
                let mut q = p + 1;
                loop {
                    q = self.skip_ws(q);
                    match b.get(q) {
                        None => break,
                        Some(b']') => {
                            q += 1;
                            break;
                        }
                        Some(b',') => q += 1,
                        Some(b'}') => q += 1,
                        Some(_) => {
                            let (item, after) = self.flow(q, depth + 1);
                            items.push(item);
                            q = if after > q {
                                after
                            } else {
                                next_char(self.text, q)
                            };
                            let r = self.skip_ws(q);
                            if b.get(r) == Some(&b':') {
                                // `[a: b]` single-pair mapping: skip its value.
                                let (_, after) = self.flow(r + 1, depth + 1);
                                q = after.max(r + 1);
                            }
                        }
                    }
                }
                (self.push(p..q, OutlineKind::Seq(items)), q)
            }
            Some(b'{') => {
                let mut entries = Vec::new();
                let mut q = p + 1;
                loop {
                    q = self.skip_ws(q);
                    match b.get(q) {
                        None => break,
                        Some(b'}') => {
                            q += 1;
                            break;
                        }
                        Some(b',') | Some(b']') => q += 1,
                        Some(&c) => {
                            let key_end = if c == b'"' || c == b'\'' {
                                scan_quoted(b, q)
                            } else {
                                flow_plain_end(b, q)
                            };
                            let key_end = key_end.max(next_char(self.text, q).min(b.len()));
                            let key_range = q..trim_end_ascii(b, q, key_end);
                            let mut key =
                                self.text.get(key_range.clone()).unwrap_or("").to_string();
                            if c == b'"' || c == b'\'' {
                                key = key.trim_matches(c as char).to_string();
                            }
                            let r = self.skip_ws(key_end);
                            let (value, after) = if b.get(r) == Some(&b':') {
                                let v = self.skip_ws(r + 1);
                                if matches!(b.get(v), Some(b',' | b'}') | None) {
                                    (self.push(key_range.clone(), OutlineKind::Scalar), v)
                                } else {
                                    self.flow(v, depth + 1)
                                }
                            } else {
                                (self.push(key_range.clone(), OutlineKind::Scalar), r)
                            };
                            entries.push((key, key_range, value));
                            q = after.max(key_end);
                        }
                    }
                }
                (self.push(p..q, OutlineKind::Map(entries)), q)
            }
            Some(b'"' | b'\'') => {
                let end = scan_quoted(b, p);
                (self.push(p..end, OutlineKind::Scalar), end)
            }
            Some(_) => {
                let end = flow_plain_end(b, p);
                let trimmed = trim_end_ascii(b, p, end);
                (self.push(p..trimmed, OutlineKind::Scalar), end)
            }
            None => (self.push(p..p, OutlineKind::Scalar), p),
        }
    }
}

/// Offset just after the closing quote of the quoted scalar at `start` (or
/// the end of the text when it is unterminated).
fn scan_quoted(b: &[u8], start: usize) -> usize {
    let Some(&q) = b.get(start) else {
        return b.len();
    };
    let mut i = start + 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// End of a plain scalar on one line: before a ` #` comment, trimmed.
fn plain_end(b: &[u8], start: usize, line_end: usize) -> usize {
    let mut i = start;
    while i < line_end {
        if b[i] == b'#' && i > start && matches!(b[i - 1], b' ' | b'\t') {
            break;
        }
        i += 1;
    }
    trim_end_ascii(b, start, i)
}

/// End of a plain scalar inside a flow collection.
fn flow_plain_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b',' | b']' | b'}' | b'\n' => break,
            b':' if matches!(
                b.get(i + 1),
                None | Some(b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}')
            ) =>
            {
                break
            }
            b'#' if i > start && matches!(b[i - 1], b' ' | b'\t') => break,
            _ => i += 1,
        }
    }
    i
}

/// Offset after the bracket matching the one at `start` (quotes ignored).
fn skip_balanced(b: &[u8], start: usize, open: u8) -> usize {
    let close = if open == b'[' { b']' } else { b'}' };
    let mut level = 0usize;
    let mut i = start;
    while i < b.len() {
        if b[i] == open {
            level += 1;
        } else if b[i] == close {
            level = level.saturating_sub(1);
            if level == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    b.len()
}

fn trim_end_ascii(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(b[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    end
}

fn next_char(text: &str, p: usize) -> usize {
    let mut q = p + 1;
    while q < text.len() && !text.is_char_boundary(q) {
        q += 1;
    }
    q.min(text.len())
}

#[cfg(test)]
mod outline_tests {
    use super::*;

    fn at<'a>(text: &'a str, path: &[PathSeg<'_>]) -> (&'a str, bool) {
        let l = Outline::parse(text).locate(path);
        (&text[l.range], l.exact)
    }

    #[test]
    fn locates_block_values() {
        let y = "id: x\ndoi: 10.1/abc # note\nsupports:\n  - category: efficacy\n    conditions:\n      - aga\n      - hair-loss\n  - category: safety\n";
        use PathSeg::*;
        assert_eq!(at(y, &[Key("doi")]), ("10.1/abc", true));
        assert_eq!(
            at(y, &[Key("supports"), Index(0), Key("conditions"), Index(1)]),
            ("hair-loss", true)
        );
        assert_eq!(
            at(y, &[Key("supports"), Index(1), Key("category")]),
            ("safety", true)
        );
    }

    #[test]
    fn locates_flow_and_quoted_values() {
        use PathSeg::*;
        let y = "a: [x, \"y z\", w]\nb: {k: v, 'q': [1, 2]}\nc:\n- 一\n- 二\nd: \"multi\n  line\"\ne: ok\n";
        assert_eq!(at(y, &[Key("a"), Index(1)]), ("\"y z\"", true));
        assert_eq!(at(y, &[Key("b"), Key("q"), Index(1)]), ("2", true));
        assert_eq!(at(y, &[Key("c"), Index(1)]), ("二", true));
        assert_eq!(at(y, &[Key("e")]), ("ok", true));
        let (_, exact) = at(y, &[Key("zz")]);
        assert!(!exact);
    }

    #[test]
    fn skips_block_scalars_and_comments() {
        use PathSeg::*;
        let y = "# c\n---\ndesign: |\n  - not: a key\n  more\nid: real # x\n";
        assert_eq!(at(y, &[Key("id")]), ("real", true));
        assert_eq!(at(y, &[Key("design")]), ("|", true));
    }

    #[test]
    fn never_panics_on_junk() {
        let long = "a".repeat(10_000);
        let deep = "[".repeat(5_000);
        let dashes = "- ".repeat(5_000);
        for t in [
            "",
            "[",
            "{",
            ":",
            "- ",
            "\"",
            "'a",
            "\u{feff}é: ü",
            "a:\n\t- b",
            &long,
            &deep,
            &dashes,
            "k: [a, {b: [c, 'd'], e: \"f\\\"\"}, ",
            "ä: {ö: ",
        ] {
            let o = Outline::parse(t);
            for path in [
                &[PathSeg::Key("k")][..],
                &[PathSeg::Index(0), PathSeg::Key("b"), PathSeg::Index(3)],
            ] {
                let l = o.locate(path);
                assert!(t.get(l.range.clone()).is_some(), "{t:?} {l:?}");
            }
        }
    }

    #[test]
    fn converts_lines_and_columns() {
        let t = "ab\n日本語: x\n";
        assert_eq!(line_column(t, 0), (1, 1));
        let x = t.find('x').unwrap_or(0);
        assert_eq!(line_column(t, x), (2, 6));
        assert_eq!(byte_offset(t, 2, 6), x);
        assert_eq!(byte_offset(t, 9, 9), t.len());
        assert_eq!(line_column(t, 4), (2, 1));
    }
}
