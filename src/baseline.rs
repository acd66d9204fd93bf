//! Baselines: the findings a content repository already had when it adopted
//! exolint, so that only new ones are reported.
//!
//! An entry is keyed by file, rule code, the claim's text and the text of
//! its sentence, each with white space removed, and never by line: inserting
//! lines elsewhere leaves the key unchanged, while editing the sentence
//! itself makes the claim new again. Entries are counted, so a second copy
//! of a recorded claim in the same file is still reported. The file is
//! sorted JSON (or YAML for `.yaml`/`.yml`) so that it reviews well in a
//! diff, and is written atomically (a temporary file in the same directory,
//! then a rename).

use crate::lint::Finding;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format version written to and required in baseline files.
pub const VERSION: u32 = 1;

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// Relative to the baseline file's directory, with `/` separators.
    pub path: String,
    pub code: String,
    /// The claim's text, white space removed.
    pub claim: String,
    /// The claim's sentence, white space removed (empty when it is the
    /// claim itself, as for a comment).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// How many findings share this key in the file.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

pub type Key = (String, String, String);

/// A baseline read from disk.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Directory entry paths are relative to.
    dir: PathBuf,
    by_file: HashMap<String, HashMap<Key, usize>>,
    entries: usize,
}

/// Text with all white space (full-width spaces included) removed.
pub fn normalize(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The path of `file` (absolute, normalised) as recorded in a baseline
/// that lives in `dir`.
pub fn path_key(dir: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(dir).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The entry for finding `f` of the file recorded as `path` with source `text`.
pub fn entry(path: &str, text: &str, f: &Finding) -> Entry {
    let claim = normalize(text.get(f.span.clone()).unwrap_or_default());
    let context = if f.sentence == f.span {
        String::new()
    } else {
        normalize(text.get(f.sentence.clone()).unwrap_or_default())
    };
    Entry {
        path: path.to_string(),
        code: f.code.clone(),
        claim,
        context,
        count: 1,
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

impl Baseline {
    /// Reads the baseline at `path`; errors are Japanese messages with a
    /// line and column where the parser gives one.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{shown}: ベースラインを読めません: {}",
                crate::discover::io_message(&e)
            )
        })?;
        let file: BaselineFile = if is_yaml(path) {
            crate::yaml::from_str(&shown.to_string(), &text)
                .map_err(|e| format!("{e}（ベースラインの書式の誤り）"))?
        } else {
            serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{shown}:{}:{}: ベースラインの書式の誤りです（{e}）",
                    e.line(),
                    e.column()
                )
            })?
        };
        if file.version != VERSION {
            return Err(format!(
                "{shown}: ベースラインの版 {} には対応していません（対応: {VERSION}）",
                file.version
            ));
        }
        let dir = crate::config::normalize(path)
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf);
        let mut by_file: HashMap<String, HashMap<Key, usize>> = HashMap::new();
        let entries = file.findings.len();
        for e in file.findings {
            *by_file
                .entry(e.path)
                .or_default()
                .entry((e.code, e.claim, e.context))
                .or_default() += e.count;
        }
        Ok(Baseline {
            dir,
            by_file,
            entries,
        })
    }

    /// The directory entry paths are relative to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of entries in the file.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Drops the findings the baseline records for the file recorded as
    /// `path` (each entry as many times as its count), keeping the rest.
    pub fn filter(&self, path: &str, text: &str, findings: Vec<Finding>) -> Vec<Finding> {
        let mut left = self.remaining(path);
        Baseline::filter_with(&mut left, path, text, findings)
    }

    /// What the baseline records for the file recorded as `path`, for
    /// [`Baseline::filter_with`].
    pub fn remaining(&self, path: &str) -> Option<HashMap<Key, usize>> {
        self.by_file.get(path).cloned()
    }

    /// [`Baseline::filter`] for a file whose findings come in batches:
    /// `left` counts down across them.
    pub fn filter_with(
        left: &mut Option<HashMap<Key, usize>>,
        path: &str,
        text: &str,
        findings: Vec<Finding>,
    ) -> Vec<Finding> {
        let Some(left) = left else {
            return findings;
        };
        findings
            .into_iter()
            .filter(|f| {
                let e = entry(path, text, f);
                match left.get_mut(&(e.code, e.claim, e.context)) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            })
            .collect()
    }
}

/// Writes `entries` to `path` atomically, merging identical keys into
/// counts and sorting them; returns the number of findings recorded.
pub fn write(path: &Path, entries: Vec<Entry>) -> Result<usize, String> {
    let total = entries.len();
    let mut merged: BTreeMap<Entry, usize> = BTreeMap::new();
    for e in entries {
        *merged.entry(Entry { count: 1, ..e }).or_default() += 1;
    }
    let file = BaselineFile {
        version: VERSION,
        findings: merged
            .into_iter()
            .map(|(e, count)| Entry { count, ..e })
            .collect(),
    };
    let text = if is_yaml(path) {
        crate::yaml::to_string(&file)?
    } else {
        let mut s = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        s.push('\n');
        s
    };
    write_atomic(path, text.as_bytes()).map_err(|e| {
        format!(
            "{}: ベースラインを書き込めません: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })?;
    Ok(total)
}

/// Writes `bytes` to a new temporary file next to `path`, flushes it to
/// disk, then renames it over `path`: readers see the old file or the new
/// one, never a half-written one, and a failure leaves the old file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy();
    for attempt in 0..100 {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let result = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| {
                drop(file);
                std::fs::rename(&tmp, path)
            });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return result;
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "temporary file names exhausted",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{self, Linter};
    use crate::source::Format;

    fn findings(text: &str) -> Vec<Finding> {
        lint::check_str(text, Format::Markdown, &Linter::builtin()).findings
    }

    #[test]
    fn survives_inserted_lines_and_reports_new_claims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let before = "# 見出し\n\n必ず髪が生えます。\n";
        let entries = findings(before)
            .iter()
            .map(|f| entry("a.md", before, f))
            .collect();
        write(&path, entries).unwrap();
        let b = Baseline::read(&path).unwrap();
        let after =
            "# 見出し\n\n追加の段落です。\n\n必ず  髪が生えます。\n\n絶対に髪が生えます。\n";
        let left = b.filter("a.md", after, findings(after));
        assert!(!left.is_empty());
        for f in &left {
            assert!(after[f.sentence.clone()].contains("絶対"), "{f:?}");
        }
        assert_eq!(
            b.filter("b.md", after, findings(after)).len(),
            findings(after).len()
        );
    }

    #[test]
    fn counts_repeated_claims() {
        let text = "必ず治る。\n必ず治る。\n";
        let all = findings(text);
        let one: Vec<Entry> = all[..all.len() / 2]
            .iter()
            .map(|f| entry("a.md", text, f))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.yaml");
        write(&path, one).unwrap();
        let b = Baseline::read(&path).unwrap();
        assert_eq!(b.filter("a.md", text, all.clone()).len(), all.len() / 2);
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file_and_keeps_old_content_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let target = dir.path().join("sub");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("x"), "x").unwrap();
        assert!(write_atomic(&target, b"three").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn rejects_unknown_keys_and_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, "{\"version\": 1, \"findings\": [], \"x\": 1}").unwrap();
        let e = Baseline::read(&path).unwrap_err();
        assert!(e.contains(":1:"), "{e}");
        std::fs::write(&path, "{\"version\": 9, \"findings\": []}").unwrap();
        assert!(Baseline::read(&path).is_err());
    }
}
