//! One module per verb; each turns its arguments into work and an exit status.

pub mod collect;
pub mod demo;
pub mod evaluate;
pub mod init;
pub mod keygen;
pub mod plan;
pub mod policy;
pub mod report;
pub mod run;
pub mod seal;
pub mod verify;

use crate::cli::Command;
use crate::output::{Exit, Output};

/// Runs a parsed command.
pub fn run(command: Command, out: &Output) -> miette::Result<Exit> {
    match command {
        Command::Init(args) => init::run(&args, out),
        Command::Collect(args) => collect::run(&args, out),
        Command::Plan(cmd) => plan::run(cmd, out),
        Command::Policy(cmd) => policy::run(cmd, out),
        Command::Evaluate(args) => evaluate::run(&args, out),
        Command::Demo(args) => demo::run(&args, out),
        Command::Keygen(args) => keygen::run(&args, out),
        Command::Seal(args) => seal::run(&args, out),
        Command::Verify(args) => verify::run(&args, out),
        Command::Report(args) => report::run(&args, out),
        Command::Run(args) => run::run(&args, out),
    }
}
