//! Never crash, never drop a file: encodings, bad input, hostile registries,
//! broken pipes, and the inputs the fuzzers found. Every case goes through
//! the real binary unless it is about a library function.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_exolint")
}

fn exolint(args: &[&str], dir: &Path) -> Output {
    Command::new(exe())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn diags(v: &Value) -> &Vec<Value> {
    v["diagnostics"].as_array().unwrap()
}

/// No panic message, whatever else happened.
fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("failed printing"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

fn span(d: &Value) -> std::ops::Range<usize> {
    d["span"]["start"].as_u64().unwrap() as usize..d["span"]["end"].as_u64().unwrap() as usize
}

fn find<'v>(v: &'v Value, text: &str) -> &'v Value {
    diags(v)
        .iter()
        .find(|d| d["text"] == text)
        .unwrap_or_else(|| panic!("no finding {text:?} in {v:#}"))
}

// ------------------------------------------------------------- encodings

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn utf8_with_and_without_bom() {
    let dir = tempfile::tempdir().unwrap();
    let text = "一行目\n当院は必ず治ります。\n";
    std::fs::write(dir.path().join("plain.txt"), text).unwrap();
    std::fs::write(dir.path().join("bom.txt"), format!("\u{FEFF}{text}")).unwrap();
    let v = json(&exolint(
        &["-f", "json", "plain.txt", "bom.txt"],
        dir.path(),
    ));
    let mut spans: Vec<_> = diags(&v)
        .iter()
        .filter(|d| d["text"] == "必ず")
        .map(|d| {
            let column = d["start"]["column"].as_u64().unwrap();
            (d["path"].as_str().unwrap().to_string(), span(d), column)
        })
        .collect();
    spans.sort_by_key(|s| s.0.clone());
    let at = text.find("必ず").unwrap();
    assert_eq!(
        spans,
        vec![
            ("bom.txt".into(), at + 3..at + 9, 4),
            ("plain.txt".into(), at..at + 6, 4),
        ]
    );
}

#[test]
fn utf16_with_bom_reports_original_byte_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# 𠮷田クリニック\n\n当院の治療は必ず効果があります。\n";
    for (name, little) in [("le.md", true), ("be.md", false)] {
        let bytes = utf16(text, little);
        std::fs::write(dir.path().join(name), &bytes).unwrap();
        let out = exolint(&["-f", "json", name], dir.path());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let v = json(&out);
        let d = find(&v, "必ず");
        let s = span(d);
        let enc = if little {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (back, bad) = enc.decode_without_bom_handling(&bytes[s.clone()]);
        assert!(!bad);
        assert_eq!(back, "必ず", "{name}: {s:?}");
        // Lines and columns count characters of the decoded text.
        assert_eq!(
            (d["start"]["line"].as_u64(), d["start"]["column"].as_u64()),
            (Some(3), Some(7))
        );
    }
}

#[test]
fn shift_jis_and_euc_jp_from_meta_or_option() {
    let dir = tempfile::tempdir().unwrap();
    let body = "<p>ｸﾘﾆｯｸ①の治療は必ず効果があります。</p>\n";
    let cases: Vec<(&str, Vec<u8>, &[&str], &'static encoding_rs::Encoding)> = vec![
        (
            "meta.html",
            encode(&format!("<html><head><meta charset=\"Shift_JIS\"></head>{body}"), encoding_rs::SHIFT_JIS),
            &[],
            encoding_rs::SHIFT_JIS,
        ),
        (
            "pragma.html",
            encode(
                &format!("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">{body}"),
                encoding_rs::EUC_JP,
            ),
            &[],
            encoding_rs::EUC_JP,
        ),
        (
            "sjis.txt",
            encode("当院の治療は必ず効果があります。\n", encoding_rs::SHIFT_JIS),
            &["--encoding", "shift_jis"],
            encoding_rs::SHIFT_JIS,
        ),
        (
            "euc.md",
            encode("当院の治療は必ず効果があります。\n", encoding_rs::EUC_JP),
            &["--encoding", "euc-jp"],
            encoding_rs::EUC_JP,
        ),
    ];
    for (name, bytes, extra, enc) in cases {
        std::fs::write(dir.path().join(name), &bytes).unwrap();
        let mut args = vec!["-f", "json"];
        args.extend(extra);
        args.push(name);
        let out = exolint(&args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let v = json(&out);
        let s = span(find(&v, "必ず"));
        let (back, bad) = enc.decode_without_bom_handling(&bytes[s.clone()]);
        assert!(!bad);
        assert_eq!(back, "必ず", "{name}: {s:?}");
    }
}

#[test]
fn undecodable_bytes_name_the_file_and_original_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = encode("<meta charset=shift_jis><p>当院の", encoding_rs::SHIFT_JIS);
    let at = bad.len();
    bad.extend([0x81, 0x20]); // a lead byte without its trail byte
    std::fs::write(dir.path().join("bad.html"), &bad).unwrap();
    let mut utf16 = utf16("当院", true);
    let at16 = utf16.len();
    utf16.extend([0x00, 0xD8, 0x41, 0x00]); // an unpaired surrogate
    std::fs::write(dir.path().join("bad16.txt"), &utf16).unwrap();
    std::fs::write(dir.path().join("ok.txt"), "必ず治る。\n").unwrap();
    std::fs::write(
        dir.path().join("sjis.txt"),
        encode("当院は必ず治る", encoding_rs::SHIFT_JIS),
    )
    .unwrap();
    let out = exolint(
        &["-f", "json", "bad.html", "bad16.txt", "ok.txt", "sjis.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "bad.html: Shift_JISとして読めないバイトがあります（バイトオフセット {at}）"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "bad16.txt: UTF-16LEとして読めないバイトがあります（バイトオフセット {at16}）"
        )),
        "{err}"
    );
    // Shift_JIS without a declaration: the hint names the option.
    assert!(
        err.contains("sjis.txt: UTF-8として読めない") && err.contains("--encoding"),
        "{err}"
    );
    let v = json(&out);
    assert_eq!(v["summary"]["failed_files"].as_array().unwrap().len(), 3);
    assert!(diags(&v).iter().any(|d| d["path"] == "ok.txt"));
}

#[test]
fn unknown_encoding_option_is_a_usage_error() {
    let out = exolint(&["--encoding", "klingon", "x.txt"], Path::new("."));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("shift_jis"), "{}", stderr(&out));
}

// ------------------------------------------------------------- bad input

#[test]
fn binary_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bin.md"), b"PK\x03\x04\x00\x00junk").unwrap();
    std::fs::write(dir.path().join("empty.md"), b"").unwrap();
    std::fs::write(dir.path().join("ok.md"), "必ず治る。\n").unwrap();
    let out = exolint(&["-f", "json", "."], dir.path());
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("note: bin.md: バイナリファイル"),
        "{}",
        stderr(&out)
    );
    let v = json(&out);
    assert!(diags(&v).iter().all(|d| d["path"] == "ok.md"));
    assert!(v["summary"]["failed_files"].as_array().unwrap().is_empty());
    let out = exolint(&["-f", "json", "empty.md"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(diags(&json(&out)).is_empty());
}

#[test]
fn missing_paths_and_empty_directories_say_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nothing")).unwrap();
    std::fs::write(dir.path().join("nothing/code.rs"), "fn main() {}").unwrap();
    std::fs::write(dir.path().join("ok.md"), "必ず治る。\n").unwrap();
    let out = exolint(
        &["-f", "json", "missing.md", "nothing", "ok.md"],
        dir.path(),
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("missing.md: ファイルが見つかりません"),
        "{err}"
    );
    assert!(err.contains("nothing: 対象となるファイル"), "{err}");
    assert!(!diags(&json(&out)).is_empty());
}

#[cfg(unix)]
#[test]
fn symlink_loops_neither_hang_nor_crash() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/sub")).unwrap();
    std::fs::write(root.join("site/sub/a.md"), "必ず治る。\n").unwrap();
    symlink("..", root.join("site/sub/up")).unwrap(); // a directory loop
    symlink("loop-b.md", root.join("loop-a.md")).unwrap();
    symlink("loop-a.md", root.join("loop-b.md")).unwrap();
    symlink("self.md", root.join("self.md")).unwrap();
    symlink("site", root.join("link-to-site")).unwrap();
    let start = Instant::now();
    let out = exolint(
        &[
            "-f",
            "json",
            "site",
            "link-to-site",
            "loop-a.md",
            "self.md",
            "site/sub/up",
        ],
        root,
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("loop-a.md: シンボリックリンクが循環しています"),
        "{err}"
    );
    assert!(
        err.contains("self.md: シンボリックリンクが循環しています"),
        "{err}"
    );
    let v = json(&out);
    let mut paths: Vec<&str> = diags(&v)
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    // Links inside a walk are not followed, so each real file is linted once
    // per path named on the command line.
    assert_eq!(
        paths,
        [
            "link-to-site/sub/a.md",
            "site/sub/a.md",
            "site/sub/up/sub/a.md"
        ]
    );
}

/// A file that cannot be read. Tests may run as root, where permission bits
/// do not stop reads, so the cases that always fail are a Unix socket (open
/// fails with ENXIO for everyone) and `/proc/self/mem` (open succeeds, read
/// at offset 0 fails with EIO); `chmod 000` is checked too when it bites.
#[cfg(unix)]
#[test]
fn unreadable_files_are_errors_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("ok.md"), "必ず治る。\n").unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(root.join("socket.md")).unwrap();
    let locked = root.join("locked.md");
    std::fs::write(&locked, "必ず治る。\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let chmod_bites = std::fs::read(&locked).is_err();
    let mut args = vec!["-f", "json", "socket.md", "locked.md", "ok.md"];
    if Path::new("/proc/self/mem").exists() {
        args.push("/proc/self/mem");
    }
    let out = exolint(&args, root);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("error: socket.md: 読み込めません"), "{err}");
    if args.contains(&"/proc/self/mem") {
        assert!(
            err.contains("error: /proc/self/mem: 読み込めません"),
            "{err}"
        );
    }
    if chmod_bites {
        assert!(err.contains("locked.md: 読み取り権限がありません"), "{err}");
    } else {
        println!(
            "chmod 000 does not stop reads here (running as root): checked the socket instead"
        );
    }
    let v = json(&out);
    assert!(diags(&v).iter().any(|d| d["path"] == "ok.md"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.md")).unwrap();
    // Sparse: refused from its size, before a byte is read.
    big.set_len(exolint::decode::MAX_FILE_BYTES as u64 + 1)
        .unwrap();
    std::fs::write(dir.path().join("ok.md"), "必ず治る。\n").unwrap();
    let mut args = vec!["-f", "json", "big.md", "ok.md"];
    // A device with no end is cut at the limit too.
    if Path::new("/dev/zero").exists() {
        args.push("/dev/zero");
    }
    let out = exolint(&args, dir.path());
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "big.md: ファイルが大きすぎるため検査しません（67108865 バイト、上限 64 MiB）"
        ),
        "{err}"
    );
    if args.contains(&"/dev/zero") {
        assert!(err.contains("/dev/zero: ファイルが大きすぎる"), "{err}");
    }
    assert!(diags(&json(&out)).iter().any(|d| d["path"] == "ok.md"));
}

#[test]
fn standard_input_over_the_size_limit_is_refused() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let out = Command::new(exe())
        .args(["-f", "json", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("<stdin>: ファイルが大きすぎる"),
        "{}",
        stderr(&out)
    );
}

/// Runs one generated document through the binary; returns its findings.
fn lint_generated(name: &str, text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let start = Instant::now();
    let out = exolint(&["-f", "json", name], dir.path());
    println!("{name}: {} bytes in {:?}", text.len(), start.elapsed());
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
    let v = json(&out);
    for d in diags(&v) {
        assert_eq!(text.get(span(d)), d["text"].as_str(), "{name}");
    }
    v
}

#[test]
fn deep_markdown_nesting_does_not_overflow_the_stack() {
    let claim = "当院の治療は必ず治ります。\n";
    for (name, text) in [
        ("quotes.md", format!("{}{claim}", "> ".repeat(10_000))),
        ("bullets.md", format!("{}{claim}", "- ".repeat(10_000))),
        ("ordered.md", format!("{}{claim}", "1. ".repeat(10_000))),
        ("mixed.md", format!("{}{claim}", "> - ".repeat(5_000))),
        (
            "emphasis.md",
            format!("{}{claim}{}", "*_".repeat(10_000), "_*".repeat(10_000)),
        ),
        (
            "links.md",
            format!("{}{claim}{}", "[".repeat(10_000), "](x)".repeat(10_000)),
        ),
    ] {
        let v = lint_generated(name, &text);
        find(&v, "必ず");
    }
}

#[test]
fn deep_unclosed_html_tags_do_not_overflow_the_stack() {
    let claim = "当院の治療は必ず治ります。";
    for (name, text) in [
        ("divs.html", format!("{}{claim}", "<div>".repeat(10_000))),
        (
            "quotes.html",
            format!("{}{claim}", "<blockquote><q>".repeat(10_000)),
        ),
        (
            "lists.html",
            format!("{}{claim}", "<ul><li>".repeat(10_000)),
        ),
        (
            "tables.html",
            format!("{}{claim}", "<table><tr><td>".repeat(10_000)),
        ),
        (
            "closers.html",
            format!("{claim}{}", "</div></p></q>".repeat(10_000)),
        ),
    ] {
        let v = lint_generated(name, &text);
        find(&v, "必ず");
    }
}

/// 20 MB on one line, with a few claims spread over it (minified HTML, a
/// text export without line breaks).
fn twenty_mb_line(name: &str) {
    const SIZE: usize = 20 * 1024 * 1024;
    let filler = "施術は約30分で、カウンセリングを含めて一時間ほどです。ご予約はお電話で。";
    let claim = "当院の治療は必ず治ります。";
    let part = format!("{}{claim}", filler.repeat(SIZE / 8 / filler.len()));
    let text = part.repeat(8);
    assert!(text.len() >= SIZE - 1024 && !text.contains('\n'));
    let v = lint_generated(name, &text);
    let hits = diags(&v).iter().filter(|d| d["text"] == "必ず").count();
    assert_eq!(hits, 8, "{name}");
    assert!(diags(&v).iter().all(|d| d["start"]["line"] == 1));
}

#[test]
fn a_20_mb_single_line_of_text() {
    twenty_mb_line("line.txt");
}

#[test]
fn a_20_mb_single_line_of_markdown() {
    twenty_mb_line("line.md");
}

#[test]
fn a_20_mb_single_line_of_html() {
    twenty_mb_line("line.html");
}

/// The human format shows a window of a long line around each finding, not
/// the whole line once per finding (which made 460 MB of output for 20 MB).
#[test]
fn long_lines_are_windowed_in_the_human_format() {
    let dir = tempfile::tempdir().unwrap();
    let filler = "施術は約30分です。".repeat(100_000);
    let text = format!("{filler}当院の治療は必ず治ります。{filler}\n");
    std::fs::write(dir.path().join("long.txt"), &text).unwrap();
    let out = exolint(&["--color", "never", "long.txt"], dir.path());
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(s.len() < 64 * 1024, "{} bytes of output", s.len());
    let column = filler.chars().count() + 7;
    assert!(s.contains(&format!("long.txt:1:{column}")), "{s}");
    assert!(s.contains("当院の治療は必ず治ります"), "{s}");
}

/// A sentence naming treatments 50,000 times: tagging topics was once
/// quadratic in the number of mentions (minutes for 1.5 MB).
#[test]
fn many_vocabulary_mentions_in_one_sentence() {
    let text = format!("{}必ず効く。", "幹細胞エクソソーム、".repeat(50_000));
    let start = Instant::now();
    let v = lint_generated("mentions.txt", &text);
    find(&v, "必ず");
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

// ------------------------------------------------------------- registries

/// `--registry FILE` with hostile content: exit 2, a located diagnostic
/// (`file:line:column` and the code), never a panic, nothing linted.
fn assert_registry_error(name: &str, yaml: &str, code: &str, line: usize, column: usize) {
    assert_registry_error_with(name, yaml, code, (line, column), true);
}

/// `also_check`: `exolint registry check FILE` reports it too (it does not
/// load the built-in entries, so a clash with them is not its business).
fn assert_registry_error_with(
    name: &str,
    yaml: &str,
    code: &str,
    (line, column): (usize, usize),
    also_check: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), yaml).unwrap();
    std::fs::write(dir.path().join("a.md"), "必ず治る。\n").unwrap();
    let mut runs = vec![vec!["--registry", name, "a.md"]];
    if also_check {
        runs.push(vec!["registry", "check", name]);
    }
    for args in runs {
        let out = exolint(&args, dir.path());
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(&format!("error[{code}]")), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}:{line}:{column}")),
            "{name}: want {line}:{column}: {err}"
        );
        assert!(out.stdout.is_empty() || args[0] == "registry");
    }
}

const ENTRY: &str =
    "id: team_entry\nkind: animal\ntitle: テスト\nconfidence: confirmed\nreviewed: 2026-01-01\n";

#[test]
fn malformed_yaml_registry() {
    // An unterminated string is reported where the parser gives up: the end
    // of the file.
    assert_registry_error(
        "bad.yaml",
        "id: x\nkind: animal\ntitle: \"unterminated\n",
        "EXL901",
        4,
        1,
    );
    assert_registry_error(
        "colon.yaml",
        "id: x\nkind: animal: extra\n",
        "EXL901",
        2,
        13,
    );
    assert_registry_error(
        "mixed.yaml",
        "id: x\nkind: animal\n- item\n",
        "EXL901",
        3,
        1,
    );
    assert_registry_error("tabs.yaml", "id: x\n\t- tab\n", "EXL901", 2, 1);
}

#[test]
fn wrong_types_in_registry() {
    assert_registry_error("year.yaml", &format!("{ENTRY}year: 二千\n"), "EXL902", 6, 7);
    assert_registry_error(
        "list.yaml",
        &format!("{ENTRY}findings: 一つ\n"),
        "EXL902",
        6,
        11,
    );
}

#[test]
fn unknown_keys_in_registry() {
    assert_registry_error(
        "key.yaml",
        &format!("{ENTRY}levl: animal\n"),
        "EXL902",
        6,
        1,
    );
}

#[test]
fn duplicate_ids_in_registry() {
    let yaml = format!(
        "- {}\n- {}",
        ENTRY.replace('\n', "\n  "),
        ENTRY.replace('\n', "\n  ")
    );
    assert_registry_error("dup.yaml", &yaml, "EXL903", 7, 7);
    // Against the built-in registry.
    assert_registry_error_with(
        "cho.yaml",
        &ENTRY.replace("team_entry", "cho2018_scrt_ascexo_ad"),
        "EXL903",
        (1, 5),
        false,
    );
}

#[test]
fn invalid_regex_in_vocabulary() {
    let yaml = "interventions:\n  - id: team-term\n    label: テスト\n    patterns:\n      - '(unclosed'\n";
    assert_registry_error("_vocabulary.yaml", yaml, "EXL906", 5, 9);
}

#[test]
fn regex_over_the_compiled_size_limit() {
    let yaml =
        "conditions:\n  - id: team-huge\n    label: 巨大\n    patterns: ['\\w{1000}{1000}']\n";
    assert_registry_error("_vocabulary.yaml", yaml, "EXL906", 4, 16);
}

#[test]
fn custom_rules_are_not_accepted() {
    let out = exolint(&["--rules", "x.yaml", "a.md"], Path::new("."));
    assert_eq!(out.status.code(), Some(2));
}

// ------------------------------------------------------------- output

/// Many files with many findings: more output than a pipe holds.
fn big_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let page = "当院の治療は必ず治ります。副作用は一切ありません。日本一の実績です。\n".repeat(20);
    for i in 0..60 {
        std::fs::write(dir.path().join(format!("p{i:03}.md")), &page).unwrap();
    }
    dir
}

/// Runs `exolint ARGS | READER` through a shell; returns the exit status
/// exolint itself reported and its standard error.
fn through_pipe(args: &str, reader: &str, dir: &Path) -> (String, String) {
    // The sleep lets a reader that reads nothing (`true`) close the pipe
    // before exolint writes, so that even its first write fails.
    let script = format!(
        "(sleep 0.3; \"$0\" {args} 2>err.txt; echo \"status=$?\" >>err.txt) | {reader}; \
         cat err.txt"
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg(exe())
        .current_dir(dir)
        .output()
        .unwrap();
    let all = stdout(&out);
    let status = all
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("status="))
        .unwrap_or("")
        .to_string();
    (status, all)
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = big_tree();
    for args in [
        "--color never .",
        "-f json .",
        "rules",
        "explain EXL101",
        "registry list",
        "registry show cho2018_scrt_ascexo_ad",
    ] {
        for reader in ["true", "head -n 1 >/dev/null"] {
            let (status, err) = through_pipe(args, reader, dir.path());
            let what = format!("exolint {args} | {reader}");
            assert!(
                !err.contains("panicked") && !err.contains("failed printing"),
                "{what}: {err}"
            );
            assert!(!err.contains("error"), "{what}: {err}");
            assert!(
                status == "0" || status == "1",
                "{what}: status {status}: {err}"
            );
        }
    }
}

/// `exolint … 2>&1 | head`: errors and notes meet the closed pipe too.
#[cfg(unix)]
#[test]
fn a_closed_pipe_on_standard_error_ends_quietly() {
    let dir = big_tree();
    std::fs::write(dir.path().join("a-bad.md"), b"\xFF").unwrap();
    std::fs::write(dir.path().join("a-bin.md"), b"\x00").unwrap();
    for args in [". missing.md", "explain nope", "--registry nope.yaml ."] {
        let script = format!(
            "(sleep 0.3; \"$0\" {args} 2>&1; echo \"status=$?\" >status.txt) | true; cat status.txt"
        );
        let out = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(exe())
            .current_dir(dir.path())
            .output()
            .unwrap();
        let status = stdout(&out);
        assert!(
            ["status=0", "status=1", "status=2"].contains(&status.trim()),
            "exolint {args} 2>&1 | true: {status}"
        );
    }
}

#[test]
fn findings_of_every_file_are_printed_when_some_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "必ず治る。\n").unwrap();
    std::fs::write(dir.path().join("b.md"), b"\xFF\xFE\x00\xD8").unwrap();
    std::fs::write(dir.path().join("c.md"), b"bad \xC3\x28 utf-8").unwrap();
    std::fs::write(dir.path().join("d.md"), "絶対に安全です。\n").unwrap();
    let out = exolint(&["--color", "never", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let s = stdout(&out);
    assert!(s.contains("a.md") && s.contains("d.md"), "{s}");
    let err = stderr(&out);
    assert!(err.contains("b.md") && err.contains("c.md"), "{err}");
}

/// Snapshot of a tree: every path with its length and modification time.
fn snapshot(root: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path(), m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn linting_writes_nothing() {
    let dir = big_tree();
    std::fs::write(dir.path().join("bad.md"), b"\xFF").unwrap();
    let before = snapshot(dir.path());
    for args in [
        vec!["."],
        vec!["-f", "json", "."],
        vec!["--encoding", "shift_jis", "."],
        vec!["registry", "list"],
        vec!["rules"],
    ] {
        let out = exolint(&args, dir.path());
        assert_no_panic(&out);
    }
    assert_eq!(snapshot(dir.path()), before);
    // `--write-baseline` adds its file and nothing else (no temporary file
    // left behind).
    let out = exolint(&["--write-baseline", "base.json", "."], dir.path());
    assert_no_panic(&out);
    let mut after = snapshot(dir.path());
    after.retain(|(p, _, _)| p.file_name() != Some("base.json".as_ref()));
    if dir.path().join("base.json").exists() {
        assert_eq!(after, before);
    } else {
        // The run had an error (bad.md): then nothing is written at all.
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(after, before);
    }
}

// ------------------------------------------------------------- fuzzing

/// Every input a fuzzer found a bug with, replayed through the target's own
/// checks (`fuzz/regressions/<target>/`).
#[test]
fn fuzz_regressions_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        return;
    };
    let mut replayed = 0;
    for target in targets {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for input in std::fs::read_dir(&target).unwrap() {
            let path = input.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            println!("{}", path.display());
            run_target(&name, &data);
            replayed += 1;
        }
    }
    println!("{replayed} regression inputs");
}

fn run_target(target: &str, data: &[u8]) {
    let lossy = || String::from_utf8_lossy(data).into_owned();
    match target {
        "markdown" => {
            checks::prose(&lossy(), exolint::source::Format::Markdown);
        }
        "html" => {
            checks::prose(&lossy(), exolint::source::Format::Html);
        }
        "sentences" => {
            let (f, t) = checks::split_format(data);
            checks::sentences(&t, f);
        }
        "lint" => {
            let (f, t) = checks::split_format(data);
            checks::lint(&t, f);
        }
        "citations" => {
            let (f, t) = checks::split_format(data);
            checks::citations(&t, f);
        }
        "registry" => checks::registry(data),
        "decode" => checks::decode(data),
        other => panic!("unknown fuzz target {other}"),
    }
}
