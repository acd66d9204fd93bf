//! Claim rules as data. Each `rules/claim/<name>.yaml` file is one rule:
//! identity, category, message, documentation, patterns and its own examples.
//! `rules/lexicon.yaml` holds the shared vocabulary: pattern macros and the
//! modality markers (negation, hedges, questions…). Everything is compiled
//! once into a [`RuleSet`]; the built-ins are embedded in the binary.

use crate::scan::prog::Prog;
use crate::scan::CharSet;
use crate::yaml::{self, YamlError};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The claim categories, named as in the JSON output and the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Efficacy,
    Durability,
    Onset,
    Safety,
    Superiority,
    Absolute,
    Testimonial,
    Approval,
    Evidence,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Efficacy,
        Category::Durability,
        Category::Onset,
        Category::Safety,
        Category::Superiority,
        Category::Absolute,
        Category::Testimonial,
        Category::Approval,
        Category::Evidence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Efficacy => "efficacy",
            Category::Durability => "durability",
            Category::Onset => "onset",
            Category::Safety => "safety",
            Category::Superiority => "superiority",
            Category::Absolute => "absolute",
            Category::Testimonial => "testimonial",
            Category::Approval => "approval",
            Category::Evidence => "evidence",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Japanese label used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Category::Efficacy => "効果・効能",
            Category::Durability => "効果の持続",
            Category::Onset => "効果の発現時期",
            Category::Safety => "安全性",
            Category::Superiority => "優位性・最上級",
            Category::Absolute => "断定・保証",
            Category::Testimonial => "体験談・満足度",
            Category::Approval => "公的承認",
            Category::Evidence => "科学的根拠",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Diagnostic severity, ordered so that `Error > Warning > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// One step milder; a hedge may lower a finding by this much and no more.
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's documentation, printed by `exolint explain`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDoc {
    pub what: String,
    pub why: String,
    pub example: String,
    pub instead: String,
    pub references: Vec<String>,
}

/// Sentences a rule must and must not report; run by the test suite.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleTests {
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub allows: Vec<String>,
}

/// What kind of rule a file defines; claim rules carry patterns, verdict
/// rules document the evidence engine's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    #[default]
    Claim,
    Verdict,
}

/// One rule file as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub kind: RuleKind,
    /// Claim rules: the category they detect. Verdict rules: absent.
    #[serde(default)]
    pub category: Option<Category>,
    /// Verdict rules: the verdict they document.
    #[serde(default)]
    pub verdict: Option<String>,
    pub severity: Severity,
    /// One line for `exolint rules`.
    pub summary: String,
    /// The message; `{match}` is replaced by the claim's text.
    pub message: String,
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Regexes for wording that looks like a claim but is not one; a match
    /// overlapping an exception is dropped.
    #[serde(default)]
    pub exceptions: Vec<String>,
    pub doc: RuleDoc,
    #[serde(default)]
    pub tests: RuleTests,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub file: RuleFile,
    /// Where the rule came from (`rules/claim/efficacy-claim.yaml`).
    pub origin: String,
    pub(crate) pattern: Option<LazyRegex>,
    pub(crate) exceptions: Option<LazyRegex>,
}

/// A regex compiled on first use, and for the built-in patterns also a
/// backtracking program generated ahead of time (see `crate::scan`).
///
/// Compiling a regex (its NFAs, prefilters, lazy DFA) was most of the
/// start-up of a run on a small file, though a small file asks each marker
/// a few questions about a few short strings. The program answers those
/// with no compiling; once a pattern has done a fair amount of work on it
/// (a long page), the regex is compiled and answers from then on, as it is
/// faster over long texts. Both give regex's leftmost-first matches.
#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    size_limit: usize,
    case_insensitive: bool,
    cell: OnceLock<Regex>,
    /// The generated program, the first characters of its matches, and
    /// whether they all start at the start of the text.
    prog: OnceLock<Option<(Prog, Option<CharSet>, bool)>>,
    /// Characters read plus steps taken by the program so far.
    work: AtomicU32,
}

/// Work after which a pattern's regex is compiled and used instead of its
/// program: about what compiling costs (a lexicon list compiles in ~0.5M
/// instructions; a unit of work is a few). A 2 KB page stays well below
/// it for every pattern; 1,000,000 kept the slower program running for
/// the first ~200 files of a tree.
const REGEX_AFTER_WORK: u32 = 100_000;

impl Clone for LazyRegex {
    fn clone(&self) -> LazyRegex {
        LazyRegex {
            source: self.source.clone(),
            size_limit: self.size_limit,
            case_insensitive: self.case_insensitive,
            cell: self.cell.clone(),
            prog: OnceLock::new(),
            work: AtomicU32::new(0),
        }
    }
}

impl LazyRegex {
    pub(crate) fn new(source: String, size_limit: usize) -> LazyRegex {
        LazyRegex {
            source,
            size_limit,
            case_insensitive: false,
            cell: OnceLock::new(),
            prog: OnceLock::new(),
            work: AtomicU32::new(0),
        }
    }

    pub(crate) fn case_insensitive(mut self, yes: bool) -> LazyRegex {
        self.case_insensitive = yes;
        self
    }

    /// Whether the pattern matches somewhere in `hay`.
    pub fn is_match(&self, hay: &str) -> bool {
        match self.program() {
            Some(p) => self.find_with(p, hay, 0).is_some(),
            None => self.get().is_match(hay),
        }
    }

    /// The pattern's successive non-overlapping matches in `hay`, as
    /// `Regex::find_iter` gives them.
    pub fn find_iter<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
        let mut prog = self.program();
        let mut at = 0;
        let mut regex = None;
        std::iter::from_fn(move || {
            if let Some(it) = regex.as_mut() {
                return Iterator::next(it).map(|m: regex::Match<'a>| m.range());
            }
            // A long text (a whole page's prose) is searched by one
            // iterator: once the program has done its share of work, the
            // regex takes over from the last match on.
            if prog.is_some() && self.program().is_none() {
                prog = None;
            }
            match prog {
                Some(p) => {
                    let m = self.find_with(p, hay, at)?;
                    // Programs exist only for patterns that cannot match
                    // nothing, so every match moves on.
                    at = m.end;
                    Some(m)
                }
                // Searching on from the program's last match: it cannot
                // have been empty, so this is what the regex's own iterator
                // would give.
                None if at > 0 => {
                    let m = self.get().find_at(hay, at)?;
                    at = m.end();
                    Some(m.range())
                }
                None => {
                    let it = regex.insert(self.get().find_iter(hay));
                    Iterator::next(it).map(|m| m.range())
                }
            }
        })
    }

    /// The program, while it is still the engine of choice.
    fn program(&self) -> Option<&(Prog, Option<CharSet>, bool)> {
        if self.cell.get().is_some() || self.work.load(Ordering::Relaxed) > REGEX_AFTER_WORK {
            return None;
        }
        self.prog
            .get_or_init(|| {
                let text = crate::scan::builtin_prog(&self.source, self.case_insensitive)?;
                let prog = Prog::decode(text)?;
                let first = prog.first_chars();
                let anchored = prog.anchored_at_start();
                Some((prog, first, anchored))
            })
            .as_ref()
    }

    /// The leftmost-first match at or after `from`.
    fn find_with(
        &self,
        (prog, first, anchored): &(Prog, Option<CharSet>, bool),
        hay: &str,
        from: usize,
    ) -> Option<Range<usize>> {
        let mut steps = 0u32;
        // Every character read counts, not only the positions tried: a
        // pattern whose first characters rarely occur still reads every
        // character of a long text, which the regex's prefilter skips.
        let mut read = 0u32;
        let mut found = None;
        let mut fell_back = false;
        for (i, c) in hay.get(from..).unwrap_or_default().char_indices() {
            let at = from + i;
            if *anchored && at > 0 {
                break;
            }
            read += 1;
            if first.as_ref().is_some_and(|f| !f.has(c)) {
                continue;
            }
            match prog.find(hay, at, hay.len(), &mut steps) {
                Ok(Some(end)) => {
                    found = Some(at..end);
                    break;
                }
                Ok(None) => {}
                // Too deep for the program: the regex goes on from here,
                // no earlier position having matched.
                Err(_) => {
                    fell_back = true;
                    found = self.get().find_at(hay, at).map(|m| m.range());
                    break;
                }
            }
        }
        if !fell_back {
            self.work
                .fetch_add(read.saturating_add(steps), Ordering::Relaxed);
        }
        found
    }

    fn build(&self) -> Result<Regex, regex::Error> {
        RegexBuilder::new(&self.source)
            .size_limit(self.size_limit)
            .case_insensitive(self.case_insensitive)
            .build()
    }

    /// Compiles now: the error, if any, for load-time diagnostics.
    fn compile(&self) -> Result<&Regex, String> {
        if let Some(re) = self.cell.get() {
            return Ok(re);
        }
        let re = self.build().map_err(|e| e.to_string())?;
        Ok(self.cell.get_or_init(|| re))
    }

    /// The compiled regex. Sources are checked when loaded (built-ins by the
    /// test suite), so failure here cannot happen; should it anyway, the
    /// regex matches nothing rather than stopping the run.
    pub fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            self.build()
                .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("constant regex"))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// The built-in regexes that get generated programs (see `crate::scan`),
/// as (source, case-insensitive): the lexicon's markers, the rules'
/// exceptions, the vocabulary's patterns and the claim filters' fixed
/// patterns.
#[cfg(test)]
pub(crate) fn builtin_regexes<'a>(
    rules: &'a RuleSet,
    registry: &'a crate::registry::Registry,
) -> Vec<(&'a str, bool)> {
    let lex = &rules.lexicon;
    let mut out: Vec<&LazyRegex> = vec![
        &lex.negation,
        &lex.clause_negation,
        &lex.question,
        &lex.hedge,
        &lex.reported,
        &lex.conditional,
        &lex.quote_context,
        &lex.experience,
        &lex.not_claims,
    ];
    out.extend(&lex.negation_exceptions);
    out.extend(lex.scope.iter().map(|(_, re)| re));
    out.extend(rules.rules.iter().filter_map(|r| r.exceptions.as_ref()));
    let vocab = registry
        .vocabulary()
        .terms()
        .iter()
        .flat_map(|t| &t.patterns);
    out.extend(vocab);
    let mut list: Vec<(&str, bool)> = out
        .into_iter()
        .map(|re| (re.as_str(), re.case_insensitive))
        .collect();
    list.extend(crate::claims::fixed_patterns().iter().map(|&p| (p, false)));
    list
}

impl Rule {
    pub fn code(&self) -> &str {
        &self.file.code
    }
    pub fn name(&self) -> &str {
        &self.file.name
    }
}

/// The shared vocabulary file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LexiconFile {
    macros: BTreeMap<String, String>,
    negation: Vec<String>,
    clause_negation: Vec<String>,
    #[serde(default)]
    negation_exceptions: Vec<String>,
    question: Vec<String>,
    hedge: Vec<String>,
    reported: Vec<String>,
    conditional: Vec<String>,
    quote_context: Vec<String>,
    experience: Vec<String>,
    scope: BTreeMap<String, Vec<String>>,
    not_claims: Vec<String>,
}

/// Compiled modality markers.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub(crate) negation: LazyRegex,
    pub(crate) clause_negation: LazyRegex,
    pub(crate) negation_exceptions: Option<LazyRegex>,
    pub(crate) question: LazyRegex,
    pub(crate) hedge: LazyRegex,
    pub(crate) reported: LazyRegex,
    pub(crate) conditional: LazyRegex,
    pub(crate) quote_context: LazyRegex,
    pub(crate) experience: LazyRegex,
    pub(crate) scope: Vec<(String, LazyRegex)>,
    pub(crate) not_claims: LazyRegex,
}

/// A problem loading rules.
#[derive(Debug, Clone)]
pub struct RuleError {
    pub origin: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

impl From<YamlError> for RuleError {
    fn from(e: YamlError) -> Self {
        RuleError {
            origin: e.origin,
            message: e.message,
            line: e.line,
            column: e.column,
        }
    }
}

/// Compiled regexes stay small: hostile rule files cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// All claim rules and the lexicon, compiled.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub lexicon: Lexicon,
}

/// The embedded rule files: (path relative to the repository, contents).
pub const BUILTIN_RULES: &[(&str, &str)] = &[
    (
        "rules/claim/efficacy-claim.yaml",
        include_str!("../rules/claim/efficacy-claim.yaml"),
    ),
    (
        "rules/claim/durability-claim.yaml",
        include_str!("../rules/claim/durability-claim.yaml"),
    ),
    (
        "rules/claim/onset-claim.yaml",
        include_str!("../rules/claim/onset-claim.yaml"),
    ),
    (
        "rules/claim/safety-claim.yaml",
        include_str!("../rules/claim/safety-claim.yaml"),
    ),
    (
        "rules/claim/superiority-claim.yaml",
        include_str!("../rules/claim/superiority-claim.yaml"),
    ),
    (
        "rules/claim/absolute-claim.yaml",
        include_str!("../rules/claim/absolute-claim.yaml"),
    ),
    (
        "rules/claim/testimonial-claim.yaml",
        include_str!("../rules/claim/testimonial-claim.yaml"),
    ),
    (
        "rules/claim/approval-claim.yaml",
        include_str!("../rules/claim/approval-claim.yaml"),
    ),
    (
        "rules/claim/evidence-claim.yaml",
        include_str!("../rules/claim/evidence-claim.yaml"),
    ),
    (
        "rules/verdict/supported-claim.yaml",
        include_str!("../rules/verdict/supported-claim.yaml"),
    ),
    (
        "rules/verdict/unsupported-claim.yaml",
        include_str!("../rules/verdict/unsupported-claim.yaml"),
    ),
    (
        "rules/verdict/overstated-claim.yaml",
        include_str!("../rules/verdict/overstated-claim.yaml"),
    ),
    (
        "rules/verdict/contradicted-claim.yaml",
        include_str!("../rules/verdict/contradicted-claim.yaml"),
    ),
    (
        "rules/verdict/miscited-claim.yaml",
        include_str!("../rules/verdict/miscited-claim.yaml"),
    ),
    (
        "rules/verdict/unresolved-citation.yaml",
        include_str!("../rules/verdict/unresolved-citation.yaml"),
    ),
    (
        "rules/verdict/prohibited-claim.yaml",
        include_str!("../rules/verdict/prohibited-claim.yaml"),
    ),
];

/// The embedded lexicon.
pub const BUILTIN_LEXICON: (&str, &str) =
    ("rules/lexicon.yaml", include_str!("../rules/lexicon.yaml"));

impl RuleSet {
    /// The built-in rules. They are checked by the test suite, so a failure
    /// here is a build defect, not a user error.
    pub fn builtin() -> RuleSet {
        RuleSet::load(BUILTIN_LEXICON, BUILTIN_RULES, false)
            .unwrap_or_else(|e| panic!("built-in rules are invalid: {}", e[0]))
    }

    /// Compiles a lexicon and rule files given as (origin, text) pairs.
    pub fn from_sources(
        lexicon: (&str, &str),
        rules: &[(&str, &str)],
    ) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::load(lexicon, rules, true)
    }

    /// Compiles every pattern now, as [`RuleSet::from_sources`] does; the
    /// test suite checks the built-ins with it.
    pub fn compile_all(&self) -> Result<(), String> {
        for r in &self.rules {
            for re in [&r.pattern, &r.exceptions].into_iter().flatten() {
                re.compile().map_err(|e| format!("{}: {e}", r.origin))?;
            }
        }
        Ok(())
    }

    /// `validate`: compile every pattern now so that errors are reported at
    /// load; otherwise (the built-ins, checked by the tests) patterns are
    /// compiled when first used.
    fn load<'a>(
        lexicon: (&'a str, &str),
        rules: &[(&'a str, &str)],
        validate: bool,
    ) -> Result<RuleSet, Vec<RuleError>> {
        let mut errors = Vec::new();
        // Unvalidated sources are the embedded files, whose origin is their path.
        let embedded = |origin: &'a str| (!validate).then_some(origin);
        let lex: LexiconFile = yaml::from_str_embedded(embedded(lexicon.0), lexicon.0, lexicon.1)
            .map_err(|e| vec![e.into()])?;
        let macros = lex.macros.clone();
        let expand = |p: &str| expand_macros(p, &macros);
        let mut compile_list = |what: &str, list: &[String]| -> Option<LazyRegex> {
            if list.is_empty() {
                return None;
            }
            match compile_alternation(list.iter().map(|p| expand(p)), validate) {
                Ok(r) => Some(r),
                Err(message) => {
                    errors.push(RuleError {
                        origin: lexicon.0.to_string(),
                        message: format!("{what}: {message}"),
                        line: 0,
                        column: 0,
                    });
                    None
                }
            }
        };
        let never = || LazyRegex::new(r"[^\s\S]".to_string(), REGEX_SIZE_LIMIT);
        let negation = compile_list("negation", &lex.negation).unwrap_or_else(never);
        let clause_negation =
            compile_list("clause-negation", &lex.clause_negation).unwrap_or_else(never);
        let negation_exceptions = compile_list("negation-exceptions", &lex.negation_exceptions);
        let question = compile_list("question", &lex.question).unwrap_or_else(never);
        let hedge = compile_list("hedge", &lex.hedge).unwrap_or_else(never);
        let reported = compile_list("reported", &lex.reported).unwrap_or_else(never);
        let conditional = compile_list("conditional", &lex.conditional).unwrap_or_else(never);
        let quote_context = compile_list("quote-context", &lex.quote_context).unwrap_or_else(never);
        let experience = compile_list("experience", &lex.experience).unwrap_or_else(never);
        let not_claims = compile_list("not-claims", &lex.not_claims).unwrap_or_else(never);
        let mut scope = Vec::new();
        for (name, list) in &lex.scope {
            if let Some(r) = compile_list(&format!("scope.{name}"), list) {
                scope.push((name.clone(), r));
            }
        }
        let lexicon = Lexicon {
            negation,
            clause_negation,
            negation_exceptions,
            question,
            hedge,
            reported,
            conditional,
            quote_context,
            experience,
            scope,
            not_claims,
        };

        let mut compiled = Vec::new();
        for (origin, text) in rules {
            let file: RuleFile = match yaml::from_str_embedded(embedded(origin), origin, text) {
                Ok(f) => f,
                Err(e) => {
                    errors.push(e.into());
                    continue;
                }
            };
            let err = |message: String| RuleError {
                origin: origin.to_string(),
                message,
                line: 0,
                column: 0,
            };
            if file.kind == RuleKind::Claim && (file.category.is_none() || file.patterns.is_empty())
            {
                errors.push(err(
                    "claim rules need `category` and at least one pattern".into()
                ));
                continue;
            }
            let pattern = if file.patterns.is_empty() {
                None
            } else {
                match compile_alternation(file.patterns.iter().map(|p| expand(p)), validate) {
                    Ok(r) => Some(r),
                    Err(m) => {
                        errors.push(err(format!("patterns: {m}")));
                        continue;
                    }
                }
            };
            let exceptions = if file.exceptions.is_empty() {
                None
            } else {
                match compile_alternation(file.exceptions.iter().map(|p| expand(p)), validate) {
                    Ok(r) => Some(r),
                    Err(m) => {
                        errors.push(err(format!("exceptions: {m}")));
                        continue;
                    }
                }
            };
            compiled.push(Rule {
                file,
                origin: origin.to_string(),
                pattern,
                exceptions,
            });
        }
        let mut seen = BTreeMap::new();
        for r in &compiled {
            for key in [r.code(), r.name()] {
                if let Some(prev) = seen.insert(key.to_string(), r.origin.clone()) {
                    errors.push(RuleError {
                        origin: r.origin.clone(),
                        message: format!("`{key}` is already defined in {prev}"),
                        line: 0,
                        column: 0,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(RuleSet {
                rules: compiled,
                lexicon,
            })
        } else {
            Err(errors)
        }
    }

    /// Looks a rule up by code (case-insensitive) or name.
    pub fn find(&self, key: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.code().eq_ignore_ascii_case(key) || r.name() == key)
    }

    /// The closest rule code or name to `key`, for "did you mean".
    pub fn nearest(&self, key: &str) -> Option<&str> {
        self.rules
            .iter()
            .flat_map(|r| [r.code(), r.name()])
            .map(|k| (edit_distance(&k.to_lowercase(), &key.to_lowercase()), k))
            .min()
            .map(|(_, k)| k)
    }
}

/// Every claim rule's patterns with the lexicon's macros expanded, one regex
/// each, in rule order: the pattern file `rg -f` gets in the benchmark.
pub fn expanded_claim_patterns(
    lexicon: (&str, &str),
    rules: &[(&str, &str)],
) -> Result<Vec<String>, RuleError> {
    let lex: LexiconFile = yaml::from_str(lexicon.0, lexicon.1)?;
    let mut out = Vec::new();
    for (origin, text) in rules {
        let file: RuleFile = yaml::from_str(origin, text)?;
        if file.kind == RuleKind::Claim {
            out.extend(file.patterns.iter().map(|p| expand_macros(p, &lex.macros)));
        }
    }
    Ok(out)
}

/// Replaces `{{NAME}}` with the macro's pattern, wrapped in a group.
/// Macros may refer to macros defined before them; depth is bounded so a
/// cycle cannot loop.
fn expand_macros(pattern: &str, macros: &BTreeMap<String, String>) -> String {
    let mut out = pattern.to_string();
    for _ in 0..8 {
        if !out.contains("{{") {
            break;
        }
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find("{{") {
            next.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            match after.find("}}") {
                Some(j) if macros.contains_key(&after[..j]) => {
                    next.push_str("(?:");
                    next.push_str(&macros[&after[..j]]);
                    next.push(')');
                    rest = &after[j + 2..];
                }
                _ => {
                    next.push_str("{{");
                    rest = after;
                }
            }
        }
        next.push_str(rest);
        out = next;
    }
    out
}

/// Joins `patterns` into one alternation. With `validate`, compiles it now
/// and, if that fails, finds the pattern at fault by compiling each alone.
fn compile_alternation(
    patterns: impl Iterator<Item = String>,
    validate: bool,
) -> Result<LazyRegex, String> {
    let patterns: Vec<String> = patterns.collect();
    let mut joined = String::new();
    for p in &patterns {
        if !joined.is_empty() {
            joined.push('|');
        }
        joined.push_str("(?:");
        joined.push_str(p);
        joined.push(')');
    }
    let re = LazyRegex::new(joined, REGEX_SIZE_LIMIT * 4);
    if validate {
        if let Err(e) = re.compile() {
            for (i, p) in patterns.iter().enumerate() {
                RegexBuilder::new(p)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| format!("pattern {} `{p}`: {e}", i + 1))?;
            }
            return Err(e);
        }
    }
    Ok(re)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Start-up reads the embedded rules from build.rs's JSON; it must be
    /// the same data as the YAML, with no file left to the slow fallback.
    #[test]
    fn embedded_json_matches_the_yaml() {
        yaml::embedded_agrees::<LexiconFile>(BUILTIN_LEXICON.0, BUILTIN_LEXICON.1).unwrap();
        for (path, text) in BUILTIN_RULES {
            yaml::embedded_agrees::<RuleFile>(path, text).unwrap();
        }
    }

    /// The generated programs of the built-in regexes find what the regexes
    /// find, over every text of the corpus, each sentence, and the
    /// stretches classify asks about (the rest of a sentence from each
    /// character, the part before it).
    #[test]
    fn programs_find_what_regexes_find() {
        let rules = RuleSet::builtin();
        let registry = crate::registry::Registry::builtin();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut texts = Vec::new();
        for dir in ["markdown", "html", "text"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                texts.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        let mut with_program = 0;
        let mut checked = 0;
        for (src, ci) in builtin_regexes(&rules, &registry) {
            if crate::scan::builtin_prog(src, ci).is_none() {
                continue;
            }
            with_program += 1;
            let regex = RegexBuilder::new(src).case_insensitive(ci).build().unwrap();
            for text in &texts {
                let fresh = || LazyRegex::new(src.to_string(), 1 << 24).case_insensitive(ci);
                let re = fresh();
                let want: Vec<Range<usize>> = regex.find_iter(text).map(|m| m.range()).collect();
                checked += want.len();
                assert_eq!(re.find_iter(text).collect::<Vec<_>>(), want, "{src}");
                // The vocabulary's patterns are only run over whole texts.
                let re = fresh();
                for line in text.split(['。', '\n']).filter(|_| !ci).step_by(3) {
                    for (i, _) in line.char_indices().step_by(4) {
                        for part in [&line[i..], &line[..i]] {
                            assert_eq!(
                                re.is_match(part),
                                regex.is_match(part),
                                "{src} on {part:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(
            with_program > 150 && checked > 500,
            "{with_program} {checked}"
        );
    }

    /// One iterator over a long text hands over from the program to the
    /// regex once the program has done its share of work, and the matches
    /// are still the regex's.
    #[test]
    fn find_iter_hands_over_to_the_regex_mid_text() {
        let rules = RuleSet::builtin();
        let src = rules.lexicon.not_claims.source.as_str();
        assert!(crate::scan::builtin_prog(src, false).is_some());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/markdown");
        let mut page = String::new();
        for e in std::fs::read_dir(root).unwrap().flatten() {
            page.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
        let text = page.repeat(4);
        let re = LazyRegex::new(src.to_string(), 1 << 24);
        let got: Vec<Range<usize>> = re.find_iter(&text).collect();
        let want: Vec<Range<usize>> = Regex::new(src)
            .unwrap()
            .find_iter(&text)
            .map(|m| m.range())
            .collect();
        assert!(want.len() > 100, "{}", want.len());
        assert_eq!(got, want);
        assert!(re.cell.get().is_some(), "the regex never took over");
        assert!(re.work.load(Ordering::Relaxed) > REGEX_AFTER_WORK);
    }

    #[test]
    fn macros_expand_nested_and_leave_unknown_alone() {
        let mut m = BTreeMap::new();
        m.insert("D".to_string(), "[0-9０-９]".to_string());
        m.insert("N".to_string(), "{{D}}+".to_string());
        assert_eq!(
            expand_macros("{{N}}か月{{X}}", &m),
            "(?:(?:[0-9０-９])+)か月{{X}}"
        );
    }

    #[test]
    fn builtin_rules_compile() {
        let rs = RuleSet::builtin();
        rs.compile_all().unwrap();
        assert!(rs.rules.len() >= 9);
        assert_eq!(rs.nearest("efficacy-claims"), Some("efficacy-claim"));
    }

    #[test]
    fn bad_regex_is_an_error_naming_the_pattern() {
        let rule = "code: EXL199\nname: x\ncategory: efficacy\nseverity: error\nsummary: s\nmessage: m\npatterns: ['(']\ndoc: {what: a, why: b, example: c, instead: d, references: []}\n";
        let err = RuleSet::from_sources(BUILTIN_LEXICON, &[("x.yaml", rule)]).unwrap_err();
        assert!(err[0].message.contains("pattern 1"), "{}", err[0]);
    }
}
