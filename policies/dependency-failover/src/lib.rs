//! `dependency-failover`: for every capability whose tier sets a failover
//! cadence, each capability it depends on was failed over in a drill that
//! passed while the capability carried traffic, within the cadence.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, EvidenceSet, Outcome};
use vouch_sdk::judge;
use vouch_sdk::plan::Capability;
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct DependencyFailover;

/// Parameters: a contract may require failover drills more often than the tiers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The cadence for every capability in scope, instead of its tier's.
    failover_drill_every: Option<Duration>,
}

impl Policy for DependencyFailover {
    fn metadata() -> Metadata {
        Metadata {
            id: "dependency-failover".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Every dependency has a passing failover drill within cadence".into(),
            description: "For each capability whose tier sets `failover_drill_every` (or when \
                          the `failover_drill_every` parameter is given), every capability it \
                          depends on was failed over in a drill that passed while the capability \
                          carried traffic (a `failover` record naming both), within the cadence, \
                          looking back from the time of the assessment. A failed drill does not \
                          count. Capabilities with no dependencies, or in a tier with no failover \
                          cadence, are not applicable."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "failover_drill_every": judge::duration_schema(
                        "How often each dependency of every capability in scope must pass a \
                         failover drill, replacing the tier's `failover_drill_every` \
                         (e.g. \"180d\")."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: [
                "soc2:A1.3",
                "soc2:CC9.1",
                "iso27001:5.30",
                "iso27001:8.14",
                "iso22301:8.5",
                "nist-800-53:CP-4",
                "dora:Art.25",
                "hipaa:164.308(a)(7)(ii)(C)",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        let params: Params = request.params()?;
        plan.capabilities
            .iter()
            .map(|capability| {
                let every = match params.failover_drill_every {
                    Some(every) => Some(every),
                    None => judge::tier(&plan, capability)?.failover_drill_every,
                };
                Ok(judge_capability(&evidence, capability, every, request.now))
            })
            .collect()
    }
}

vouch_sdk::export_policy!(DependencyFailover);

/// The failover drills of one dependency: the last that passed, and the
/// failed attempts after it.
struct Failovers<'a> {
    dependency: &'a str,
    passed: Option<&'a Drill>,
    failed_since: Vec<&'a Drill>,
}

impl<'a> Failovers<'a> {
    fn of(
        evidence: &'a EvidenceSet,
        capability: &'a Capability,
        dependency: &'a str,
        now: DateTime<Utc>,
    ) -> Self {
        let drills: Vec<&Drill> = judge::drills_of(evidence, &capability.id)
            .filter(|d| {
                d.kind == DrillKind::Failover && d.dependency.as_deref() == Some(dependency)
            })
            .filter(|d| d.started <= now)
            .collect();
        let passed = judge::latest(
            drills
                .iter()
                .copied()
                .filter(|d| d.outcome == Outcome::Pass),
            now,
        );
        let failed_since = drills
            .into_iter()
            .filter(|d| d.outcome == Outcome::Fail && passed.is_none_or(|p| d.started > p.started))
            .collect();
        Self {
            dependency,
            passed,
            failed_since,
        }
    }

    fn within(&self, every: Duration, now: DateTime<Utc>) -> bool {
        self.passed
            .is_some_and(|d| judge::within_cadence(d.started, now, every))
    }

    /// What the drills say, for messages: `identity (failover-x on 2026-09-09
    /// failed; last passed 262.0 days ago)`.
    fn describe(&self, every: Duration, now: DateTime<Utc>) -> String {
        let mut parts: Vec<String> = self
            .failed_since
            .iter()
            .map(|d| format!("{} on {} failed", d.id, d.started.date_naive()))
            .collect();
        parts.push(match self.passed {
            Some(d) => format!(
                "{} passed {} days ago",
                d.id,
                judge::days_text(judge::days_between(d.started, now), every.as_days())
            ),
            None => "never passed".to_owned(),
        });
        format!("{} ({})", self.dependency, parts.join("; "))
    }

    fn references(&self) -> impl Iterator<Item = String> {
        self.passed
            .into_iter()
            .chain(self.failed_since.iter().copied())
            .map(judge::drill_ref)
    }
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^53
fn judge_capability(
    evidence: &EvidenceSet,
    capability: &Capability,
    every: Option<Duration>,
    now: DateTime<Utc>,
) -> Finding {
    let id = &capability.id;
    let reference = judge::capability_ref(id);
    let Some(every) = every else {
        return Finding::not_applicable(
            id.as_str(),
            format!(
                "{id}: tier `{}` sets no `failover_drill_every`, so no failover drill is required",
                capability.tier
            ),
        )
        .with_evidence(reference);
    };
    if capability.depends_on.is_empty() {
        return Finding::not_applicable(
            id.as_str(),
            format!("{id} depends on no other capability in the plan: nothing to fail over"),
        )
        .with_evidence(reference);
    }
    let failovers: Vec<Failovers> = capability
        .depends_on
        .iter()
        .map(|dependency| Failovers::of(evidence, capability, dependency, now))
        .collect();
    let (met, missed): (Vec<&Failovers>, Vec<&Failovers>) =
        failovers.iter().partition(|f| f.within(every, now));
    let limit = format!("{} days", judge::limit_days_text(every));
    let gaps = judge::distinct_gaps(evidence, &["drills"]);
    let list = |of: &[&Failovers]| -> String {
        of.iter()
            .map(|f| f.describe(every, now))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let finding = if missed.is_empty() {
        Finding::pass(
            id.as_str(),
            format!(
                "{id}: every dependency passed a failover drill within {limit}: {}",
                list(&met)
            ),
        )
    } else {
        let gap_note = if gaps.is_empty() {
            String::new()
        } else {
            format!(
                "; drills of {} could not be collected",
                judge::source_list(&gaps)
            )
        };
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: {} of {} dependencies without a passing failover drill within {limit}: \
                 {}{gap_note}",
                missed.len(),
                failovers.len(),
                list(&missed)
            ),
        )
    };

    let references = failovers
        .iter()
        .flat_map(Failovers::references)
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)));
    references
        .fold(finding.with_evidence(reference), Finding::with_evidence)
        .with_measurement(Measurement::new("dependencies", failovers.len() as f64).in_unit("count"))
        .with_measurement(
            Measurement::new("failing_dependencies", missed.len() as f64).in_unit("count"),
        )
}
