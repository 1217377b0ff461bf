//! `vouch evaluate`: run the policies on the plan and an evidence set, apply
//! waivers, judge every control and write the assessment.
//!
//! The only clock read is here, at the edge, when `--now` is not given:
//! everything below takes `now` as an input so a run can be repeated exactly.

mod evidence;
mod table;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;
use vouch_engine::controls::Catalogs;
use vouch_engine::{Config, Engine, Policy};
use vouch_sdk::plan::load;
use vouch_sdk::{Assessment, EvidenceSet, Plan};

use crate::cli::PlanArg;
use crate::output::{Exit, Output};

/// Arguments of `vouch evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub plan: PlanArg,
    /// The evidence set directory. Default: `.vouch/evidence` beside the plan file.
    #[arg(short = 'e', long = "evidence", value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// A policy component to run, besides the plan's `[policies.ID] path`s (repeatable).
    #[arg(long = "policy", value_name = "FILE.wasm")]
    pub policies: Vec<PathBuf>,
    /// The time the assessment is as of (RFC 3339); the clock when left out.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Where to write the assessment JSON. Default: `.vouch/assessment.json`
    /// beside the plan file, where `vouch seal` looks for it.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as `2026-11-01T00:00:00Z` ({e})"))
}

/// Why an evaluation could not start or its result could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EvaluateError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Evidence(#[from] evidence::EvidenceError),

    #[error("cannot read policy `{}`", path.display())]
    #[diagnostic(
        code(vouch::evaluate::policy_read),
        help(
            "build a policy with `vouch policy build DIR`; its component lands in `target/policies/`"
        )
    )]
    PolicyRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot load policy `{}`", path.display())]
    #[diagnostic(code(vouch::evaluate::policy_load))]
    PolicyLoad {
        path: PathBuf,
        #[source]
        #[diagnostic_source]
        source: vouch_engine::Error,
    },

    #[error("policy `{}` names an unknown control", path.display())]
    #[diagnostic(code(vouch::evaluate::policy_controls))]
    PolicyControls {
        path: PathBuf,
        #[source]
        #[diagnostic_source]
        source: vouch_engine::controls::ControlError,
    },

    #[error("`{}` is policy `{actual}`, but the plan lists it as `[policies.{expected}]`", path.display())]
    #[diagnostic(
        code(vouch::evaluate::policy_id),
        help("rename the table to `[policies.{actual}]`, or point `path` at the right component")
    )]
    PolicyId {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error("policy `{id}` is given twice: `{}` and `{}`", first.display(), second.display())]
    #[diagnostic(
        code(vouch::evaluate::duplicate_policy),
        help("each policy id may run once; drop one `--policy` or the plan's `path`")
    )]
    DuplicatePolicy {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },

    #[error("cannot write `{}`", path.display())]
    #[diagnostic(code(vouch::evaluate::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Controls(#[from] vouch_engine::controls::ControlError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] vouch_engine::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Assess(#[from] vouch_engine::assess::AssessError),
}

/// Evaluates; exit 0 whatever the controls say (`--fail-on` will gate on them).
pub fn run(args: &EvaluateArgs, out: &Output) -> miette::Result<Exit> {
    let plan = match load::load(&args.plan.path) {
        Ok(plan) => plan,
        Err(error) => {
            out.json(&serde_json::json!({
                "plan": args.plan.path, "valid": false, "errors": error.locations(),
            }))?;
            out.diagnostic(&miette::Report::new(error));
            return Ok(Exit::Input);
        }
    };
    let plan_dir = match args.plan.path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let evidence_dir = args
        .evidence
        .clone()
        .unwrap_or_else(|| plan_dir.join(".vouch").join("evidence"));
    let evidence = evidence::read(&evidence_dir).map_err(EvaluateError::from)?;
    let now = args.now.unwrap_or_else(Utc::now);
    let assessment = assess(&args.plan.path, &plan, &evidence, &args.policies, now, out)?;
    drop(evidence); // a large set is not needed for writing
    for warning in &assessment.warnings {
        if !out.is_quiet() {
            eprintln!("warning: {warning}");
        }
    }
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| plan_dir.join(".vouch").join("assessment.json"));
    write_assessment(&path, &assessment).map_err(|source| EvaluateError::Write {
        path: path.clone(),
        source,
    })?;
    out.json(&assessment)?;
    let catalogs = Catalogs::standard().map_err(EvaluateError::from)?;
    out.say(table::render(&assessment, &plan, &catalogs));
    out.say(format!("\nassessment written to `{}`", path.display()));
    Ok(Exit::Ok)
}

/// Loads the policies to run — the standard library, the plan's
/// `[policies.ID] path`s and `extra_policies` (`--policy`) — and assesses
/// `plan` and `evidence` as of `now`. Paths in the plan are relative to
/// `plan_path`. A user's policy with the id of a standard one replaces it
/// (said at `-v` on `out`). The assessment's warnings include those about
/// configured policies that will not run.
pub fn assess(
    plan_path: &Path,
    plan: &Plan,
    evidence: &EvidenceSet,
    extra_policies: &[PathBuf],
    now: DateTime<Utc>,
    out: &Output,
) -> miette::Result<Assessment> {
    let plan_dir = match plan_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let catalogs = Catalogs::standard().map_err(EvaluateError::from)?;
    // Compiled policies are cached per user: a warm run skips compiling.
    let config = match vouch_engine::default_cache_dir() {
        Some(dir) => Config::default().cache_dir(dir),
        None => Config::default(),
    };
    let engine = Engine::new(&config).map_err(EvaluateError::from)?;
    let (policies, mut warnings) =
        load_policies(&engine, &catalogs, plan, plan_dir, extra_policies, out)?;
    let mut assessment = vouch_engine::assess::evaluate(plan, evidence, &policies, &catalogs, now)
        .map_err(EvaluateError::from)?;
    warnings.append(&mut assessment.warnings);
    assessment.warnings = warnings;
    Ok(assessment)
}

/// Loads the user's policies (`extra` and the plan's `[policies.ID] path`s)
/// and every enabled standard policy no user policy replaces, checking each
/// against the control catalogs. Returns them sorted by id, with warnings
/// about configured policies that will not run.
fn load_policies(
    engine: &Engine,
    catalogs: &Catalogs,
    plan: &Plan,
    plan_dir: &Path,
    extra: &[PathBuf],
    out: &Output,
) -> Result<(Vec<Policy>, Vec<String>), EvaluateError> {
    let mut wanted: Vec<(PathBuf, Option<&str>)> =
        extra.iter().map(|p| (p.clone(), None)).collect();
    wanted.extend(plan.policies.iter().filter_map(|(id, config)| {
        Some((plan_dir.join(config.path.as_ref()?), Some(id.as_str())))
    }));

    let mut loaded: Vec<(Policy, PathBuf)> = Vec::new();
    for (path, expected) in wanted {
        let bytes = std::fs::read(&path).map_err(|source| EvaluateError::PolicyRead {
            path: path.clone(),
            source,
        })?;
        let policy = load(engine, catalogs, &bytes, &path)?;
        let id = policy.metadata().id.clone();
        if let Some(expected) = expected.filter(|e| *e != id) {
            return Err(EvaluateError::PolicyId {
                path,
                expected: expected.to_owned(),
                actual: id,
            });
        }
        if let Some((_, first)) = loaded.iter().find(|(p, _)| p.metadata().id == id) {
            return Err(EvaluateError::DuplicatePolicy {
                id,
                first: first.clone(),
                second: path,
            });
        }
        loaded.push((policy, path));
    }

    let enabled = |id: &str| plan.policies.get(id).is_none_or(|c| c.enabled);
    let mut policies = Vec::new();
    for (id, bytes) in crate::library::all() {
        if let Some((_, path)) = loaded.iter().find(|(p, _)| p.metadata().id == *id) {
            out.detail(format!(
                "policy `{id}`: `{}` replaces the standard library's",
                path.display()
            ));
        } else if enabled(id) {
            let path = PathBuf::from(format!("<standard library>/{id}.wasm"));
            policies.push(load(engine, catalogs, bytes, &path)?);
        }
    }
    let warnings = plan
        .policies
        .iter()
        .filter(|(id, config)| {
            config.enabled
                && !loaded.iter().any(|(p, _)| &p.metadata().id == *id)
                && !crate::library::all().iter().any(|(std_id, _)| std_id == id)
        })
        .map(|(id, _)| {
            format!(
                "`[policies.{id}]` names no `path` and no standard policy has that id; \
                 give its component with `--policy` to run it"
            )
        })
        .collect();
    policies.extend(loaded.into_iter().map(|(p, _)| p));
    policies.sort_by(|a, b| a.metadata().id.cmp(&b.metadata().id));
    Ok((policies, warnings))
}

/// Loads one policy component, `path` naming it in errors, and checks the
/// controls it claims against the catalogs.
fn load(
    engine: &Engine,
    catalogs: &Catalogs,
    bytes: &[u8],
    path: &Path,
) -> Result<Policy, EvaluateError> {
    let policy = engine
        .load(bytes)
        .map_err(|source| EvaluateError::PolicyLoad {
            path: path.to_owned(),
            source,
        })?;
    catalogs
        .check(policy.metadata())
        .map_err(|source| EvaluateError::PolicyControls {
            path: path.to_owned(),
            source,
        })?;
    Ok(policy)
}

/// Writes `assessment` to `path` as pretty JSON, whole or not at all.
pub fn write_assessment(path: &Path, assessment: &Assessment) -> std::io::Result<()> {
    crate::atomic::write_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, assessment)?;
        out.write_all(b"\n")
    })
}
