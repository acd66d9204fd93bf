//! `--statistics`: how many findings each rule and each category produced.

use crate::report::Diagnostic;
use crate::rules::Category;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Findings of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    pub count: usize,
}

/// Findings of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    pub category: Category,
    pub label: &'static str,
    pub count: usize,
}

/// Counts, most frequent first (ties by code or category order) so the
/// output is the same from run to run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub rules: Vec<RuleCount>,
    pub categories: Vec<CategoryCount>,
}

/// Counts gathered file by file, before the files' diagnostics are dropped.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Counts by code, then name: looked up by `&str`, so a rule's strings
    /// are copied once, not for every finding.
    rules: BTreeMap<String, BTreeMap<String, usize>>,
    categories: BTreeMap<Category, usize>,
}

impl Tally {
    pub fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            let f = &d.finding;
            let (code, name): (&str, &str) = (&f.code, &f.name);
            let names = match self.rules.get_mut(code) {
                Some(names) => names,
                None => self.rules.entry(code.to_string()).or_default(),
            };
            match names.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    names.insert(name.to_string(), 1);
                }
            }
            *self.categories.entry(f.category).or_default() += 1;
        }
    }

    pub fn finish(self) -> Statistics {
        let mut rules: Vec<RuleCount> = self
            .rules
            .into_iter()
            .flat_map(|(code, names)| {
                names.into_iter().map(move |(name, count)| RuleCount {
                    code: code.clone(),
                    name,
                    count,
                })
            })
            .collect();
        // Stable sort: equal counts keep the map's code order.
        rules.sort_by_key(|r| Reverse(r.count));
        let mut categories: Vec<CategoryCount> = self
            .categories
            .into_iter()
            .map(|(category, count)| CategoryCount {
                category,
                label: category.label(),
                count,
            })
            .collect();
        categories.sort_by_key(|c| Reverse(c.count));
        Statistics { rules, categories }
    }
}

impl Statistics {
    pub fn of(diagnostics: &[Diagnostic]) -> Statistics {
        let mut t = Tally::default();
        t.add(diagnostics);
        t.finish()
    }

    /// The text block printed after the findings. Counts come first so they
    /// line up whatever the width of the Japanese labels.
    pub fn render(&self) -> String {
        let mut s = String::from("ルール別の件数:\n");
        if self.rules.is_empty() {
            s.push_str("  （なし）\n");
        }
        for r in &self.rules {
            let _ = writeln!(s, "{:>6} 件  {} {}", r.count, r.code, r.name);
        }
        s.push_str("カテゴリ別の件数:\n");
        if self.categories.is_empty() {
            s.push_str("  （なし）\n");
        }
        for c in &self.categories {
            let _ = writeln!(s, "{:>6} 件  {}（{}）", c.count, c.label, c.category);
        }
        s
    }
}
