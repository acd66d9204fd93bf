#![no_main]
//! The whole pipeline with the built-in rules and registry: every finding's
//! span slices the source on char boundaries.

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (format, text) = checks::split_format(data);
    checks::lint(&text, format);
});
