//! `interim`: parses the command line and runs it (see `lib.rs`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = interim_cli::Cli::parse();
    ExitCode::from(interim_cli::run(cli))
}
