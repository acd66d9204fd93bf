//! `.exolint.yaml`: which rules run, at what severity, on which files.
//!
//! A configuration file is parsed (through [`crate::yaml`], so syntax, type
//! and unknown-key errors carry a line and column), then checked: every rule
//! selector must name a code, a code prefix, a rule name or a category, and
//! every glob must compile. Problems are [`ConfigError`]s (`EXL920`…`EXL923`)
//! at a byte range of the file, rendered like registry errors. Nothing here
//! reads directories or prints; discovery lives in [`crate::policy`].

use crate::lint::{Finding, Verdict};
use crate::registry::RegistryError;
use crate::rules::{Category, RuleSet, Severity};
use crate::yaml::{self, Outline, PathSeg};
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// The file name looked for in each directory.
pub const FILE_NAME: &str = ".exolint.yaml";

/// YAML syntax, an unknown key, a wrong type or a value outside its set.
pub const SCHEMA: &str = "EXL920";
/// A rule selector that names no rule, code prefix or category.
pub const UNKNOWN_RULE: &str = "EXL921";
/// A glob in `exclude` or `overrides[].files` that does not compile.
pub const BAD_GLOB: &str = "EXL922";
/// A configuration file that cannot be read.
pub const IO: &str = "EXL923";

/// Every configuration error code with its kebab-case name.
pub const CODES: [(&str, &str); 4] = [
    (SCHEMA, "config-schema"),
    (UNKNOWN_RULE, "unknown-rule"),
    (BAD_GLOB, "bad-glob"),
    (IO, "config-io"),
];

/// Largest configuration file accepted.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// `fail-on` as written in a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// `rule selector → severity`, in the order written (a later, equally
/// specific entry wins, so the order must survive parsing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityMap(pub Vec<(String, Severity)>);

impl<'de> Deserialize<'de> for SeverityMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SeverityMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<SeverityMap, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Severity>()? {
                    out.push((k, v));
                }
                Ok(SeverityMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for SeverityMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Settings for the files matching `files`, applied after the top level.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OverrideFile {
    /// Globs relative to the configuration file's directory.
    pub files: Vec<String>,
    /// Rules turned back on for these files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// Rules turned off for these files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    #[serde(default, skip_serializing_if = "SeverityMap::is_empty")]
    pub severity: SeverityMap,
}

impl SeverityMap {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A configuration file as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Rules to run; absent means all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Vec<String>>,
    /// Rules not to run (wins over `select`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides by rule selector.
    #[serde(default)]
    pub severity: SeverityMap,
    /// Extra evidence registry files or directories, relative to this file.
    #[serde(default)]
    pub registries: Vec<PathBuf>,
    /// Globs of files and directories not to lint when walking directories.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Lowest severity that makes the exit code 1 (`--fail-on` wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    /// Per-file settings, applied in order.
    #[serde(default)]
    pub overrides: Vec<OverrideFile>,
}

/// A problem in a configuration file, at a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub code: &'static str,
    /// The file's path as found or given.
    pub origin: String,
    /// The file's text, kept to quote it (configuration files are small).
    pub text: String,
    pub range: Range<usize>,
    /// 1-based line and column (in characters) of `range.start`; 0 when
    /// the file could not be read.
    pub line: usize,
    pub column: usize,
    /// Japanese message.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.origin, self.line, self.column, self.code, self.message
        )
    }
}

impl ConfigError {
    fn at(
        code: &'static str,
        origin: &str,
        text: &str,
        range: Range<usize>,
        message: String,
    ) -> Self {
        let start = yaml::floor_char_boundary(text, range.start);
        let end = yaml::floor_char_boundary(text, range.end).max(start);
        let (line, column) = yaml::line_column(text, start);
        ConfigError {
            code,
            origin: origin.to_string(),
            text: text.to_string(),
            range: start..end,
            line,
            column,
            message,
        }
    }

    /// An unreadable file (or one given with `--config` that is missing).
    pub fn io(origin: &Path, message: String) -> Self {
        ConfigError {
            code: IO,
            origin: origin.display().to_string(),
            text: String::new(),
            range: 0..0,
            line: 0,
            column: 0,
            message,
        }
    }
}

fn code_label(code: &str) -> &'static str {
    match code {
        SCHEMA => "設定の書式の誤り",
        UNKNOWN_RULE => "不明なルール",
        BAD_GLOB => "不正なグロブ",
        _ => "",
    }
}

fn code_name(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("config", |(_, n)| n)
}

/// Renders errors as codespan diagnostics with carets into the YAML text.
pub fn render_errors(errors: &[ConfigError]) -> String {
    let config = term::Config::default();
    let mut out = String::new();
    for err in errors {
        if err.line == 0 {
            out.push_str(&format!(
                "error[{}]: {}\n  --> {}\n\n",
                err.code, err.message, err.origin
            ));
            continue;
        }
        let file = SimpleFile::new(err.origin.as_str(), err.text.as_str());
        let diagnostic = Diagnostic::error()
            .with_code(err.code)
            .with_message(err.message.clone())
            .with_labels(vec![
                Label::primary((), err.range.clone()).with_message(code_label(err.code))
            ])
            .with_notes(vec![format!("{} ({})", err.code, code_name(err.code))]);
        match term::emit_into_string(&config, &file, &diagnostic) {
            Ok(s) => out.push_str(&s),
            Err(_) => out.push_str(&format!("error[{}]: {err}\n", err.code)),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Rule selectors
// ---------------------------------------------------------------------------

/// Codes of findings that are not claims (suppression problems); they can be
/// selected, ignored and re-levelled like rules.
pub const POLICY_CODES: [(&str, &str); 3] = [
    ("EXL930", "unused-suppression"),
    ("EXL931", "suppression-without-reason"),
    ("EXL932", "invalid-suppression"),
];

/// What a selector string (`EXL101`, `EXL1`, `efficacy-claim`, `efficacy`,
/// `ALL`) matches, resolved against the rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    All,
    /// A code prefix such as `EXL1`.
    Prefix(String),
    Category(Category),
    /// An exact code (names are resolved to their code).
    Code(String),
}

impl Selector {
    /// Resolves `s`; `Err` carries a Japanese message with a suggestion.
    pub fn parse(s: &str, rules: &RuleSet) -> Result<Selector, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Selector::All);
        }
        if let Some(c) = Category::parse(t) {
            return Ok(Selector::Category(c));
        }
        if let Some(r) = rules.find(t) {
            return Ok(Selector::Code(r.code().to_string()));
        }
        if let Some((code, _)) = POLICY_CODES
            .iter()
            .find(|(c, n)| c.eq_ignore_ascii_case(t) || *n == t)
        {
            return Ok(Selector::Code((*code).to_string()));
        }
        let upper = t.to_ascii_uppercase();
        let is_prefix = upper.len() < 6
            && upper.starts_with("EXL")
            && upper[3..].bytes().all(|b| b.is_ascii_digit());
        if is_prefix && all_codes(rules).any(|c| c.starts_with(&upper)) {
            return Ok(Selector::Prefix(upper));
        }
        let mut candidates: Vec<&str> = rules
            .rules
            .iter()
            .flat_map(|r| [r.code(), r.name()])
            .chain(Category::ALL.iter().map(|c| c.as_str()))
            .chain(POLICY_CODES.iter().flat_map(|(c, n)| [*c, *n]))
            .collect();
        candidates.sort_unstable();
        let hint = crate::registry::error::suggest(t, &candidates)
            .map(|n| format!("`{n}` の誤りではありませんか。"))
            .unwrap_or_default();
        Err(format!(
            "`{t}` はルールのコード・名前・カテゴリのどれでもありません。{hint}一覧は exolint rules"
        ))
    }

    /// How specific the selector is: an exact code beats a category, which
    /// beats a prefix, which beats `ALL`.
    fn rank(&self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Prefix(_) => 1,
            Selector::Category(_) => 2,
            Selector::Code(_) => 3,
        }
    }

    /// Whether the selector covers a finding. A claim finding carries two
    /// codes: its claim rule's (`EXL101`) and its verdict rule's (`EXL301`),
    /// so `ignore: [unsupported-claim]` drops claims without evidence.
    pub fn matches(&self, f: &Finding, rules: &RuleSet) -> bool {
        let verdict_code = if f.directive.is_none() {
            verdict_rule_code(rules, f.verdict)
        } else {
            None
        };
        let codes = [Some(f.code.as_str()), verdict_code];
        match self {
            Selector::All => true,
            Selector::Prefix(p) => codes.iter().flatten().any(|c| c.starts_with(p.as_str())),
            Selector::Category(c) => f.directive.is_none() && f.category == *c,
            Selector::Code(code) => codes.iter().flatten().any(|c| *c == code),
        }
    }
}

impl Selector {
    /// Whether the selector names a rule as a whole (see [`FileRules::decide_rule`]).
    pub fn matches_rule(&self, rule: &crate::rules::Rule) -> bool {
        match self {
            Selector::All => true,
            Selector::Prefix(p) => rule.code().starts_with(p.as_str()),
            Selector::Category(c) => rule.file.category == Some(*c),
            Selector::Code(code) => rule.code() == code,
        }
    }
}

/// Every code a selector can name.
fn all_codes(rules: &RuleSet) -> impl Iterator<Item = &str> {
    rules
        .rules
        .iter()
        .map(|r| r.code())
        .chain(POLICY_CODES.iter().map(|(c, _)| *c))
}

/// The code of the verdict rule (`rules/verdict/*.yaml`) documenting `v`.
pub fn verdict_rule_code(rules: &RuleSet, v: Verdict) -> Option<&str> {
    rules
        .rules
        .iter()
        .find(|r| r.file.verdict.as_deref() == Some(v.as_str()))
        .map(|r| r.code())
}

// ---------------------------------------------------------------------------
// Compiled configuration
// ---------------------------------------------------------------------------

/// Globs compiled against a base directory.
#[derive(Debug, Clone)]
pub struct Globs {
    set: GlobSet,
    empty: bool,
}

impl Default for Globs {
    fn default() -> Self {
        Globs {
            set: GlobSet::empty(),
            empty: true,
        }
    }
}

impl Globs {
    /// Whether `path` (absolute, normalised) or one of its parent
    /// directories below `base` matches. A pattern without `/` matches a
    /// file or directory name at any depth, as in `.gitignore`.
    pub fn matches(&self, base: &Path, path: &Path) -> bool {
        if self.empty {
            return false;
        }
        let rel = path.strip_prefix(base).unwrap_or(path);
        let mut cur = Some(rel);
        while let Some(p) = cur {
            if p.as_os_str().is_empty() {
                break;
            }
            if self.set.is_match(p) {
                return true;
            }
            cur = p.parent();
        }
        false
    }
}

/// Compiles one glob as written in a configuration file.
fn compile_glob(pattern: &str) -> Result<globset::Glob, String> {
    let p = pattern.trim();
    if p.is_empty() {
        return Err("空のグロブは使えません".to_string());
    }
    let trimmed = p.trim_end_matches('/');
    let anchored = trimmed.strip_prefix('/');
    let full = match anchored {
        Some(rest) => rest.to_string(),
        None if trimmed.contains('/') => trimmed.to_string(),
        None => format!("**/{trimmed}"),
    };
    GlobBuilder::new(&full)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("グロブ `{p}` を解釈できません（{}）", e.kind()))
}

/// One layer of rule settings: the top level, or an override.
#[derive(Debug, Clone, Default)]
struct Layer {
    /// `None`: keep what the layers before decided (overrides), or
    /// select everything (top level).
    select: Option<Vec<Selector>>,
    ignore: Vec<Selector>,
    severity: Vec<(Selector, Severity)>,
}

#[derive(Debug, Clone)]
struct Override {
    files: Globs,
    layer: Layer,
}

/// A checked configuration, ready to apply.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Directory relative paths and globs are resolved against.
    pub base: PathBuf,
    /// The file as written.
    pub file: ConfigFile,
    /// `registries`, resolved against `base`.
    pub registries: Vec<PathBuf>,
    top: Layer,
    exclude: Globs,
    overrides: Vec<Override>,
}

impl Config {
    /// The defaults: every rule at its own severity, nothing excluded.
    pub fn defaults(base: PathBuf) -> Config {
        Config {
            path: None,
            base,
            file: ConfigFile::default(),
            registries: Vec::new(),
            top: Layer::default(),
            exclude: Globs::default(),
            overrides: Vec::new(),
        }
    }

    /// Reads and checks the file at `path` (absolute, normalised).
    pub fn load(path: &Path, origin: &str, rules: &RuleSet) -> Result<Config, Vec<ConfigError>> {
        let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_FILE_BYTES);
        if too_big {
            return Err(vec![ConfigError::io(
                Path::new(origin),
                "設定ファイルが大きすぎます（1 MiB まで）".to_string(),
            )]);
        }
        let text = match std::fs::read(path) {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(_) => {
                    return Err(vec![ConfigError::io(
                        Path::new(origin),
                        "設定ファイルが UTF-8 ではありません".to_string(),
                    )])
                }
            },
            Err(e) => {
                return Err(vec![ConfigError::io(
                    Path::new(origin),
                    format!(
                        "設定ファイルを読めません: {}",
                        crate::discover::io_message(&e)
                    ),
                )])
            }
        };
        let base = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        let mut config = Config::parse(origin, &text, base, rules)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses and checks configuration `text`; `base` anchors relative paths.
    pub fn parse(
        origin: &str,
        text: &str,
        base: PathBuf,
        rules: &RuleSet,
    ) -> Result<Config, Vec<ConfigError>> {
        let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: ConfigFile = if is_blank_yaml(text_no_bom) {
            ConfigFile::default()
        } else {
            match yaml::from_str(origin, text) {
                Ok(f) => f,
                Err(e) => {
                    let r = RegistryError::from_yaml(&e, text);
                    return Err(vec![ConfigError::at(
                        SCHEMA, origin, text, r.range, r.message,
                    )]);
                }
            }
        };
        let mut c = Checker {
            origin,
            text,
            outline: Outline::parse(text),
            rules,
            errors: Vec::new(),
        };
        let top = Layer {
            select: file
                .select
                .as_ref()
                .map(|s| c.selectors(s, &[PathSeg::Key("select")])),
            ignore: c.selectors(&file.ignore, &[PathSeg::Key("ignore")]),
            severity: c.severities(&file.severity, &[PathSeg::Key("severity")]),
        };
        let exclude = c.globs(&file.exclude, &[PathSeg::Key("exclude")]);
        let mut overrides = Vec::new();
        for (i, o) in file.overrides.iter().enumerate() {
            let at = |k: &'static str| {
                [
                    PathSeg::Key("overrides"),
                    PathSeg::Index(i),
                    PathSeg::Key(k),
                ]
            };
            if o.files.is_empty() {
                c.error(
                    SCHEMA,
                    &at("files"),
                    false,
                    "`files` に 1 つ以上のグロブを書いてください".to_string(),
                );
            }
            overrides.push(Override {
                files: c.globs(&o.files, &at("files")),
                layer: Layer {
                    select: Some(c.selectors(&o.select, &at("select"))),
                    ignore: c.selectors(&o.ignore, &at("ignore")),
                    severity: c.severities(&o.severity, &at("severity")),
                },
            });
        }
        let errors = c.errors;
        if !errors.is_empty() {
            return Err(errors);
        }
        let registries = file
            .registries
            .iter()
            .map(|r| normalize(&base.join(r)))
            .collect();
        Ok(Config {
            path: None,
            base,
            file,
            registries,
            top,
            exclude,
            overrides,
        })
    }

    /// Whether `path` (absolute, normalised) matches `exclude`.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.matches(&self.base, path)
    }

    /// `fail-on`, if the file sets it.
    pub fn fail_on(&self) -> Option<FailOn> {
        self.file.fail_on
    }

    /// The rule settings for one file: the top level plus the overrides
    /// whose `files` match `path` (absolute, normalised).
    pub fn for_file(&self, path: &Path) -> FileRules<'_> {
        let overrides = self
            .overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.files.matches(&self.base, path))
            .map(|(i, _)| i)
            .collect();
        FileRules {
            config: self,
            overrides,
        }
    }
}

/// Semantic checks of a parsed file, each error placed at its value.
struct Checker<'a> {
    origin: &'a str,
    text: &'a str,
    outline: Outline,
    rules: &'a RuleSet,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    /// Records an error at the value (or, with `key`, the key) at `path`.
    fn error(&mut self, code: &'static str, path: &[PathSeg<'_>], key: bool, message: String) {
        let l = if key {
            self.outline.locate_key(path)
        } else {
            self.outline.locate(path)
        };
        let e = ConfigError::at(code, self.origin, self.text, l.range, message);
        self.errors.push(e);
    }

    fn selectors(&mut self, list: &[String], at: &[PathSeg<'_>]) -> Vec<Selector> {
        let mut out = Vec::new();
        for (i, s) in list.iter().enumerate() {
            match Selector::parse(s, self.rules) {
                Ok(sel) => out.push(sel),
                Err(m) => self.error(UNKNOWN_RULE, &[at, &[PathSeg::Index(i)]].concat(), false, m),
            }
        }
        out
    }

    fn severities(&mut self, map: &SeverityMap, at: &[PathSeg<'_>]) -> Vec<(Selector, Severity)> {
        let mut out = Vec::new();
        for (k, v) in &map.0 {
            match Selector::parse(k, self.rules) {
                Ok(sel) => out.push((sel, *v)),
                Err(m) => self.error(UNKNOWN_RULE, &[at, &[PathSeg::Key(k)]].concat(), true, m),
            }
        }
        out
    }

    fn globs(&mut self, list: &[String], at: &[PathSeg<'_>]) -> Globs {
        let mut b = GlobSetBuilder::new();
        for (i, g) in list.iter().enumerate() {
            match compile_glob(g) {
                Ok(glob) => {
                    b.add(glob);
                }
                Err(m) => self.error(BAD_GLOB, &[at, &[PathSeg::Index(i)]].concat(), false, m),
            }
        }
        Globs {
            // Every glob compiled on its own, so the set builds; an error
            // here would already be reported above.
            set: b.build().unwrap_or_else(|_| GlobSet::empty()),
            empty: list.is_empty(),
        }
    }
}

/// The settings that apply to one file.
#[derive(Debug, Clone)]
pub struct FileRules<'c> {
    config: &'c Config,
    /// Indices of the matching overrides, in order.
    pub overrides: Vec<usize>,
}

impl FileRules<'_> {
    /// The severity to report `f` at, or `None` when its rule is off.
    ///
    /// Layers apply in order (top level, then matching overrides). In each
    /// layer `ignore` beats `select`; a later layer that mentions the
    /// finding decides again. Severity: within a layer the most specific
    /// selector wins (the later one on a tie); a later layer wins over an
    /// earlier one.
    pub fn decide(&self, f: &Finding, rules: &RuleSet) -> Option<Severity> {
        self.decide_by(|s| s.matches(f, rules), f.severity)
    }

    /// What the settings say about a rule as a whole: off, or the severity
    /// its findings get (before verdicts and hedges adjust it). Selectors
    /// naming verdict rules act per finding and are judged here against the
    /// verdict rule itself.
    pub fn decide_rule(&self, rule: &crate::rules::Rule) -> Option<Severity> {
        self.decide_by(|s| s.matches_rule(rule), rule.file.severity)
    }

    fn decide_by(&self, matches: impl Fn(&Selector) -> bool, base: Severity) -> Option<Severity> {
        let any = |list: &[Selector]| list.iter().any(&matches);
        let top = &self.config.top;
        let mut on = top.select.as_deref().is_none_or(any) && !any(&top.ignore);
        let mut severity = base;
        let layers = std::iter::once(top).chain(
            self.overrides
                .iter()
                .map(|&i| &self.config.overrides[i].layer),
        );
        for (n, layer) in layers.enumerate() {
            if n > 0 {
                if any(&layer.ignore) {
                    on = false;
                } else if layer.select.as_deref().is_some_and(any) {
                    on = true;
                }
            }
            let best = layer
                .severity
                .iter()
                .filter(|(s, _)| matches(s))
                .max_by_key(|(s, _)| s.rank());
            // `max_by_key` keeps the last of equal keys: the later entry wins.
            if let Some((_, s)) = best {
                severity = *s;
            }
        }
        on.then_some(severity)
    }
}

/// `exolint config PATH`: the settings in force for PATH, as YAML.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Effective<'a> {
    path: String,
    config_file: Option<String>,
    select: Vec<String>,
    ignore: &'a [String],
    severity: &'a SeverityMap,
    registries: Vec<String>,
    exclude: &'a [String],
    excluded: bool,
    fail_on: FailOn,
    overrides: &'a [OverrideFile],
    applied_overrides: Vec<usize>,
    rules: std::collections::BTreeMap<&'a str, &'static str>,
}

impl Config {
    /// The effective configuration for `path` (absolute, normalised) as
    /// YAML: the file's settings with defaults filled in, the overrides that
    /// match `path`, and each rule's resulting state.
    pub fn render_effective(&self, path: &Path, shown: &str, rules: &'_ RuleSet) -> String {
        let f = &self.file;
        let file_rules = self.for_file(path);
        let view = Effective {
            path: shown.to_string(),
            config_file: self.path.as_ref().map(|p| p.display().to_string()),
            select: f.select.clone().unwrap_or_else(|| vec!["ALL".to_string()]),
            ignore: &f.ignore,
            severity: &f.severity,
            registries: self
                .registries
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            exclude: &f.exclude,
            excluded: self.is_excluded(path),
            fail_on: f.fail_on.unwrap_or(FailOn::Error),
            overrides: &f.overrides,
            applied_overrides: file_rules.overrides.clone(),
            rules: rules
                .rules
                .iter()
                .map(|r| {
                    let state = file_rules.decide_rule(r).map_or("off", Severity::as_str);
                    (r.code(), state)
                })
                .collect(),
        };
        let body = yaml::to_string(&view).unwrap_or_default();
        let source = match &self.path {
            Some(p) => format!("# 設定ファイル: {}\n", p.display()),
            None => "# 設定ファイルなし（既定値）\n".to_string(),
        };
        format!("# exolint の実効設定\n{source}{body}")
    }
}

/// True when `text` holds no YAML content (only comments, blank lines and
/// document markers), which is a valid empty configuration.
fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// An absolute path with `.` and `..` resolved lexically (symlinks are left
/// alone, so a path keeps the shape the user gave it).
pub fn normalize(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A finding for a selector test: a claim of `code` in `category`.
#[cfg(test)]
pub(crate) fn test_finding(code: &str, category: Category, verdict: Verdict) -> Finding {
    Finding {
        code: code.to_string(),
        name: String::new(),
        severity: Severity::Warning,
        category,
        verdict,
        modality: crate::claims::Modality::Asserted,
        scope: None,
        message: String::new(),
        span: 0..0,
        sentence: 0..0,
        citations: Vec::new(),
        evidence: Vec::new(),
        notes: Vec::new(),
        directive: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        Config::parse(
            ".exolint.yaml",
            text,
            PathBuf::from("/p"),
            &RuleSet::builtin(),
        )
    }

    #[test]
    fn empty_and_comment_only_files_are_defaults() {
        for t in ["", "# nothing\n", "---\n"] {
            let c = parse(t).unwrap();
            assert!(c.file.select.is_none() && c.overrides.is_empty());
        }
    }

    #[test]
    fn unknown_key_is_reported_at_its_line_and_column() {
        let e = parse("ignore: [EXL101]\nfail_on: error\n").unwrap_err();
        assert_eq!(e[0].code, SCHEMA);
        assert_eq!((e[0].line, e[0].column), (2, 1), "{}", e[0]);
        assert!(e[0].message.contains("fail-on"), "{}", e[0].message);
    }

    #[test]
    fn unknown_rule_and_bad_glob_point_at_the_value() {
        let e = parse("ignore:\n  - EXL101\n  - efficacy-clam\nexclude: ['a/[b']\n").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].code, e[0].line, e[0].column), (UNKNOWN_RULE, 3, 5));
        assert!(e[0].message.contains("efficacy-claim"), "{}", e[0].message);
        assert_eq!((e[1].code, e[1].line, e[1].column), (BAD_GLOB, 4, 11));
        let e = parse("severity:\n  EXL1O1: error\n").unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), (UNKNOWN_RULE, 2, 3));
    }

    #[test]
    fn bad_severity_value_is_a_schema_error() {
        let e = parse("severity:\n  EXL101: fatal\n").unwrap_err();
        assert_eq!(e[0].code, SCHEMA);
        assert_eq!(e[0].line, 2, "{}", e[0]);
    }

    #[test]
    fn selectors_resolve_codes_names_categories_prefixes_and_verdicts() {
        let rules = RuleSet::builtin();
        let f = test_finding("EXL101", Category::Efficacy, Verdict::Unsupported);
        for s in [
            "EXL101",
            "exl101",
            "efficacy-claim",
            "efficacy",
            "EXL1",
            "ALL",
            "EXL301",
            "unsupported-claim",
        ] {
            let sel = Selector::parse(s, &rules).unwrap();
            assert!(sel.matches(&f, &rules), "{s}");
        }
        for s in ["EXL102", "safety", "EXL93", "supported-claim", "EXL930"] {
            let sel = Selector::parse(s, &rules).unwrap();
            assert!(!sel.matches(&f, &rules), "{s}");
        }
        assert!(Selector::parse("EXL8", &rules).is_err());
        assert!(Selector::parse("EXL2", &rules).is_err());
        assert!(Selector::parse("efficacyy", &rules).is_err());
    }

    #[test]
    fn layers_decide_in_order_and_specific_severity_wins() {
        let rules = RuleSet::builtin();
        let c = parse(
            "ignore: [testimonial]\nseverity:\n  EXL101: info\n  efficacy: error\noverrides:\n  - files: ['blog/**']\n    select: [EXL107]\n    severity: {efficacy: warning}\n",
        )
        .unwrap();
        let eff = test_finding("EXL101", Category::Efficacy, Verdict::Unsupported);
        let tes = test_finding("EXL107", Category::Testimonial, Verdict::Unsupported);
        let page = c.for_file(Path::new("/p/page.md"));
        assert_eq!(page.decide(&eff, &rules), Some(Severity::Info));
        assert_eq!(page.decide(&tes, &rules), None);
        let blog = c.for_file(Path::new("/p/blog/2024/a.md"));
        assert_eq!(blog.overrides, vec![0]);
        assert_eq!(blog.decide(&eff, &rules), Some(Severity::Warning));
        assert!(blog.decide(&tes, &rules).is_some());
    }

    #[test]
    fn globs_match_names_anywhere_and_paths_from_the_base() {
        let c = parse("exclude: [drafts, 'legal/*.md', '/top.md']\n").unwrap();
        assert!(c.is_excluded(Path::new("/p/a/drafts/x.md")));
        assert!(c.is_excluded(Path::new("/p/legal/terms.md")));
        assert!(!c.is_excluded(Path::new("/p/legal/sub/terms.md")));
        assert!(c.is_excluded(Path::new("/p/top.md")));
        assert!(!c.is_excluded(Path::new("/p/a/top.md")));
        assert!(!c.is_excluded(Path::new("/p/page.md")));
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
