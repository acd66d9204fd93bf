#![no_main]
//! Citation extraction (author–year, PMID/DOI/NCT, links, footnotes, titles).

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (format, text) = checks::split_format(data);
    checks::citations(&text, format);
});
