//! Paths as CI services want them: relative to the repository root (the
//! working directory), with `/` separators, percent-encoded for URIs.

use std::path::{Component, Path, PathBuf};

/// A diagnostic's path resolved against the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedPath {
    /// Inside the root: `docs/a.md`, `/`-separated, no `./` or `..`.
    Relative(String),
    /// Outside the root: an absolute path, `/`-separated.
    Absolute(String),
}

impl ResolvedPath {
    /// The path itself, for formats that take plain paths (GitHub).
    pub fn as_str(&self) -> &str {
        match self {
            ResolvedPath::Relative(s) | ResolvedPath::Absolute(s) => s,
        }
    }
}

/// Resolves `path` (as printed by the walk or given on the command line)
/// against `root`. Lexical only: the file need not exist (`<stdin>`).
pub fn relative_path(path: &str, root: Option<&Path>) -> ResolvedPath {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let p = Path::new(&path);
    let plain = p.is_relative()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if plain {
        return ResolvedPath::Relative(join(&normalize(p)));
    }
    let Some(root) = root else {
        return ResolvedPath::Relative(path);
    };
    let root = normalize(root);
    let abs = normalize(&root.join(p));
    match abs.strip_prefix(&root) {
        Ok(rel) if rel.as_os_str().is_empty() => ResolvedPath::Absolute(join(&abs)),
        Ok(rel) => ResolvedPath::Relative(join(rel)),
        Err(_) => ResolvedPath::Absolute(join(&abs)),
    }
}

/// Drops `.` and applies `..` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn join(p: &Path) -> String {
    let s = p.to_string_lossy();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Percent-encodes everything but unreserved characters and `/` (RFC 3986),
/// so non-ASCII names and `:` in a first segment stay unambiguous.
pub fn percent_encode(s: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && b == b':');
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `file:` URI for an absolute, `/`-separated path.
pub fn file_uri(abs: &str) -> String {
    let lead = if abs.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}", percent_encode(abs, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_root_relative() {
        let root = Path::new("/repo");
        let r = |p: &str| relative_path(p, Some(root));
        assert_eq!(r("a.md"), ResolvedPath::Relative("a.md".into()));
        assert_eq!(
            r("./docs/./a.md"),
            ResolvedPath::Relative("docs/a.md".into())
        );
        assert_eq!(
            r("/repo/docs/a.md"),
            ResolvedPath::Relative("docs/a.md".into())
        );
        assert_eq!(r("docs/../a.md"), ResolvedPath::Relative("a.md".into()));
        assert_eq!(
            r("../other/a.md"),
            ResolvedPath::Absolute("/other/a.md".into())
        );
        assert_eq!(r("/tmp/a.md"), ResolvedPath::Absolute("/tmp/a.md".into()));
        assert_eq!(r("<stdin>"), ResolvedPath::Relative("<stdin>".into()));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            percent_encode("記事 1.md", false),
            "%E8%A8%98%E4%BA%8B%201.md"
        );
        assert_eq!(percent_encode("a:b/c", false), "a%3Ab/c");
        assert_eq!(file_uri("/tmp/a b.md"), "file:///tmp/a%20b.md");
        assert_eq!(file_uri("C:/x/a.md"), "file:///C:/x/a.md");
    }
}
