//! The evidence registry: YAML entries for studies, reviews, guidelines,
//! notices and laws (`rules/registry/<id>.yaml`), plus a controlled vocabulary
//! of interventions and conditions (`rules/registry/_vocabulary.yaml`).
//!
//! Loading (`load_str`, `load_path`) checks each file on its own: YAML syntax,
//! schema, identifier shapes, dates, patterns and id/file-name agreement.
//! [`Registry::check`] then checks what spans files: duplicate ids and
//! references to vocabulary terms or entries. Every problem is a
//! [`RegistryError`] at a byte range of its YAML file; nothing here panics
//! on user data, and nothing here prints.

mod builtin;
pub mod error;
mod render;
pub mod schema;
pub mod validate;
pub mod vocabulary;

pub use error::{error_to_diagnostic, render_errors, RegistryError};
pub use render::{render_list, render_show};
pub use schema::{
    Category, Confidence, Contradiction, DateText, Entry, Grade, GradeEntry, Kind, Level,
    PartialDate, Population, Support,
};
pub use vocabulary::{TagStart, Tags, Term, TermId, TermIds, TermKind, TermMatch, Vocabulary};

use crate::fx::FxMap;
use crate::yaml::{self, Outline, PathSeg};
use schema::EntryLoc;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use validate::EntryLocator;
use vocabulary::VocabularyFile;

/// File stem of a vocabulary file.
pub const VOCABULARY_STEM: &str = "_vocabulary";
/// Largest registry file accepted; larger ones are an `EXL901` error.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest directory nesting `load_path` descends into.
const MAX_DIR_DEPTH: usize = 16;

/// One loaded registry file, kept so diagnostics can quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Path as given, or `<builtin>/registry/<file>` for the embedded files.
    pub name: String,
    /// The YAML text as read; the embedded files' is borrowed, so that
    /// copies of the built-in registry share it.
    pub text: std::borrow::Cow<'static, str>,
}

/// Evidence entries, the vocabulary they refer to, and the files they came from.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
    by_id: FxMap<String, usize>,
    vocabulary: Vocabulary,
    sources: Vec<Source>,
    /// The entries' vocabulary ids as [`TermId`]s, worked out on first use.
    resolved: OnceLock<Arc<Resolved>>,
}

/// The vocabulary ids an entry names, as [`TermId`]s in the order written.
#[derive(Debug, Default)]
pub struct EntryTerms {
    pub interventions: Vec<TermId>,
    pub conditions: Vec<TermId>,
    /// Per `supports` item: its interventions and conditions.
    pub supports: Vec<(Vec<TermId>, Vec<TermId>)>,
    /// Per `contradicts` item: its interventions and conditions.
    pub contradicts: Vec<(Vec<TermId>, Vec<TermId>)>,
    /// Per `grades` item: its intervention.
    pub grades: Vec<TermId>,
}

/// Every entry's vocabulary ids resolved once, so that the evidence engine
/// compares numbers, not strings, for every claim. An id that is not a term
/// (only in a registry that failed [`Registry::check`]) gets an id of its
/// own that equals nothing else.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Per entry, in load order.
    pub entries: Vec<EntryTerms>,
    /// The ids that are not terms, by [`TermId::foreign`] index.
    foreign: Vec<String>,
}

impl Resolved {
    fn new(vocabulary: &Vocabulary, entries: &[Entry]) -> Resolved {
        let mut foreign: Vec<String> = Vec::new();
        let mut id = |s: &str| {
            vocabulary.lookup(s).unwrap_or_else(|| {
                let k = foreign.iter().position(|f| f == s).unwrap_or_else(|| {
                    foreign.push(s.to_string());
                    foreign.len() - 1
                });
                TermId::foreign(k)
            })
        };
        let mut list = |v: &[String]| v.iter().map(|s| id(s)).collect::<Vec<_>>();
        let entries = entries
            .iter()
            .map(|e| EntryTerms {
                interventions: list(&e.interventions),
                conditions: list(&e.conditions),
                supports: (e.supports.iter())
                    .map(|s| (list(&s.interventions), list(&s.conditions)))
                    .collect(),
                contradicts: (e.contradicts.iter())
                    .map(|c| (list(&c.interventions), list(&c.conditions)))
                    .collect(),
                grades: (e.grades.iter())
                    .map(|g| list(std::slice::from_ref(&g.intervention))[0])
                    .collect(),
            })
            .collect();
        Resolved { entries, foreign }
    }

    /// The id of `name`, whether a term or only named by an entry.
    pub fn find(&self, vocabulary: &Vocabulary, name: &str) -> Option<TermId> {
        vocabulary.lookup(name).or_else(|| {
            let k = self.foreign.iter().position(|f| f == name)?;
            Some(TermId::foreign(k))
        })
    }

    /// The id as written.
    pub fn name<'a>(&'a self, vocabulary: &'a Vocabulary, t: TermId) -> &'a str {
        match t.foreign_index() {
            Some(k) => self.foreign.get(k).map_or("", String::as_str),
            None => vocabulary.id(t),
        }
    }

    /// [`Vocabulary::is_a`] on resolved ids.
    pub fn is_a(&self, vocabulary: &Vocabulary, narrow: TermId, broad: TermId) -> bool {
        match (narrow.foreign_index(), broad.foreign_index()) {
            (None, None) => vocabulary.is_a_term(narrow, broad),
            (Some(_), _) => narrow == broad,
            // A term whose `broader` names an undefined id is below it.
            (None, Some(_)) => vocabulary.is_a(vocabulary.id(narrow), self.name(vocabulary, broad)),
        }
    }
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileRole {
    Vocabulary,
    /// Entries; `check_stem` requires a single-entry file's stem to equal its id.
    Entries {
        check_stem: bool,
    },
}

impl Registry {
    /// A registry with no entries and no vocabulary.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// The built-in registry (embedded `rules/registry/`). Parsed and
    /// compiled once per process; later calls clone it.
    pub fn builtin() -> Registry {
        builtin_cell().clone()
    }

    /// The built-in vocabulary without the built-in entries: the starting
    /// point for `--no-builtin-registry`, so that teams' entries can still
    /// use the shared intervention and condition ids.
    pub fn with_builtin_vocabulary() -> Registry {
        let full = builtin_cell();
        let mut r = Registry::empty();
        r.vocabulary = full.vocabulary.clone();
        let used: Vec<usize> = {
            let mut v: Vec<usize> = r.vocabulary.terms().iter().map(|t| t.source).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        // Keep source indices valid: copy the vocabulary files in order and
        // renumber the terms' sources.
        let mut remap = HashMap::new();
        for old in used {
            if let Some(s) = full.sources.get(old) {
                remap.insert(old, r.sources.len());
                r.sources.push(s.clone());
            }
        }
        r.vocabulary.remap_sources(&remap);
        r
    }

    /// All entries in load order (duplicates included; see [`Registry::check`]).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The first entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).and_then(|&i| self.entries.get(i))
    }

    /// Where [`Registry::get`]'s entry sits in [`Registry::entries`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The vocabulary of interventions and conditions.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Every loaded file (also those that failed), for rendering diagnostics.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The source an entry came from.
    pub fn source_of(&self, entry: &Entry) -> Option<&Source> {
        self.sources.get(entry.loc.source)
    }

    /// The entry with this DOI; accepts `https://doi.org/…`, `doi:…`, any case.
    pub fn find_by_doi(&self, doi: &str) -> Option<&Entry> {
        let key = validate::normalize_doi(doi);
        self.entries.iter().find(|e| {
            e.doi
                .as_deref()
                .is_some_and(|d| validate::normalize_doi(d) == key)
        })
    }

    /// The entry with this PMID; accepts `PMID: 123` and leading zeros.
    pub fn find_by_pmid(&self, pmid: &str) -> Option<&Entry> {
        let key = validate::normalize_pmid(pmid);
        self.entries.iter().find(|e| {
            e.pmid
                .as_deref()
                .is_some_and(|d| validate::normalize_pmid(d) == key)
        })
    }

    /// The entry with this PMCID; accepts `pmc123`, `PMCID: PMC123`, `123`.
    pub fn find_by_pmcid(&self, pmcid: &str) -> Option<&Entry> {
        let key = validate::normalize_pmcid(pmcid);
        self.entries.iter().find(|e| {
            e.pmcid
                .as_deref()
                .is_some_and(|d| validate::normalize_pmcid(d) == key)
        })
    }

    /// The entry with this ClinicalTrials.gov number, any case.
    pub fn find_by_nct(&self, nct: &str) -> Option<&Entry> {
        let key = validate::normalize_nct(nct);
        self.entries.iter().find(|e| {
            e.nct
                .as_deref()
                .is_some_and(|d| validate::normalize_nct(d) == key)
        })
    }

    /// The entry listing this URL (scheme, `www.`, fragment and trailing `/`
    /// ignored).
    pub fn find_by_url(&self, url: &str) -> Option<&Entry> {
        let key = validate::normalize_url(url);
        self.entries
            .iter()
            .find(|e| e.url.iter().any(|u| validate::normalize_url(u) == key))
    }

    /// Entries whose id, title or an alias equals `name` after folding
    /// width, case, spaces and punctuation (「Choら（2018）」 = "Choら(2018)").
    pub fn find_by_name(&self, name: &str) -> Vec<&Entry> {
        let key = validate::normalize_name(name);
        if key.is_empty() {
            return Vec::new();
        }
        self.entries
            .iter()
            .filter(|e| {
                validate::normalize_name(&e.id) == key
                    || validate::normalize_name(&e.title) == key
                    || e.aliases.iter().any(|a| validate::normalize_name(a) == key)
            })
            .collect()
    }

    /// Adds the registry at `path`: one YAML file, or a directory of them
    /// (recursively, sorted; names starting with `_` or `.` are skipped,
    /// except `_vocabulary.yaml`, which is loaded first and extends the
    /// vocabulary). Files in a directory must be named after their entry's
    /// id. Entries that load are kept even when others fail; all errors are
    /// returned together.
    pub fn load_path(&mut self, path: &Path) -> Result<(), Vec<RegistryError>> {
        let mut errors = Vec::new();
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => self.load_dir(path, 0, &mut errors),
            Ok(_) => {
                let role = role_for(path, false);
                self.load_file(path, role, &mut errors);
            }
            Err(e) => errors.push(io_error(path, &e)),
        }
        self.reindex();
        into_result(errors)
    }

    /// Adds one file's text. A name whose stem is `_vocabulary` is read as a
    /// vocabulary, anything else as one entry or a list of entries (no file
    /// name check).
    pub fn load_str(&mut self, origin: &str, text: &str) -> Result<(), Vec<RegistryError>> {
        let role = role_for(Path::new(origin), false);
        let errors = self.load_text(origin, text.to_string().into(), role, None);
        self.reindex();
        into_result(errors)
    }

    /// Checks what spans files: duplicate entry and vocabulary ids, `broader`
    /// cycles, and references to undefined vocabulary terms (of the right
    /// kind) or entries. Errors are in load order and point at the later
    /// definition or the referring value.
    pub fn check(&self) -> Vec<RegistryError> {
        let mut out = Vec::new();
        // Parsed only for a file with something to report; looked up per
        // term and entry (a clone each time made checking a large vocabulary
        // quadratic).
        let outlines: Vec<yaml::LazyOutline<'_>> = (self.sources.iter())
            .map(|s| yaml::LazyOutline::new(&s.text))
            .collect();
        let empty = Outline::parse("");
        let outline = |src: usize| outlines.get(src).map_or(&empty, |o| o.get());
        self.check_vocabulary(&outline, &mut out);
        self.check_entries(&outline, &mut out);
        out
    }

    fn locate(
        &self,
        src: usize,
        outline: &Outline,
        path: &[PathSeg<'_>],
    ) -> (String, String, std::ops::Range<usize>) {
        let s = self.sources.get(src);
        let name = s.map_or(String::new(), |s| s.name.clone());
        let text = s.map_or(String::new(), |s| s.text.to_string());
        let range = outline.locate(path).range;
        (name, text, range)
    }

    fn err_at(
        &self,
        code: &'static str,
        src: usize,
        outline: &Outline,
        path: &[PathSeg<'_>],
        message: String,
    ) -> RegistryError {
        let (name, text, range) = self.locate(src, outline, path);
        RegistryError::at(code, &name, &text, range, message)
    }

    fn position_of(&self, src: usize, outline: &Outline, path: &[PathSeg<'_>]) -> String {
        let (name, text, range) = self.locate(src, outline, path);
        let (line, col) = yaml::line_column(&text, range.start);
        format!("{name}:{line}:{col}")
    }

    fn check_vocabulary<'o>(
        &self,
        outline: &impl Fn(usize) -> &'o Outline,
        out: &mut Vec<RegistryError>,
    ) {
        use PathSeg::{Index, Key};
        let mut first: HashMap<&str, &Term> = HashMap::new();
        for t in self.vocabulary.terms() {
            let o = || outline(t.source);
            let base = [Key(t.kind.as_str()), Index(t.index)];
            if let Some(prev) = first.get(t.id.as_str()) {
                let po = outline(prev.source);
                let prev_pos = self.position_of(
                    prev.source,
                    po,
                    &[Key(prev.kind.as_str()), Index(prev.index), Key("id")],
                );
                out.push(self.err_at(
                    error::DUPLICATE_ID,
                    t.source,
                    o(),
                    &[base[0], base[1], Key("id")],
                    format!(
                        "語彙 ID `{}` は既に定義されています（最初の定義: {prev_pos}）",
                        t.id
                    ),
                ));
            } else {
                first.insert(t.id.as_str(), t);
            }
            for (k, b) in t.broader.iter().enumerate() {
                let path = [base[0], base[1], Key("broader"), Index(k)];
                if !self.vocabulary.contains(t.kind, b) {
                    out.push(self.err_at(
                        error::DANGLING_REFERENCE,
                        t.source,
                        o(),
                        &path,
                        self.unknown_term_message(t.kind, b),
                    ));
                } else if self.vocabulary.is_a(b, &t.id) {
                    out.push(self.err_at(
                        error::DANGLING_REFERENCE,
                        t.source,
                        o(),
                        &path,
                        format!("`{}` → `{b}` の broader が循環しています", t.id),
                    ));
                }
            }
        }
    }

    fn unknown_term_message(&self, kind: TermKind, id: &str) -> String {
        let other = match kind {
            TermKind::Intervention => TermKind::Condition,
            TermKind::Condition => TermKind::Intervention,
        };
        if self.vocabulary.contains(other, id) {
            return format!(
                "`{id}` は{}の語彙です。ここには{}（`{}`）の ID が必要です",
                other.label(),
                kind.label(),
                kind.as_str()
            );
        }
        let ids: Vec<&str> = self
            .vocabulary
            .of_kind(kind)
            .map(|t| t.id.as_str())
            .collect();
        let hint = error::suggest(id, &ids)
            .map(|s| format!("`{s}` の誤りではありませんか。"))
            .unwrap_or_default();
        format!(
            "{}の語彙に `{id}` はありません。{hint}語彙は `_vocabulary.yaml` の `{}` に定義します",
            kind.label(),
            kind.as_str()
        )
    }

    fn check_entries<'o>(
        &self,
        outline: &impl Fn(usize) -> &'o Outline,
        out: &mut Vec<RegistryError>,
    ) {
        use PathSeg::{Index, Key};
        let mut first: HashMap<&str, &Entry> = HashMap::new();
        for e in &self.entries {
            let o = || outline(e.loc.source);
            let prefix: Vec<PathSeg<'static>> = e.loc.index.map(Index).into_iter().collect();
            let at = |path: &[PathSeg<'static>]| -> Vec<PathSeg<'static>> {
                let mut v = prefix.clone();
                v.extend_from_slice(path);
                v
            };
            if let Some(prev) = first.get(e.id.as_str()) {
                let po = outline(prev.loc.source);
                let mut pp: Vec<PathSeg<'_>> = prev.loc.index.map(Index).into_iter().collect();
                pp.push(Key("id"));
                let prev_pos = self.position_of(prev.loc.source, po, &pp);
                out.push(self.err_at(
                    error::DUPLICATE_ID,
                    e.loc.source,
                    o(),
                    &at(&[Key("id")]),
                    format!(
                        "ID `{}` は既に定義されています（最初の定義: {prev_pos}）",
                        e.id
                    ),
                ));
            } else {
                first.insert(e.id.as_str(), e);
            }
            let mut term = |kind: TermKind, id: &str, path: &[PathSeg<'static>]| {
                if !self.vocabulary.contains(kind, id) {
                    out.push(self.err_at(
                        error::DANGLING_REFERENCE,
                        e.loc.source,
                        o(),
                        &at(path),
                        self.unknown_term_message(kind, id),
                    ));
                }
            };
            for (i, id) in e.interventions.iter().enumerate() {
                term(
                    TermKind::Intervention,
                    id,
                    &[Key("interventions"), Index(i)],
                );
            }
            for (i, id) in e.conditions.iter().enumerate() {
                term(TermKind::Condition, id, &[Key("conditions"), Index(i)]);
            }
            for (s, sup) in e.supports.iter().enumerate() {
                for (i, id) in sup.interventions.iter().enumerate() {
                    term(
                        TermKind::Intervention,
                        id,
                        &[Key("supports"), Index(s), Key("interventions"), Index(i)],
                    );
                }
                for (i, id) in sup.conditions.iter().enumerate() {
                    term(
                        TermKind::Condition,
                        id,
                        &[Key("supports"), Index(s), Key("conditions"), Index(i)],
                    );
                }
            }
            for (s, c) in e.contradicts.iter().enumerate() {
                for (i, id) in c.interventions.iter().enumerate() {
                    term(
                        TermKind::Intervention,
                        id,
                        &[Key("contradicts"), Index(s), Key("interventions"), Index(i)],
                    );
                }
                for (i, id) in c.conditions.iter().enumerate() {
                    term(
                        TermKind::Condition,
                        id,
                        &[Key("contradicts"), Index(s), Key("conditions"), Index(i)],
                    );
                }
            }
            for (g, grade) in e.grades.iter().enumerate() {
                term(
                    TermKind::Intervention,
                    &grade.intervention,
                    &[Key("grades"), Index(g), Key("intervention")],
                );
            }
            for (i, r) in e.related.iter().enumerate() {
                let path = at(&[Key("related"), Index(i)]);
                if r == &e.id {
                    out.push(self.err_at(
                        error::INCONSISTENT_ENTRY,
                        e.loc.source,
                        o(),
                        &path,
                        format!("`related` に自分自身 `{r}` が含まれています"),
                    ));
                } else if !self.by_id.contains_key(r) {
                    let ids: Vec<&str> = self.entries.iter().map(|x| x.id.as_str()).collect();
                    let hint = error::suggest(r, &ids)
                        .map(|s| format!("`{s}` の誤りではありませんか。"))
                        .unwrap_or_default();
                    out.push(self.err_at(
                        error::DANGLING_REFERENCE,
                        e.loc.source,
                        o(),
                        &path,
                        format!("関連エントリ `{r}` は登録されていません。{hint}"),
                    ));
                }
            }
        }
    }

    /// The entries' vocabulary ids resolved (see [`Resolved`]).
    pub fn resolved(&self) -> &Resolved {
        self.resolved
            .get_or_init(|| Arc::new(Resolved::new(&self.vocabulary, &self.entries)))
    }

    fn reindex(&mut self) {
        self.resolved = OnceLock::new();
        self.by_id.clear();
        for (i, e) in self.entries.iter().enumerate() {
            self.by_id.entry(e.id.clone()).or_insert(i);
        }
    }

    fn load_dir(&mut self, dir: &Path, depth: usize, errors: &mut Vec<RegistryError>) {
        if depth > MAX_DIR_DEPTH {
            return;
        }
        let mut items: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                errors.push(io_error(dir, &e));
                return;
            }
        };
        items.sort();
        // The directory's own vocabulary goes first so its entries can use it.
        items.sort_by_key(|p| !is_vocabulary_file(p));
        for p in items {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                // Symlinked directories are skipped: they could loop.
                if !name.starts_with('.') && !name.starts_with('_') && !p.is_symlink() {
                    self.load_dir(&p, depth + 1, errors);
                }
                continue;
            }
            let yamlish = matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
            if !yamlish
                || name.starts_with('.')
                || (name.starts_with('_') && !is_vocabulary_file(&p))
            {
                continue;
            }
            self.load_file(&p, role_for(&p, true), errors);
        }
    }

    fn load_file(&mut self, path: &Path, role: FileRole, errors: &mut Vec<RegistryError>) {
        let origin = path.display().to_string();
        if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_FILE_BYTES as u64) {
            errors.push(RegistryError {
                code: error::YAML_SYNTAX,
                origin,
                range: 0..0,
                line: 1,
                column: 1,
                message: format!("ファイルが大きすぎます（{MAX_FILE_BYTES} バイトまで）"),
            });
            return;
        }
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => errors.extend(self.load_text(&origin, text.into(), role, None)),
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let err = RegistryError::at(
                        error::YAML_SYNTAX,
                        &origin,
                        &text,
                        valid..valid,
                        format!("UTF-8 として読めないバイトがあります（{valid} バイト目）"),
                    );
                    self.sources.push(Source {
                        name: origin,
                        text: text.into(),
                    });
                    errors.push(err);
                }
            },
            Err(e) => errors.push(io_error(path, &e)),
        }
    }

    /// `embedded`: the path of an embedded file, whose patterns the test
    /// suite checks, so they are not compiled to be checked at every start.
    fn load_text(
        &mut self,
        origin: &str,
        text: std::borrow::Cow<'static, str>,
        role: FileRole,
        embedded: Option<&str>,
    ) -> Vec<RegistryError> {
        let builtin = embedded.is_some();
        let src = self.sources.len();
        self.sources.push(Source {
            name: origin.to_string(),
            text: text.clone(),
        });
        let text: &str = &text;
        let mut errors = Vec::new();
        if text.len() > MAX_FILE_BYTES {
            errors.push(RegistryError::at(
                error::YAML_SYNTAX,
                origin,
                text,
                0..0,
                format!("ファイルが大きすぎます（{MAX_FILE_BYTES} バイトまで）"),
            ));
            return errors;
        }
        if text.trim().is_empty() {
            errors.push(RegistryError::at(
                error::YAML_SYNTAX,
                origin,
                text,
                0..0,
                "ファイルが空です",
            ));
            return errors;
        }
        // The outline (for positions) is parsed only when there is
        // something to point at, or to tell a list of entries from one.
        let outline = yaml::LazyOutline::new(text);
        match role {
            FileRole::Vocabulary => {
                match yaml::from_str_embedded::<VocabularyFile>(embedded, origin, text) {
                    Ok(file) => errors
                        .extend(self.add_vocabulary(file, src, origin, text, &outline, builtin)),
                    Err(e) => errors.push(RegistryError::from_yaml(&e, text)),
                }
            }
            FileRole::Entries { check_stem } => {
                let list = yaml::may_be_sequence(text) && outline.get().root_is_sequence();
                let parsed: Result<Vec<(Option<usize>, Entry)>, _> = if list {
                    yaml::from_str_embedded::<Vec<Entry>>(embedded, origin, text).map(|v| {
                        v.into_iter()
                            .enumerate()
                            .map(|(i, e)| (Some(i), e))
                            .collect()
                    })
                } else {
                    yaml::from_str_embedded::<Entry>(embedded, origin, text)
                        .map(|e| vec![(None, e)])
                };
                match parsed {
                    Ok(list) => {
                        for (index, mut entry) in list {
                            let loc = EntryLocator {
                                origin,
                                text,
                                outline: &outline,
                                index,
                            };
                            validate::check_entry(&entry, &loc, &mut errors);
                            if check_stem && index.is_none() {
                                let stem = Path::new(origin)
                                    .file_stem()
                                    .map(|s| s.to_string_lossy().into_owned())
                                    .unwrap_or_default();
                                if stem != entry.id {
                                    errors.push(loc.error(
                                        error::ID_FILENAME_MISMATCH,
                                        &[PathSeg::Key("id")],
                                        format!("ID `{}` がファイル名 `{stem}` と一致しません。ファイル名を `{}.yaml` にしてください", entry.id, entry.id),
                                    ));
                                }
                            }
                            entry.loc = EntryLoc { source: src, index };
                            self.entries.push(entry);
                        }
                    }
                    Err(e) => errors.push(RegistryError::from_yaml(&e, text)),
                }
            }
        }
        errors
    }

    fn add_vocabulary(
        &mut self,
        file: VocabularyFile,
        src: usize,
        origin: &str,
        text: &str,
        outline: &yaml::LazyOutline<'_>,
        builtin: bool,
    ) -> Vec<RegistryError> {
        use PathSeg::{Index, Key};
        let mut errors = Vec::new();
        for (kind, defs) in [
            (TermKind::Intervention, file.interventions),
            (TermKind::Condition, file.conditions),
        ] {
            for (index, def) in defs.into_iter().enumerate() {
                let at = |path: &[PathSeg<'_>]| {
                    let mut full = vec![Key(kind.as_str()), Index(index)];
                    full.extend_from_slice(path);
                    outline.get().locate(&full).range
                };
                if !validate::is_term_id(&def.id) {
                    errors.push(RegistryError::at(
                        error::MALFORMED_IDENTIFIER,
                        origin,
                        text,
                        at(&[Key("id")]),
                        format!(
                            "語彙 ID `{}` は使えません。英小文字・数字・`-` だけで書いてください",
                            def.id
                        ),
                    ));
                }
                if def.label.trim().is_empty() {
                    errors.push(RegistryError::at(
                        error::SCHEMA,
                        origin,
                        text,
                        at(&[Key("label")]),
                        "`label` が空です",
                    ));
                }
                if def.patterns.is_empty() {
                    errors.push(RegistryError::at(
                        error::INVALID_PATTERN,
                        origin,
                        text,
                        at(&[Key("id")]),
                        format!("語彙 `{}` に `patterns` がありません。本文から見つけるための正規表現を 1 つ以上書いてください", def.id),
                    ));
                }
                let mut patterns = Vec::new();
                for (p, src_pat) in def.patterns.iter().enumerate() {
                    let compiled = if builtin {
                        Ok(vocabulary::builtin_pattern(src_pat))
                    } else {
                        vocabulary::compile_pattern(src_pat)
                    };
                    match compiled {
                        Ok(re) => patterns.push(re),
                        Err(msg) => errors.push(RegistryError::at(
                            error::INVALID_PATTERN,
                            origin,
                            text,
                            at(&[Key("patterns"), Index(p)]),
                            msg,
                        )),
                    }
                }
                // Re-loading an identical term (a team directory that copies
                // the built-in `_vocabulary.yaml`, or `registry check
                // rules/registry`) is not a conflict; a different one is.
                if self.vocabulary.get(&def.id).is_some_and(|t| {
                    t.kind == kind
                        && t.label == def.label
                        && t.broader == def.broader
                        && t.patterns
                            .iter()
                            .map(|r| r.as_str())
                            .eq(def.patterns.iter().map(String::as_str))
                }) {
                    continue;
                }
                self.vocabulary.insert(Term {
                    id: def.id,
                    kind,
                    label: def.label,
                    broader: def.broader,
                    patterns,
                    source: src,
                    index,
                    ordinal: 0,
                });
            }
        }
        errors
    }
}

fn builtin_cell() -> &'static Registry {
    static CELL: OnceLock<Registry> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut r = Registry::empty();
        let mut errors = Vec::new();
        for (path, text) in builtin::FILES {
            let role = role_for(Path::new(path), true);
            let origin = format!("<builtin>/{}", path.trim_start_matches("rules/"));
            errors.extend(r.load_text(&origin, (*text).into(), role, Some(path)));
        }
        r.reindex();
        errors.extend(r.check());
        // The built-ins are covered by tests/registry.rs; a failure here is a
        // bug in the shipped data, not in user input.
        assert!(
            errors.is_empty(),
            "built-in registry is invalid:\n{}",
            render_errors(&r, &errors)
        );
        r
    })
}

/// The `(path, text)` table of embedded registry files, vocabulary first.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::FILES
}

fn is_vocabulary_file(p: &Path) -> bool {
    p.file_stem().is_some_and(|s| s == VOCABULARY_STEM)
        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn role_for(path: &Path, in_dir: bool) -> FileRole {
    if path.file_stem().is_some_and(|s| s == VOCABULARY_STEM) {
        FileRole::Vocabulary
    } else {
        FileRole::Entries { check_stem: in_dir }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> RegistryError {
    RegistryError {
        code: error::IO,
        origin: path.display().to_string(),
        range: 0..0,
        line: 0,
        column: 0,
        message: format!("読み込めません: {e}"),
    }
}

fn into_result(errors: Vec<RegistryError>) -> Result<(), Vec<RegistryError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod embedded_tests {
    use super::*;

    /// Start-up reads the embedded registry from build.rs's JSON; it must be
    /// the same data as the YAML, with no file left to the slow fallback.
    #[test]
    fn embedded_json_matches_the_yaml() {
        for (path, text) in builtin::FILES {
            let agrees = match role_for(Path::new(path), true) {
                FileRole::Vocabulary => yaml::embedded_agrees::<VocabularyFile>(path, text),
                FileRole::Entries { .. } if yaml::may_be_sequence(text) => {
                    yaml::embedded_agrees::<Vec<Entry>>(path, text)
                        .or_else(|_| yaml::embedded_agrees::<Entry>(path, text))
                }
                FileRole::Entries { .. } => yaml::embedded_agrees::<Entry>(path, text),
            };
            agrees.unwrap();
        }
    }
}
