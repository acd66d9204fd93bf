//! The per-run policy around the lint engine: which configuration governs
//! each file (the nearest `.exolint.yaml` walking up from the file's
//! directory, or `--config`, or none with `--isolated`), which walked files
//! are skipped (`exclude`), and what happens to a file's findings after
//! linting — rule selection and severities, inline suppressions, then the
//! baseline. Configurations are looked up once per directory and shared by
//! the worker threads; nothing here prints, and nothing is written unless
//! `--write-baseline` asked for it.

use crate::baseline::{self, Baseline};
use crate::config::{self, Config, ConfigError, FailOn};
use crate::discover::{Exclude, Input};
use crate::lint::{Analysis, Finding, Linter, Verdict};
use crate::registry::{self, Registry};
use crate::rules::RuleSet;
use crate::suppress;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The command-line side of the policy.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--config PATH`: one configuration for every file.
    pub config: Option<PathBuf>,
    /// `--isolated`: no configuration at all.
    pub isolated: bool,
    /// `--require-reason`: a suppression without `-- reason` is an error.
    pub require_reason: bool,
    /// `--force-exclude`: apply `exclude` to files named on the command line too.
    pub force_exclude: bool,
    /// `--baseline FILE`: report only findings not recorded there.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`: record this run's findings there.
    pub write_baseline: Option<PathBuf>,
    /// `--show-supported`: keep claims the evidence supports.
    pub show_supported: bool,
    /// The output format shows no notes (design, model, limitation of the
    /// evidence), so findings need not carry them (see
    /// [`Linter::with_notes`]).
    pub skip_notes: bool,
}

/// A configuration together with the linter its `registries` call for.
pub struct Settings {
    pub config: Config,
    /// `None`: the run's own linter (no extra registries).
    linter: Option<Linter>,
}

/// What governs one input.
#[derive(Clone)]
pub struct FileScope {
    settings: Arc<Settings>,
    /// Absolute, normalised path (for stdin: the name given, under the
    /// working directory).
    path: PathBuf,
}

impl FileScope {
    /// The linter for this file: the configuration's, or `default`.
    pub fn linter<'a>(&'a self, default: &'a Linter) -> &'a Linter {
        self.settings.linter.as_ref().unwrap_or(default)
    }

    /// The configuration file in force, if any.
    pub fn config_path(&self) -> Option<&Path> {
        self.settings.config.path.as_deref()
    }
}

enum Mode {
    /// `--isolated` or `--config`: the same settings for everything.
    Fixed(Arc<Settings>),
    /// Nearest `.exolint.yaml`.
    Discover,
}

#[derive(Default)]
struct State {
    /// Directory → index into `found` of the configuration governing it
    /// (`None`: no file up to the root).
    dirs: HashMap<PathBuf, Option<usize>>,
    found: Vec<Arc<Settings>>,
    /// Rendered configuration and registry errors, in discovery order.
    errors: Vec<String>,
}

struct Shared {
    rules: RuleSet,
    /// The run's registry, extended by configurations with `registries`.
    registry: Registry,
    mode: Mode,
    defaults: Arc<Settings>,
    cwd: PathBuf,
    require_reason: bool,
    force_exclude: bool,
    show_supported: bool,
    skip_notes: bool,
    baseline: Option<Baseline>,
    /// `--write-baseline`: the file, its directory, and what was recorded.
    record: Option<(PathBuf, PathBuf, Mutex<Vec<baseline::Entry>>)>,
    state: Mutex<State>,
}

/// The per-run policy; cheap to clone, shared by worker threads.
#[derive(Clone)]
pub struct Policy {
    shared: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Policy {
    /// Sets up the run: reads `--config` and `--baseline` now, so that their
    /// errors stop the run before anything is linted. `Err` is the rendered
    /// error text.
    pub fn new(options: &Options, rules: RuleSet, registry: Registry) -> Result<Policy, String> {
        let cwd = config::normalize(Path::new("."));
        let defaults = Arc::new(Settings {
            config: Config::defaults(cwd.clone()),
            linter: None,
        });
        let mut shared = Shared {
            rules,
            registry,
            mode: Mode::Discover,
            defaults: defaults.clone(),
            cwd,
            require_reason: options.require_reason,
            force_exclude: options.force_exclude,
            show_supported: options.show_supported,
            skip_notes: options.skip_notes,
            baseline: None,
            record: None,
            state: Mutex::new(State::default()),
        };
        if options.isolated {
            shared.mode = Mode::Fixed(defaults);
        } else if let Some(path) = &options.config {
            let abs = config::normalize(path);
            let settings = shared.load(&abs, &path.display().to_string())?;
            shared.mode = Mode::Fixed(Arc::new(settings));
        }
        if let Some(path) = &options.baseline {
            shared.baseline = Some(Baseline::read(path).map_err(|e| format!("error: {e}\n"))?);
        }
        if let Some(path) = &options.write_baseline {
            let abs = config::normalize(path);
            let dir = abs.parent().map_or_else(PathBuf::new, Path::to_path_buf);
            shared.record = Some((path.clone(), dir, Mutex::new(Vec::new())));
        }
        Ok(Policy {
            shared: Arc::new(shared),
        })
    }

    /// The `fail-on` of the configuration governing the working directory
    /// (or `--config`); run-wide settings come from there, as pre-commit
    /// and CI run from the repository root.
    pub fn fail_on(&self) -> Result<Option<FailOn>, String> {
        let s = self.shared.settings_for_dir(&self.shared.cwd.clone());
        self.errors()?;
        Ok(s.config.fail_on())
    }

    /// The filter discovery applies to walked paths (and, with
    /// `--force-exclude`, to named files); `None` when nothing can be excluded.
    pub fn excluder(&self) -> Option<Exclude> {
        if matches!(&self.shared.mode, Mode::Fixed(s) if s.config.file.exclude.is_empty()) {
            return None;
        }
        let shared = self.shared.clone();
        Some(Arc::new(move |path: &Path, explicit: bool| {
            if explicit && !shared.force_exclude {
                return false;
            }
            let abs = config::normalize(path);
            let dir = abs.parent().unwrap_or(&abs).to_path_buf();
            shared.settings_for_dir(&dir).config.is_excluded(&abs)
        }))
    }

    /// Loads the configuration of every input; `Err` is the rendered text of
    /// every configuration or registry error met so far (the run stops).
    pub fn prepare(&self, inputs: &[Input]) -> Result<(), String> {
        for i in inputs {
            self.scope(i);
        }
        self.errors()
    }

    fn errors(&self) -> Result<(), String> {
        let st = lock(&self.shared.state);
        if st.errors.is_empty() {
            Ok(())
        } else {
            Err(st.errors.concat())
        }
    }

    /// What governs `input`.
    pub fn scope(&self, input: &Input) -> FileScope {
        let path = match input {
            Input::File { path, .. } => config::normalize(path),
            Input::Stdin { name, .. } => config::normalize(&self.shared.cwd.join(name)),
        };
        let dir = path.parent().unwrap_or(&path).to_path_buf();
        FileScope {
            settings: self.shared.settings_for_dir(&dir),
            path,
        }
    }

    /// The configuration governing `path` (a file or a directory), for
    /// `exolint config`.
    pub fn describe(&self, path: &Path) -> Result<(Arc<Settings>, PathBuf), String> {
        let abs = config::normalize(path);
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().unwrap_or(&abs).to_path_buf()
        };
        let s = self.shared.settings_for_dir(&dir);
        self.errors()?;
        Ok((s, abs))
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.shared.rules
    }

    /// One file's findings after its configuration, its suppression
    /// comments, `--show-supported` and the baseline: what gets reported.
    pub fn apply(&self, scope: &FileScope, text: &str, analysis: Analysis) -> Vec<Finding> {
        let mut stream = self.stream(scope, text, &analysis.prose.directives);
        let mut findings = stream.push(analysis.findings);
        findings.extend(stream.finish());
        // The comments' findings go among the others by position.
        findings.sort_by_key(|f| f.span.start);
        findings
    }

    /// [`Policy::apply`] for a document linted in sections: `directives`
    /// are all of the document's, each section's findings go through
    /// [`FileStream::push`] in order, and the findings about the comments
    /// themselves come from [`FileStream::finish`].
    pub fn stream<'p>(
        &'p self,
        scope: &'p FileScope,
        text: &'p str,
        directives: &[crate::prose::Directive],
    ) -> FileStream<'p> {
        let shared = &self.shared;
        let baseline = shared.baseline.as_ref().map(|b| {
            let key = baseline::path_key(b.dir(), &scope.path);
            let left = b.remaining(&key);
            (key, left)
        });
        FileStream {
            policy: self,
            scope,
            rules: scope.settings.config.for_file(&scope.path),
            text,
            suppressor: suppress::Suppressor::new(
                text,
                directives,
                &shared.rules,
                shared.require_reason,
            ),
            baseline,
        }
    }
    /// Ends the run: with `--write-baseline`, writes the file unless the run
    /// failed (exit code 2). Returns the final exit code and a message for
    /// standard error.
    pub fn finish(&self, exit: u8) -> (u8, Option<String>) {
        let Some((path, _, recorded)) = &self.shared.record else {
            return (exit, None);
        };
        if exit == crate::run::EXIT_ERROR {
            return (
                exit,
                Some(format!(
                    "error: エラーがあったため、ベースライン {} は書き出しませんでした\n",
                    path.display()
                )),
            );
        }
        let entries = std::mem::take(&mut *lock(recorded));
        match baseline::write(path, entries) {
            // The findings are now recorded: adopting exolint succeeds.
            Ok(n) => (
                crate::run::EXIT_OK,
                Some(format!(
                    "ベースライン {} に {n} 件の指摘を記録しました\n",
                    path.display()
                )),
            ),
            Err(e) => (crate::run::EXIT_ERROR, Some(format!("error: {e}\n"))),
        }
    }
}

/// One file's findings going through its policy batch by batch; see
/// [`Policy::stream`].
pub struct FileStream<'p> {
    policy: &'p Policy,
    scope: &'p FileScope,
    /// The configuration's rule choices for this file.
    rules: crate::config::FileRules<'p>,
    text: &'p str,
    suppressor: suppress::Suppressor<'p>,
    /// The file's key in the baseline and what is left of its entries.
    baseline: Option<(String, Option<HashMap<baseline::Key, usize>>)>,
}

impl FileStream<'_> {
    /// Configuration, suppressions, `--show-supported` and the baseline
    /// applied to the next batch of the file's claim findings.
    pub fn push(&mut self, findings: Vec<Finding>) -> Vec<Finding> {
        let shared = &self.policy.shared;
        // Selection first, so that a suppression of a rule that is off
        // counts as unused.
        let chosen: Vec<Finding> = findings
            .into_iter()
            .filter_map(|f| self.decide(f))
            .collect();
        // Supported claims are dropped only after the suppressions, so that
        // a suppression of one counts as used with or without
        // `--show-supported`.
        let mut kept: Vec<Finding> = self
            .suppressor
            .filter(chosen)
            .into_iter()
            .filter(|f| shared.show_supported || f.verdict != Verdict::Supported)
            .collect();
        kept.sort_by_key(|f| f.span.start);
        self.record_and_filter(kept)
    }

    /// The findings about the file's `exolint-…` comments, once every batch
    /// has been pushed; they are selected like any other
    /// (`ignore: [unused-suppression]`).
    pub fn finish(mut self) -> Vec<Finding> {
        let suppressor = std::mem::replace(
            &mut self.suppressor,
            suppress::Suppressor::new("", &[], &self.policy.shared.rules, false),
        );
        let mut problems: Vec<Finding> = suppressor
            .finish()
            .into_iter()
            .filter_map(|f| self.decide(f))
            .collect();
        problems.sort_by_key(|f| f.span.start);
        self.record_and_filter(problems)
    }

    fn decide(&self, f: Finding) -> Option<Finding> {
        self.rules
            .decide(&f, &self.policy.shared.rules)
            .map(|severity| Finding { severity, ..f })
    }

    fn record_and_filter(&mut self, findings: Vec<Finding>) -> Vec<Finding> {
        let shared = &self.policy.shared;
        if let Some((_, dir, recorded)) = &shared.record {
            let key = baseline::path_key(dir, &self.scope.path);
            let entries = findings.iter().map(|f| baseline::entry(&key, self.text, f));
            lock(recorded).extend(entries);
        }
        match &mut self.baseline {
            Some((key, left)) => Baseline::filter_with(left, key, self.text, findings),
            None => findings,
        }
    }
}

impl Shared {
    /// Reads one configuration file and builds its linter.
    fn load(&self, path: &Path, origin: &str) -> Result<Settings, String> {
        let config = Config::load(path, origin, &self.rules)
            .map_err(|e: Vec<ConfigError>| config::render_errors(&e))?;
        if config.registries.is_empty() {
            return Ok(Settings {
                config,
                linter: None,
            });
        }
        let mut registry = self.registry.clone();
        let mut errors = Vec::new();
        for p in &config.registries {
            if let Err(e) = registry.load_path(p) {
                errors.extend(e);
            }
        }
        errors.extend(registry.check());
        if !errors.is_empty() {
            return Err(registry::render_errors(&registry, &errors));
        }
        Ok(Settings {
            config,
            linter: Some(Linter::new(self.rules.clone(), registry).with_notes(!self.skip_notes)),
        })
    }

    /// The settings governing files in `dir` (absolute, normalised).
    fn settings_for_dir(&self, dir: &Path) -> Arc<Settings> {
        if let Mode::Fixed(s) = &self.mode {
            return s.clone();
        }
        let mut st = lock(&self.state);
        let mut visited = Vec::new();
        let mut found = None;
        let mut cur = Some(dir);
        while let Some(d) = cur {
            if let Some(&known) = st.dirs.get(d) {
                found = known;
                break;
            }
            visited.push(d.to_path_buf());
            let candidate = d.join(config::FILE_NAME);
            if candidate.is_file() {
                let origin = shown(&self.cwd, &candidate);
                let settings = match self.load(&candidate, &origin) {
                    Ok(s) => s,
                    Err(e) => {
                        st.errors.push(e);
                        Settings {
                            config: Config::defaults(d.to_path_buf()),
                            linter: None,
                        }
                    }
                };
                st.found.push(Arc::new(settings));
                found = Some(st.found.len() - 1);
                break;
            }
            cur = d.parent();
        }
        for v in visited {
            st.dirs.insert(v, found);
        }
        found.map_or_else(|| self.defaults.clone(), |i| st.found[i].clone())
    }
}

/// `path` relative to the working directory when below it, for messages.
fn shown(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}
