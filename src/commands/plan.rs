//! `vouch plan check`: validate a continuity plan and say exactly what is wrong.

use clap::Subcommand;
use serde_json::json;
use vouch_sdk::plan::load;

use crate::cli::PlanArg;
use crate::output::{Exit, Output};

/// Work with the continuity plan.
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Validate the plan: syntax, unknown keys, references, ranges and globs.
    ///
    /// Every problem is reported at once as `file:line:col` with what was
    /// expected. Exit status 2 when the plan has problems.
    #[command(
        after_help = "Examples:\n  vouch plan check\n  vouch plan check -p examples/acme/vouch.toml --json"
    )]
    Check(PlanArg),
}

/// Runs a `plan` subcommand.
pub fn run(command: PlanCommand, out: &Output) -> miette::Result<Exit> {
    let PlanCommand::Check(plan) = command;
    match load::load(&plan.path) {
        Ok(loaded) => {
            let sources = &loaded.sources;
            let source_count = sources.git.len() + sources.drills.len() + sources.incidents.len();
            let frameworks = loaded.frameworks.enabled.len() + loaded.frameworks.custom.len();
            out.say(format!(
                "plan `{}` is valid: {} capabilities over {} tiers, {} sources, {} frameworks, {} waivers",
                plan.path.display(),
                loaded.capabilities.len(),
                loaded.tiers.len(),
                source_count,
                frameworks,
                loaded.waivers.len(),
            ));
            out.json(&json!({
                "plan": plan.path,
                "valid": true,
                "organisation": loaded.organisation.name,
                "capabilities": loaded.capabilities.len(),
                "tiers": loaded.tiers.len(),
                "sources": source_count,
                "frameworks": frameworks,
                "waivers": loaded.waivers.len(),
            }))?;
            Ok(Exit::Ok)
        }
        Err(error) => {
            out.json(&json!({
                "plan": plan.path,
                "valid": false,
                "errors": error.locations(),
            }))?;
            out.diagnostic(&miette::Report::new(error));
            Ok(Exit::Input)
        }
    }
}
