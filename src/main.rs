//! The `liuyu` binary: a thin wrapper over [`liuyu::cli`].
#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    liuyu::cli::run(liuyu::cli::Cli::parse())
}
