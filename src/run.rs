//! The `check` command: discover inputs, lint them in parallel, print the
//! results in path order, and compute the exit code.

#![allow(clippy::print_stdout, clippy::print_stderr)]

// Standard error may be a closed pipe too (`exolint … 2>&1 | head`), where
// std's `eprintln!` panics: these shadow it in this file and drop the error.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

use crate::cli::{CheckArgs, ColorChoice, FailOn, OutputFormat};
use crate::decode::{self, DecodeError};
use crate::discover::{self, Input};
use crate::lint::Linter;
use crate::lint::{self, Finding};
use crate::report::{
    self, checkstyle, concise, github, human, json, junit, rdjson, sarif, Diagnostic, FailedFile,
    Summary,
};
use crate::rules::Severity;
use crate::source::LineIndex;
use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Condvar, Mutex};

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
    /// JSON items rendered by the worker (see `render_json`).
    json: Option<Vec<u8>>,
    diagnostics: Vec<Diagnostic>,
    max_severity: Option<Severity>,
    counts: [usize; 3],
    error: Option<String>,
    note: Option<String>,
}

/// Files with more diagnostics than this are formatted by the printing
/// thread in blocks rather than held whole as JSON text (see `render_json`).
const RENDER_IN_WORKER_MAX: usize = 2_000;

/// Everything the lint stage needs, compiled once.
pub struct Engine {
    pub linter: Linter,
    pub show_supported: bool,
    /// Configuration, suppressions and baseline (`crate::policy`).
    pub policy: crate::policy::Policy,
}

/// Runs `exolint check`; returns the exit code.
pub fn check(args: &CheckArgs, engine: &Engine) -> u8 {
    if args.paths.is_empty() {
        eprintln!("error: 検査するファイルまたはディレクトリを指定してください（標準入力は `-`）");
        return EXIT_ERROR;
    }
    let discovered = discover::discover_with(
        &args.paths,
        args.stdin_filename.as_deref(),
        engine.policy.excluder(),
    );
    // A broken configuration stops the run before anything is linted.
    if let Err(e) = engine.policy.prepare(&discovered.inputs) {
        eprint!("{e}");
        return EXIT_ERROR;
    }
    let mut had_error = !discovered.errors.is_empty();
    for e in &discovered.errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    if !args.quiet {
        for n in &discovered.notes {
            eprintln!("note: {n}");
        }
    }
    let stdin_text = if discovered
        .inputs
        .iter()
        .any(|i| matches!(i, Input::Stdin { .. }))
    {
        // A failure is reported once, as the stdin input's own error.
        Some(decode::read_limited(std::io::stdin().lock(), 0).map_err(|e| e.to_string()))
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
    // When the workers take every core, the printing thread has none of its
    // own: workers then format JSON too, each for its own files, so the
    // printer only copies bytes. Files with very many findings are still
    // formatted by the printer, block by block, to keep memory flat.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let render_json = args.format == OutputFormat::Json && threads >= cores && threads > 1;
    let mut out = std::io::stdout().lock();
    // JSON is written file by file as results come in (see `json::Stream`).
    let mut json_stream = match args.format {
        OutputFormat::Json => match json::Stream::begin(&mut out) {
            Ok(s) => Some(s),
            Err(_) => return quiet_exit(),
        },
        _ => None,
    };
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut summary = Summary::default();
    let mut max: Option<Severity> = None;
    let mut tally = report::Tally::default();
    // Every file read and linted, clean or not, in output order.
    let mut linted: Vec<String> = Vec::new();
    // Workers lint files in parallel; outcomes are handled here in input
    // (path) order as soon as each is next, and dropped once printed.
    let cwd = std::env::current_dir().ok();
    // Line formats: each file's lines, in a buffer kept from file to file.
    let mut lines = Vec::new();
    let rdjsonl = rdjson::Lines::new(&engine.linter.rules);
    let order = InOrder::new(threads * 4);
    // A file comes in one part, or (linted in sections) in several; the
    // flag marks its last.
    let (tx, rx) = std::sync::mpsc::channel::<(usize, FileOutcome, bool)>();
    let stopped = std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, order, inputs) = (tx.clone(), &order, &discovered.inputs);
            let stdin = stdin_text.as_ref();
            scope.spawn(move || {
                while let Some(i) = order.take(inputs.len()) {
                    let mut send = |mut outcome: FileOutcome, last: bool| {
                        if render_json && outcome.diagnostics.len() <= RENDER_IN_WORKER_MAX {
                            outcome.json = Some(json::Stream::render(&outcome.diagnostics));
                        }
                        // A file in sections is printed as it goes: its later
                        // parts wait until it is the file being printed, so
                        // they never pile up behind a slow earlier file.
                        if !last && !order.wait_turn(i) {
                            return false;
                        }
                        tx.send((i, outcome, last)).is_ok()
                    };
                    if !lint_input(&inputs[i], stdin, engine, args, color, &mut send) {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: std::collections::BTreeMap<usize, VecDeque<(FileOutcome, bool)>> =
            Default::default();
        let mut handle = || -> Option<u8> {
            for (i, outcome, last) in &rx {
                pending.entry(i).or_default().push_back((outcome, last));
                loop {
                    let next = order.handled();
                    let Some(queue) = pending.get_mut(&next) else {
                        break;
                    };
                    let Some((r, last)) = queue.pop_front() else {
                        pending.remove(&next);
                        break;
                    };
                    if queue.is_empty() {
                        pending.remove(&next);
                    }
                    if last {
                        order.advance();
                    }
                    if let Some(n) = &r.note {
                        if !args.quiet {
                            eprintln!("note: {}: {n}", r.path);
                        }
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
                    if last {
                        summary.files += 1;
                        linted.push(r.path.clone());
                    }
                    summary.infos += r.counts[0];
                    summary.warnings += r.counts[1];
                    summary.errors += r.counts[2];
                    max = max.max(r.max_severity);
                    if args.statistics {
                        tally.add(&r.diagnostics);
                    }
                    match args.format {
                        OutputFormat::Human => {
                            if write!(out, "{}", r.rendered).is_err() {
                                return Some(quiet_exit());
                            }
                        }
                        OutputFormat::Json => {
                            if let Some(stream) = json_stream.as_mut() {
                                let written = match &r.json {
                                    Some(bytes) => {
                                        stream.rendered(&mut out, bytes, r.diagnostics.len())
                                    }
                                    None => stream.diagnostics(&mut out, &r.diagnostics),
                                };
                                if written.is_err() {
                                    return Some(quiet_exit());
                                }
                            }
                        }
                        // Line formats are written file by file, like JSON;
                        // only document formats (SARIF, rdjson, Checkstyle,
                        // JUnit) must hold every diagnostic until the end.
                        OutputFormat::Concise | OutputFormat::Github | OutputFormat::Rdjsonl => {
                            lines.clear();
                            match args.format {
                                OutputFormat::Concise => concise::write(&mut lines, &r.diagnostics),
                                OutputFormat::Github => {
                                    github::write(&mut lines, &r.diagnostics, cwd.as_deref())
                                }
                                _ => rdjsonl.write(&mut lines, &r.diagnostics),
                            }
                            if out.write_all(&lines).is_err() {
                                return Some(quiet_exit());
                            }
                        }
                        _ => all.extend(r.diagnostics),
                    }
                }
            }
            None
        };
        let stopped = handle();
        order.stop();
        stopped
    });
    if let Some(code) = stopped {
        return code;
    }
    for e in &discovered.errors {
        summary.failed_files.push(FailedFile {
            path: e.path.clone(),
            message: e.message.clone(),
        });
    }
    summary.diagnostics = summary.errors + summary.warnings + summary.infos;
    let statistics = args.statistics.then(|| tally.finish());
    summary.statistics.clone_from(&statistics);
    let root = cwd.as_deref();
    let rules = &engine.linter.rules;
    // Line-oriented formats end with the statistics and the summary line;
    // document formats carry the statistics inside, or print them on
    // standard error so that standard output stays parseable.
    let stats_text = statistics
        .as_ref()
        .map(report::Statistics::render)
        .unwrap_or_default();
    // `--quiet` drops the summary line, not statistics asked for explicitly.
    let footer = if args.quiet {
        stats_text.clone()
    } else {
        format!("{stats_text}{}", human::summary_line(&summary, had_error))
    };
    let (text, side) = match args.format {
        OutputFormat::Human => (footer, String::new()),
        OutputFormat::Concise | OutputFormat::Github => (footer, String::new()),
        OutputFormat::Json => match json_stream.take() {
            Some(stream) => {
                if stream.finish(&mut out, &summary).is_err() {
                    return quiet_exit();
                }
                (String::new(), String::new())
            }
            None => (json::render(&all, &summary), String::new()),
        },
        OutputFormat::Sarif => {
            let options = sarif::Options {
                rules,
                root,
                summary: &summary,
                had_error,
                statistics: statistics.as_ref(),
            };
            (sarif::render(&all, &options), String::new())
        }
        OutputFormat::Rdjsonl => (String::new(), stats_text),
        OutputFormat::Rdjson => (rdjson::render(&all, rules), stats_text),
        OutputFormat::Checkstyle => (checkstyle::render(&all, &linted), stats_text),
        OutputFormat::Junit => (
            junit::render(&all, &linted, &summary.failed_files),
            stats_text,
        ),
    };
    if write!(out, "{text}").and_then(|_| out.flush()).is_err() {
        return quiet_exit();
    }
    if !side.is_empty() {
        eprint!("{side}");
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

/// Hands out input indices to workers, at most `window` ahead of the next
/// outcome to be handled, so results waiting to be printed in order (behind
/// a slow file) stay bounded however many files there are.
struct InOrder {
    state: Mutex<OrderState>,
    moved: Condvar,
    window: usize,
}

#[derive(Default)]
struct OrderState {
    /// Next index to hand out.
    next: usize,
    /// Outcomes handled so far (in order).
    handled: usize,
    stop: bool,
}

impl InOrder {
    fn new(window: usize) -> InOrder {
        InOrder {
            state: Mutex::new(OrderState::default()),
            moved: Condvar::new(),
            window: window.max(1),
        }
    }

    /// The next index to lint, waiting while the window is full; `None`
    /// when all `len` are handed out or the run stopped.
    fn take(&self, len: usize) -> Option<usize> {
        let mut s = self.state.lock().ok()?;
        while !s.stop && s.next < len && s.next >= s.handled + self.window {
            s = self.moved.wait(s).ok()?;
        }
        if s.stop || s.next >= len {
            return None;
        }
        s.next += 1;
        Some(s.next - 1)
    }

    /// Index of the next outcome to handle.
    fn handled(&self) -> usize {
        self.state.lock().map_or(usize::MAX, |s| s.handled)
    }

    /// One more outcome handled: the window moves on.
    fn advance(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.handled += 1;
        }
        self.moved.notify_all();
    }

    /// Waits until outcome `i` is the next to handle; `false` if the run
    /// stopped.
    fn wait_turn(&self, i: usize) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        while !s.stop && s.handled < i {
            s = match self.moved.wait(s) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        !s.stop
    }

    /// No more outcomes will be handled (output closed): workers finish.
    fn stop(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.stop = true;
        }
        self.moved.notify_all();
    }
}

/// A closed pipe (`exolint … | head`) is not an error worth a message.
fn quiet_exit() -> u8 {
    EXIT_OK
}

/// Lints one input and hands its outcome to `send`, in one part or, for a
/// large Markdown or text file, one part per section (the last flagged);
/// `false` when `send` says the run is over.
fn lint_input(
    input: &Input,
    stdin: Option<&Result<Vec<u8>, String>>,
    engine: &Engine,
    args: &CheckArgs,
    color: bool,
    send: &mut dyn FnMut(FileOutcome, bool) -> bool,
) -> bool {
    let path = input.display_path();
    let mut outcome = FileOutcome {
        path: path.clone(),
        ..FileOutcome::default()
    };
    let decoded = match read_input(input, stdin, args.encoding) {
        Ok(d) => d,
        Err(Unread::Skipped(note)) => {
            outcome.note = Some(note);
            return send(outcome, true);
        }
        Err(Unread::Failed(error)) => {
            outcome.error = Some(error);
            return send(outcome, true);
        }
    };
    let text = decoded.text.as_str();
    let format = input.format();
    let scope = engine.policy.scope(input);
    let linter = scope.linter(&engine.linter);
    let index = LineIndex::new(text);
    let shared_path: Arc<str> = path.as_str().into();
    // Configuration, suppressions, `--show-supported` and the baseline,
    // then the chosen format.
    let part = |findings: Vec<Finding>| {
        let mut part = FileOutcome {
            path: path.clone(),
            ..FileOutcome::default()
        };
        for f in &findings {
            part.counts[f.severity as usize] += 1;
            part.max_severity = part.max_severity.max(Some(f.severity));
        }
        let original = |o| decoded.original(o);
        match args.format {
            OutputFormat::Human => {
                part.rendered = human::render_with(&path, text, &index, &findings, color);
                // Positions are resolved only to count them for `--statistics`.
                if args.statistics {
                    part.diagnostics = report::into_diagnostics_with(
                        &shared_path,
                        text,
                        &index,
                        original,
                        findings,
                    );
                }
            }
            _ => {
                part.diagnostics =
                    report::into_diagnostics_with(&shared_path, text, &index, original, findings);
            }
        }
        part
    };
    let section_size = lint::section_size();
    if text.len() <= section_size.saturating_mul(8) || format == crate::source::Format::Html {
        let analysis = lint::check_str(text, format, linter);
        return send(part(engine.policy.apply(&scope, text, analysis)), true);
    }
    // A large file is linted section by section, each printed as it is
    // done, so memory stays flat however large the file. The comments'
    // own findings (unused or invalid suppressions) come last.
    let sections = lint::sections(text, format, section_size);
    let doc = lint::document(text, format, linter, &sections);
    let mut stream = engine.policy.stream(&scope, text, &doc.directives);
    let mut before = None;
    for range in &sections {
        let analysis = lint::check_section(text, format, linter, range, &doc, &mut before);
        if !send(part(stream.push(analysis.findings)), false) {
            return false;
        }
    }
    send(part(stream.finish()), true)
}

/// Why an input produced no text.
enum Unread {
    /// Not an error (a binary file): a note, and the run goes on.
    Skipped(String),
    /// A per-file error: reported, exit 2, and the run goes on.
    Failed(String),
}

/// Reads and decodes one input, within the size limit.
fn read_input(
    input: &Input,
    stdin: Option<&Result<Vec<u8>, String>>,
    encoding: Option<decode::Charset>,
) -> Result<decode::Decoded, Unread> {
    let bytes = match input {
        Input::Stdin { .. } => match stdin {
            Some(Ok(b)) => b.clone(),
            Some(Err(e)) => return Err(Unread::Failed(e.clone())),
            None => return Err(Unread::Failed("標準入力を読み込めません".into())),
        },
        Input::File { path, .. } => {
            decode::read_file(path).map_err(|e| Unread::Failed(e.to_string()))?
        }
    };
    let options = decode::Options {
        charset: encoding,
        sniff_meta: input.format() == crate::source::Format::Html,
    };
    decode::decode_with(bytes, options).map_err(|e| match e {
        DecodeError::Binary => Unread::Skipped(e.to_string()),
        e => Unread::Failed(e.to_string()),
    })
}
