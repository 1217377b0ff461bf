//! `availability`: each capability's availability over the audit window —
//! `100 × (1 − downtime / window)`, downtime the time its sev1/sev2
//! incidents were open — at or above its availability target.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{EvidenceSet, Incident};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct Availability;

/// Parameters: a contract may promise its own target.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The target for every capability in scope, instead of its own.
    target: Option<f64>,
}

impl Policy for Availability {
    fn metadata() -> Metadata {
        Metadata {
            id: "availability".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Availability over the audit window meets the target".into(),
            description: "For each capability with an `availability_target` (or when the \
                          `target` parameter sets one), availability over the audit window is \
                          100 × (1 − downtime / window length), where downtime is the time its \
                          sev1 and sev2 incidents were open within the window (overlapping \
                          incidents counted once; an open incident until the time of the \
                          assessment). It passes at or above the target. A gap in the incident \
                          evidence, or a plan with no incident source, fails: downtime cannot be \
                          measured. Capabilities without a target are not applicable."
                .into(),
            severity: Severity::High,
            evidence: vec!["incidents".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "target": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 100,
                        "description": "Availability every capability in scope must reach over \
                                        the window, in percent (e.g. 99.9), replacing each \
                                        capability's `availability_target`."
                    },
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: ["soc2:A1.2", "iso27001:5.30", "iso27001:8.14"]
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
                let target = params.target.or(capability.availability_target);
                judge_capability(&plan, &evidence, capability, target, request.now)
            })
            .collect())
    }
}

vouch_sdk::export_policy!(Availability);

/// Seconds covered by the union of `spans` (each `[start, end)`).
fn covered_seconds(mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> i64 {
    spans.sort();
    let mut seconds = 0;
    let mut covered_until: Option<DateTime<Utc>> = None;
    for (start, end) in spans {
        let start = covered_until.map_or(start, |until| start.max(until));
        if end > start {
            seconds += (end - start).num_seconds();
            covered_until = Some(end);
        }
    }
    seconds
}

/// A percentage to four places, never rounded up to a target it misses.
fn percent_text(percent: f64, target: f64) -> String {
    let text = format!("{percent:.4}");
    if percent < target && text.parse::<f64>().is_ok_and(|shown| shown >= target) {
        format!("just under {text}")
    } else {
        text
    }
}

#[allow(clippy::cast_precision_loss)] // seconds far below 2^53
fn judge_capability(
    plan: &Plan,
    evidence: &EvidenceSet,
    capability: &Capability,
    target: Option<f64>,
    now: DateTime<Utc>,
) -> Finding {
    let id = &capability.id;
    let reference = judge::capability_ref(id);
    let Some(target) = target else {
        return Finding::not_applicable(
            id.as_str(),
            format!("{id} has no `availability_target` in the plan: no availability to meet"),
        )
        .with_evidence(reference);
    };
    let opens = plan.audit.opens();
    let until = plan.audit.closes().min(now);
    let window = (until - opens).num_seconds();
    let downtime_incidents: Vec<(&Incident, DateTime<Utc>, DateTime<Utc>)> =
        judge::incidents_of(evidence, id)
            .filter(|incident| judge::MAJOR_SEVERITIES.contains(&incident.severity))
            .filter_map(|incident| {
                let start = incident.started.max(opens);
                let end = incident.resolved.unwrap_or(now).min(until);
                (start < end).then_some((incident, start, end))
            })
            .collect();
    let downtime = covered_seconds(
        downtime_incidents
            .iter()
            .map(|(_, start, end)| (*start, *end))
            .collect(),
    );
    let gaps = judge::distinct_gaps(evidence, &["incidents"]);
    let references = downtime_incidents
        .iter()
        .map(|(incident, _, _)| judge::incident_ref(incident))
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)));
    let finding = |finding: Finding| references.fold(finding, Finding::with_evidence);

    if window <= 0 {
        return finding(Finding::error(
            id.as_str(),
            format!("{id}: the audit window has not begun, so there is no availability to judge"),
        ));
    }
    let availability = 100.0 * (1.0 - downtime as f64 / window as f64);
    let incidents: Vec<String> = downtime_incidents
        .iter()
        .map(|(incident, start, end)| {
            format!(
                "{} {}",
                incident.id,
                Duration::from_seconds(u64::try_from((*end - *start).num_seconds()).unwrap_or(0))
            )
        })
        .collect();
    let measured = format!(
        "{}% available over the window ({} of sev1/sev2 downtime{})",
        percent_text(availability, target),
        Duration::from_seconds(u64::try_from(downtime).unwrap_or(0)),
        if incidents.is_empty() {
            String::new()
        } else {
            format!(": {}", judge::listed(&incidents, ", "))
        }
    );
    let verdict = if plan.sources.incidents.is_empty() {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: the plan names no incident source, so downtime cannot be measured; add \
                 `[[sources.incidents]]` to judge the {target}% target"
            ),
        )
    } else if !gaps.is_empty() {
        Finding::fail(
            id.as_str(),
            format!(
                "{id}: incidents of {} could not be collected, so downtime may be missing; \
                 {measured} is unproven against the {target}% target",
                judge::source_list(&gaps)
            ),
        )
    } else if availability >= target {
        Finding::pass(id.as_str(), format!("{id}: {measured}; target {target}%"))
    } else {
        Finding::fail(
            id.as_str(),
            format!("{id}: {measured}; below the target of {target}%"),
        )
    };
    finding(verdict.with_evidence(reference))
        .with_measurement(Measurement::new("availability", availability).in_unit("percent"))
        .with_measurement(Measurement::new("downtime", downtime as f64).in_unit("seconds"))
        .with_measurement(Measurement::new("target", target).in_unit("percent"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn overlapping_downtime_counts_once() {
        let spans = vec![
            (at("2026-01-01T10:30:00Z"), at("2026-01-01T12:00:00Z")),
            (at("2026-01-01T10:00:00Z"), at("2026-01-01T11:00:00Z")),
            (at("2026-01-01T10:15:00Z"), at("2026-01-01T10:45:00Z")),
            (at("2026-01-02T00:00:00Z"), at("2026-01-02T00:10:00Z")),
        ];
        assert_eq!(covered_seconds(spans), 2 * 3_600 + 10 * 60);
        assert_eq!(covered_seconds(Vec::new()), 0);
    }

    #[test]
    fn a_miss_never_reads_as_the_target() {
        assert_eq!(percent_text(99.94197, 99.95), "99.9420");
        assert_eq!(percent_text(99.949_999_7, 99.95), "just under 99.9500");
        assert_eq!(percent_text(99.95, 99.95), "99.9500");
    }
}
