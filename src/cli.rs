//! Command-line arguments (clap derive). No logic lives here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// 日本語の医療広告・健康記事の主張を見つけ、エビデンスと突き合わせるリンター。
#[derive(Debug, Parser)]
#[command(
    name = "exolint",
    version,
    about,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files (the default command; use it for paths named like a subcommand).
    Check(CheckArgs),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation, by code or name.
    Explain {
        /// A rule code (EXL101) or name (efficacy-claim).
        rule: String,
    },
    /// List, show and validate evidence registries.
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Print the effective configuration for PATH (default: the current directory) as YAML.
    Config {
        /// A file or directory (default: the current directory).
        path: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print a pipeline stage for a file (prose, sentences, claims).
    #[command(hide = true)]
    Debug {
        #[arg(value_enum)]
        stage: DebugStage,
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistryAction {
    /// One line per entry.
    List,
    /// Every field of one entry.
    Show { id: String },
    /// Validate the built-in registry, or the given files and directories.
    Check { paths: Vec<PathBuf> },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DebugStage {
    Prose,
    Sentences,
    Claims,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Annotated source snippets (codespan).
    Human,
    /// One JSON object with all diagnostics.
    Json,
    /// `path:line:col: CODE [category/verdict] message`, one per line (errorformat).
    Concise,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// reviewdog diagnostics, one JSON object per line (UTF-8 byte columns).
    #[value(name = "rdjsonl")]
    Rdjsonl,
    /// reviewdog diagnostic result, one JSON object (UTF-8 byte columns).
    #[value(name = "rdjson")]
    Rdjson,
    /// Checkstyle XML (reviewdog, Jenkins Warnings NG).
    Checkstyle,
    /// JUnit XML (GitLab test reports, Jenkins).
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Default, Args)]
pub struct RegistryArgs {
    /// Add evidence entries from a YAML file or directory (repeatable).
    #[arg(long = "registry", value_name = "PATH", global = true)]
    pub registries: Vec<PathBuf>,
    /// Do not load the built-in evidence registry.
    #[arg(long, global = true)]
    pub no_builtin_registry: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files and directories to lint; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the exit code 1 [default: `fail-on` from
    /// the configuration, else error].
    #[arg(long = "fail-on", value_enum, value_name = "LEVEL")]
    pub fail_on_flag: Option<FailOn>,
    /// The effective `--fail-on`: the flag, else the configuration's
    /// `fail-on`, else `error` (resolved by `commands::check`).
    #[arg(skip = FailOn::Error)]
    pub fail_on: FailOn,
    /// Name (and format) for text read from standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Number of files linted in parallel (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Also list claims the evidence supports, at info level.
    #[arg(long)]
    pub show_supported: bool,
    /// Print counts per rule and per category after the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print only the findings: no summary line, no notes.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Encoding of files without a byte-order mark (default: UTF-8, or the
    /// HTML `<meta charset>`): utf-8, utf-16le, utf-16be, shift_jis, euc-jp.
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub encoding: Option<crate::decode::Charset>,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also apply `exclude` to files named on the command line (for
    /// pre-commit, which names every staged file).
    #[arg(long)]
    pub force_exclude: bool,
    /// Report a suppression comment without `-- reason` as an error (EXL931).
    #[arg(long)]
    pub require_reason: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record this run's findings in FILE (JSON, or YAML for .yaml/.yml) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Where configuration comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Use this configuration file for every input instead of the nearest
    /// `.exolint.yaml`.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
}
