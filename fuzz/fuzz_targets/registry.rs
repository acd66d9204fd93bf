#![no_main]
//! The registry loader on hostile YAML, as entries or as a vocabulary
//! (the first byte picks).

#[path = "checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    checks::registry(data);
});
