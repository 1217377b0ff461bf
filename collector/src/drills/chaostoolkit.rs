//! Chaos Toolkit journals (chaoslib 1.x). A run passes when it completed, did
//! not deviate, its steady state held before and after, and no rollback
//! failed. Old chaoslib wrote times without a zone: read as UTC, and said so.
//! An experiment can name its capability in a `vouch` extension; otherwise
//! the plan's rules match its tags and title.

use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, Outcome};

use super::{DrillFile, Parsed, instant, ordered};
use crate::problem::{self, Problem};
use crate::time::Day;

#[derive(Deserialize)]
struct Journal {
    experiment: Experiment,
    start: String,
    end: String,
    status: String,
    #[serde(default)]
    deviated: bool,
    #[serde(default)]
    steady_states: SteadyStates,
    #[serde(default)]
    rollbacks: Vec<ActivityRun>,
}

#[derive(Deserialize)]
struct Experiment {
    title: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    extensions: Vec<Extension>,
}

/// `{"name": "vouch", "capability": "...", "kind": "failover"}`.
#[derive(Deserialize)]
struct Extension {
    name: String,
    capability: Option<String>,
    kind: Option<DrillKind>,
}

#[derive(Default, Deserialize)]
struct SteadyStates {
    before: Option<SteadyState>,
    after: Option<SteadyState>,
}

#[derive(Deserialize)]
struct SteadyState {
    steady_state_met: Option<bool>,
}

#[derive(Deserialize)]
struct ActivityRun {
    status: String,
}

/// Reads one journal.
pub fn parse(file: &DrillFile<'_>) -> Result<Parsed, Problem> {
    let journal: Journal = serde_json::from_slice(file.bytes)
        .map_err(|e| problem::json(file.path, &e, "a Chaos Toolkit journal"))?;
    let mut assumptions = Vec::new();
    let started = instant(
        file.path,
        "start",
        &journal.start,
        Day::Start,
        &mut assumptions,
    )?;
    let ended = instant(file.path, "end", &journal.end, Day::Start, &mut assumptions)?;
    ordered(file.path, started, ended)?;
    let held =
        |state: &Option<SteadyState>| state.as_ref().and_then(|s| s.steady_state_met) == Some(true);
    // A run stopped before the method never reaches `after`: that is a failure too.
    let passed = journal.status == "completed"
        && !journal.deviated
        && held(&journal.steady_states.before)
        && held(&journal.steady_states.after)
        && journal.rollbacks.iter().all(|r| r.status != "failed");
    let vouch = journal
        .experiment
        .extensions
        .iter()
        .find(|e| e.name == "vouch");
    Ok(Parsed {
        drill: Drill {
            id: file.path.to_owned(),
            capability: vouch.and_then(|v| v.capability.clone()),
            kind: vouch.and_then(|v| v.kind).unwrap_or(DrillKind::Technical),
            title: journal.experiment.title,
            started,
            ended,
            outcome: if passed { Outcome::Pass } else { Outcome::Fail },
            recovery_seconds: None,
            data_loss_seconds: None,
            integrity_check: None,
            dependency: None,
            assumptions,
            origin: file.origin.clone(),
        },
        tags: journal.experiment.tags,
    })
}
