//! The binary end to end: formats, exit codes, inputs, subcommands.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn exolint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exolint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn exolint_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_exolint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_spans_are_bytes_and_columns_are_characters() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# 見出し\n\n𠮷野家の隣の当院は必ず治ります。\n";
    std::fs::write(dir.path().join("a.md"), text).unwrap();
    let out = exolint(&["--format", "json", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["category"] == "absolute")
        .unwrap();
    let (s, e) = (
        d["span"]["start"].as_u64().unwrap() as usize,
        d["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "必ず");
    assert_eq!(d["text"], "必ず");
    assert_eq!(d["path"], "a.md");
    assert_eq!(d["start"]["line"], 3);
    // 𠮷 is one character (four bytes): 必 is the 10th character of its line.
    assert_eq!(d["start"]["column"], 10);
    assert_eq!(d["end"]["column"], 12);
    assert_eq!(d["code"], "EXL106");
    assert_eq!(d["name"], "absolute-claim");
    for key in ["severity", "verdict", "modality", "message"] {
        assert!(d[key].is_string(), "{key} missing");
    }
}

#[test]
fn bom_is_counted_in_byte_offsets_not_in_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.txt"), "\u{FEFF}必ず治る").unwrap();
    let v = json(&exolint(&["-f", "json", "b.txt"], dir.path()));
    let d = &v["diagnostics"][0];
    assert_eq!(d["span"]["start"], 3);
    assert_eq!(d["start"]["column"], 1);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("warn.txt"), "発毛効果が得られます。\n").unwrap();
    std::fs::write(dir.path().join("clean.txt"), "施術は約30分です。\n").unwrap();
    assert_eq!(exolint(&["clean.txt"], dir.path()).status.code(), Some(0));
    // efficacy is a warning: below the default error threshold.
    assert_eq!(exolint(&["warn.txt"], dir.path()).status.code(), Some(0));
    assert_eq!(
        exolint(&["--fail-on", "warning", "warn.txt"], dir.path())
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        exolint(&["--fail-on", "never", "warn.txt"], dir.path())
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_missing_file_is_reported_and_the_others_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "必ず治る。\n").unwrap();
    let out = exolint(&["-f", "json", "nope.md", "a.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.md"), "{}", stderr(&out));
    let v = json(&out);
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn undecodable_bytes_name_the_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"abc\xFF\xFE").unwrap();
    std::fs::write(dir.path().join("ok.txt"), "必ず治る。\n").unwrap();
    let out = exolint(&["bad.txt", "ok.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.txt") && err.contains("3"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok.txt"));
}

#[test]
fn binary_files_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.txt"), b"\x00\x01\x02").unwrap();
    let out = exolint(&["x.txt"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("x.txt"));
}

#[test]
fn stdin_takes_its_name_and_format_from_stdin_filename() {
    let out = exolint_stdin(
        &["-f", "json", "--stdin-filename", "page.html", "-"],
        "<p>当院は<strong>絶対</strong>安全です</p><script>必ず治る</script>".as_bytes(),
    );
    let v = json(&out);
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.iter().all(|d| d["path"] == "page.html"));
    assert!(diags.iter().any(|d| d["text"] == "絶対"));
    assert!(!diags.iter().any(|d| d["text"] == "必ず"));
}

#[test]
fn directories_honour_ignore_files_and_pick_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/skip")).unwrap();
    std::fs::write(root.join("site/a.md"), "必ず治る。\n").unwrap();
    std::fs::write(root.join("site/b.htm"), "<p>必ず治る。</p>\n").unwrap();
    std::fs::write(root.join("site/c.rs"), "// 必ず治る\n").unwrap();
    std::fs::write(root.join("site/skip/d.md"), "必ず治る。\n").unwrap();
    std::fs::write(root.join("site/.exolintignore"), "skip/\n").unwrap();
    let v = json(&exolint(&["-f", "json", "site"], root));
    let mut paths: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    assert_eq!(paths, vec!["site/a.md", "site/b.htm"]);
    // A file named explicitly is linted whatever its extension.
    let v = json(&exolint(&["-f", "json", "site/c.rs"], root));
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn an_empty_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = exolint(&["empty"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("empty"));
}

#[test]
fn check_subcommand_lints_paths_named_like_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules"), "必ず治る。\n").unwrap();
    let v = json(&exolint(&["check", "-f", "json", "rules"], dir.path()));
    assert_eq!(v["diagnostics"][0]["path"], "rules");
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let dir = corpus.to_str().unwrap();
    let one = exolint(&["-f", "json", "-j", "1", dir], Path::new("."));
    let two = exolint(&["-f", "json", "-j", "2", dir], Path::new("."));
    assert_eq!(one.stdout, two.stdout);
    // More workers than cores: the workers format the JSON themselves.
    let many = exolint(&["-f", "json", "-j", "16", dir], Path::new("."));
    assert_eq!(one.stdout, many.stdout);
    assert!(!one.stdout.is_empty());
}

#[test]
fn human_format_shows_code_snippet_and_help() {
    let out = exolint_stdin(
        &["--color", "never", "-"],
        "当院の治療は必ず効果があります\n".as_bytes(),
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("error[EXL106]"), "{s}");
    assert!(s.contains("exolint explain EXL106"), "{s}");
    assert!(!s.contains('\u{1b}'), "no colour when asked");
    let out = exolint_stdin(&["--color", "always", "-"], "必ず治る\n".as_bytes());
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn explain_accepts_code_or_name_and_suggests_on_typos() {
    let here = Path::new(".");
    let by_code = exolint(&["explain", "EXL104"], here);
    let by_name = exolint(&["explain", "safety-claim"], here);
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(by_code.stdout, by_name.stdout);
    let s = String::from_utf8_lossy(&by_code.stdout);
    for section in [
        "# safety-claim (EXL104)",
        "## 何を検出するか",
        "## なぜ問題か",
        "## 例",
        "## 代わりに",
        "## 根拠",
    ] {
        assert!(s.contains(section), "missing {section}");
    }
    let typo = exolint(&["explain", "safty-claim"], here);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("safety-claim"));
}

#[test]
fn rules_lists_every_rule_in_text_and_json() {
    let here = Path::new(".");
    let text = String::from_utf8(exolint(&["rules"], here).stdout).unwrap();
    assert!(text
        .lines()
        .any(|l| l.starts_with("EXL101") && l.contains("efficacy")));
    let v = json(&exolint(&["rules", "--format", "json"], here));
    let list = v.as_array().unwrap();
    assert!(list.len() >= 9);
    assert!(list
        .iter()
        .all(|r| r["code"].is_string() && r["summary"].is_string()));
}

#[test]
fn usage_errors_exit_2() {
    let here = Path::new(".");
    assert_eq!(
        exolint(&["--format", "nope", "x"], here).status.code(),
        Some(2)
    );
    assert_eq!(exolint(&[], here).status.code(), Some(2));
}
