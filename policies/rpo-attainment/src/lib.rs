//! `rpo-attainment`: every data loss measured in the audit window — by
//! restore tests and other drills — within the recovery point objective of
//! each capability that holds data.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{Drill, EvidenceSet};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct RpoAttainment;

/// Parameters: a contract may hold every capability in scope to one limit.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Judge data loss against this instead of each capability's RPO.
    max_data_loss: Option<Duration>,
}

impl Policy for RpoAttainment {
    fn metadata() -> Metadata {
        Metadata {
            id: "rpo-attainment".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Measured data loss meets the recovery point objective".into(),
            description: "For each capability that holds data, every data loss measured in the \
                          audit window (`data_loss_seconds` of restore tests and other drills) is \
                          no larger than the capability's RPO (or `max_data_loss`, when a \
                          contract sets one limit). A capability with no measured data loss, or \
                          whose drills could not all be collected, fails: the RPO is unproven. \
                          Capabilities holding no data are not applicable."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "max_data_loss": judge::duration_schema(
                        "Largest acceptable data loss for every capability in scope, replacing \
                         each capability's own RPO (e.g. \"15m\" for a contract's recovery \
                         point commitment)."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: [
                "soc2:A1.2",
                "iso27001:8.13",
                "iso22301:8.2.2",
                "nist-800-53:CP-9",
                "nist-800-53:CP-10",
                "dora:Art.12",
                "hipaa:164.308(a)(7)(ii)(A)",
                "hipaa:164.308(a)(7)(ii)(E)",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        let params: Params = request.params()?;
        Ok(plan
            .capabilities
            .iter()
            .map(|capability| {
                let limit = params.max_data_loss.unwrap_or(capability.rpo);
                judge_capability(&plan, &evidence, capability, limit, request.now)
            })
            .collect())
    }
}

vouch_sdk::export_policy!(RpoAttainment);

/// The capability's drills in the window that measured data loss, with it.
fn losses<'a>(
    plan: &Plan,
    evidence: &'a EvidenceSet,
    capability: &'a Capability,
    now: DateTime<Utc>,
) -> Vec<(&'a Drill, u64)> {
    judge::drills_of(evidence, &capability.id)
        .filter(|drill| judge::counts_in_window(&plan.audit, drill.started, now))
        .filter_map(|drill| Some((drill, drill.data_loss_seconds?)))
        .collect()
}

fn judge_capability(
    plan: &Plan,
    evidence: &EvidenceSet,
    capability: &Capability,
    limit: Duration,
    now: DateTime<Utc>,
) -> Finding {
    let id = &capability.id;
    if !capability.holds_data {
        return Finding::not_applicable(
            id.as_str(),
            format!("{id} holds no data (`holds_data` is not set in the plan): no RPO to meet"),
        )
        .with_evidence(judge::capability_ref(id));
    }
    let losses = losses(plan, evidence, capability, now);
    let gaps = judge::distinct_gaps(evidence, &["drills"]);
    let over: Vec<String> = losses
        .iter()
        .filter(|(_, loss)| *loss > limit.as_seconds())
        .map(|(drill, loss)| format!("drill {} lost {}", drill.id, Duration::from_seconds(*loss)))
        .collect();
    let limit_text = if limit == capability.rpo {
        format!("RPO of {limit}")
    } else {
        format!("limit of {limit} (RPO {})", capability.rpo)
    };

    let finding = if !over.is_empty() {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: {} of {} data-loss measurements in the window exceed the {limit_text}: {}",
                over.len(),
                losses.len(),
                judge::listed(&over, "; ")
            ),
        )
    } else if !gaps.is_empty() {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: drills of {} could not be collected, so measurements may be missing; \
                 collect them again before judging the {limit_text}",
                judge::source_list(&gaps)
            ),
        )
    } else if let Some((worst, loss)) = losses.iter().max_by_key(|(_, loss)| *loss) {
        Finding::pass(
            id.as_str(),
            format!(
                "{id}: {} within the {limit_text}; largest: drill {} lost {}",
                match losses.len() {
                    1 => "the one data-loss measurement in the window is".to_owned(),
                    n => format!("all {n} data-loss measurements in the window are"),
                },
                worst.id,
                Duration::from_seconds(*loss)
            ),
        )
    } else {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: no data loss measured in the audit window (no drill with \
                 `data_loss_seconds`); run a restore test that measures it to show the \
                 {limit_text}"
            ),
        )
    };

    let references = losses
        .iter()
        .map(|(drill, _)| judge::drill_ref(drill))
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)));
    let finding = references.fold(
        finding.with_evidence(judge::capability_ref(id)),
        Finding::with_evidence,
    );
    measurements(&losses, limit)
        .into_iter()
        .fold(finding, Finding::with_measurement)
}

/// The share of measurements within `limit`, how many there were, the
/// largest loss and the limit itself (share and largest only when measured).
#[allow(clippy::cast_precision_loss)] // counts and seconds far below 2^53
fn measurements(losses: &[(&Drill, u64)], limit: Duration) -> Vec<Measurement> {
    let within = losses
        .iter()
        .filter(|(_, loss)| *loss <= limit.as_seconds())
        .count();
    let count = Measurement::new("measurements", losses.len() as f64).in_unit("count");
    let rpo = Measurement::new("rpo", limit.as_seconds() as f64).in_unit("seconds");
    match losses.iter().map(|(_, loss)| *loss).max() {
        Some(worst) => vec![
            Measurement::new("attainment", within as f64 / losses.len() as f64).in_unit("ratio"),
            count,
            Measurement::new("worst_data_loss", worst as f64).in_unit("seconds"),
            rpo,
        ],
        None => vec![count, rpo],
    }
}
