//! Workflows end to end: `.exolint.yaml` discovery and keys, inline
//! suppressions, baselines, `exolint config`, and the README snippets.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn exolint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exolint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: stdout {} stderr {}", stdout(out), stderr(out)))
}

/// `path CODE@line` for each diagnostic of a JSON run.
fn found(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = exolint(&all, dir);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}@{}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["start"]["line"]
            )
        })
        .collect()
}

/// Every file under `dir` with its contents, to prove a run wrote nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p.clone(), Vec::new());
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// 必ず (absolute, EXL106) and 治ります (efficacy, EXL101) on one line.
const CLAIMS: &str = "必ず治ります。\n";

#[test]
fn nearest_config_wins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", "ignore: [absolute]\n");
    write(d, "sub/.exolint.yaml", "ignore: [efficacy]\n");
    write(d, "a.md", CLAIMS);
    write(d, "sub/deeper/b.md", CLAIMS);
    assert_eq!(
        found(d, &["."]),
        ["a.md EXL101@1", "sub/deeper/b.md EXL106@1"]
    );
    // The same when linting from inside the subdirectory: discovery starts
    // at each file, not at the working directory.
    assert_eq!(found(&d.join("sub"), &["deeper"]), ["deeper/b.md EXL106@1"]);
}

#[test]
fn config_flag_and_isolated_override_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", "ignore: [absolute]\n");
    write(d, "ci/strict.yaml", "ignore: [efficacy]\n");
    write(d, "a.md", CLAIMS);
    assert_eq!(found(d, &["a.md"]), ["a.md EXL101@1"]);
    assert_eq!(
        found(d, &["--config", "ci/strict.yaml", "a.md"]),
        ["a.md EXL106@1"]
    );
    assert_eq!(
        found(d, &["--isolated", "a.md"]),
        ["a.md EXL106@1", "a.md EXL101@1"]
    );
    let out = exolint(&["--isolated", "--config", "ci/strict.yaml", "a.md"], d);
    assert_eq!(out.status.code(), Some(2));
    let out = exolint(&["--config", "missing.yaml", "a.md"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("EXL923"), "{}", stderr(&out));
}

#[test]
fn select_and_ignore_by_code_name_category_prefix_and_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.md", CLAIMS);
    let cases: [(&str, &[&str]); 8] = [
        ("select: [EXL106]\n", &["a.md EXL106@1"]),
        ("select: [efficacy-claim]\n", &["a.md EXL101@1"]),
        ("select: [absolute]\n", &["a.md EXL106@1"]),
        ("select: [EXL1]\nignore: [EXL101]\n", &["a.md EXL106@1"]),
        ("ignore: [absolute-claim]\n", &["a.md EXL101@1"]),
        ("ignore: [efficacy]\n", &["a.md EXL106@1"]),
        // 必ず is judged `prohibited` (EXL306): ignoring the verdict rule
        // drops it whatever its claim rule.
        ("ignore: [prohibited-claim]\n", &["a.md EXL101@1"]),
        ("select: []\n", &[]),
    ];
    for (config, expected) in cases {
        write(d, ".exolint.yaml", config);
        assert_eq!(found(d, &["a.md"]), expected, "{config}");
    }
}

#[test]
fn severity_override_changes_level_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.md", CLAIMS);
    write(
        d,
        ".exolint.yaml",
        "severity:\n  absolute: info\n  efficacy-claim: info\n",
    );
    let out = exolint(&["-f", "json", "a.md"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    for diag in v["diagnostics"].as_array().unwrap() {
        assert_eq!(diag["severity"], "info", "{diag}");
    }
    // The more specific selector wins over the category.
    write(
        d,
        ".exolint.yaml",
        "severity:\n  EXL106: warning\n  absolute: info\n",
    );
    let v = json(&exolint(&["-f", "json", "a.md"], d));
    let d106 = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "EXL106")
        .unwrap()
        .clone();
    assert_eq!(d106["severity"], "warning");
}

#[test]
fn per_file_overrides_apply_to_matching_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "top.md", CLAIMS);
    write(d, "blog/2024/post.md", CLAIMS);
    write(
        d,
        ".exolint.yaml",
        "ignore: [efficacy]\noverrides:\n  - files: ['blog/**']\n    ignore: [absolute]\n    select: [efficacy]\n",
    );
    assert_eq!(
        found(d, &["."]),
        ["blog/2024/post.md EXL101@1", "top.md EXL106@1"]
    );
    let out = exolint(&["config", "blog/2024/post.md"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("applied-overrides:\n- 0"), "{text}");
    assert!(text.contains("EXL106: off"), "{text}");
}

#[test]
fn unknown_keys_and_bad_values_are_errors_at_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.md", CLAIMS);
    let cases = [
        (
            "select: [EXL106]\nignroe: [EXL101]\n",
            "EXL920",
            ".exolint.yaml:2:1",
        ),
        ("fail-on: sometimes\n", "EXL920", ".exolint.yaml:1:"),
        (
            "ignore:\n  - EXL101\n  - absolut\n",
            "EXL921",
            ".exolint.yaml:3:5",
        ),
        ("severity:\n  EXL999: info\n", "EXL921", ".exolint.yaml:2:3"),
        ("exclude: ['drafts/[x']\n", "EXL922", ".exolint.yaml:1:11"),
        (
            "overrides:\n  - files: ['**/*.md']\n    ignore: [nope]\n",
            "EXL921",
            ".exolint.yaml:3:14",
        ),
        ("select: EXL101\n", "EXL920", ".exolint.yaml:1:"),
    ];
    for (i, (config, code, at)) in cases.into_iter().enumerate() {
        write(d, ".exolint.yaml", config);
        let out = exolint(&["a.md"], d);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{config}: {err}");
        assert!(err.contains(code) && err.contains(at), "{config}\n{err}");
        assert!(
            stdout(&out).is_empty(),
            "nothing is linted: {}",
            stdout(&out)
        );
        // `exolint config` reports the same errors the same way.
        if i < 2 {
            let out = exolint(&["config", "a.md"], d);
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr(&out).contains(at), "{}", stderr(&out));
            assert!(stdout(&out).is_empty());
        }
    }
    // A suggestion for a near miss.
    write(d, ".exolint.yaml", "ignore: [absolute-clam]\n");
    let err = stderr(&exolint(&["a.md"], d));
    assert!(err.contains("absolute-claim"), "{err}");
}

#[test]
fn fail_on_comes_from_the_config_unless_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.md", CLAIMS);
    write(d, ".exolint.yaml", "fail-on: never\n");
    assert_eq!(exolint(&["a.md"], d).status.code(), Some(0));
    assert_eq!(
        exolint(&["--fail-on", "error", "a.md"], d).status.code(),
        Some(1)
    );
    assert_eq!(exolint(&["--isolated", "a.md"], d).status.code(), Some(1));
}

#[test]
fn exclude_globs_skip_walked_files_and_named_ones_with_force_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", "exclude: [drafts, 'legal/*.md']\n");
    write(d, "a.md", CLAIMS);
    write(d, "drafts/x.md", CLAIMS);
    write(d, "docs/drafts/y.html", "<p>必ず治ります。</p>");
    write(d, "legal/terms.md", CLAIMS);
    write(d, "legal/sub/kept.md", "必ず。\n");
    let paths: Vec<String> = found(d, &["."])
        .iter()
        .map(|s| s.split(' ').next().unwrap().to_string())
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| p == "a.md" || p == "legal/sub/kept.md"),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p == "legal/sub/kept.md"));
    // A file named on the command line is linted…
    assert_eq!(found(d, &["drafts/x.md"]).len(), 2);
    // …unless `--force-exclude` (pre-commit names every file).
    let out = exolint(&["--force-exclude", "drafts/x.md", "a.md"], d);
    assert!(!stdout(&out).contains("drafts"), "{}", stdout(&out));
    // --isolated ignores `exclude` too.
    assert!(found(d, &["--isolated", "."]).len() > 4);
}

#[test]
fn suppressed_claims_carry_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pages = [
        (
            "next-by-code.md",
            "<!-- exolint-disable-next-line EXL106 EXL101 -- 院長の発言の引用 -->\n必ず治ります。\n",
        ),
        (
            "next-all.md",
            "<!-- exolint-disable-next-line -- 引用 -->\n必ず治ります。\n",
        ),
        (
            "range.md",
            "# 見出し\n\n<!-- exolint-disable absolute efficacy -->\n必ず治ります。\n\n必ず治ります。\n<!-- exolint-enable -->\n",
        ),
        (
            "file.md",
            "必ず治ります。\n\n<!-- exolint-disable-file -->\n",
        ),
        (
            "page.html",
            "<p>紹介</p>\n<!-- exolint-disable-next-line absolute-claim efficacy-claim -->\n<p>必ず治ります。</p>\n",
        ),
    ];
    for (name, text) in pages {
        write(d, name, text);
        let out = exolint(&["-f", "json", name], d);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        let v = json(&out);
        assert_eq!(v["diagnostics"], Value::Array(vec![]), "{name}");
        assert_eq!(v["summary"]["diagnostics"], 0, "{name}");
    }
    // The same claim after the suppressed line is still reported.
    write(
        d,
        "after.md",
        "<!-- exolint-disable-next-line absolute -->\n必ず。\n\n必ず治ります。\n",
    );
    assert_eq!(
        found(d, &["after.md"]),
        ["after.md EXL106@4", "after.md EXL101@4"]
    );
}

#[test]
fn unused_suppressions_are_reported_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.md",
        "<!-- exolint-disable-next-line safety -- 念のため -->\n必ず治ります。\n",
    );
    assert_eq!(
        found(d, &["a.md"]),
        ["a.md EXL930@1", "a.md EXL106@2", "a.md EXL101@2"]
    );
    let human = stdout(&exolint(&["--color", "never", "a.md"], d));
    assert!(
        human.contains("warning[EXL930]") && human.contains("何も抑制していません"),
        "{human}"
    );
    let concise = stdout(&exolint(&["-f", "concise", "a.md"], d));
    assert!(concise.contains("a.md:1:1: EXL930"), "{concise}");
    // Off by configuration like any rule.
    write(d, ".exolint.yaml", "ignore: [unused-suppression]\n");
    assert_eq!(found(d, &["a.md"]), ["a.md EXL106@2", "a.md EXL101@2"]);
    // A suppression for a rule the configuration turned off is unused too.
    write(d, ".exolint.yaml", "ignore: [absolute]\n");
    write(
        d,
        "b.md",
        "<!-- exolint-disable-next-line absolute -- 引用 -->\n必ず。\n",
    );
    assert_eq!(found(d, &["b.md"]), ["b.md EXL930@1"]);
    // Plain text has no comments: nothing is suppressed there.
    write(
        d,
        "c.txt",
        "<!-- exolint-disable-file -->\n必ず治ります。\n",
    );
    assert_eq!(found(d, &["--isolated", "c.txt"]).len(), 2);
}

#[test]
fn require_reason_makes_a_bare_suppression_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.md",
        "<!-- exolint-disable-next-line -->\n必ず治ります。\n",
    );
    write(
        d,
        "b.md",
        "<!-- exolint-disable-next-line -- 医師の発言の引用 -->\n必ず治ります。\n",
    );
    assert_eq!(exolint(&["a.md", "b.md"], d).status.code(), Some(0));
    let out = exolint(&["--require-reason", "-f", "json", "a.md", "b.md"], d);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "EXL931");
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(diags[0]["path"], "a.md");
}

#[test]
fn baseline_survives_inserted_lines_and_still_reports_new_claims() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "docs/a.md", "# 当院の治療\n\n必ず髪が生えます。\n");
    write(d, "docs/b.html", "<p>安全な治療です。</p>\n");
    let out = exolint(&["--write-baseline", "exolint-baseline.json", "docs"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ベースライン"), "{}", stderr(&out));
    // Reviewable: sorted, keyed by path, code and text, no line numbers.
    let b: Value =
        serde_json::from_slice(&std::fs::read(d.join("exolint-baseline.json")).unwrap()).unwrap();
    assert_eq!(b["version"], 1);
    let entries = b["findings"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert!(
            e["path"] == "docs/a.md" || e["path"] == "docs/b.html",
            "{e}"
        );
        assert!(e.get("line").is_none());
        assert!(e["code"].as_str().unwrap().starts_with("EXL"));
    }
    assert!(entries.iter().any(|e| e["claim"] == "必ず"));
    // Only the baseline was added, and no temporary file was left behind.
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // Everything recorded: a clean run.
    let out = exolint(&["--baseline", "exolint-baseline.json", "docs"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Lines inserted above, and a new claim added.
    write(
        d,
        "docs/a.md",
        "# 当院の治療\n\n新しい導入文です。\n\n詳しくは下記をご覧ください。\n\n必ず髪が生えます。\n\n絶対に治ります。\n",
    );
    let left = found(d, &["--baseline", "exolint-baseline.json", "docs"]);
    assert!(!left.is_empty());
    for l in &left {
        assert!(l.starts_with("docs/a.md ") && l.ends_with("@9"), "{left:?}");
    }
    // Run from another directory: paths are relative to the baseline file.
    let left2 = found(
        &d.join("docs"),
        &["--baseline", "../exolint-baseline.json", "."],
    );
    assert_eq!(left2.len(), left.len(), "{left2:?}");

    // YAML baselines work the same way.
    let out = exolint(&["--write-baseline", "base.yaml", "docs"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(d.join("base.yaml"))
        .unwrap()
        .contains("findings:"));
    assert!(found(d, &["--baseline", "base.yaml", "docs"]).is_empty());
}

#[test]
fn baseline_write_failure_keeps_the_old_file_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.md", CLAIMS);
    write(d, "target/keep", "x");
    // The target is a non-empty directory: the rename fails.
    let out = exolint(&["--write-baseline", "target", "a.md"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("書き込めません"), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A run that fails does not write a partial baseline.
    let out = exolint(&["--write-baseline", "b.json", "a.md", "missing.md"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("b.json").exists());
    // A missing or malformed baseline is an error, not an empty one.
    assert_eq!(
        exolint(&["--baseline", "none.json", "a.md"], d)
            .status
            .code(),
        Some(2)
    );
    write(d, "bad.json", "{\"version\": 1,\n \"findings\": 3}\n");
    let out = exolint(&["--baseline", "bad.json", "a.md"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:2:"), "{}", stderr(&out));
}

#[test]
fn nothing_is_written_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", "ignore: [EXL101]\nexclude: [drafts]\n");
    write(d, "sub/.exolint.yaml", "fail-on: never\n");
    write(
        d,
        "a.md",
        "<!-- exolint-disable-next-line EXL104 -->\n必ず治ります。\n",
    );
    write(d, "sub/b.html", "<p>安全です。</p>");
    write(d, "drafts/c.md", CLAIMS);
    write(d, "base.json", "{\"version\": 1, \"findings\": []}\n");
    let before = snapshot(d);
    let runs: [&[&str]; 7] = [
        &["."],
        &["-f", "json", "."],
        &["--baseline", "base.json", "."],
        &["--require-reason", "--force-exclude", "a.md", "drafts/c.md"],
        &["config", "sub/b.html"],
        &["config"],
        &["--config", ".exolint.yaml", "sub"],
    ];
    for args in runs {
        let out = exolint(args, d);
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(snapshot(d), before, "{args:?} wrote something");
    }
}

#[test]
fn config_command_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".exolint.yaml",
        "select: [ALL]\nignore: [testimonial]\nseverity: {EXL101: error}\nregistries: [evidence]\nfail-on: warning\n",
    );
    std::fs::create_dir(d.join("evidence")).unwrap();
    let out = exolint(&["config", "page.md"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = exolint::yaml::from_str("config", &stdout(&out)).unwrap();
    assert_eq!(v["path"], "page.md");
    assert!(v["config-file"]
        .as_str()
        .unwrap()
        .ends_with(".exolint.yaml"));
    assert_eq!(v["fail-on"], "warning");
    assert_eq!(v["rules"]["EXL107"], "off");
    assert_eq!(v["rules"]["EXL101"], "error");
    assert!(v["registries"][0].as_str().unwrap().ends_with("evidence"));
    // Without a file: the defaults, said so.
    let out = exolint(&["config", "--isolated"], d);
    let text = stdout(&out);
    assert!(
        text.contains("既定値") && text.contains("config-file: null"),
        "{text}"
    );
    // The working directory's fail-on governs the exit code.
    write(d, "page.md", CLAIMS);
    assert_eq!(exolint(&["page.md"], d).status.code(), Some(1));
}

#[test]
fn config_registries_extend_the_evidence_for_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", "registries: [evidence]\n");
    write(d, "evidence/broken.yaml", "id: [\n");
    write(d, "a.md", CLAIMS);
    let out = exolint(&["a.md"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("EXL90"), "{}", stderr(&out));
    write(d, ".exolint.yaml", "registries: [nowhere]\n");
    let out = exolint(&["a.md"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // An empty registry directory is fine.
    std::fs::remove_file(d.join("evidence/broken.yaml")).unwrap();
    write(d, ".exolint.yaml", "registries: [evidence]\n");
    let out = exolint(&["a.md"], d);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// README snippets
// ---------------------------------------------------------------------------

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The fenced block whose first line names the file it shows, in a comment
/// (`# name`, `// name` or `" name`).
fn snippet(name: &str) -> String {
    let names = |f: &&str| {
        ["#", "//", "\""]
            .iter()
            .any(|c| f.trim() == format!("{c} {name}"))
    };
    let text = readme();
    let mut in_block = false;
    let mut block = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            if in_block {
                if block.first().is_some_and(names) {
                    return block.join("\n") + "\n";
                }
                block.clear();
            }
            in_block = !in_block;
            continue;
        }
        if in_block {
            block.push(line);
        }
    }
    panic!("README.md has no block starting with a comment naming `{name}`");
}

#[test]
fn readme_config_example_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".exolint.yaml", &snippet(".exolint.yaml"));
    std::fs::create_dir_all(d.join("evidence")).unwrap();
    let out = exolint(&["config", "blog/post.md"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = exolint::yaml::from_str("config", &stdout(&out)).unwrap();
    assert!(v["applied-overrides"].as_array().is_some());
}

#[test]
fn readme_pre_commit_snippet_uses_the_hook_this_repository_defines() {
    let hooks: Value = exolint::yaml::from_str(
        ".pre-commit-hooks.yaml",
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "exolint");
    assert_eq!(hook["language"], "rust");
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for f in ["a.md", "b/c.html", "d.htm", "e.txt", "f.markdown"] {
        assert!(files.is_match(f), "{f}");
    }
    assert!(!files.is_match("main.rs"));
    // The hook's entry runs the binary this crate builds, with flags it has.
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "exolint");
    check_flags(&entry[1..]);

    let config: Value = exolint::yaml::from_str(
        ".pre-commit-config.yaml",
        &snippet(".pre-commit-config.yaml"),
    )
    .unwrap();
    let repo = &config["repos"][0];
    assert!(repo["rev"].is_string());
    let ids: Vec<&str> = repo["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["exolint"]);
    for h in repo["hooks"].as_array().unwrap() {
        if let Some(args) = h["args"].as_array() {
            let args: Vec<&str> = args.iter().map(|a| a.as_str().unwrap()).collect();
            check_flags(&args);
        }
    }
}

/// Every `exolint …` command in the CI snippets parses: run it on a page
/// with a claim and expect findings (1) or none (0), never a usage error.
#[test]
fn readme_ci_snippets_run() {
    for name in [".github/workflows/exolint.yml", ".gitlab-ci.yml"] {
        let text = snippet(name);
        let _: Value = exolint::yaml::from_str(name, &text).unwrap();
        let commands: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let l = l
                    .trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("run: ");
                l.starts_with("exolint ").then(|| l.to_string())
            })
            .collect();
        assert!(!commands.is_empty(), "{name}");
        for c in commands {
            // The part before a pipe or redirection is exolint's.
            let own = c.split(['|', '>']).next().unwrap();
            let args: Vec<&str> = own.split_whitespace().skip(1).collect();
            check_flags(&args);
        }
    }
}

/// Runs exolint with `args` (plus a page) in a scratch directory and
/// requires that the arguments were understood.
fn check_flags(args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "page.md", "必ず髪が生えます。\n");
    let mut all: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('$'))
        .collect();
    if !all.iter().any(|a| *a == "." || a.ends_with(".md")) {
        all.push("page.md");
    }
    let out = exolint(&all, d);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{all:?}: {}",
        stderr(&out)
    );
}

/// The editor snippets read the `concise` format as it is printed.
#[test]
fn readme_editor_snippets_match_concise_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "page.md",
        "# 見出し\n\n当院の治療は必ず効果があります。\n",
    );

    let tasks = snippet(".vscode/tasks.json");
    let tasks: Value = serde_json::from_str(tasks.split_once('\n').unwrap().1).unwrap();
    let task = &tasks["tasks"][0];
    let matcher = &task["problemMatcher"]["pattern"];
    let re = regex::Regex::new(matcher["regexp"].as_str().unwrap()).unwrap();
    let command = task["command"]
        .as_str()
        .unwrap()
        .replace("${file}", "page.md");
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let text = stdout(&exolint(&args, d));
    assert!(!text.trim().is_empty());
    for line in text.lines() {
        let c = re.captures(line).unwrap_or_else(|| panic!("{line}"));
        let group = |k: &str| c[matcher[k].as_u64().unwrap() as usize].to_string();
        assert_eq!(group("file"), "page.md");
        assert_eq!(group("line"), "3");
        assert!(group("column").parse::<usize>().unwrap() >= 1);
        assert!(group("code").starts_with("EXL1"));
        assert!(!group("message").is_empty());
    }

    let vim = snippet("~/.vim/after/ftplugin/markdown.vim");
    let setting = |key: &str| {
        vim.lines()
            .find_map(|l| l.strip_prefix(&format!("setlocal {key}=")))
            .unwrap()
            .replace("\\ ", " ")
    };
    assert_eq!(setting("errorformat"), "%f:%l:%c: %m");
    let makeprg = setting("makeprg").replace('%', "page.md");
    let args: Vec<&str> = makeprg.split_whitespace().skip(1).collect();
    let text = stdout(&exolint(&args, d));
    let efm = regex::Regex::new(r"^([^:]+):(\d+):(\d+): (.+)$").unwrap();
    assert!(!text.trim().is_empty());
    assert!(text.lines().all(|l| efm.is_match(l)), "{text}");
}

/// A large file is linted in sections (`EXOLINT_SECTION_SIZE` makes this
/// one large): suppressions whose comment, next line or range lie in other
/// sections, unused and invalid comments, footnotes defined sections away,
/// a baseline and every format give what the file gives in one piece; only
/// the comments' own findings move to the end of the file.
#[test]
fn a_file_linted_in_sections_reports_what_it_reports_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut page = String::from(
        "# 当院のエクソソーム治療\n\n<!-- exolint-disable EXL106 -- 比較の検証用 -->\n\n",
    );
    for i in 0..12 {
        page.push_str(&format!(
            "## 第{i}章\n\n必ず髪が生えます[^{n}]。\n\n<!-- exolint-disable-next-line EXL101 -- 検証 -->\n発毛効果が得られます。\n\n副作用はありません。\n\n<!-- exolint-disable-next-line EXL105 -->\n肌が明るくなります。\n\n",
            n = i % 3 + 1
        ));
        if i == 6 {
            page.push_str("<!-- exolint-enable EXL106 -->\n\n<!-- exolint-bogus -->\n\n");
        }
    }
    page.push_str("## 参考文献\n\n[^1]: Li et al., 2022\n[^2]: 当院調べ\n[^3]: Cho et al., 2018\n");
    write(d, "page.md", &page);
    let run = |size: Option<&str>, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_exolint"));
        c.args(args).current_dir(d).env("NO_COLOR", "1");
        if let Some(s) = size {
            c.env("EXOLINT_SECTION_SIZE", s);
        }
        c.output().unwrap()
    };
    let sorted = |out: &Output| {
        let mut lines: Vec<String> = stdout(out).lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    for format in ["concise", "json", "sarif", "human"] {
        let whole = run(None, &["--format", format, "page.md"]);
        let parts = run(Some("64"), &["--format", format, "page.md"]);
        assert_eq!(parts.status.code(), whole.status.code(), "{format}");
        assert_eq!(sorted(&parts), sorted(&whole), "{format}");
    }
    let whole = found(d, &["page.md"]);
    assert!(whole.iter().any(|f| f.contains("EXL930")), "{whole:?}");
    assert!(whole.iter().any(|f| f.contains("EXL932")), "{whole:?}");
    // The lines under `disable-next-line EXL101` are silenced.
    for (n, line) in page.lines().enumerate() {
        if line == "発毛効果が得られます。" {
            let silenced = format!("page.md EXL101@{}", n + 1);
            assert!(!whole.contains(&silenced), "{silenced}: {whole:?}");
        }
    }
    // A baseline written from sections filters the same findings.
    let out = run(Some("64"), &["--write-baseline", "b.json", "page.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = exolint(&["--baseline", "b.json", "page.md"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    page.push_str("\n## 追記\n\n絶対に安全です。\n");
    write(d, "page.md", &page);
    let left = run(
        Some("64"),
        &["--format", "concise", "--baseline", "b.json", "page.md"],
    );
    let text = stdout(&left);
    let new_line = format!("page.md:{}:", page.lines().count());
    let reported: Vec<&str> = text.lines().filter(|l| l.starts_with("page.md:")).collect();
    assert_eq!(reported.len(), 2, "{text}");
    assert!(reported.iter().all(|l| l.starts_with(&new_line)), "{text}");
}
