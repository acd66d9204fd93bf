//! Prints every claim pattern of the built-in rules, one per line, with the
//! lexicon's `{{MACRO}}`s expanded: the pattern file for `rg -f`, which the
//! benchmark (`scripts/bench.sh`) uses as its yardstick. ripgrep uses the same
//! `regex` crate syntax as the rules, so the lines need no translation.
//!
//! ```text
//! cargo run --release --example claim-patterns > target/bench/patterns.txt
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use exolint::rules::{expanded_claim_patterns, BUILTIN_LEXICON, BUILTIN_RULES};
use std::process::ExitCode;

fn main() -> ExitCode {
    match expanded_claim_patterns(BUILTIN_LEXICON, BUILTIN_RULES) {
        Ok(patterns) => {
            for p in patterns {
                println!("{p}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("claim-patterns: {e}");
            ExitCode::from(2)
        }
    }
}
