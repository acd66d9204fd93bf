//! Prints every claim pattern of the built-in rules, one per line, with the
//! lexicon's `{{MACRO}}`s expanded: the pattern file for `rg -f`, which the
//! benchmark (`scripts/bench.sh`) uses as its yardstick. ripgrep uses the same
//! `regex` crate syntax as the rules, so the lines need no translation.
//!
//! ```text
//! cargo run --release --example claim-patterns > target/bench/patterns.txt
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use exolint::rules::{BUILTIN_LEXICON, BUILTIN_RULES};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// `{{NAME}}` → `(?:pattern)`, nested macros included, as `src/rules.rs`
/// expands them (bounded depth, unknown names left alone).
fn expand(pattern: &str, macros: &BTreeMap<String, String>) -> String {
    let mut out = pattern.to_string();
    for _ in 0..8 {
        if !out.contains("{{") {
            break;
        }
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find("{{") {
            next.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            match after
                .find("}}")
                .filter(|&j| macros.contains_key(&after[..j]))
            {
                Some(j) => {
                    next.push_str("(?:");
                    next.push_str(&macros[&after[..j]]);
                    next.push(')');
                    rest = &after[j + 2..];
                }
                None => {
                    next.push_str("{{");
                    rest = after;
                }
            }
        }
        next.push_str(rest);
        out = next;
    }
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let lexicon: Value = match serde_yaml::from_str(BUILTIN_LEXICON.1) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("claim-patterns: {}: {e}", BUILTIN_LEXICON.0);
            return ExitCode::from(2);
        }
    };
    let macros: BTreeMap<String, String> = lexicon
        .get("macros")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    for (origin, text) in BUILTIN_RULES {
        if !origin.starts_with("rules/claim/") {
            continue;
        }
        let rule: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("claim-patterns: {origin}: {e}");
                return ExitCode::from(2);
            }
        };
        for p in strings(rule.get("patterns")) {
            println!("{}", expand(&p, &macros));
        }
    }
    ExitCode::SUCCESS
}
