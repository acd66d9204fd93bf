//! Bytes → text. UTF-8 (with or without a byte-order mark), UTF-16 LE/BE
//! (with a BOM, or named with `--encoding`), and Shift_JIS / EUC-JP (declared
//! by `<meta charset>` in an HTML file's first 1024 bytes, or named with
//! `--encoding`). Decoding is strict: a byte sequence the encoding cannot
//! decode is a per-file error naming its offset in the original file.
//!
//! Every later stage works on UTF-8 text, so the reported byte spans of a
//! file in another encoding are mapped back to the original bytes through a
//! compact [`Decoded::original`] map.

use encoding_rs::{DecoderResult, Encoding, EUC_JP, SHIFT_JIS, UTF_16BE, UTF_16LE};
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// Largest input accepted, in bytes. Larger files are refused before they
/// are read in full (a 50 MB page must still lint; an endless device or a
/// multi-gigabyte dump must not exhaust memory).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes of an HTML file are searched for `<meta charset>`, as
/// browsers do.
const META_PRESCAN_BYTES: usize = 1024;

/// Characters between two checkpoints of the offset map.
const CHUNK: usize = 64;

/// An encoding exolint decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Charset {
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "utf-16le", alias = "utf16le")]
    Utf16Le,
    #[value(name = "utf-16be", alias = "utf16be")]
    Utf16Be,
    /// Shift_JIS as the web uses it (Windows-31J / CP932 extensions included).
    #[value(
        name = "shift_jis",
        alias = "shift-jis",
        alias = "sjis",
        alias = "cp932",
        alias = "windows-31j"
    )]
    ShiftJis,
    #[value(name = "euc-jp", alias = "eucjp")]
    EucJp,
}

impl Charset {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf16Be => "UTF-16BE",
            Charset::ShiftJis => "Shift_JIS",
            Charset::EucJp => "EUC-JP",
        }
    }

    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Charset::Utf8 => None,
            Charset::Utf16Le => Some(UTF_16LE),
            Charset::Utf16Be => Some(UTF_16BE),
            Charset::ShiftJis => Some(SHIFT_JIS),
            Charset::EucJp => Some(EUC_JP),
        }
    }
}

/// How to pick a file's encoding when it has no byte-order mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `--encoding`: used for every file without a BOM.
    pub charset: Option<Charset>,
    /// Look for `<meta charset>` (HTML files) when no charset is given.
    pub sniff_meta: bool,
}

/// Decoded text, and how its byte offsets map to the original file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Length of the stripped byte-order mark (0 without one).
    pub offset: usize,
    /// The encoding the file was read in.
    pub charset: Charset,
    map: OffsetMap,
}

/// Maps offsets in `Decoded::text` to offsets in the original bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OffsetMap {
    /// UTF-8: the text is the original minus the BOM.
    Shifted,
    /// Other encodings: every `CHUNK`th character's (text, original) offset,
    /// and how wide each character is in the original.
    Checkpoints {
        points: Vec<(usize, usize)>,
        widths: Widths,
    },
}

/// Original width of each character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Widths {
    /// UTF-16: two bytes per code unit, known from the character itself.
    Utf16,
    /// Shift_JIS and EUC-JP: 1–3 bytes, which the character alone does not
    /// tell (EUC-JP encodes some characters both in two and in three
    /// bytes), so each width is kept in two bits.
    Packed(Vec<u8>),
}

impl Widths {
    fn get(&self, index: usize, c: char) -> usize {
        match self {
            Widths::Utf16 => c.len_utf16() * 2,
            Widths::Packed(v) => {
                let byte = v.get(index / 4).copied().unwrap_or(0);
                usize::from((byte >> ((index % 4) * 2)) & 3) + 1
            }
        }
    }
}

impl Decoded {
    /// The offset in the original file of text offset `offset` (a character
    /// boundary; anything else is rounded down to one).
    pub fn original(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        match &self.map {
            OffsetMap::Shifted => self.offset + offset,
            OffsetMap::Checkpoints { points, widths } => {
                let i = points.partition_point(|p| p.0 <= offset).saturating_sub(1);
                let (text_at, mut orig) = points.get(i).copied().unwrap_or((0, self.offset));
                let chars = self.text[text_at..offset].chars();
                for (index, c) in (i * CHUNK..).zip(chars) {
                    orig += widths.get(index, c);
                }
                orig
            }
        }
    }

    /// [`Decoded::original`] for both ends of a range.
    pub fn original_range(&self, r: Range<usize>) -> Range<usize> {
        self.original(r.start)..self.original(r.end)
    }
}

/// Why a file could not be read or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file holds NUL bytes: it is binary, not prose.
    Binary,
    /// Not valid in `charset` at this byte offset of the original file.
    Invalid { charset: Charset, offset: usize },
    /// `<meta charset>` names an encoding exolint does not decode, and the
    /// bytes are not UTF-8 either.
    Unsupported { label: String },
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge { size: u64 },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary => {
                f.write_str("バイナリファイルのためスキップしました（NULバイトを含みます）")
            }
            DecodeError::Invalid {
                charset: Charset::Utf8,
                offset,
            } => write!(
                f,
                "UTF-8として読めないバイトがあります（バイトオフセット {offset}）。\
                 Shift_JIS や EUC-JP のファイルなら --encoding で指定してください"
            ),
            DecodeError::Invalid { charset, offset } => write!(
                f,
                "{}として読めないバイトがあります（バイトオフセット {offset}）",
                charset.name()
            ),
            DecodeError::Unsupported { label } => write!(
                f,
                "文字コード {label} には対応していません（対応: UTF-8, UTF-16, Shift_JIS, EUC-JP）"
            ),
            DecodeError::TooLarge { size } => write!(
                f,
                "ファイルが大きすぎるため検査しません（{size} バイト、上限 {} MiB）",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// Why reading a file failed.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge { size: u64 },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(&crate::discover::io_message(e)),
            ReadError::TooLarge { size } => DecodeError::TooLarge { size: *size }.fmt(f),
        }
    }
}

/// Reads a file, refusing it when it holds more than [`MAX_FILE_BYTES`].
/// Reads at most one byte past the limit, so an endless device or a file
/// that grows while it is read cannot exhaust memory.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let hint = file.metadata().map(|m| m.len()).unwrap_or(0);
    if hint > MAX_FILE_BYTES as u64 {
        return Err(ReadError::TooLarge { size: hint });
    }
    read_limited(file, hint as usize)
}

/// Reads `r` to its end, up to [`MAX_FILE_BYTES`].
pub fn read_limited(r: impl Read, hint: usize) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::with_capacity(hint.min(MAX_FILE_BYTES) + 1);
    r.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            size: buf.len() as u64,
        });
    }
    Ok(buf)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// Decodes a file's bytes: UTF-8, or UTF-16 with a BOM.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    decode_with(bytes, Options::default())
}

/// Decodes a file's bytes. A byte-order mark wins over `--encoding`, which
/// wins over `<meta charset>`; without any of them the file is UTF-8.
pub fn decode_with(bytes: Vec<u8>, options: Options) -> Result<Decoded, DecodeError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(DecodeError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    let (charset, bom) = if bytes.starts_with(UTF8_BOM) {
        (Charset::Utf8, UTF8_BOM.len())
    } else if bytes.starts_with(UTF16LE_BOM) {
        (Charset::Utf16Le, UTF16LE_BOM.len())
    } else if bytes.starts_with(UTF16BE_BOM) {
        (Charset::Utf16Be, UTF16BE_BOM.len())
    } else if let Some(c) = options.charset {
        (c, 0)
    } else if options.sniff_meta {
        match sniff_meta(&bytes) {
            Some(Declared::Supported(c)) => (c, 0),
            Some(Declared::Unsupported(label)) => {
                // Old templates often declare a Western charset over UTF-8
                // text: accept the bytes if they are UTF-8, else say why not.
                return match decode_utf8(bytes, 0) {
                    Err(DecodeError::Invalid { .. }) => Err(DecodeError::Unsupported { label }),
                    other => other,
                };
            }
            Some(Declared::Stateful(label)) => return Err(DecodeError::Unsupported { label }),
            None => (Charset::Utf8, 0),
        }
    } else {
        (Charset::Utf8, 0)
    };
    match charset.encoding() {
        None => decode_utf8(bytes, bom),
        Some(encoding) => decode_other(&bytes, bom, charset, encoding),
    }
}

fn decode_utf8(mut bytes: Vec<u8>, bom: usize) -> Result<Decoded, DecodeError> {
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    bytes.drain(..bom);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            offset: bom,
            charset: Charset::Utf8,
            map: OffsetMap::Shifted,
        }),
        Err(e) => Err(DecodeError::Invalid {
            charset: Charset::Utf8,
            offset: bom + e.utf8_error().valid_up_to(),
        }),
    }
}

fn decode_other(
    bytes: &[u8],
    bom: usize,
    charset: Charset,
    encoding: &'static Encoding,
) -> Result<Decoded, DecodeError> {
    let utf16 = matches!(charset, Charset::Utf16Le | Charset::Utf16Be);
    // NUL is a valid byte in UTF-16 text; elsewhere it means binary.
    if !utf16 && bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let src = &bytes[bom..];
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(src.len())
        .unwrap_or(src.len());
    let mut text = String::with_capacity(capacity);
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&src[read_total..], &mut text, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => text.reserve(src.len() - read_total + 16),
            DecoderResult::Malformed(bad, after) => {
                let offset = read_total.saturating_sub(usize::from(bad) + usize::from(after));
                return Err(DecodeError::Invalid {
                    charset,
                    offset: bom + offset,
                });
            }
        }
    }
    if utf16 && text.contains('\0') {
        return Err(DecodeError::Binary);
    }
    let widths = if utf16 {
        Widths::Utf16
    } else {
        match packed_widths(&text, src, charset) {
            Some(w) => Widths::Packed(w),
            // The decoder accepted what the lead-byte rules do not: name the
            // first place they disagree rather than report wrong offsets.
            None => {
                return Err(DecodeError::Invalid {
                    charset,
                    offset: bom,
                })
            }
        }
    };
    let mut points = Vec::with_capacity(text.len() / CHUNK + 1);
    let mut orig = bom;
    for (index, (at, c)) in text.char_indices().enumerate() {
        if index % CHUNK == 0 {
            points.push((at, orig));
        }
        orig += widths.get(index, c);
    }
    if points.is_empty() {
        points.push((0, bom));
    }
    text.shrink_to_fit();
    Ok(Decoded {
        text,
        offset: bom,
        charset,
        map: OffsetMap::Checkpoints { points, widths },
    })
}

/// The width in the original of each character of `text`, decoded from
/// `src` without errors, two bits each; `None` if the widths do not add up
/// to the input (which would be a decoder this code does not know).
fn packed_widths(text: &str, src: &[u8], charset: Charset) -> Option<Vec<u8>> {
    let mut packed = Vec::with_capacity(text.len() / 4 + 1);
    let mut pos = 0;
    for (index, _) in text.chars().enumerate() {
        let lead = *src.get(pos)?;
        // The lead byte decides the length of a valid sequence (WHATWG
        // Encoding Standard decoders, which encoding_rs implements).
        let width = match charset {
            Charset::ShiftJis => match lead {
                0x00..=0x80 | 0xA1..=0xDF => 1,
                _ => 2,
            },
            Charset::EucJp => match lead {
                0x00..=0x7F => 1,
                0x8F => 3,
                _ => 2,
            },
            _ => return None,
        };
        if index % 4 == 0 {
            packed.push(0);
        }
        if let Some(last) = packed.last_mut() {
            *last |= ((width - 1) as u8) << ((index % 4) * 2);
        }
        pos += width;
    }
    (pos == src.len()).then_some(packed)
}

/// What a `<meta>` element declares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Declared {
    Supported(Charset),
    /// An ASCII-compatible encoding exolint does not decode (windows-1252…).
    Unsupported(String),
    /// ISO-2022-JP and the like: ASCII bytes that are not ASCII text.
    Stateful(String),
}

/// The encoding declared by the first `<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">` in the first
/// 1024 bytes — a simplified form of the HTML standard's prescan, which never
/// looks past the end of its input.
fn sniff_meta(bytes: &[u8]) -> Option<Declared> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let mut i = 0;
    while i < head.len() {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            i = find(head, i + 4, b"-->")? + 3;
        } else if rest.len() > 5
            && rest[1..5].eq_ignore_ascii_case(b"meta")
            && rest[0] == b'<'
            && matches!(rest[5], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/')
        {
            let (label, end) = meta_label(head, i + 5);
            if let Some(label) = label {
                if let Some(d) = resolve(&label) {
                    return Some(d);
                }
            }
            i = end;
        } else if (rest.starts_with(b"<") && rest.get(1).is_some_and(u8::is_ascii_alphabetic))
            || rest.starts_with(b"</")
        {
            // Skip other tags whole, so a quoted `<meta` inside an attribute
            // value is not taken for a tag.
            let mut j = i + 1;
            while j < head.len()
                && !matches!(head[j], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'>')
            {
                j += 1;
            }
            let mut pos = j;
            while let Some((_, _, next)) = attribute(head, pos) {
                pos = next;
            }
            i = pos + 1;
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = find(head, i + 2, b">")? + 1;
        } else {
            i += 1;
        }
    }
    None
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads a `<meta>` tag's attributes from `pos`; returns the declared label,
/// if any, and the offset after the tag.
fn meta_label(head: &[u8], mut pos: usize) -> (Option<String>, usize) {
    let mut charset = None;
    let mut content = None;
    let mut pragma = false;
    while let Some((name, value, next)) = attribute(head, pos) {
        pos = next;
        match name.as_slice() {
            b"charset" if charset.is_none() => charset = Some(value),
            b"content" if content.is_none() => content = Some(value),
            b"http-equiv" => pragma |= value.eq_ignore_ascii_case(b"content-type"),
            _ => {}
        }
    }
    let label = match (charset, content) {
        (Some(c), _) => Some(c),
        (None, Some(c)) if pragma => charset_from_content(&c),
        _ => None,
    };
    (
        label.map(|l| String::from_utf8_lossy(&l).trim().to_string()),
        pos + 1,
    )
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// One attribute at `pos`: lower-cased name, value, and where the next one
/// starts; `None` at `>` or the end of input.
fn attribute(s: &[u8], mut pos: usize) -> Option<(Vec<u8>, Vec<u8>, usize)> {
    while pos < s.len() && (is_space(s[pos]) || s[pos] == b'/') {
        pos += 1;
    }
    if pos >= s.len() || s[pos] == b'>' {
        return None;
    }
    let mut name = Vec::new();
    while pos < s.len() && !is_space(s[pos]) && !matches!(s[pos], b'=' | b'>' | b'/') {
        name.push(s[pos].to_ascii_lowercase());
        pos += 1;
    }
    if name.is_empty() {
        // A stray `=`: take it as a one-byte name so the scan moves on.
        name.push(s[pos]);
        pos += 1;
    }
    while pos < s.len() && is_space(s[pos]) {
        pos += 1;
    }
    if pos >= s.len() || s[pos] != b'=' {
        return Some((name, Vec::new(), pos));
    }
    pos += 1;
    while pos < s.len() && is_space(s[pos]) {
        pos += 1;
    }
    let mut value = Vec::new();
    match s.get(pos) {
        Some(&q @ (b'"' | b'\'')) => {
            pos += 1;
            while pos < s.len() && s[pos] != q {
                value.push(s[pos]);
                pos += 1;
            }
            pos += 1;
        }
        _ => {
            while pos < s.len() && !is_space(s[pos]) && s[pos] != b'>' {
                value.push(s[pos]);
                pos += 1;
            }
        }
    }
    Some((name, value, pos.min(s.len())))
}

/// `text/html; charset=Shift_JIS` → `Shift_JIS`.
fn charset_from_content(content: &[u8]) -> Option<Vec<u8>> {
    let lower = content.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower, from, b"charset") {
        let mut pos = at + 7;
        while pos < lower.len() && is_space(lower[pos]) {
            pos += 1;
        }
        if lower.get(pos) != Some(&b'=') {
            from = at + 7;
            continue;
        }
        pos += 1;
        while pos < lower.len() && is_space(lower[pos]) {
            pos += 1;
        }
        let value: Vec<u8> = match lower.get(pos) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = find(&lower, pos + 1, &[q])?;
                content[pos + 1..end].to_vec()
            }
            _ => content[pos..]
                .iter()
                .take_while(|&&b| !is_space(b) && b != b';')
                .copied()
                .collect(),
        };
        return (!value.is_empty()).then_some(value);
    }
    None
}

/// What a declared label means for decoding.
fn resolve(label: &str) -> Option<Declared> {
    let encoding = Encoding::for_label(label.as_bytes())?;
    // A `<meta>` can only be read if the bytes so far were ASCII, so a
    // UTF-16 declaration is wrong and means UTF-8 (HTML standard).
    Some(
        if encoding == encoding_rs::UTF_8 || encoding == UTF_16LE || encoding == UTF_16BE {
            Declared::Supported(Charset::Utf8)
        } else if encoding == SHIFT_JIS {
            Declared::Supported(Charset::ShiftJis)
        } else if encoding == EUC_JP {
            Declared::Supported(Charset::EucJp)
        } else if encoding.is_ascii_compatible() {
            Declared::Unsupported(encoding.name().to_string())
        } else {
            Declared::Stateful(encoding.name().to_string())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sjis(s: &str) -> Vec<u8> {
        let (b, _, bad) = SHIFT_JIS.encode(s);
        assert!(!bad);
        b.into_owned()
    }

    fn euc(s: &str) -> Vec<u8> {
        let (b, _, bad) = EUC_JP.encode(s);
        assert!(!bad);
        b.into_owned()
    }

    /// Every character boundary maps to the offset where that character
    /// starts in `bytes`, and the character's original bytes decode to it.
    fn assert_map(d: &Decoded, bytes: &[u8], encoding: &'static Encoding) {
        let mut prev = d.original(0);
        assert_eq!(prev, d.offset);
        for (at, c) in d.text.char_indices() {
            let start = d.original(at);
            let end = d.original(at + c.len_utf8());
            assert_eq!(start, prev);
            let (s, bad) = encoding.decode_without_bom_handling(&bytes[start..end]);
            assert!(!bad, "{c:?} at {at}: {:?}", &bytes[start..end]);
            assert_eq!(s, c.to_string());
            prev = end;
        }
        assert_eq!(d.original(d.text.len()), bytes.len());
    }

    #[test]
    fn strips_bom_and_remembers_it() {
        let d = decode(b"\xEF\xBB\xBFabc".to_vec()).unwrap();
        assert_eq!(d.text, "abc");
        assert_eq!(d.offset, 3);
        assert_eq!(d.original(1), 4);
        assert_eq!(d.charset, Charset::Utf8);
    }

    #[test]
    fn reports_first_bad_byte() {
        assert_eq!(
            decode(b"ab\xFFc".to_vec()),
            Err(DecodeError::Invalid {
                charset: Charset::Utf8,
                offset: 2
            })
        );
        assert_eq!(decode(b"a\0b".to_vec()), Err(DecodeError::Binary));
    }

    #[test]
    fn utf16_with_bom_maps_to_original_bytes() {
        let text = "当院は必ず治る。A𠮷\n";
        for (bom, enc) in [(UTF16LE_BOM, UTF_16LE), (UTF16BE_BOM, UTF_16BE)] {
            let mut bytes = bom.to_vec();
            for u in text.encode_utf16() {
                let b = if enc == UTF_16LE {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                bytes.extend(b);
            }
            let d = decode(bytes.clone()).unwrap();
            assert_eq!(d.text, text);
            assert_eq!(d.offset, 2);
            assert_map(&d, &bytes, enc);
            let at = text.find("必ず").unwrap();
            assert_eq!(d.original_range(at..at + "必ず".len()), 8..12);
        }
    }

    #[test]
    fn utf16_errors_point_at_the_original_bytes() {
        // An unpaired high surrogate after two characters.
        let bytes = b"\xFF\xFEa\x00b\x00\x00\xD8c\x00".to_vec();
        assert_eq!(
            decode(bytes),
            Err(DecodeError::Invalid {
                charset: Charset::Utf16Le,
                offset: 6
            })
        );
        assert_eq!(
            decode(b"\xFF\xFEa\x00\x00\x00".to_vec()),
            Err(DecodeError::Binary)
        );
    }

    #[test]
    fn shift_jis_and_euc_jp_by_option() {
        let text = "ｱｲｳ当院は必ず治る。~\\ABC①髙\n";
        for (charset, bytes, enc) in [
            (Charset::ShiftJis, sjis(text), SHIFT_JIS),
            (Charset::EucJp, euc(text), EUC_JP),
        ] {
            let options = Options {
                charset: Some(charset),
                sniff_meta: false,
            };
            let d = decode_with(bytes.clone(), options).unwrap();
            assert_eq!(d.text, text);
            assert_map(&d, &bytes, enc);
        }
    }

    #[test]
    fn long_text_crosses_checkpoints() {
        let text = "a当b院".repeat(500);
        let bytes = sjis(&text);
        let d = decode_with(
            bytes.clone(),
            Options {
                charset: Some(Charset::ShiftJis),
                sniff_meta: false,
            },
        )
        .unwrap();
        assert_map(&d, &bytes, SHIFT_JIS);
    }

    #[test]
    fn every_euc_jp_sequence_maps_exactly() {
        // All two-byte and JIS X 0212 three-byte sequences, ASCII between them
        // so each is read on its own.
        let mut bytes = Vec::new();
        for a in 0x8Eu8..=0xFE {
            for b in 0xA1u8..=0xFE {
                let seq = [a, b];
                if !EUC_JP.decode_without_bom_handling(&seq).1 {
                    bytes.extend(seq);
                    bytes.push(b'x');
                }
                let seq = [0x8F, a.max(0xA1), b];
                if !EUC_JP.decode_without_bom_handling(&seq).1 {
                    bytes.extend(seq);
                    bytes.push(b'y');
                }
            }
        }
        let options = Options {
            charset: Some(Charset::EucJp),
            sniff_meta: false,
        };
        let d = decode_with(bytes.clone(), options).unwrap();
        assert_map(&d, &bytes, EUC_JP);
    }

    #[test]
    fn every_shift_jis_sequence_maps_exactly() {
        let mut bytes = Vec::new();
        for a in 0x80u8..=0xFF {
            bytes.push(a);
            if SHIFT_JIS.decode_without_bom_handling(&bytes).1 {
                bytes.pop();
            }
            for b in 0x40u8..=0xFC {
                let seq = [a, b];
                if !SHIFT_JIS.decode_without_bom_handling(&seq).1
                    && SHIFT_JIS
                        .decode_without_bom_handling(&seq)
                        .0
                        .chars()
                        .count()
                        == 1
                {
                    bytes.extend(seq);
                    bytes.push(b'x');
                }
            }
        }
        let options = Options {
            charset: Some(Charset::ShiftJis),
            sniff_meta: false,
        };
        let d = decode_with(bytes.clone(), options).unwrap();
        assert_map(&d, &bytes, SHIFT_JIS);
    }

    #[test]
    fn undecodable_shift_jis_names_the_original_offset() {
        let mut bytes = sjis("当院は");
        bytes.extend([0x81, 0x20]);
        let options = Options {
            charset: Some(Charset::ShiftJis),
            sniff_meta: false,
        };
        assert_eq!(
            decode_with(bytes, options),
            Err(DecodeError::Invalid {
                charset: Charset::ShiftJis,
                offset: 6
            })
        );
    }

    #[test]
    fn meta_charset_is_sniffed_in_html() {
        let html = |head: &str| {
            let mut b = head.as_bytes().to_vec();
            b.extend(sjis("<p>当院は必ず治る</p>"));
            b
        };
        let sniff = Options {
            charset: None,
            sniff_meta: true,
        };
        for head in [
            "<!doctype html><meta charset=\"Shift_JIS\">",
            "<html><head><META CHARSET=sjis>",
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\">",
            "<meta content='text/html;charset=\"x-sjis\"' http-equiv=content-type>",
            "<!-- <meta charset=utf-8> --><meta charset=shift_jis>",
        ] {
            let d = decode_with(html(head), sniff).unwrap_or_else(|e| panic!("{head}: {e}"));
            assert_eq!(d.charset, Charset::ShiftJis, "{head}");
            assert!(d.text.contains("必ず"));
        }
        // Not a tag: inside an attribute value.
        let bytes = html("<p title='<meta charset=sjis>'>");
        assert!(decode_with(bytes, sniff).is_err());
        // An explicit option wins over the document.
        let mut bytes = b"<meta charset=shift_jis>".to_vec();
        bytes.extend(euc("当院"));
        let d = decode_with(
            bytes,
            Options {
                charset: Some(Charset::EucJp),
                sniff_meta: true,
            },
        )
        .unwrap();
        assert!(d.text.ends_with("当院"));
        // Only in the first 1024 bytes.
        let mut late = " ".repeat(1100).into_bytes();
        late.extend(html("<meta charset=shift_jis>"));
        assert!(decode_with(late, sniff).is_err());
    }

    #[test]
    fn unsupported_declarations() {
        let sniff = Options {
            charset: None,
            sniff_meta: true,
        };
        // Western charset over UTF-8 text: read as UTF-8.
        let d = decode_with("<meta charset=iso-8859-1>必ず".as_bytes().to_vec(), sniff).unwrap();
        assert!(d.text.ends_with("必ず"));
        assert_eq!(
            decode_with(b"<meta charset=windows-1252>\xE9".to_vec(), sniff),
            Err(DecodeError::Unsupported {
                label: "windows-1252".into()
            })
        );
        assert!(matches!(
            decode_with(b"<meta charset=iso-2022-jp>abc".to_vec(), sniff),
            Err(DecodeError::Unsupported { .. })
        ));
        // UTF-16 in a meta means UTF-8.
        let d = decode_with("<meta charset=utf-16>必ず".as_bytes().to_vec(), sniff).unwrap();
        assert_eq!(d.charset, Charset::Utf8);
    }

    #[test]
    fn sniffing_survives_truncated_tags() {
        for s in [
            "<meta",
            "<meta ",
            "<meta charset",
            "<meta charset=",
            "<meta charset='",
            "<meta content=\"charset=",
            "<!--",
            "<!",
            "<a href='",
            "<meta http-equiv=content-type content='charset='",
            "<meta =x =",
        ] {
            let _ = sniff_meta(s.as_bytes());
        }
    }

    #[test]
    fn size_limit() {
        let r = read_limited(std::io::repeat(b'a'), 0);
        assert!(matches!(r, Err(ReadError::TooLarge { .. })));
        assert!(read_limited(&b"abc"[..], 3).is_ok());
    }
}
