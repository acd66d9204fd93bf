#![no_main]
//! Sentence splitting over prose from any format (the first byte picks it).

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (format, text) = checks::split_format(data);
    checks::sentences(&text, format);
});
