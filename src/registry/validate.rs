//! Per-entry checks that serde cannot do (identifier shapes, dates, levels
//! against the study design) and the normalisation used by the id lookups.

use super::error::{self, RegistryError};
use super::schema::{DateText, Entry};
use crate::yaml::PathSeg;

// These shapes are checked by hand, not with regexes: compiling four
// regexes cost more than the rest of loading the built-in registry, at
// every start. A test holds them to the regexes they replace.

/// `10.NNNN/…`: a DOI without any `https://doi.org/` prefix (4–9 ASCII
/// digits of registrant code, then a suffix without whitespace).
pub fn is_doi(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("10.") else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (4..=9).contains(&digits)
        && rest[digits..]
            .strip_prefix('/')
            .is_some_and(|suffix| !suffix.is_empty() && !suffix.chars().any(char::is_whitespace))
}

/// 1–9 digits.
pub fn is_pmid(s: &str) -> bool {
    (1..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `PMC` followed by digits.
pub fn is_pmcid(s: &str) -> bool {
    s.strip_prefix("PMC")
        .is_some_and(|d| (1..=12).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `NCT` followed by 8 digits.
pub fn is_nct(s: &str) -> bool {
    s.strip_prefix("NCT")
        .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `http://` or `https://` followed by a host and no whitespace.
pub fn is_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    rest.chars()
        .next()
        .is_some_and(|c| !c.is_whitespace() && !matches!(c, '/' | '?' | '#'))
        && !rest.chars().any(char::is_whitespace)
}

/// Entry ids: lowercase ASCII letters, digits, `_` and `-`, at most 100.
pub fn is_entry_id(s: &str) -> bool {
    is_id(s, b"_-")
}

/// Vocabulary ids: lowercase ASCII letters, digits and `-`.
pub fn is_term_id(s: &str) -> bool {
    is_id(s, b"-")
}

/// A lowercase letter or digit, then those or `also`; at most 100 bytes.
fn is_id(s: &str, also: &[u8]) -> bool {
    let word = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    s.len() <= 100
        && s.as_bytes().first().is_some_and(word)
        && s.bytes().all(|b| word(&b) || also.contains(&b))
}

/// A DOI as it may appear in copy (`https://doi.org/10.…`, `doi:10.…`),
/// reduced to its lowercase bare form.
pub fn normalize_doi(s: &str) -> String {
    let mut t = s.trim();
    let lower = t.to_ascii_lowercase();
    for p in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "dx.doi.org/",
        "doi:",
        "doi ",
    ] {
        if lower.starts_with(p) {
            t = t.get(p.len()..).unwrap_or("").trim_start();
            break;
        }
    }
    t.trim_end_matches(['.', ',']).to_lowercase()
}

/// A PMID with any `PMID:` prefix and leading zeros removed.
pub fn normalize_pmid(s: &str) -> String {
    let t = s.trim();
    let t = strip_prefix_ci(t, "pmid").trim_start_matches([':', ' ', '：']);
    let t = t.trim().trim_start_matches('0');
    t.to_string()
}

/// A PMCID in the form `PMC123`, from `pmc123`, `PMCID: PMC123` or `123`.
pub fn normalize_pmcid(s: &str) -> String {
    let t = s.trim();
    let t = strip_prefix_ci(t, "pmcid")
        .trim_start_matches([':', ' ', '：'])
        .trim();
    let t = strip_prefix_ci(t, "pmc");
    format!("PMC{}", t.trim())
}

/// An NCT number in upper case.
pub fn normalize_nct(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// A URL without scheme, `www.`, fragment or trailing slash, host lowercased.
pub fn normalize_url(s: &str) -> String {
    let t = s.trim();
    let t = strip_prefix_ci(t, "https://");
    let t = strip_prefix_ci(t, "http://");
    let t = strip_prefix_ci(t, "www.");
    let t = t.split('#').next().unwrap_or("");
    let t = t.trim_end_matches('/');
    match t.split_once('/') {
        Some((host, path)) => format!("{}/{}", host.to_ascii_lowercase(), path),
        None => t.to_ascii_lowercase(),
    }
}

/// A name (alias, title, citation) folded for comparison: full-width ASCII to
/// half-width, lower case, no whitespace or punctuation.
pub fn normalize_name(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_ascii_punctuation()
                && !"、。・（）「」『』【】〔〕［］“”‘’〈〉《》：；，．".contains(*c)
        })
        .collect()
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> &'a str {
    match s.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => s.get(prefix.len()..).unwrap_or(""),
        _ => s,
    }
}

/// Locates paths inside one entry of one file.
pub(crate) struct EntryLocator<'a> {
    pub(crate) origin: &'a str,
    pub(crate) text: &'a str,
    pub(crate) outline: &'a crate::yaml::LazyOutline<'a>,
    /// `Some(i)` when the file is a list of entries.
    pub(crate) index: Option<usize>,
}

impl EntryLocator<'_> {
    pub(crate) fn error(
        &self,
        code: &'static str,
        path: &[PathSeg<'_>],
        message: String,
    ) -> RegistryError {
        let mut full = Vec::with_capacity(path.len() + 1);
        if let Some(i) = self.index {
            full.push(PathSeg::Index(i));
        }
        full.extend_from_slice(path);
        let range = self.outline.get().locate(&full).range;
        RegistryError::at(code, self.origin, self.text, range, message)
    }
}

/// Checks one entry on its own: identifiers, dates and internal consistency.
pub(crate) fn check_entry(entry: &Entry, loc: &EntryLocator<'_>, out: &mut Vec<RegistryError>) {
    use PathSeg::Key;
    if !is_entry_id(&entry.id) {
        out.push(loc.error(
            error::MALFORMED_IDENTIFIER,
            &[Key("id")],
            format!(
                "ID `{}` は使えません。英小文字・数字・`_`・`-` だけで、英小文字か数字で始めてください",
                entry.id
            ),
        ));
    }
    let ident = |key: &'static str,
                 value: &Option<String>,
                 ok: fn(&str) -> bool,
                 shape: &str,
                 out: &mut Vec<RegistryError>| {
        if let Some(v) = value {
            if !ok(v) {
                let hint = if key == "doi" && normalize_doi(v) != v.to_lowercase() {
                    "（`https://doi.org/` などの接頭辞は付けません）"
                } else {
                    ""
                };
                out.push(loc.error(
                    error::MALFORMED_IDENTIFIER,
                    &[Key(key)],
                    format!(
                        "{} `{v}` の形式が不正です。{shape} の形で書いてください{hint}",
                        key.to_uppercase()
                    ),
                ));
            }
        }
    };
    ident("doi", &entry.doi, is_doi, "`10.NNNN/…`", out);
    ident("pmid", &entry.pmid, is_pmid, "1〜9 桁の数字", out);
    ident(
        "pmcid",
        &entry.pmcid,
        is_pmcid,
        "`PMC` に続く数字（例 `PMC6042362`）",
        out,
    );
    ident("nct", &entry.nct, is_nct, "`NCT` に続く 8 桁の数字", out);
    for (i, u) in entry.url.iter().enumerate() {
        if !is_url(u) {
            out.push(loc.error(
                error::MALFORMED_IDENTIFIER,
                &[Key("url"), PathSeg::Index(i)],
                format!("URL `{u}` の形式が不正です。`https://` か `http://` で始まる URL を書いてください"),
            ));
        }
    }
    let date = |key: &'static str, d: &DateText, out: &mut Vec<RegistryError>| {
        if d.parse().is_none() {
            out.push(loc.error(
                error::INVALID_DATE,
                &[Key(key)],
                format!("日付 `{d}` が不正です。`YYYY`、`YYYY-MM`、`YYYY-MM-DD` のいずれかの実在する日付を書いてください"),
            ));
        }
    };
    if let Some(p) = &entry.published {
        date("published", p, out);
    }
    date("reviewed", &entry.reviewed, out);
    if let (Some(y), Some(p)) = (
        entry.year,
        entry.published.as_ref().and_then(DateText::parse),
    ) {
        if p.year != y {
            out.push(loc.error(
                error::INCONSISTENT_ENTRY,
                &[Key("year")],
                format!("`year: {y}` が `published: {}` の年と一致しません", p.year),
            ));
        }
    }
    for (key, text) in [("title", &entry.title)] {
        if text.trim().is_empty() {
            out.push(loc.error(error::SCHEMA, &[Key(key)], format!("`{key}` が空です")));
        }
    }
    if let Some(ceiling) = entry.kind.level_ceiling() {
        for (i, s) in entry.supports.iter().enumerate() {
            if s.level > ceiling {
                out.push(loc.error(
                    error::INCONSISTENT_ENTRY,
                    &[Key("supports"), PathSeg::Index(i), Key("level")],
                    format!(
                        "`{}` の資料（{}）は `level: {}` を裏付けられません。最大は `{}` です",
                        entry.kind,
                        entry.kind.label(),
                        s.level,
                        ceiling
                    ),
                ));
            }
        }
    }
    for (i, s) in entry.supports.iter().enumerate() {
        if s.wording.trim().is_empty() {
            out.push(loc.error(
                error::SCHEMA,
                &[Key("supports"), PathSeg::Index(i), Key("wording")],
                "`wording` が空です".to_string(),
            ));
        }
    }
    for (i, c) in entry.contradicts.iter().enumerate() {
        for (key, text) in [("claim", &c.claim), ("reason", &c.reason)] {
            if text.trim().is_empty() {
                out.push(loc.error(
                    error::SCHEMA,
                    &[Key("contradicts"), PathSeg::Index(i), Key(key)],
                    format!("`{key}` が空です"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_the_regexes_they_replace() {
        let doi = regex::Regex::new(r"^10\.[0-9]{4,9}/\S+$").unwrap();
        let url = regex::Regex::new(r"^https?://[^\s/?#]+[^\s]*$").unwrap();
        let entry = regex::Regex::new(r"^[a-z0-9][a-z0-9_-]*$").unwrap();
        let term = regex::Regex::new(r"^[a-z0-9][a-z0-9-]*$").unwrap();
        let samples = [
            "",
            "10.",
            "10.1234",
            "10.1234/",
            "10.1234/x",
            "10.123/x",
            "10.1234567890/x",
            "10.123456789/x",
            "10.1234/a b",
            "10.1234/a\u{3000}b",
            "10.1234//",
            "11.1234/x",
            "10.1234/x\n",
            "10.１２３４/x",
            "https://",
            "http://x",
            "https://x/y?z#w",
            "https:///x",
            "https://?x",
            "https://#",
            "https:// x",
            "https://x y",
            "ftp://x",
            "HTTPS://x",
            "https://エクソ.jp/パス",
            "a",
            "a-b",
            "a_b",
            "-a",
            "_a",
            "A",
            "a.b",
            "0a",
            "é",
            "ab-",
            "a__b",
        ];
        for s in samples {
            assert_eq!(is_doi(s), doi.is_match(s), "doi {s:?}");
            assert_eq!(is_url(s), url.is_match(s), "url {s:?}");
            assert_eq!(is_entry_id(s), entry.is_match(s), "entry {s:?}");
            assert_eq!(is_term_id(s), term.is_match(s), "term {s:?}");
        }
    }

    #[test]
    fn identifier_shapes() {
        assert!(is_doi("10.1186/s13287-018-0939-5"));
        assert!(is_doi("10.1016/S0140-6736(20)30183-5"));
        assert!(!is_doi("https://doi.org/10.1186/x"));
        assert!(!is_doi("10.12/abc"));
        assert!(!is_doi("10.1186/"));
        assert!(is_pmid("29996938") && !is_pmid("PMID29996938") && !is_pmid("1234567890"));
        assert!(is_pmcid("PMC6042362") && !is_pmcid("pmc6042362") && !is_pmcid("PMC"));
        assert!(is_nct("NCT02594046") && !is_nct("NCT0259404"));
        assert!(is_url("https://www.mhlw.go.jp/content/001281987.pdf"));
        assert!(!is_url("www.mhlw.go.jp") && !is_url("https:// x"));
        assert!(
            is_entry_id("cho2018_scrt_ascexo_ad") && !is_entry_id("Cho2018") && !is_entry_id("_x")
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_doi("https://doi.org/10.1186/S13287-018-0939-5."),
            "10.1186/s13287-018-0939-5"
        );
        assert_eq!(
            normalize_doi("doi: 10.3390/life15030500"),
            "10.3390/life15030500"
        );
        assert_eq!(normalize_pmid("PMID: 029996938"), "29996938");
        assert_eq!(normalize_pmcid("pmc6042362"), "PMC6042362");
        assert_eq!(normalize_pmcid("PMCID: PMC6042362"), "PMC6042362");
        assert_eq!(normalize_pmcid("6042362"), "PMC6042362");
        assert_eq!(
            normalize_url("HTTPS://WWW.Example.org/A/b/#x"),
            "example.org/A/b"
        );
        assert_eq!(
            normalize_name("Ｃｈｏら（２０１８）"),
            normalize_name("Choら(2018)")
        );
        assert_eq!(normalize_name("Cho et al., 2018"), "choetal2018");
    }
}
