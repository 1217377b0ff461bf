//! `vouch run`: collect → evaluate → seal in one command, with progress on a
//! terminal, then a summary a person reads in ten seconds, the run appended
//! to the history beside the evidence, and `--fail-on` for CI gating.

mod summary;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest as _, Sha256};
use vouch_sdk::plan::load;

use crate::cli::{GlobalArgs, PlanArg};
use crate::commands::collect::{self, CollectArgs};
use crate::commands::evaluate;
use crate::commands::seal::{self, SealArgs};
use crate::output::{Exit, Output};
use crate::report::Input;
use crate::report::history::{self, Store};

/// Arguments of `vouch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub plan: PlanArg,
    /// The private signing key (`vouch keygen` writes one).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The bundle directory; the archive is written beside it as BUNDLE.tar
    /// [default: .vouch/bundle beside the plan].
    #[arg(short = 'o', long = "out", value_name = "BUNDLE")]
    pub out: Option<PathBuf>,
    /// The time the run is as of (RFC 3339); the clock when left out.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
    /// Exit 1 when the condition holds: `not-satisfied` (any control is not
    /// satisfied), `error` (any control is in error), `gap` (some evidence
    /// could not be collected). Repeat or separate with commas.
    #[arg(
        long = "fail-on",
        value_enum,
        value_delimiter = ',',
        value_name = "CONDITION"
    )]
    pub fail_on: Vec<FailOn>,
    /// An RFC 3161 time-stamp authority to stamp the bundle's signature with
    /// trusted time, as `vouch seal --tsa`.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
}

/// A condition `--fail-on` gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any control of any framework is `not-satisfied`.
    NotSatisfied,
    /// Any control of any framework is `error`.
    Error,
    /// The evidence set has gaps (`gaps.json` is not empty).
    Gap,
}

/// Runs the whole flow; exit 1 when a `--fail-on` condition holds.
pub fn run(args: &RunArgs, out: &Output) -> miette::Result<Exit> {
    let plan = load::load(&args.plan.path)?;
    // Refused up front: a bad key should not cost a whole collection.
    vouch_evidence::keys::read_signing_key(&args.key)?;
    let work = args
        .plan
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(".vouch");
    let evidence_dir = work.join("evidence");
    let bundle = args.out.clone().unwrap_or_else(|| work.join("bundle"));
    let now = args.now.unwrap_or_else(Utc::now);
    let steps = Output::new(&GlobalArgs {
        json: false,
        quiet: true,
        verbose: false,
    });
    let plan_arg = || PlanArg {
        path: args.plan.path.clone(),
    };
    let progress = Stages::new(out);

    progress.stage("collecting evidence");
    let collected = collect::run(
        &CollectArgs {
            plan: plan_arg(),
            out: Some(evidence_dir.clone()),
            now: Some(now),
            timeout: 30,
            request_budget: 1000,
        },
        &steps,
    )?;
    if collected == Exit::Input {
        return Ok(Exit::Input);
    }
    let evidence = vouch_collector::set::read(&evidence_dir)?;
    let gaps = evidence.gaps.len();

    progress.stage("evaluating policies");
    let assessment = evaluate::assess(&args.plan.path, &plan, &evidence, &[], now, &steps)?;
    // Each stage reads what it needs from disk: holding a large evidence set
    // and assessment through sealing would double the peak.
    drop(evidence);
    let assessment_path = work.join("assessment.json");
    evaluate::write_assessment(&assessment_path, &assessment).map_err(|source| {
        RunError::Write {
            path: assessment_path.clone(),
            source,
        }
    })?;
    drop(assessment);

    progress.stage("sealing the bundle");
    let sealed = seal::run(
        &SealArgs {
            plan: plan_arg(),
            evidence: Some(evidence_dir.clone()),
            assessment: Some(assessment_path),
            policies: Vec::new(),
            key: args.key.clone(),
            out: Some(bundle.clone()),
            tsa: args.tsa.clone(),
        },
        &steps,
    )?;
    if sealed != Exit::Ok {
        return Ok(sealed);
    }
    let envelope = bundle.join(vouch_evidence::layout::ENVELOPE);
    let digest = std::fs::read(&envelope)
        .map(|bytes| format!("{:x}", Sha256::digest(bytes)))
        .map_err(|source| RunError::ReadBack {
            path: envelope,
            source,
        })?;
    let input = Input::read(&bundle)?;
    Store::open(&Store::path_for(&evidence_dir))?
        .append(&history::Run::of(&input.assessment, Some(digest)))?;
    drop(progress);

    let totals = history::Counts::of(&input.assessment.controls);
    let failed: Vec<(FailOn, usize)> = args
        .fail_on
        .iter()
        .map(|condition| match condition {
            FailOn::NotSatisfied => (*condition, totals.not_satisfied),
            FailOn::Error => (*condition, totals.error),
            FailOn::Gap => (*condition, gaps),
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    for warning in &input.assessment.warnings {
        if !out.json && !out.is_quiet() {
            eprintln!("warning: {warning}");
        }
    }
    summary::print(&input, &bundle, gaps, &failed, out)?;
    Ok(if failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Failing
    })
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    #[diagnostic(
        code(vouch::run::write),
        help("check the directory beside the plan is writable and has space")
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The sealed bundle's statement could not be read back for its digest.
    #[error("cannot read back `{}` from the bundle just sealed", path.display())]
    #[diagnostic(
        code(vouch::run::read_back),
        help(
            "the bundle was sealed but the run is not in the history; check nothing removed it, then run again"
        )
    )]
    ReadBack {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// One spinner naming the stage, on a terminal only and never under `--json` or `-q`.
struct Stages(Option<ProgressBar>);

impl Stages {
    fn new(out: &Output) -> Self {
        if !std::io::stderr().is_terminal() || out.json || out.is_quiet() {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    fn stage(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(what.to_owned());
        }
    }
}

impl Drop for Stages {
    /// Clears the spinner however the run ends, so an error prints on a clean line.
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
