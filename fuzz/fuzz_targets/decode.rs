#![no_main]
//! Bytes → text in every supported encoding, and the offset map back.

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    checks::decode(data);
});
