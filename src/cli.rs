//! The command-line grammar (clap derive). Each verb's `--help` carries an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;

/// Vouch proves a platform is ready to survive failure: it collects runbooks,
/// drills and incidents, evaluates them with sandboxed policies against your
/// continuity plan and regulatory controls, and seals a signed evidence bundle.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every verb takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The plan file every verb reads, `./vouch.toml` unless given.
#[derive(Debug, Args)]
pub struct PlanArg {
    /// The continuity plan.
    #[arg(
        short = 'p',
        long = "plan",
        value_name = "PLAN",
        default_value = "vouch.toml"
    )]
    pub path: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter `vouch.toml`.
    #[command(
        after_help = "Example:\n  vouch init ./continuity && vouch plan check -p ./continuity/vouch.toml"
    )]
    Init(commands::init::InitArgs),
    /// Work with the continuity plan.
    #[command(subcommand)]
    Plan(commands::plan::PlanCommand),
    /// Build and work with policies.
    #[command(subcommand)]
    Policy(commands::policy::PolicyCommand),
    /// Collect the plan's evidence into an evidence set directory.
    ///
    /// Reads every source at once: runbook repositories, drill results and
    /// incident tools (files and live APIs). A source that cannot be read
    /// becomes a gap in `gaps.json`; the others still count. Exit status 0
    /// when everything was collected, 1 when the set was written with gaps,
    /// 2 when the plan is invalid or the set cannot be written.
    #[command(
        after_help = "Examples:\n  vouch collect\n  vouch collect -p acme/vouch.toml -o evidence --now 2026-11-01T00:00:00Z"
    )]
    Collect(commands::collect::CollectArgs),
    /// Run the policies on the plan and an evidence set; judge every control.
    ///
    /// Runs every `--policy` component and the plan's `[policies.ID] path`s,
    /// then each custom framework commitment, applies the plan's waivers and
    /// reports each enabled framework's controls as satisfied, not-satisfied,
    /// no-evidence or error. Prints a table (the assessment under `--json`);
    /// `-o` writes the assessment JSON. Exit status 0 when the assessment was
    /// made, 2 on bad input.
    #[command(after_help = "Examples:\n  \
        vouch evaluate --policy target/policies/my-policy.wasm\n  \
        vouch evaluate -p acme/vouch.toml -e acme/.vouch/evidence --now 2026-11-01T00:00:00Z -o assessment.json")]
    Evaluate(commands::evaluate::EvaluateArgs),
    /// Run the whole flow on the bundled demo organisation.
    #[command(after_help = "Example:\n  vouch demo --out ./acme-demo")]
    Demo(commands::demo::DemoArgs),
}
