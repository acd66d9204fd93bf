//! Subcommand dispatch for the binary: check, rules, explain, registry, debug.

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

use crate::cli::{
    CheckArgs, Cli, Command, ConfigArgs, DebugStage, FailOn, ListFormat, OutputFormat,
    RegistryAction, RegistryArgs,
};
use crate::lint::Linter;
use crate::policy::{self, Policy};
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
        Some(Command::Rules { format }) => emit(&render_rules(&rules, format)),
        Some(Command::Explain { rule }) => match rules.find(&rule) {
            Some(r) => emit(&explain(r)),
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
        Some(Command::Config { path, config }) => {
            config_command(path.as_deref(), &config, &cli.check.registry, rules)
        }
        Some(Command::Debug { stage, path }) => debug(stage, &path, &rules),
    }
}

fn check(args: &CheckArgs, rules: RuleSet) -> u8 {
    let Ok(linter) = Linter::load(rules, || load_registry(&args.registry).ok_or(())) else {
        return EXIT_ERROR;
    };
    let linter = linter.with_notes(args.format == OutputFormat::Human);
    let options = policy::Options {
        config: args.config.config.clone(),
        isolated: args.config.isolated,
        require_reason: args.require_reason,
        force_exclude: args.force_exclude,
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        show_supported: args.show_supported,
        skip_notes: args.format != OutputFormat::Human,
    };
    let policy = match Policy::new(&options, linter.rules.clone(), linter.registry.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{e}");
            return EXIT_ERROR;
        }
    };
    let mut args = args.clone();
    args.fail_on = match args.fail_on_flag {
        Some(f) => f,
        None => match policy.fail_on() {
            Ok(f) => f.map_or(FailOn::Error, fail_on_level),
            Err(e) => {
                eprint!("{e}");
                return EXIT_ERROR;
            }
        },
    };
    let engine = Engine {
        linter,
        show_supported: args.show_supported,
        policy,
    };
    let code = run::check(&args, &engine);
    let (code, message) = engine.policy.finish(code);
    if let Some(m) = message.filter(|_| !args.quiet || code != EXIT_OK) {
        eprint!("{m}");
    }
    // The process ends next: freeing the compiled rules and registry piece
    // by piece would take longer than a small file's lint. Nothing in them
    // holds a file or buffer to flush.
    std::mem::forget(engine);
    code
}

fn fail_on_level(f: crate::config::FailOn) -> FailOn {
    match f {
        crate::config::FailOn::Error => FailOn::Error,
        crate::config::FailOn::Warning => FailOn::Warning,
        crate::config::FailOn::Info => FailOn::Info,
        crate::config::FailOn::Never => FailOn::Never,
    }
}

/// `exolint config [PATH]`: the configuration in force for PATH, as YAML.
fn config_command(
    path: Option<&std::path::Path>,
    args: &ConfigArgs,
    registry: &RegistryArgs,
    rules: RuleSet,
) -> u8 {
    let Some(registry) = load_registry(registry) else {
        return EXIT_ERROR;
    };
    let options = policy::Options {
        config: args.config.clone(),
        isolated: args.isolated,
        ..policy::Options::default()
    };
    let policy = match Policy::new(&options, rules, registry) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{e}");
            return EXIT_ERROR;
        }
    };
    let path = path.unwrap_or(std::path::Path::new("."));
    match policy.describe(path) {
        Ok((settings, abs)) => emit(&settings.config.render_effective(
            &abs,
            &path.display().to_string(),
            policy.rules(),
        )),
        Err(e) => {
            eprint!("{e}");
            EXIT_ERROR
        }
    }
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
                emit(&format!(
                    "レジストリに問題はありません（{} 件のエントリ）\n",
                    registry.entries().len()
                ))
            } else {
                eprint!("{}", registry::render_errors(&registry, &errors));
                eprintln!("{} 件のエラー", errors.len());
                EXIT_ERROR
            }
        }
        RegistryAction::List => match load_registry(args) {
            Some(r) => emit(&registry::render_list(&r)),
            None => EXIT_ERROR,
        },
        RegistryAction::Show { id } => match load_registry(args) {
            Some(r) => match registry::render_show(&r, &id) {
                Some(s) => emit(&s),
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
    let bytes = match crate::decode::read_file(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let format = crate::source::Format::for_explicit(path);
    let options = crate::decode::Options {
        charset: None,
        sniff_meta: format == crate::source::Format::Html,
    };
    let text = match crate::decode::decode_with(bytes, options) {
        Ok(d) => d.text,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let prose = crate::markup::extract(&text, format);
    let sentences = crate::segment::split(&prose);
    let mut out = String::new();
    match stage {
        DebugStage::Prose => {
            for b in &prose.blocks {
                let src = prose.source_range(b.range.clone());
                let _ = writeln!(
                    out,
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
                let _ = writeln!(
                    out,
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
                let _ = writeln!(
                    out,
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
    emit(&out)
}

/// Writes `text` to standard output. A closed pipe (`exolint rules | head`)
/// ends the command quietly; `print!` would panic there.
fn emit(text: &str) -> u8 {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("error: 標準出力に書き込めません（{e}）");
            EXIT_ERROR
        }
    }
}
