//! The `vouch` command line: collect continuity evidence, evaluate it with
//! sandboxed policies, and seal it into a verifiable bundle.

mod atomic;
mod cli;
mod commands;
mod demo;
mod library;
mod output;
mod report;

use std::process::ExitCode;

use clap::Parser;

/// See `mimalloc` in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let out = output::Output::new(&cli.global);
    match commands::run(cli.command, &out) {
        Ok(code) => code.into(),
        Err(report) => {
            out.error(&report);
            output::Exit::Input.into()
        }
    }
}
