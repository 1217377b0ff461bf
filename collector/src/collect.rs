//! Collecting a whole plan: every source at once on tokio (file parsing on
//! blocking threads, HTTP on the runtime), each into its own share of a
//! staged evidence set. A source that fails becomes gaps; the others finish;
//! the set is moved into place only when every source is done.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;
use vouch_sdk::Plan;
use vouch_sdk::evidence::Gap;
use vouch_sdk::plan::IncidentKind;

use crate::drills;
use crate::git::{self, GitContext, GitEvidence};
use crate::http::HttpConfig;
use crate::http::secret::{Env, process_env};
use crate::incidents::{api, export};
use crate::problem::Problem;
use crate::set::provenance::SourceReport;
use crate::set::{Finished, Kind, SourceInfo, SourceWriter, StageError, Staging};

/// Hears how collection goes; the command line draws progress from it.
pub trait Progress: Send + Sync {
    /// A source started.
    fn started(&self, source: &str, what: &str);
    /// A source has written `records` records so far.
    fn advanced(&self, source: &str, records: u64);
    /// A source is done.
    fn finished(&self, report: &SourceReport);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _: &str, _: &str) {}
    fn advanced(&self, _: &str, _: u64) {}
    fn finished(&self, _: &SourceReport) {}
}

/// Everything collection needs besides the plan.
#[derive(Clone)]
pub struct Options {
    /// The plan file's directory: source paths are relative to it.
    pub plan_dir: PathBuf,
    /// Where the evidence set goes (replaced whole if it is one already).
    pub out: PathBuf,
    /// Where clones of `url` git sources are kept between runs.
    pub cache_dir: PathBuf,
    /// The time recorded as `collected_at` (the library never reads the clock for it).
    pub collected_at: DateTime<Utc>,
    /// HTTP limits for each API source.
    pub http: HttpConfig,
    /// Where `token_env` variables are looked up.
    pub env: Env,
}

impl Options {
    /// Options with default HTTP limits, the process environment, and the
    /// clone cache at `.vouch/cache` beside the plan.
    pub fn new(plan_dir: PathBuf, out: PathBuf, collected_at: DateTime<Utc>) -> Self {
        Self {
            cache_dir: plan_dir.join(".vouch").join("cache"),
            plan_dir,
            out,
            collected_at,
            http: HttpConfig::default(),
            env: process_env(),
        }
    }
}

/// What a collection produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Where the set was written.
    pub out: PathBuf,
    /// Each source's provenance, in plan order.
    pub sources: Vec<SourceReport>,
    /// Every gap, in plan order.
    pub gaps: Vec<Gap>,
}

impl Summary {
    /// Whether every source was collected without a gap.
    pub fn complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// Collects every source of `plan` into the evidence set at `options.out`.
/// Only a failure to write the set is an error; sources fail into gaps.
pub async fn collect(
    plan: Arc<Plan>,
    options: Options,
    progress: Arc<dyn Progress>,
) -> Result<Summary, StageError> {
    let staging = Staging::new(&options.out, options.collected_at)?;
    let mut tasks: Vec<JoinHandle<Result<Finished, StageError>>> = Vec::new();
    let mut index = 0;
    let mut next = |id: &str, section: &'static str, format: String, evidence: Kind| {
        index += 1;
        let writer = staging.source(
            SourceInfo {
                index,
                id,
                section,
                format: &format,
                evidence,
            },
            progress.clone(),
        );
        (writer, progress.clone())
    };
    for (i, source) in plan.sources.git.iter().enumerate() {
        let (mut out, progress) = next(&source.id, "git", "git".to_owned(), Kind::Runbooks);
        let plan = plan.clone();
        let context = GitContext {
            plan_dir: options.plan_dir.clone(),
            cache_dir: options.cache_dir.join("git").join(&source.id),
        };
        tasks.push(tokio::task::spawn_blocking(move || {
            progress.started(out.id(), "git");
            if let Some(source) = plan.sources.git.get(i) {
                match git::collect(source, &plan, &context) {
                    Ok(evidence) => write_git(&mut out, evidence)?,
                    Err(error) => {
                        out.fail(&problem_of(&format!("git source `{}`", source.id), &error))
                    }
                }
            }
            done(out, &*progress)
        }));
    }
    for (i, source) in plan.sources.drills.iter().enumerate() {
        let format = name_of(&source.format);
        let (mut out, progress) = next(&source.id, "drills", format.clone(), Kind::Drills);
        let (plan, dir) = (plan.clone(), options.plan_dir.clone());
        tasks.push(tokio::task::spawn_blocking(move || {
            progress.started(out.id(), &format);
            if let Some(source) = plan.sources.drills.get(i) {
                drills::collect(source, &plan, &dir, &mut out)?;
            }
            done(out, &*progress)
        }));
    }
    for (i, source) in plan.sources.incidents.iter().enumerate() {
        let format = name_of(&source.kind);
        let (mut out, progress) = next(&source.id, "incidents", format.clone(), Kind::Incidents);
        let (plan, options) = (plan.clone(), options.clone());
        if source.kind == IncidentKind::Export {
            tasks.push(tokio::task::spawn_blocking(move || {
                progress.started(out.id(), &format);
                if let Some(source) = plan.sources.incidents.get(i) {
                    export::collect(source, &plan, &options.plan_dir, &mut out)?;
                }
                done(out, &*progress)
            }));
        } else {
            tasks.push(tokio::spawn(async move {
                progress.started(out.id(), &format);
                if let Some(source) = plan.sources.incidents.get(i) {
                    api::collect(source, &plan, &options, &mut out).await?;
                }
                done(out, &*progress)
            }));
        }
    }
    let mut finished = Vec::with_capacity(tasks.len());
    for task in tasks {
        let share = task.await.map_err(|e| StageError::Crashed {
            message: e.to_string(),
        })??;
        finished.push(share);
    }
    let sources: Vec<SourceReport> = finished.iter().map(|f| f.report.clone()).collect();
    let gaps: Vec<Gap> = finished.iter().flat_map(|f| f.gaps.clone()).collect();
    let out = staging.commit(finished)?;
    Ok(Summary { out, sources, gaps })
}

/// Writes what the git collector found: blobs and commits as artifacts,
/// runbook and code records, its gaps, and its notes.
fn write_git(out: &mut SourceWriter, evidence: GitEvidence) -> Result<(), StageError> {
    for artifact in &evidence.artifacts {
        out.put(artifact, None)?;
    }
    for runbook in &evidence.runbooks {
        out.record(runbook)?;
    }
    for change in &evidence.code {
        out.record(change)?;
    }
    for gap in evidence.gaps {
        out.push_gap(gap);
    }
    out.note(format!(
        "collected at commit `{}` (`{}`)",
        evidence.commit, evidence.reference
    ));
    for note in evidence.unmatched {
        out.note(note);
    }
    Ok(())
}

/// A diagnostic from a collector as a problem: its message and its help.
fn problem_of(at: &str, error: &dyn miette::Diagnostic) -> Problem {
    let problem = Problem::new(at, error.to_string());
    match error.help() {
        Some(help) => problem.help(help.to_string()),
        None => problem,
    }
}

fn done(out: SourceWriter, progress: &dyn Progress) -> Result<Finished, StageError> {
    let finished = out.finish()?;
    progress.finished(&finished.report);
    Ok(finished)
}

/// The plan's kebab-case name of a format or tool.
fn name_of(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
