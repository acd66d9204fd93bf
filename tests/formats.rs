//! The CI output formats end to end: every format reports the same findings
//! at the same places, each in its own column unit; the escapers; SARIF's
//! required structure and, with `--ignored`, Microsoft's SARIF validator.

use exolint::report::{github, xml};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The claim 必ず follows an astral character (𠮷, 4 bytes, 1 code point,
/// 2 UTF-16 units) and kana/kanji (3 bytes each) on its line, so character
/// and byte columns differ; the second claim has a citation.
const TEXT: &str = "# 見出し\n\n𠮷野家の隣の当院は必ず治ります。\n\nマウスで発毛が促進されたと報告されています（Cho et al., 2018）。\n";
const CLEAN: &str = "施術は約30分です。\n";

fn exolint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exolint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), TEXT).unwrap();
    std::fs::write(dir.path().join("b.md"), CLEAN).unwrap();
    dir
}

/// Runs one format over the fixture; findings at error level exit with 1.
fn run(format: &str, dir: &Path) -> String {
    let out = exolint(&["--format", format, "a.md", "b.md"], dir);
    assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
    stdout(&out)
}

/// 1-based (line, character column, byte column) of the first `needle`
/// at or after byte `from` in TEXT.
fn place(needle: &str, from: usize) -> (usize, usize, usize) {
    let off = from + TEXT[from..].find(needle).unwrap();
    let line_start = TEXT[..off].rfind('\n').map_or(0, |i| i + 1);
    let line = TEXT[..off].matches('\n').count() + 1;
    (
        line,
        TEXT[line_start..off].chars().count() + 1,
        off - line_start + 1,
    )
}

/// (line, code, column) of findings.
type Places = BTreeSet<(u64, String, u64)>;

/// (line, code, column) of every finding, from the JSON format, with the
/// column in characters and in bytes (computed from the byte span).
fn reference(dir: &Path) -> (Places, Places) {
    let v: Value = serde_json::from_str(&run("json", dir)).unwrap();
    let mut chars = BTreeSet::new();
    let mut bytes = BTreeSet::new();
    for d in v["diagnostics"].as_array().unwrap() {
        let line = d["start"]["line"].as_u64().unwrap();
        let code = d["code"].as_str().unwrap().to_string();
        let start = d["span"]["start"].as_u64().unwrap() as usize;
        let line_start = TEXT[..start].rfind('\n').map_or(0, |i| i + 1);
        chars.insert((line, code.clone(), d["start"]["column"].as_u64().unwrap()));
        bytes.insert((line, code, (start - line_start + 1) as u64));
    }
    (chars, bytes)
}

fn n(s: &str) -> u64 {
    s.parse().unwrap()
}

#[test]
fn the_fixture_has_differing_column_units() {
    let (line, col, byte) = place("必ず", 0);
    assert_eq!((line, col, byte), (3, 10, 29));
    let (line, col, byte) = place("Cho", 0);
    assert_eq!(line, 5);
    assert!(byte > col);
}

#[test]
fn every_format_lists_the_same_findings_in_its_own_column_unit() {
    let dir = fixture();
    let (chars, bytes) = reference(dir.path());
    let (l, c, b) = place("必ず", 0);
    assert!(
        chars.contains(&(l as u64, "EXL106".into(), c as u64)),
        "{chars:?}"
    );
    assert!(
        bytes.contains(&(l as u64, "EXL106".into(), b as u64)),
        "{bytes:?}"
    );
    assert!(chars.len() >= 3, "{chars:?}");

    // concise: path:line:col: CODE [category/verdict] message
    let concise = run("concise", dir.path());
    let re = Regex::new(r"^a\.md:(\d+):(\d+): (EXL\d+) \[[a-z-]+/[a-z-]+\] \S").unwrap();
    let got: BTreeSet<_> = concise
        .lines()
        .filter_map(|l| re.captures(l))
        .map(|c| (n(&c[1]), c[3].to_string(), n(&c[2])))
        .collect();
    assert_eq!(got, chars, "concise:\n{concise}");
    assert!(concise.contains(&format!("a.md:{l}:{c}: EXL106 [absolute/prohibited] ")));

    // github: ::error file=…,line=…,endLine=…,col=…,endColumn=…,title=CODE name::…
    let gh = run("github", dir.path());
    let re = Regex::new(
        r"^::(error|warning|notice) file=a\.md,line=(\d+),endLine=(\d+),col=(\d+),endColumn=(\d+),title=(EXL\d+) [a-z-]+::\[",
    )
    .unwrap();
    let got: BTreeSet<_> = gh
        .lines()
        .filter_map(|l| re.captures(l))
        .map(|c| (n(&c[2]), c[6].to_string(), n(&c[4])))
        .collect();
    assert_eq!(got, chars, "github:\n{gh}");
    assert!(gh.contains(&format!(
        "::error file=a.md,line={l},endLine={l},col={c},endColumn={},title=EXL106 absolute-claim::",
        c + 2
    )));

    // sarif: code-point columns
    let sarif: Value = serde_json::from_str(&run("sarif", dir.path())).unwrap();
    let got: BTreeSet<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                region["startLine"].as_u64().unwrap(),
                r["ruleId"].as_str().unwrap().to_string(),
                region["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, chars, "sarif");

    // rdjsonl and rdjson: UTF-8 byte columns, exclusive end
    let rdjsonl = run("rdjsonl", dir.path());
    let lines: Vec<Value> = rdjsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rdjson: Value = serde_json::from_str(&run("rdjson", dir.path())).unwrap();
    assert_eq!(rdjson["source"]["name"], "exolint");
    assert_eq!(rdjson["severity"], "ERROR");
    for diags in [&lines[..], rdjson["diagnostics"].as_array().unwrap()] {
        let got: BTreeSet<_> = diags
            .iter()
            .map(|d| {
                let start = &d["location"]["range"]["start"];
                (
                    start["line"].as_u64().unwrap(),
                    d["code"]["value"].as_str().unwrap().to_string(),
                    start["column"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, bytes, "rdjson");
        let d = diags
            .iter()
            .find(|d| d["code"]["value"] == "EXL106")
            .unwrap();
        assert_eq!(d["location"]["path"], "a.md");
        assert_eq!(d["location"]["range"]["start"]["column"], b as u64);
        assert_eq!(
            d["location"]["range"]["end"]["column"],
            (b + "必ず".len()) as u64
        );
        assert_eq!(d["severity"], "ERROR");
        assert!(d["code"]["url"]
            .as_str()
            .unwrap()
            .ends_with("rules/claim/absolute-claim.yaml"));
    }

    // checkstyle: character columns, clean files listed
    let cs = run("checkstyle", dir.path());
    well_formed(&cs);
    let re = Regex::new(
        r#"<error line="(\d+)" column="(\d+)" severity="(?:error|warning|info)" message="[^"]+" source="(EXL\d+)"/>"#,
    )
    .unwrap();
    let got: BTreeSet<_> = re
        .captures_iter(&cs)
        .map(|c| (n(&c[1]), c[3].to_string(), n(&c[2])))
        .collect();
    assert_eq!(got, chars, "checkstyle:\n{cs}");
    assert!(cs.contains(r#"<checkstyle version="4.3">"#));
    assert!(cs.contains(r#"<file name="b.md"/>"#), "{cs}");

    // junit: a test case per finding, named with the character position
    let ju = run("junit", dir.path());
    well_formed(&ju);
    let re = Regex::new(r#"<testcase name="(EXL\d+) [a-z-]+ \((\d+):(\d+)\)" classname="a\.md""#)
        .unwrap();
    let got: BTreeSet<_> = re
        .captures_iter(&ju)
        .map(|c| (n(&c[2]), c[1].to_string(), n(&c[3])))
        .collect();
    assert_eq!(got, chars, "junit:\n{ju}");
    assert_eq!(ju.matches("<failure ").count(), chars.len());
    assert!(
        ju.contains(r#"<testsuite name="b.md" tests="1" failures="0""#),
        "{ju}"
    );
    assert!(ju.contains(&format!("a.md:{l}:{c}: error EXL106 absolute-claim")));
}

#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let dir = fixture();
    let v: Value = serde_json::from_str(&run("sarif", dir.path())).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["name"], "exolint");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));

    // Every rule, claim and verdict rules alike, fully described.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let builtin = exolint::rules::RuleSet::builtin();
    assert_eq!(rules.len(), builtin.rules.len());
    for code in ["EXL101", "EXL109", "EXL301"] {
        assert!(rules.iter().any(|r| r["id"] == code), "{code}");
    }
    for r in rules {
        for field in ["name", "helpUri"] {
            assert!(r[field].is_string(), "{field}: {r}");
        }
        for field in ["shortDescription", "fullDescription"] {
            assert!(!r[field]["text"].as_str().unwrap().is_empty(), "{r}");
        }
        assert!(r["help"]["text"].is_string() && r["help"]["markdown"].is_string());
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }

    let results = run["results"].as_array().unwrap();
    let hash = Regex::new(r"^[0-9a-f]{16}:\d+$").unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        let fp = r["partialFingerprints"]["exolint/v1"].as_str().unwrap();
        assert!(hash.is_match(fp), "{fp}");
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uri"], "a.md");
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert!(r["properties"]["verdict"].is_string());
    }
    let absolute = results.iter().find(|r| r["ruleId"] == "EXL106").unwrap();
    assert_eq!(absolute["level"], "error");
    assert!(absolute["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("[absolute/prohibited] "));
    let region = &absolute["locations"][0]["physicalLocation"]["region"];
    let (l, c, _) = place("必ず", 0);
    assert_eq!(region["startLine"], l as u64);
    assert_eq!(region["startColumn"], c as u64);
    assert_eq!(region["endColumn"], (c + 2) as u64);

    // The citation is a related location, in code points too.
    let cited = results
        .iter()
        .find(|r| r["relatedLocations"].is_array())
        .expect("a result with a citation");
    let related = &cited["relatedLocations"][0];
    let (l, c, _) = place("Cho", 0);
    assert_eq!(related["physicalLocation"]["region"]["startLine"], l as u64);
    assert_eq!(
        related["physicalLocation"]["region"]["startColumn"],
        c as u64
    );
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "a.md"
    );
    assert!(related["message"]["text"].as_str().unwrap().contains("Cho"));

    // Fingerprints do not move with the claim.
    let moved = format!("\n\n追加の段落です。\n{TEXT}");
    std::fs::write(dir.path().join("a.md"), moved).unwrap();
    let out = exolint(&["--format", "sarif", "a.md"], dir.path());
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fps = |v: &Value| -> BTreeSet<String> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["exolint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(fps(&v), fps(&w));
}

#[test]
fn sarif_uris_are_relative_and_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("記事")).unwrap();
    std::fs::write(dir.path().join("記事/a b.md"), TEXT).unwrap();
    let abs = dir.path().join("記事/a b.md");
    let out = exolint(
        &["--format", "sarif", "./記事/a b.md", abs.to_str().unwrap()],
        dir.path(),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: BTreeSet<_> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        uris.into_iter().collect::<Vec<_>>(),
        ["%E8%A8%98%E4%BA%8B/a%20b.md"]
    );
}

#[test]
fn github_escapes_messages_and_properties() {
    let message = "100% 確実, 比較: 他院\n2行目\r";
    assert_eq!(
        github::escape_data(message),
        "100%25 確実, 比較: 他院%0A2行目%0D"
    );
    assert_eq!(
        github::escape_property(message),
        "100%25 確実%2C 比較%3A 他院%0A2行目%0D"
    );

    // A path with the property delimiters in it, end to end.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("50%,a:b.md"), TEXT).unwrap();
    let out = exolint(&["--format", "github", "50%,a:b.md"], dir.path());
    let text = stdout(&out);
    assert!(
        text.contains("::error file=50%25%2Ca%3Ab.md,line=3,"),
        "{text}"
    );
}

#[test]
fn github_omits_columns_on_multi_line_claims() {
    let d = exolint::report::Diagnostic {
        path: "a.md".into(),
        finding: exolint::lint::check_str(
            "当院は必ず治ります。",
            exolint::source::Format::Text,
            &exolint::lint::Linter::builtin(),
        )
        .findings
        .remove(0),
        span: 0..1,
        start: exolint::source::Position {
            line: 3,
            column: 10,
        },
        end: exolint::source::Position { line: 4, column: 2 },
        start_byte: exolint::source::Position {
            line: 3,
            column: 29,
        },
        end_byte: exolint::source::Position { line: 4, column: 4 },
        text: "必\nず".into(),
        citation_places: Vec::new(),
    };
    let mut line = Vec::new();
    github::write(&mut line, &[d], None);
    let line = String::from_utf8(line).unwrap();
    assert!(line.contains("file=a.md,line=3,endLine=4,title="), "{line}");
    assert!(!line.contains("col="), "{line}");
}

#[test]
fn xml_escaping_keeps_documents_well_formed() {
    assert_eq!(xml::attr(r#"<&">"#), "&lt;&amp;&quot;&gt;");
    assert_eq!(xml::text("a<b&c>\"d'"), "a&lt;b&amp;c&gt;&quot;d&apos;");
    assert_eq!(xml::attr("x\u{1}y\u{FFFF}z"), "xyz");

    // A file name full of markup, through both XML formats.
    let dir = tempfile::tempdir().unwrap();
    let name = r#"q&<">'.md"#;
    std::fs::write(dir.path().join(name), TEXT).unwrap();
    for format in ["checkstyle", "junit"] {
        let out = exolint(&["--format", format, name], dir.path());
        let doc = stdout(&out);
        well_formed(&doc);
        assert!(doc.contains("q&amp;&lt;&quot;&gt;&apos;.md"), "{doc}");
    }
}

#[test]
fn statistics_count_per_rule_and_category() {
    let dir = fixture();
    let out = exolint(&["--statistics", "a.md", "b.md"], dir.path());
    let text = stdout(&out);
    let rules = text.find("ルール別の件数:").expect(&text);
    let cats = text.find("カテゴリ別の件数:").expect(&text);
    let summary = text.find("2 ファイル: ").expect(&text);
    // After the findings, before the summary line.
    assert!(text.find("error[EXL106]").unwrap() < rules && rules < cats && cats < summary);
    assert!(
        text.contains("     1 件  EXL106 absolute-claim\n"),
        "{text}"
    );
    assert!(
        text.contains("     2 件  EXL101 efficacy-claim\n"),
        "{text}"
    );
    assert!(
        text.contains("     1 件  断定・保証（absolute）\n"),
        "{text}"
    );
    assert!(
        text.contains("     2 件  効果・効能（efficacy）\n"),
        "{text}"
    );

    // JSON carries them in the summary; without the flag it has none.
    let out = exolint(&["-f", "json", "--statistics", "a.md"], dir.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["summary"]["statistics"];
    assert!(s["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "EXL106" && r["name"] == "absolute-claim" && r["count"] == 1));
    assert!(s["categories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["category"] == "efficacy" && c["label"] == "効果・効能" && c["count"] == 2));
    let v: Value = serde_json::from_str(&run("json", dir.path())).unwrap();
    assert!(v["summary"].get("statistics").is_none());

    // SARIF in the run's properties; XML formats keep stdout parseable.
    let out = exolint(&["-f", "sarif", "--statistics", "a.md"], dir.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["runs"][0]["properties"]["statistics"]["rules"].is_array());
    let out = exolint(&["-f", "checkstyle", "--statistics", "a.md"], dir.path());
    well_formed(&stdout(&out));
    assert!(stderr(&out).contains("ルール別の件数:"));
    let out = exolint(&["-f", "rdjsonl", "--statistics", "a.md"], dir.path());
    for l in stdout(&out).lines() {
        serde_json::from_str::<Value>(l).unwrap();
    }
}

#[test]
fn quiet_prints_only_findings() {
    let dir = fixture();
    std::fs::write(dir.path().join("bin.txt"), b"\x00\x01binary").unwrap();
    let loud = exolint(&["a.md", "bin.txt"], dir.path());
    assert!(stdout(&loud).contains("ファイル: エラー"));
    assert!(stderr(&loud).contains("note: bin.txt"), "{}", stderr(&loud));

    let quiet = exolint(&["--quiet", "a.md", "bin.txt"], dir.path());
    assert_eq!(quiet.status.code(), Some(1));
    let text = stdout(&quiet);
    assert!(text.contains("error[EXL106]"), "{text}");
    assert!(!text.contains("ファイル: "), "{text}");
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));

    // concise --quiet is nothing but finding lines.
    let out = exolint(&["-q", "-f", "concise", "a.md", "b.md"], dir.path());
    let text = stdout(&out);
    let re = Regex::new(r"^a\.md:\d+:\d+: EXL\d+ \[").unwrap();
    assert!(!text.is_empty());
    assert!(text.lines().all(|l| re.is_match(l)), "{text}");

    // Clean and quiet: no output at all.
    let out = exolint(&["-q", "b.md"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

/// A small well-formedness check (elements nest, attributes are quoted,
/// `&` starts a known entity, no stray `<`), enough for the flat documents
/// exolint writes without pulling an XML parser into the dev-dependencies.
fn well_formed(doc: &str) {
    let doc = doc
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .unwrap_or_else(|| panic!("no XML declaration:\n{doc}"));
    let entity = Regex::new(r"^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);").unwrap();
    let tag = Regex::new(r#"^<(/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(/?)>"#)
        .unwrap();
    let quoted = Regex::new(r#""([^"]*)""#).unwrap();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = doc;
    let mut roots = 0;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let m = tag
                    .captures(rest)
                    .unwrap_or_else(|| panic!("bad tag at: {}", &rest[..rest.len().min(80)]));
                let name = m[2].to_string();
                for a in quoted.captures_iter(&m[3]) {
                    check_text(&a[1], &entity);
                }
                if &m[1] == "/" {
                    assert_eq!(
                        stack.pop().as_deref(),
                        Some(name.as_str()),
                        "mismatched </{name}>"
                    );
                } else if &m[4] != "/" {
                    if stack.is_empty() {
                        roots += 1;
                    }
                    stack.push(name);
                } else if stack.is_empty() {
                    roots += 1;
                }
                rest = &rest[m[0].len()..];
            }
            _ => {
                let end = rest.find('<').unwrap_or(rest.len());
                let text = &rest[..end];
                if stack.is_empty() {
                    assert!(text.trim().is_empty(), "text outside the root: {text}");
                }
                check_text(text, &entity);
                rest = &rest[end..];
            }
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

fn check_text(s: &str, entity: &Regex) {
    for (i, _) in s.match_indices('&') {
        assert!(entity.is_match(&s[i..]), "bare & in {s:?}");
    }
    assert!(!s.contains('<'), "bare < in {s:?}");
    assert!(
        s.chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r')
                || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')),
        "character XML forbids in {s:?}"
    );
}

/// Where `sarif-multitool` is: `$SARIF_MULTITOOL`, then `PATH`, then a
/// local `node_modules/.bin`.
fn sarif_multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let names = ["sarif-multitool"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/sarif-multitool");
    local.is_file().then_some(local)
}

/// Runs `sarif-multitool validate` with the SARIF and GitHub rule sets and
/// returns (errors, warnings, console output). The tool exits 0 even when it
/// reports errors, so its own SARIF log is read instead of the status.
fn validate(tool: &Path, sarif: &Path, work: &Path) -> (Vec<String>, Vec<String>, String) {
    let log = work.join("validation.sarif");
    let _ = std::fs::remove_file(&log);
    // The npm `bin` entry is a node script that runs the real binary through
    // a shell, where the `;` in the rule-kind list must be quoted.
    let script = std::fs::read(tool)
        .map(|b| b.starts_with(b"#!"))
        .unwrap_or(false);
    let kinds = if script { "\"Sarif;Gh\"" } else { "Sarif;Gh" };
    let out = Command::new(tool)
        .args([
            "validate",
            "--rule-kind",
            kinds,
            "--log",
            "ForceOverwrite",
            "-o",
        ])
        .arg(&log)
        .arg(sarif)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let console = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{console}");
    assert!(console.contains("1 files scanned"), "{console}");
    let v: Value = serde_json::from_slice(
        &std::fs::read(&log).unwrap_or_else(|e| panic!("no validation log ({e}):\n{console}")),
    )
    .unwrap();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for r in v["runs"][0]["results"].as_array().into_iter().flatten() {
        let line = format!(
            "{} {}",
            r["ruleId"].as_str().unwrap_or("?"),
            r["message"]["arguments"]
        );
        // SARIF's default level is `warning`.
        match r["level"].as_str().unwrap_or("warning") {
            "error" => errors.push(line),
            "warning" => warnings.push(line),
            _ => {}
        }
    }
    (errors, warnings, console)
}

#[test]
#[ignore = "needs sarif-multitool; .ci/run installs it"]
fn sarif_passes_microsofts_validator() {
    let tool = sarif_multitool().expect("set SARIF_MULTITOOL or put sarif-multitool on PATH");
    let dir = fixture();
    std::fs::write(dir.path().join("bin.txt"), b"\x00binary").unwrap();
    let out = exolint(
        &[
            "--format",
            "sarif",
            "--statistics",
            "--show-supported",
            "a.md",
            "b.md",
            "missing.md",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let sarif = dir.path().join("exolint.sarif");
    std::fs::write(&sarif, &out.stdout).unwrap();
    let (errors, warnings, console) = validate(&tool, &sarif, dir.path());
    println!("{console}");
    assert!(errors.is_empty(), "errors: {errors:#?}\n{console}");
    println!("warnings: {warnings:#?}");

    // The corpus, for breadth: every rule and verdict that fires there.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = exolint(&["--format", "sarif", "--show-supported", "corpus"], corpus);
    std::fs::write(&sarif, &out.stdout).unwrap();
    let (errors, _, console) = validate(&tool, &sarif, dir.path());
    assert!(errors.is_empty(), "corpus errors: {errors:#?}\n{console}");

    // And the check itself can fail: a region without a start line is an error.
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let region = &mut v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    region.as_object_mut().unwrap().remove("startLine");
    std::fs::write(&sarif, v.to_string()).unwrap();
    let (errors, _, console) = validate(&tool, &sarif, dir.path());
    assert!(!errors.is_empty(), "a broken log passed:\n{console}");
}
