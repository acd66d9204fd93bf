//! Every rule's own examples, plus meta-tests over the rule files.

use exolint::lint::{check_str, Linter};
use exolint::rules::{Category, RuleKind, RuleSet, BUILTIN_RULES};
use exolint::source::Format;
use std::collections::BTreeSet;

#[test]
fn every_rule_flags_its_flags_and_allows_its_allows() {
    let linter = Linter::builtin();
    let mut failures = Vec::new();
    for rule in &linter.rules.rules {
        if rule.file.kind == RuleKind::Verdict {
            continue;
        }
        for s in &rule.file.tests.flags {
            let a = check_str(s, Format::Text, &linter);
            if !a
                .findings
                .iter()
                .any(|f| Some(f.category) == rule.file.category)
            {
                failures.push(format!("{} should flag: {s}", rule.origin));
            }
        }
        for s in &rule.file.tests.allows {
            let a = check_str(s, Format::Text, &linter);
            if let Some(f) = a
                .findings
                .iter()
                .find(|f| Some(f.category) == rule.file.category)
            {
                let m = &s[f.span.clone()];
                failures.push(format!(
                    "{} should allow: {s}  (matched 「{m}」)",
                    rule.origin
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_verdict_rule_reaches_its_verdict_on_its_flags() {
    let linter = Linter::builtin();
    let mut failures = Vec::new();
    for rule in &linter.rules.rules {
        let Some(verdict) = rule.file.verdict.as_deref() else {
            continue;
        };
        for s in &rule.file.tests.flags {
            let a = check_str(s, Format::Text, &linter);
            if !a.findings.iter().any(|f| f.verdict.as_str() == verdict) {
                let got: Vec<_> = a
                    .findings
                    .iter()
                    .map(|f| format!("{}/{}: {}", f.category, f.verdict.as_str(), f.message))
                    .collect();
                failures.push(format!(
                    "{} should reach {verdict}: {s}\n    got {got:?}",
                    rule.origin
                ));
            }
        }
        for s in &rule.file.tests.allows {
            let a = check_str(s, Format::Text, &linter);
            if let Some(f) = a.findings.iter().find(|f| f.verdict.as_str() == verdict) {
                failures.push(format!(
                    "{} should not reach {verdict}: {s} ({})",
                    rule.origin, f.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn builtin_table_matches_the_rules_directory() {
    let mut on_disk = BTreeSet::new();
    for dir in ["rules/claim", "rules/verdict"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".yaml") && !name.starts_with('_') {
                on_disk.insert(format!("{dir}/{name}"));
            }
        }
    }
    let embedded: BTreeSet<String> = BUILTIN_RULES.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(on_disk, embedded);
}

#[test]
fn rule_metadata_follows_conventions() {
    let rules = RuleSet::builtin();
    let mut categories = BTreeSet::new();
    for rule in &rules.rules {
        let f = &rule.file;
        let stem = rule
            .origin
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".yaml");
        assert_eq!(stem, f.name, "file stem must equal the rule name");
        assert!(
            f.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is not kebab-case",
            f.name
        );
        assert!(f.code.starts_with("EXL") && f.code.len() == 6, "{}", f.code);
        let family = if f.kind == RuleKind::Claim { '1' } else { '3' };
        assert_eq!(
            f.code.chars().nth(3),
            Some(family),
            "{}: code family",
            f.code
        );
        for (what, text) in [
            ("what", &f.doc.what),
            ("why", &f.doc.why),
            ("example", &f.doc.example),
            ("instead", &f.doc.instead),
        ] {
            assert!(!text.trim().is_empty(), "{}: doc.{what} is empty", f.name);
        }
        assert!(!f.doc.references.is_empty(), "{}: no references", f.name);
        assert!(!f.tests.flags.is_empty(), "{}: no flags examples", f.name);
        assert!(!f.tests.allows.is_empty(), "{}: no allows examples", f.name);
        assert!(
            !f.message.ends_with('。'),
            "{}: message ends with 。",
            f.name
        );
        if let Some(c) = f.category {
            categories.insert(c);
        }
    }
    for c in Category::ALL {
        assert!(categories.contains(&c), "no rule for category {c}");
    }
}
