//! Markup to prose: each format's extractor turns a source document into
//! [`Prose`], keeping an exact offset map back to the source bytes.

pub mod entities;
pub mod html;
pub mod markdown;
pub mod text;

use crate::prose::Prose;
use crate::source::Format;

/// Extracts prose from `src` according to its format.
pub fn extract(src: &str, format: Format) -> Prose {
    match format {
        Format::Markdown => markdown::extract(src),
        Format::Html => html::extract(src),
        Format::Text => text::extract(src),
    }
}
