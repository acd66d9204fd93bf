//! The one place that parses YAML. serde_yaml is archived upstream, so every
//! other module goes through these functions; swapping the parser later means
//! editing this file only.

use serde::de::DeserializeOwned;
use std::fmt;

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

/// Serializes a value as YAML (used by `exolint config` and `registry show`).
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}
