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
    /// Make an Ed25519 key pair for signing bundles.
    ///
    /// Writes NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM, as
    /// openssl reads it). Existing files are never overwritten.
    #[command(after_help = "Example:\n  vouch keygen -o acme-2026")]
    Keygen(commands::keygen::KeygenArgs),
    /// Seal the plan, evidence, assessment and policies into a signed bundle.
    ///
    /// Writes the bundle directory and a deterministic tar beside it
    /// (BUNDLE.tar), atomically: a failed seal leaves nothing behind.
    #[command(
        after_help = "Example:\n  vouch seal -p vouch.toml -e .vouch/evidence -a .vouch/assessment.json \\\n    --policy policies/runbook-freshness.wasm --key acme.key -o acme-bundle"
    )]
    Seal(commands::seal::SealArgs),
    /// Verify a bundle: signature, every digest, no file missing or extra.
    ///
    /// With `--replay`, also re-runs the sealed policies on the sealed
    /// evidence and requires byte-identical findings. Exit status 0 when the
    /// bundle is exactly what the key's owner sealed, 3 when any check fails
    /// (each failure is named), 2 when the bundle or key cannot be read.
    #[command(
        after_help = "Examples:\n  vouch verify acme-bundle.tar --key acme.pub\n  vouch verify acme-bundle.tar --key acme.pub --replay\n  vouch verify acme-bundle --key acme.pub --json"
    )]
    Verify(commands::verify::VerifyArgs),
    /// Run the policies on the plan and an evidence set; judge every control.
    ///
    /// Runs the standard policy library built into vouch, every `--policy`
    /// component and the plan's `[policies.ID] path`s (one with a standard
    /// policy's id replaces it), then each custom framework commitment,
    /// applies the plan's waivers and reports each enabled framework's
    /// controls as satisfied, not-satisfied, no-evidence or error. Writes
    /// the assessment JSON (to `.vouch/assessment.json` beside the plan
    /// unless `-o` says otherwise) and prints a table, or the assessment
    /// under `--json`. Exit status 0
    /// when the assessment was made, 2 on bad input.
    #[command(after_help = "Examples:\n  \
        vouch evaluate --policy target/policies/my-policy.wasm\n  \
        vouch evaluate -p acme/vouch.toml -e acme/.vouch/evidence --now 2026-11-01T00:00:00Z -o assessment.json")]
    Evaluate(commands::evaluate::EvaluateArgs),
    /// Collect, evaluate and seal in one command, then summarise.
    ///
    /// Runs `vouch collect`, `vouch evaluate` (the standard library and the
    /// plan's policies) and `vouch seal` with their defaults beside the plan,
    /// shows progress on a terminal, appends the run's metrics and control
    /// counts to `.vouch/history.sqlite` (the report draws their trend), and
    /// prints control status per framework, the worst findings and the
    /// continuity metrics. A failing stage leaves no new bundle. Exit status
    /// 0; 1 when a `--fail-on` condition holds (the bundle is still written);
    /// 2 on bad input.
    #[command(after_help = "Examples:\n  \
        vouch run --key acme.key\n  \
        vouch run -p acme/vouch.toml --key acme.key --fail-on not-satisfied,error\n  \
        vouch run --key acme.key --json --fail-on gap")]
    Run(commands::run::RunArgs),
    /// Render a bundle or an assessment as a report.
    ///
    /// HTML (default): one self-contained page with the control matrix,
    /// capabilities against RTO/RPO, runbook, drill and incident charts,
    /// findings linked to the evidence files of the bundle, waivers and
    /// metric trends. `md` for a pull request or wiki, `junit` and `sarif`
    /// for CI. Drawn from an assessment file alone, the report leaves out
    /// what needs the plan and evidence. Exit status 0, or 2 when the input
    /// cannot be read.
    #[command(after_help = "Examples:\n  \
        vouch report .vouch/bundle -o report.html\n  \
        vouch report .vouch/bundle.tar --format sarif -o vouch.sarif\n  \
        vouch report .vouch/assessment.json --format md")]
    Report(commands::report::ReportArgs),
    /// Run the whole flow on the bundled demo organisation.
    #[command(after_help = "Example:\n  vouch demo --out ./acme-demo")]
    Demo(commands::demo::DemoArgs),
}
