//! The pre-commit hook, for real: the `pre-commit` package from PyPI in a
//! temporary virtualenv runs `pre-commit try-repo` with this repository's
//! `.pre-commit-hooks.yaml` on a throwaway git repository holding a page.
//!
//! Slow (pre-commit builds exolint in release mode with `cargo install`)
//! and needs PyPI and crates.io, so it is ignored by default; `.ci/run` runs
//! it with `cargo test --test precommit -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output()
        .unwrap_or_else(|e| panic!("{shown}: cannot start: {e}"))
}

fn ok(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{shown} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `git` with an identity and no signing, so commits work on any machine.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .env("GIT_AUTHOR_NAME", "exolint test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "exolint test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    c
}

/// The files of this repository's working tree as a pre-commit user would
/// get them: tracked and untracked, minus what `.gitignore` ignores. Without
/// git metadata (an unpacked archive), everything but `target/` and `.git/`.
fn working_tree_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output();
    if let Some(out) = listed.ok().filter(|o| o.status.success()) {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .filter(|p| root.join(p).is_file())
            .collect();
    }
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(root.join(&rel)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name();
            if rel.as_os_str().is_empty() && (name == "target" || name == ".git") {
                continue;
            }
            let p = rel.join(&name);
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
#[ignore = "slow; needs PyPI and crates.io; .ci/run runs it"]
fn pre_commit_hook_fails_on_a_claim_and_passes_once_it_is_gone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let started = Instant::now();

    // pre-commit itself, from PyPI.
    let venv = t.join("venv");
    ok(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    ok(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "pre-commit",
    ]));
    let version = ok(Command::new(venv.join("bin/pre-commit")).arg("--version"));
    eprintln!(
        "{} installed in {:.1?}",
        String::from_utf8_lossy(&version.stdout).trim(),
        started.elapsed()
    );

    // The hook repository: this working tree, committed in a copy. try-repo
    // would take uncommitted changes to tracked files from the real
    // repository, but not new files, and it must not touch its index.
    let hook = t.join("exolint");
    for rel in working_tree_files(root) {
        let to = hook.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(&rel), &to).unwrap();
    }
    assert!(hook.join(".pre-commit-hooks.yaml").is_file());
    ok(git(&hook).args(["init", "-q"]));
    ok(git(&hook).args(["add", "-A"]));
    ok(git(&hook).args(["commit", "-q", "-m", "exolint under test"]));

    // A content repository with a page that makes a claim.
    let site = t.join("site");
    std::fs::create_dir(&site).unwrap();
    ok(git(&site).args(["init", "-q"]));
    let page = site.join("page.md");
    std::fs::write(&page, "# 当院のAGA治療\n\n必ず髪が生えます。\n").unwrap();
    ok(git(&site).args(["add", "page.md"]));

    let try_repo = || {
        let mut c = Command::new(venv.join("bin/pre-commit"));
        c.current_dir(&site)
            .arg("try-repo")
            .arg(&hook)
            .args(["exolint", "--files", "page.md"])
            // Keep pre-commit's cache in the scratch directory, and the
            // release build next to this crate's, so a second run of the
            // test reuses it (a clean machine builds from scratch).
            .env("PRE_COMMIT_HOME", t.join("cache"))
            .env("CARGO_TARGET_DIR", root.join("target").join("pre-commit"))
            .env("NO_COLOR", "1");
        let started = Instant::now();
        let out = run(&mut c);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text, started.elapsed())
    };

    let (passed, text, took) = try_repo();
    eprintln!("try-repo with a claim (includes building the hook): {took:.1?}");
    assert!(!passed, "the hook passed a page with a claim:\n{text}");
    assert!(
        text.contains("必ず") && text.contains("EXL106") && text.contains("page.md"),
        "the hook's output does not name the claim:\n{text}"
    );

    std::fs::write(&page, "# 当院のAGA治療\n\n治療の流れをご説明します。\n").unwrap();
    ok(git(&site).args(["add", "page.md"]));
    let (passed, text, took) = try_repo();
    eprintln!("try-repo without the claim: {took:.1?}");
    assert!(passed, "the hook failed a page without claims:\n{text}");
    assert!(text.contains("Passed"), "{text}");
    eprintln!("pre-commit test total: {:.1?}", started.elapsed());
}
