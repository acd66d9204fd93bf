//! exolint: a claim-to-evidence linter for Japanese medical-marketing copy.
//!
//! The pipeline is a chain of pure stages: decode → markup (prose with an
//! offset map) → sentences → claims → citations → evidence → report. Only the
//! report layer and the binary print.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod citations;
pub mod claims;
pub mod cli;
pub mod commands;
pub mod config;
pub mod decode;
pub mod discover;
pub mod evidence;
pub(crate) mod fx;
pub mod lint;
pub mod markup;
pub mod policy;
pub mod prose;
pub mod registry;
pub mod report;
pub mod rules;
pub mod run;
pub(crate) mod scan;
pub mod segment;
pub mod source;
pub mod suppress;
pub mod yaml;
