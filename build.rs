//! Converts the embedded rule and registry YAML to JSON at build time.
//!
//! Every run of the binary needs the built-in rules and registry (~400 KB of
//! YAML), and libyaml's character-at-a-time scanner made parsing them the
//! largest part of start-up: about 37M instructions of the ~95M a 2 KB file
//! took end to end. serde_json reads the same values roughly ten times faster.
//! The YAML stays the source of truth and is still embedded (for messages,
//! `registry show` and positions); `src/yaml.rs` falls back to it when a
//! conversion is missing, and a test checks both parses agree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=rules");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    collect(Path::new("rules"), &mut files);
    files.sort();
    let mut table = String::from(
        "/// `(YAML length, JSON)` of an embedded file, by path from the crate root.\n\
         fn builtin_json(path: &str) -> Option<(usize, &'static str)> {\n    match path {\n",
    );
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        // A file that does not convert is left to the YAML parser, which
        // reports the problem with a position when the binary loads it.
        let Ok(value) = serde_yaml::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let Ok(json) = serde_json::to_string(&value) else {
            continue;
        };
        let name = format!("builtin-{i}.json");
        std::fs::write(out.join(&name), json).expect("OUT_DIR is writable");
        let key = path.to_string_lossy().replace('\\', "/");
        let _ = writeln!(
            table,
            "        {key:?} => Some(({}, include_str!(concat!(env!(\"OUT_DIR\"), \"/{name}\")))),",
            text.len()
        );
    }
    table.push_str("        _ => None,\n    }\n}\n");
    std::fs::write(out.join("builtin_json.rs"), table).expect("OUT_DIR is writable");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, files);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            files.push(p);
        }
    }
}
