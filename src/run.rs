//! The `check` command: discover inputs, lint them in parallel, print the
//! results in path order, and compute the exit code.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::cli::{CheckArgs, ColorChoice, FailOn, OutputFormat};
use crate::decode::{self, DecodeError};
use crate::discover::{self, io_message, Input};
use crate::lint::Linter;
use crate::lint::{self, Finding};
use crate::report::{self, human, json, Diagnostic, FailedFile, Summary};
use crate::rules::Severity;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Exit codes.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// What linting one file produced, already rendered for the chosen format so
/// the file's text need not be kept once its worker is done.
#[derive(Debug, Default)]
struct FileOutcome {
    path: String,
    /// The human format needs the source text, so it is rendered here.
    rendered: String,
    diagnostics: Vec<Diagnostic>,
    max_severity: Option<Severity>,
    counts: [usize; 3],
    error: Option<String>,
    note: Option<String>,
}

/// Everything the lint stage needs, compiled once.
pub struct Engine {
    pub linter: Linter,
    pub show_supported: bool,
}

/// Runs `exolint check`; returns the exit code.
pub fn check(args: &CheckArgs, engine: &Engine) -> u8 {
    if args.paths.is_empty() {
        eprintln!("error: 検査するファイルまたはディレクトリを指定してください（標準入力は `-`）");
        return EXIT_ERROR;
    }
    let discovered = discover::discover(&args.paths, args.stdin_filename.as_deref());
    let mut had_error = !discovered.errors.is_empty();
    for e in &discovered.errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    for n in &discovered.notes {
        eprintln!("note: {n}");
    }
    let stdin_text = if discovered
        .inputs
        .iter()
        .any(|i| matches!(i, Input::Stdin { .. }))
    {
        let mut buf = Vec::new();
        match std::io::stdin().read_to_end(&mut buf) {
            Ok(_) => Some(buf),
            Err(e) => {
                eprintln!("error: <stdin>: {}", io_message(&e));
                had_error = true;
                None
            }
        }
    } else {
        None
    };

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 256)
        .min(discovered.inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileOutcome>>> =
        Mutex::new((0..discovered.inputs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = discovered.inputs.get(i) else {
                    break;
                };
                let outcome = lint_input(input, stdin_text.as_deref(), engine, args.format, color);
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(outcome);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();

    let mut out = std::io::stdout().lock();
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut summary = Summary::default();
    let mut max: Option<Severity> = None;
    for r in results.into_iter().flatten() {
        if let Some(n) = &r.note {
            eprintln!("note: {}: {n}", r.path);
        }
        if let Some(e) = &r.error {
            eprintln!("error: {}: {e}", r.path);
            summary.failed_files.push(FailedFile {
                path: r.path.clone(),
                message: e.clone(),
            });
            had_error = true;
            continue;
        }
        summary.files += 1;
        summary.infos += r.counts[0];
        summary.warnings += r.counts[1];
        summary.errors += r.counts[2];
        max = max.max(r.max_severity);
        match args.format {
            OutputFormat::Human => {
                if write!(out, "{}", r.rendered).is_err() {
                    return quiet_exit();
                }
            }
            _ => all.extend(r.diagnostics),
        }
    }
    for e in &discovered.errors {
        summary.failed_files.push(FailedFile {
            path: e.path.clone(),
            message: e.message.clone(),
        });
    }
    summary.diagnostics = summary.errors + summary.warnings + summary.infos;
    let text = match args.format {
        OutputFormat::Json => json::render(&all, &summary),
        OutputFormat::Human => human::summary_line(&summary, had_error),
    };
    if write!(out, "{text}").and_then(|_| out.flush()).is_err() {
        return quiet_exit();
    }
    if had_error {
        return EXIT_ERROR;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match (threshold, max) {
        (Some(t), Some(m)) if m >= t => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}

/// A closed pipe (`exolint … | head`) is not an error worth a message.
fn quiet_exit() -> u8 {
    EXIT_OK
}

fn lint_input(
    input: &Input,
    stdin: Option<&[u8]>,
    engine: &Engine,
    format: OutputFormat,
    color: bool,
) -> FileOutcome {
    let path = input.display_path();
    let bytes = match input {
        Input::Stdin { .. } => Ok(stdin.unwrap_or_default().to_vec()),
        Input::File { path, .. } => std::fs::read(path),
    };
    let mut outcome = FileOutcome {
        path: path.clone(),
        ..FileOutcome::default()
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            outcome.error = Some(io_message(&e));
            return outcome;
        }
    };
    let decoded = match decode::decode(bytes) {
        Ok(d) => d,
        Err(DecodeError::Binary) => {
            outcome.note = Some(DecodeError::Binary.to_string());
            return outcome;
        }
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    let analysis = lint::check_str(&decoded.text, input.format(), &engine.linter);
    let findings: Vec<Finding> = analysis
        .findings
        .into_iter()
        .filter(|f| engine.show_supported || f.verdict != lint::Verdict::Supported)
        .collect();
    for f in &findings {
        outcome.counts[f.severity as usize] += 1;
        outcome.max_severity = outcome.max_severity.max(Some(f.severity));
    }
    match format {
        OutputFormat::Human => {
            outcome.rendered = human::render(&path, &decoded.text, &findings, color);
        }
        _ => {
            outcome.diagnostics =
                report::diagnostics(&path, &decoded.text, decoded.offset, &findings);
        }
    }
    outcome
}
