//! Bytes → text. UTF-8 with or without a byte-order mark; anything else is a
//! per-file error naming the first bad byte. A stripped BOM is remembered so
//! reported byte offsets still index the original file.

use std::fmt;

/// Decoded text and the number of leading bytes removed (a UTF-8 BOM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub offset: usize,
}

/// Why a file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file holds NUL bytes: it is binary, not prose.
    Binary,
    /// Not valid UTF-8 at this byte offset.
    InvalidUtf8 { offset: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary => {
                f.write_str("バイナリファイルのためスキップしました（NULバイトを含みます）")
            }
            DecodeError::InvalidUtf8 { offset } => write!(
                f,
                "UTF-8として読めないバイトがあります（バイトオフセット {offset}）"
            ),
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file's bytes.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let offset = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let mut bytes = bytes;
    bytes.drain(..offset);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text, offset }),
        Err(e) => Err(DecodeError::InvalidUtf8 {
            offset: offset + e.utf8_error().valid_up_to(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_remembers_it() {
        let d = decode(b"\xEF\xBB\xBFabc".to_vec()).unwrap();
        assert_eq!(
            d,
            Decoded {
                text: "abc".into(),
                offset: 3
            }
        );
    }

    #[test]
    fn reports_first_bad_byte() {
        assert_eq!(
            decode(b"ab\xFFc".to_vec()),
            Err(DecodeError::InvalidUtf8 { offset: 2 })
        );
        assert_eq!(decode(b"a\0b".to_vec()), Err(DecodeError::Binary));
    }
}
