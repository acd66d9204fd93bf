//! The exolint binary: parse arguments, hand over to the library, exit.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use clap::Parser;
use exolint::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(exolint::commands::run(cli))
}
