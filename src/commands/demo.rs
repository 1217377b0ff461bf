//! `vouch demo`: materialise the demo organisation, Acme Payments, and show
//! what to run on it next.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use crate::demo;
use crate::output::{Exit, Output};

/// Arguments of `vouch demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory to write the demo to: created if missing; a previous demo
    /// output is regenerated; any other non-empty directory is refused.
    #[arg(long, value_name = "DIR", default_value = "vouch-demo")]
    pub out: PathBuf,
}

/// Writes the demo organisation, checks its plan, and says what is there.
pub fn run(args: &DemoArgs, out: &Output) -> miette::Result<Exit> {
    let dir = &args.out;
    let summary = demo::materialise(dir)?;
    let plan_path = dir.join(summary.plan);
    let plan = vouch_sdk::plan::load::load(&plan_path)?;
    let shown = |p: &str| dir.join(p).display().to_string();
    let next = [
        format!("vouch plan check -p {}", plan_path.display()),
        format!(
            "git -C {} log --graph --oneline",
            shown(summary.runbooks.path)
        ),
    ];

    let repo = &summary.runbooks;
    out.say(format!(
        "Wrote the {} demo to `{}`:",
        plan.organisation.name,
        dir.display()
    ));
    let rows = [
        (
            shown(summary.plan),
            format!(
                "the continuity plan: {} capabilities in {} tiers",
                plan.capabilities.len(),
                plan.tiers.len()
            ),
        ),
        (
            with_slash(&dir.join(repo.path)),
            format!(
                "git repository, branch `{}` at {}: {} commits ({} merges), {} runbooks",
                repo.branch,
                repo.head.get(..12).unwrap_or(&repo.head),
                repo.commits,
                repo.merges,
                repo.runbooks
            ),
        ),
        (
            with_slash(&dir.join(summary.drills.path)),
            format!(
                "{} Chaos Toolkit journals, {} Vouch drill records",
                summary.drills.chaostoolkit, summary.drills.vouch
            ),
        ),
        (
            shown(summary.incidents.path),
            format!(
                "{} incidents, {} still open",
                summary.incidents.incidents, summary.incidents.open
            ),
        ),
    ];
    let width = rows
        .iter()
        .map(|(p, _)| p.chars().count())
        .max()
        .unwrap_or(0);
    for (path, what) in &rows {
        out.say(format!("  {path:<width$}  {what}"));
    }
    out.say(format!(
        "The data is built to be evaluated at {} (audit window {} to {}).",
        summary.now, plan.audit.start, plan.audit.end
    ));
    out.say("");
    out.say("Next, try:");
    for command in &next {
        out.say(format!("  {command}"));
    }
    let drills = &summary.drills;
    let incidents = &summary.incidents;
    out.json(&json!({
        "out": dir,
        "plan": plan_path,
        "now": summary.now,
        "audit": plan.audit,
        "runbooks": {
            "path": dir.join(repo.path),
            "branch": repo.branch,
            "head": repo.head,
            "commits": repo.commits,
            "merges": repo.merges,
            "runbooks": repo.runbooks,
        },
        "drills": { "path": dir.join(drills.path), "chaostoolkit": drills.chaostoolkit, "vouch": drills.vouch },
        "incidents": { "path": dir.join(incidents.path), "incidents": incidents.incidents, "open": incidents.open },
        "next": next,
    }))?;
    Ok(Exit::Ok)
}

fn with_slash(path: &Path) -> String {
    format!("{}/", path.display())
}
