//! `vouch demo`: materialise the demo organisation, Acme Payments, run the
//! whole flow on it (collect → evaluate → seal → verify --replay → report)
//! as a user would, and show where everything is.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use crate::cli::PlanArg;
use crate::commands::collect::{self, CollectArgs};
use crate::commands::evaluate::{self, EvaluateArgs};
use crate::commands::keygen::{self, KeygenArgs};
use crate::commands::report::{self, ReportArgs};
use crate::commands::seal::{self, SealArgs};
use crate::commands::verify::{self, VerifyArgs};
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

/// Writes the demo organisation, checks its plan, runs the flow on it, and
/// says what is there.
pub fn run(args: &DemoArgs, out: &Output) -> miette::Result<Exit> {
    let dir = &args.out;
    let summary = demo::materialise(dir)?;
    let plan_path = dir.join(summary.plan);
    let plan = vouch_sdk::plan::load::load(&plan_path)?;
    let shown = |p: &str| dir.join(p).display().to_string();
    let now = format!("--now {}", summary.now);
    let next = [
        format!("vouch plan check -p {}", plan_path.display()),
        format!(
            "git -C {} log --graph --oneline",
            shown(summary.runbooks.path)
        ),
        format!("vouch collect -p {} {now}", plan_path.display()),
        format!("vouch evaluate -p {} {now}", plan_path.display()),
        format!(
            "vouch verify {} --key {} --replay",
            shown(BUNDLE),
            shown(PUBLIC_KEY)
        ),
        format!("vouch report {} --format md", shown(BUNDLE)),
        format!(
            "vouch run -p {} --key {} {now}",
            plan_path.display(),
            shown(&format!("{KEY_NAME}.key"))
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
    let flow = flow(dir, &plan_path, summary.now, &out.for_steps())?;
    if flow != Exit::Ok {
        return Ok(flow);
    }
    out.say("");
    out.say(format!(
        "The sealed bundle is `{}` (and `{}.tar`); it verifies with `{}`.",
        shown(BUNDLE),
        shown(BUNDLE),
        shown(PUBLIC_KEY)
    ));
    out.say(format!(
        "Its report is `{}` (sealed inside the bundle too, as `report.html`).",
        shown(REPORT)
    ));
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
        "evidence": dir.join(".vouch/evidence"),
        "assessment": dir.join(".vouch/assessment.json"),
        "bundle": dir.join(BUNDLE),
        "report": dir.join(REPORT),
        "public_key": dir.join(PUBLIC_KEY),
        "next": next,
    }))?;
    Ok(Exit::Ok)
}

/// Where the flow leaves the bundle (the verbs' defaults beside the plan).
const BUNDLE: &str = ".vouch/bundle";
/// The HTML report of the bundle, beside it (its links reach into the bundle).
const REPORT: &str = ".vouch/report.html";
/// The demo's key pair, made fresh on each run: a demo key signs nothing real.
const KEY_NAME: &str = "demo";
const PUBLIC_KEY: &str = "demo.pub";

/// Runs each verb exactly as a user would on the demo, at the demo's `now`;
/// stops at the first step that does not succeed.
fn flow(dir: &Path, plan: &Path, now: &str, out: &Output) -> miette::Result<Exit> {
    let now = now
        .parse()
        .map_err(|e| miette::miette!("the demo's time `{now}` does not parse: {e}"))?;
    let plan = || PlanArg {
        path: plan.to_path_buf(),
    };
    let steps: [&dyn Fn() -> miette::Result<Exit>; 6] = [
        &|| {
            collect::run(
                &CollectArgs {
                    plan: plan(),
                    out: None,
                    now: Some(now),
                    timeout: 30,
                    request_budget: 1000,
                },
                out,
            )
        },
        &|| {
            evaluate::run(
                &EvaluateArgs {
                    plan: plan(),
                    evidence: None,
                    policies: Vec::new(),
                    now: Some(now),
                    out: None,
                },
                out,
            )
        },
        &|| {
            keygen::run(
                &KeygenArgs {
                    out: dir.join(KEY_NAME),
                },
                out,
            )
        },
        &|| {
            seal::run(
                &SealArgs {
                    plan: plan(),
                    evidence: None,
                    assessment: None,
                    policies: Vec::new(),
                    key: dir.join(format!("{KEY_NAME}.key")),
                    out: None,
                    tsa: None,
                },
                out,
            )
        },
        &|| {
            verify::run(
                &VerifyArgs {
                    bundle: dir.join(BUNDLE),
                    key: dir.join(PUBLIC_KEY),
                    replay: true,
                    tsa_cert: None,
                },
                out,
            )
        },
        &|| {
            report::run(
                &ReportArgs {
                    input: dir.join(BUNDLE),
                    format: crate::report::Format::Html,
                    out: Some(dir.join(REPORT)),
                },
                out,
            )
        },
    ];
    for step in steps {
        let exit = step()?;
        if exit != Exit::Ok {
            return Ok(exit);
        }
    }
    Ok(Exit::Ok)
}

fn with_slash(path: &Path) -> String {
    format!("{}/", path.display())
}
