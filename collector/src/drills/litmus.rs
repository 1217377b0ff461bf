//! LitmusChaos `ChaosResult` YAML (one or more documents per file). The
//! verdict decides the outcome: `Pass` passes, `Fail` and `Stopped` fail,
//! `Awaited` is a run still going and counts for nothing yet. A result has
//! no start or end time, so `metadata.creationTimestamp` dates it, the last
//! `managedFields` update ends it, and the record says so. The label
//! `vouch/capability` names the capability; other labels are tags.

use std::collections::BTreeMap;

use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, Outcome};

use super::{DrillFile, FileDrills, Parsed, detect, instant};
use crate::problem::Problem;
use crate::time::Day;

const TIMES: &str = "litmus: a ChaosResult has no start or end; `metadata.creationTimestamp` was used as \
                     the start and its last `managedFields` update as the end";

/// The label that names a result's capability.
const CAPABILITY_LABEL: &str = "vouch/capability";

#[derive(Deserialize)]
struct ChaosResult {
    kind: String,
    metadata: Metadata,
    #[serde(default)]
    spec: Spec,
    status: Status,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    creation_timestamp: Option<String>,
    #[serde(default)]
    managed_fields: Vec<ManagedField>,
}

#[derive(Deserialize)]
struct ManagedField {
    time: Option<String>,
}

#[derive(Default, Deserialize)]
struct Spec {
    engine: Option<String>,
    experiment: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    experiment_status: ExperimentStatus,
}

#[derive(Deserialize)]
struct ExperimentStatus {
    verdict: String,
}

/// Reads every `ChaosResult` in a file.
pub fn parse(file: &DrillFile<'_>) -> Result<FileDrills, Problem> {
    let mut drills = Vec::new();
    let mut waiting = Vec::new();
    for document in serde_norway::Deserializer::from_slice(file.bytes) {
        let result = ChaosResult::deserialize(document).map_err(|e| {
            detect::yaml(file.path, &e).help("expected a LitmusChaos `ChaosResult`")
        })?;
        if result.kind != "ChaosResult" {
            return Err(Problem::new(
                file.path,
                format!("`kind: {}` is not a `ChaosResult`", result.kind),
            ));
        }
        let name = match &result.metadata.namespace {
            Some(ns) => format!("{ns}/{}", result.metadata.name),
            None => result.metadata.name.clone(),
        };
        let outcome = match result.status.experiment_status.verdict.as_str() {
            "Pass" => Outcome::Pass,
            "Fail" | "Stopped" => Outcome::Fail,
            "Awaited" => {
                waiting.push(name);
                continue;
            }
            other => {
                return Err(
                    Problem::new(file.path, format!("`{name}` has verdict `{other}`"))
                        .help("expected `Pass`, `Fail`, `Stopped` or `Awaited`"),
                );
            }
        };
        drills.push(drill(file, result, name, outcome)?);
    }
    if drills.is_empty() && !waiting.is_empty() {
        return Ok(FileDrills::Nothing(format!(
            "{} still running (verdict `Awaited`), not counted yet",
            waiting.join(", ")
        )));
    }
    Ok(FileDrills::Drills(drills))
}

fn drill(
    file: &DrillFile<'_>,
    result: ChaosResult,
    name: String,
    outcome: Outcome,
) -> Result<Parsed, Problem> {
    let at = format!("{} `{name}`", file.path);
    let Some(created) = &result.metadata.creation_timestamp else {
        return Err(
            Problem::new(&at, "no `metadata.creationTimestamp` to date the run")
                .help("save the result with `kubectl get chaosresult -o yaml`, which keeps it"),
        );
    };
    let mut assumptions = vec![TIMES.to_owned()];
    let started = instant(
        &at,
        "metadata.creationTimestamp",
        created,
        Day::Start,
        &mut assumptions,
    )?;
    let mut ended = started;
    for field in &result.metadata.managed_fields {
        if let Some(time) = &field.time {
            ended = ended.max(instant(
                &at,
                "managedFields.time",
                time,
                Day::Start,
                &mut assumptions,
            )?);
        }
    }
    let mut labels = result.metadata.labels;
    let capability = labels.remove(CAPABILITY_LABEL);
    let mut tags: Vec<String> = labels.into_values().collect();
    tags.extend(
        result
            .spec
            .experiment
            .iter()
            .chain(result.spec.engine.iter())
            .cloned(),
    );
    Ok(Parsed {
        drill: Drill {
            id: format!("{}#{name}", file.path),
            capability,
            kind: DrillKind::Technical,
            title: result.spec.experiment.unwrap_or(result.metadata.name),
            started,
            ended,
            outcome,
            recovery_seconds: None,
            data_loss_seconds: None,
            integrity_check: None,
            dependency: None,
            assumptions,
            origin: file.origin.clone(),
        },
        tags,
    })
}
