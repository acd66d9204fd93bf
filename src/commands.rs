//! Subcommand dispatch for the binary: check, rules, explain, registry, debug.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::cli::{CheckArgs, Cli, Command, DebugStage, ListFormat, RegistryAction, RegistryArgs};
use crate::lint::Linter;
use crate::registry::{self, Registry};
use crate::rules::{Rule, RuleSet};
use crate::run::{self, Engine, EXIT_ERROR, EXIT_OK};
use std::fmt::Write as _;

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let rules = RuleSet::builtin();
    match cli.command {
        None => check(&cli.check, rules),
        Some(Command::Check(args)) => check(&args, rules),
        Some(Command::Rules { format }) => {
            print!("{}", render_rules(&rules, format));
            EXIT_OK
        }
        Some(Command::Explain { rule }) => match rules.find(&rule) {
            Some(r) => {
                print!("{}", explain(r));
                EXIT_OK
            }
            None => {
                eprint!("error: ルール「{rule}」はありません。");
                if let Some(n) = rules.nearest(&rule) {
                    eprint!("もしかして: {n}");
                }
                eprintln!();
                EXIT_ERROR
            }
        },
        Some(Command::Registry { action, registry }) => registry_command(action, &registry),
        Some(Command::Debug { stage, path }) => debug(stage, &path, &rules),
    }
}

fn check(args: &CheckArgs, rules: RuleSet) -> u8 {
    let Some(registry) = load_registry(&args.registry) else {
        return EXIT_ERROR;
    };
    let engine = Engine {
        linter: Linter::new(rules, registry),
        show_supported: args.show_supported,
    };
    run::check(args, &engine)
}

/// The built-in registry (unless dropped) plus `--registry` paths. Errors are
/// printed against their YAML line and column; `None` means the run stops.
fn load_registry(args: &RegistryArgs) -> Option<Registry> {
    let mut registry = if args.no_builtin_registry {
        Registry::with_builtin_vocabulary()
    } else {
        Registry::builtin()
    };
    let mut errors = Vec::new();
    for p in &args.registries {
        if let Err(e) = registry.load_path(p) {
            errors.extend(e);
        }
    }
    errors.extend(registry.check());
    if errors.is_empty() {
        Some(registry)
    } else {
        eprint!("{}", registry::render_errors(&registry, &errors));
        None
    }
}

fn registry_command(action: RegistryAction, args: &RegistryArgs) -> u8 {
    match action {
        RegistryAction::Check { paths } => {
            let mut registry = if paths.is_empty() && !args.no_builtin_registry {
                Registry::builtin()
            } else {
                Registry::with_builtin_vocabulary()
            };
            let mut errors = Vec::new();
            for p in paths.iter().chain(&args.registries) {
                if let Err(e) = registry.load_path(p) {
                    errors.extend(e);
                }
            }
            errors.extend(registry.check());
            if errors.is_empty() {
                println!(
                    "レジストリに問題はありません（{} 件のエントリ）",
                    registry.entries().len()
                );
                EXIT_OK
            } else {
                eprint!("{}", registry::render_errors(&registry, &errors));
                eprintln!("{} 件のエラー", errors.len());
                EXIT_ERROR
            }
        }
        RegistryAction::List => match load_registry(args) {
            Some(r) => {
                print!("{}", registry::render_list(&r));
                EXIT_OK
            }
            None => EXIT_ERROR,
        },
        RegistryAction::Show { id } => match load_registry(args) {
            Some(r) => match registry::render_show(&r, &id) {
                Some(s) => {
                    print!("{s}");
                    EXIT_OK
                }
                None => {
                    eprintln!("error: エントリ「{id}」はレジストリにありません（exolint registry list で一覧）");
                    EXIT_ERROR
                }
            },
            None => EXIT_ERROR,
        },
    }
}

/// `exolint rules`: code, name, category, severity and summary of each rule.
pub fn render_rules(rules: &RuleSet, format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rules
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code(),
                        "name": r.name(),
                        "kind": r.file.kind,
                        "category": r.file.category,
                        "verdict": r.file.verdict,
                        "severity": r.file.severity,
                        "summary": r.file.summary,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
        ListFormat::Human => {
            let width = rules
                .rules
                .iter()
                .map(|r| r.name().len())
                .max()
                .unwrap_or(0);
            let mut s = String::new();
            for r in &rules.rules {
                let group = r
                    .file
                    .category
                    .map(|c| c.as_str().to_string())
                    .or_else(|| r.file.verdict.clone())
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "{}  {:width$}  {:12} {:7}  {}",
                    r.code(),
                    r.name(),
                    group,
                    r.file.severity.as_str(),
                    r.file.summary
                );
            }
            s
        }
    }
}

/// `exolint explain`: the rule's documentation in a fixed order.
pub fn explain(r: &Rule) -> String {
    let f = &r.file;
    let mut s = String::new();
    let _ = writeln!(s, "# {} ({})", f.name, f.code);
    let group = match (&f.category, &f.verdict) {
        (Some(c), _) => format!("カテゴリ: {c}（{}）", c.label()),
        (None, Some(v)) => format!("判定: {v}"),
        _ => String::new(),
    };
    let _ = writeln!(s, "重大度: {}  {group}\n", f.severity);
    let _ = writeln!(s, "{}\n", f.summary);
    let _ = writeln!(s, "## 何を検出するか\n{}\n", f.doc.what.trim());
    let _ = writeln!(s, "## なぜ問題か\n{}\n", f.doc.why.trim());
    let _ = writeln!(s, "## 例\n{}\n", f.doc.example.trim());
    let _ = writeln!(s, "## 代わりに\n{}\n", f.doc.instead.trim());
    let _ = writeln!(s, "## 根拠");
    for reference in &f.doc.references {
        let _ = writeln!(s, "- {reference}");
    }
    if !f.tests.flags.is_empty() {
        let _ = writeln!(s, "\n## 検出される例");
        for e in &f.tests.flags {
            let _ = writeln!(s, "- {e}");
        }
    }
    if !f.tests.allows.is_empty() {
        let _ = writeln!(s, "\n## 検出されない例");
        for e in &f.tests.allows {
            let _ = writeln!(s, "- {e}");
        }
    }
    s
}

fn debug(stage: DebugStage, path: &std::path::Path, rules: &RuleSet) -> u8 {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "error: {}: {}",
                path.display(),
                crate::discover::io_message(&e)
            );
            return EXIT_ERROR;
        }
    };
    let text = match crate::decode::decode(bytes) {
        Ok(d) => d.text,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let format = crate::source::Format::for_explicit(path);
    let prose = crate::markup::extract(&text, format);
    let sentences = crate::segment::split(&prose);
    match stage {
        DebugStage::Prose => {
            for b in &prose.blocks {
                let src = prose.source_range(b.range.clone());
                println!(
                    "{:?}{} {}..{} {:?}",
                    b.kind,
                    if b.quote { " quote" } else { "" },
                    src.start,
                    src.end,
                    &prose.text[b.range.clone()]
                );
            }
        }
        DebugStage::Sentences => {
            for s in &sentences {
                let src = prose.source_range(s.range.clone());
                println!(
                    "{}..{} {:?}",
                    src.start,
                    src.end,
                    &prose.text[s.range.clone()]
                );
            }
        }
        DebugStage::Claims => {
            for c in crate::claims::detect(&prose, &sentences, rules, true) {
                let src = prose.source_range(c.range.clone());
                println!(
                    "{}..{} {} {} {} {:?} {:?}",
                    src.start,
                    src.end,
                    rules.rules[c.rule].code(),
                    c.category,
                    c.modality.as_str(),
                    c.scope,
                    &prose.text[c.range.clone()]
                );
            }
        }
    }
    EXIT_OK
}
