//! Paths given on the command line → the files to lint, in a stable order.
//! Directories are walked with the `ignore` crate, honouring `.gitignore`,
//! hidden files and `.exolintignore`; only Markdown, HTML and text files are
//! picked there, while a file named explicitly is always linted.

use crate::source::Format;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One input to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File { path: PathBuf, format: Format },
    Stdin { name: PathBuf, format: Format },
}

impl Input {
    /// The path shown in diagnostics.
    pub fn display_path(&self) -> String {
        let p = match self {
            Input::File { path, .. } => path,
            Input::Stdin { name, .. } => name,
        };
        let s = p.to_string_lossy();
        s.strip_prefix("./").unwrap_or(&s).to_string()
    }

    pub fn format(&self) -> Format {
        match self {
            Input::File { format, .. } | Input::Stdin { format, .. } => *format,
        }
    }
}

/// A path that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: String,
    pub message: String,
}

/// The outcome of discovery: inputs, errors, and notes (e.g. empty directories).
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub errors: Vec<DiscoverError>,
    pub notes: Vec<String>,
}

/// Decides whether a path is excluded (`exclude` globs of the governing
/// configuration); the flag says whether the path was named on the command
/// line rather than found by walking.
pub type Exclude = Arc<dyn Fn(&Path, bool) -> bool + Send + Sync>;

/// Expands `paths` into inputs. `stdin_name` names `-`.
pub fn discover(paths: &[PathBuf], stdin_name: Option<&Path>) -> Discovered {
    discover_with(paths, stdin_name, None)
}

/// [`discover`], skipping what `exclude` rejects: walked directories are
/// pruned, so nothing below an excluded directory is read.
pub fn discover_with(
    paths: &[PathBuf],
    stdin_name: Option<&Path>,
    exclude: Option<Exclude>,
) -> Discovered {
    let mut out = Discovered::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let name = stdin_name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
            let format = Format::for_explicit(&name);
            out.inputs.push(Input::Stdin { name, format });
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => out.errors.push(DiscoverError {
                path: p.to_string_lossy().into_owned(),
                message: io_message(&e),
            }),
            Ok(m) if m.is_dir() => walk(p, exclude.clone(), &mut out),
            Ok(_) if exclude.as_ref().is_some_and(|x| x(p, true)) => {}
            Ok(_) => out.inputs.push(Input::File {
                path: p.clone(),
                format: Format::for_explicit(p),
            }),
        }
    }
    out
}

fn walk(dir: &Path, exclude: Option<Exclude>, out: &mut Discovered) {
    let mut found = Vec::new();
    let mut builder = ignore::WalkBuilder::new(dir);
    builder
        .add_custom_ignore_filename(".exolintignore")
        .follow_links(false);
    if let Some(x) = exclude {
        builder.filter_entry(move |e| e.depth() == 0 || !x(e.path(), false));
    }
    let walker = builder.build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file()) {
                    if let Some(format) = Format::from_extension(e.path()) {
                        found.push(Input::File {
                            path: e.path().to_path_buf(),
                            format,
                        });
                    }
                }
            }
            Err(e) => out.errors.push(DiscoverError {
                path: dir.to_string_lossy().into_owned(),
                message: e.to_string(),
            }),
        }
    }
    if found.is_empty() {
        out.notes.push(format!(
            "{}: 対象となるファイル（.md .markdown .html .htm .txt）がありません",
            dir.display()
        ));
    }
    found.sort_by_key(Input::display_path);
    out.inputs.extend(found);
}

/// A Japanese message for an I/O error.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "ファイルが見つかりません".into(),
        PermissionDenied => "読み取り権限がありません".into(),
        _ if e.raw_os_error() == ELOOP => {
            "シンボリックリンクが循環しています（リンク先をたどれません）".into()
        }
        _ => format!("読み込めません（{e}）"),
    }
}

/// The OS error for too many levels of symbolic links (`io::ErrorKind` has
/// no stable kind for it).
#[cfg(any(target_os = "linux", target_os = "android"))]
const ELOOP: Option<i32> = Some(40);
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd"
))]
const ELOOP: Option<i32> = Some(62);
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd"
)))]
const ELOOP: Option<i32> = None;
