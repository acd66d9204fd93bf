#![no_main]
//! Html → prose: the offset map's invariants hold for any input.

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    checks::prose(&text, exolint::source::Format::Html);
});
