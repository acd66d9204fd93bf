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

/// Whether an image's alternative text is read as prose: it must hold some
/// Japanese. Banners carry their claims there (たった3回で薄毛が改善！); an
/// emoji, a logo's name or a file name would only cut the sentence the
/// image sits in.
pub(crate) fn alt_is_prose(alt: &str) -> bool {
    alt.chars().any(|c| {
        ('\u{3041}'..='\u{30FF}').contains(&c)
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{FF66}'..='\u{FF9F}').contains(&c)
    })
}
