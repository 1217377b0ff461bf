//! `rto-attainment`: every recovery measured in the audit window — drills
//! that timed recovery and incidents from start to resolution, any severity —
//! within the capability's recovery time objective. An open incident counts,
//! as a breach, once it has been open longer than the objective.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::EvidenceSet;
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct RtoAttainment;

/// Parameters: a contract may hold every capability in scope to one limit.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Judge recoveries against this instead of each capability's RTO.
    max_recovery: Option<Duration>,
}

impl Policy for RtoAttainment {
    fn metadata() -> Metadata {
        Metadata {
            id: "rto-attainment".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Recoveries meet the recovery time objective".into(),
            description: "For each capability, every recovery measured in the audit window — \
                          drills that timed recovery and incidents from start to resolution, of \
                          any severity — took no longer than the capability's RTO (or \
                          `max_recovery`, when a contract sets one limit). An incident still open \
                          longer than the limit counts as a breach. A capability with no measured \
                          recovery, or whose drills or incidents could not all be collected, \
                          fails: attainment cannot be shown."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into(), "incidents".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "max_recovery": judge::duration_schema(
                        "Longest acceptable recovery for every capability in scope, replacing \
                         each capability's own RTO (e.g. \"4h\" for a contract's recovery \
                         commitment)."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: [
                "soc2:A1.3",
                "soc2:CC7.5",
                "iso27001:5.30",
                "iso22301:8.2.2",
                "nist-800-53:CP-10",
                "dora:Art.11",
                "hipaa:164.308(a)(7)(ii)(B)",
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
                let limit = params.max_recovery.unwrap_or(capability.rto);
                judge_capability(&plan, &evidence, capability, limit, request.now)
            })
            .collect())
    }
}

vouch_sdk::export_policy!(RtoAttainment);

/// One measured recovery of a capability.
#[derive(Debug)]
struct Recovery {
    /// What recovered, for messages: `drill restore-2026-01-27` or `INC-2033 (sev1)`.
    what: String,
    /// The evidence reference.
    reference: String,
    seconds: u64,
    /// An incident still open: `seconds` is how long it has been open so far.
    open: bool,
}

/// The capability's recoveries in the window: drills that measured one, and
/// incidents (resolved, or open longer than `limit`).
fn recoveries(
    plan: &Plan,
    evidence: &EvidenceSet,
    capability: &Capability,
    limit: Duration,
    now: DateTime<Utc>,
) -> Vec<Recovery> {
    let counts = |at| judge::counts_in_window(&plan.audit, at, now);
    let drills = judge::drills_of(evidence, &capability.id)
        .filter(|drill| counts(drill.started))
        .filter_map(|drill| {
            Some(Recovery {
                what: format!("drill {}", drill.id),
                reference: judge::drill_ref(drill),
                seconds: drill.recovery_seconds?,
                open: false,
            })
        });
    let incidents = judge::incidents_of(evidence, &capability.id)
        .filter(|incident| counts(incident.started))
        .filter_map(|incident| {
            let seconds = judge::incident_seconds(incident, now);
            let open = incident.resolved.is_none();
            // An open incident says nothing yet until it outlasts the limit.
            (!open || seconds > limit.as_seconds()).then(|| Recovery {
                what: format!(
                    "{} ({})",
                    incident.id,
                    judge::severity_name(incident.severity)
                ),
                reference: judge::incident_ref(incident),
                seconds,
                open,
            })
        });
    drills.chain(incidents).collect()
}

fn judge_capability(
    plan: &Plan,
    evidence: &EvidenceSet,
    capability: &Capability,
    limit: Duration,
    now: DateTime<Utc>,
) -> Finding {
    let id = &capability.id;
    let recoveries = recoveries(plan, evidence, capability, limit, now);
    let gaps = judge::distinct_gaps(evidence, &["drills", "incidents"]);
    let late: Vec<&Recovery> = recoveries
        .iter()
        .filter(|r| r.seconds > limit.as_seconds())
        .collect();
    let limit_text = if limit == capability.rto {
        format!("RTO of {limit}")
    } else {
        format!("limit of {limit} (RTO {})", capability.rto)
    };

    let finding = if !late.is_empty() {
        let list: Vec<String> = late
            .iter()
            .map(|r| {
                let took = Duration::from_seconds(r.seconds);
                if r.open {
                    format!("{} still open after {took}", r.what)
                } else {
                    format!("{} took {took}", r.what)
                }
            })
            .collect();
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: {} of {} recoveries in the window took longer than the {limit_text}: {}",
                late.len(),
                recoveries.len(),
                judge::listed(&list, "; ")
            ),
        )
    } else if !gaps.is_empty() {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: drills or incidents of {} could not be collected, so recoveries may be \
                 missing; collect them again before judging the {limit_text}",
                judge::source_list(&gaps)
            ),
        )
    } else if let Some(worst) = recoveries.iter().max_by_key(|r| r.seconds) {
        Finding::pass(
            id.as_str(),
            format!(
                "{id}: {} within the {limit_text}; longest {}: {}",
                match recoveries.len() {
                    1 => "the one recovery in the window was".to_owned(),
                    n => format!("all {n} recoveries in the window were"),
                },
                worst.what,
                Duration::from_seconds(worst.seconds)
            ),
        )
    } else {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: no recovery measured in the audit window (no drill with \
                 `recovery_seconds`, no incident); run a drill that times recovery to show \
                 the {limit_text}"
            ),
        )
    };

    let references = recoveries
        .iter()
        .map(|r| r.reference.clone())
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)));
    let finding = references.fold(
        finding.with_evidence(judge::capability_ref(id)),
        Finding::with_evidence,
    );
    measurements(&recoveries, limit)
        .into_iter()
        .fold(finding, Finding::with_measurement)
}

/// The share of recoveries within `limit`, how many there were, the longest
/// and the limit itself (share and longest only when there is a recovery).
#[allow(clippy::cast_precision_loss)] // counts and seconds far below 2^53
fn measurements(recoveries: &[Recovery], limit: Duration) -> Vec<Measurement> {
    let within = recoveries
        .iter()
        .filter(|r| r.seconds <= limit.as_seconds())
        .count();
    let mut measurements = Vec::new();
    if let Some(worst) = recoveries.iter().map(|r| r.seconds).max() {
        measurements.push(
            Measurement::new("attainment", within as f64 / recoveries.len() as f64)
                .in_unit("ratio"),
        );
        measurements.push(Measurement::new("recoveries", recoveries.len() as f64).in_unit("count"));
        measurements.push(Measurement::new("worst_recovery", worst as f64).in_unit("seconds"));
    } else {
        measurements.push(Measurement::new("recoveries", 0.0).in_unit("count"));
    }
    measurements.push(Measurement::new("rto", limit.as_seconds() as f64).in_unit("seconds"));
    measurements
}
