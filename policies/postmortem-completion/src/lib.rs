//! `postmortem-completion`: every sev1/sev2 incident in the audit window has
//! its postmortem published within its tier's `postmortem_within` of
//! resolution, and every follow-up due by `now` was closed by its due date —
//! the continuity backlog.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{FollowUp, Incident, IncidentSeverity};
use vouch_sdk::judge;
use vouch_sdk::plan::Capability;
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity, Status};

struct PostmortemCompletion;

/// Parameters: a contract may promise a deadline of its own, for some
/// severities only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The deadline for every incident judged, instead of its tier's.
    postmortem_within: Option<Duration>,
    /// The severities judged; sev1 and sev2 when left out.
    severities: Option<Vec<IncidentSeverity>>,
}

impl Policy for PostmortemCompletion {
    fn metadata() -> Metadata {
        Metadata {
            id: "postmortem-completion".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Major incidents get a timely postmortem and their follow-ups get done".into(),
            description: "Every sev1 and sev2 incident (or the `severities` given) that started \
                          in the audit window has its postmortem published within its \
                          capability's tier `postmortem_within` (or the `postmortem_within` \
                          parameter) of resolution, and every follow-up action due by the time \
                          of the assessment was closed by its due date. A postmortem whose \
                          deadline has not come yet, and follow-ups not yet due, do not fail. \
                          Incidents in a tier with no postmortem deadline are not applicable; a \
                          gap in the incident evidence fails its source."
                .into(),
            severity: Severity::Medium,
            evidence: vec!["incidents".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "postmortem_within": judge::duration_schema(
                        "Deadline for publishing the postmortem, counted from resolution, for \
                         every incident judged, replacing the tier's `postmortem_within` \
                         (e.g. \"5d\")."
                    ),
                    "severities": judge::severities_schema(
                        "Severities of the incidents judged; [\"sev1\", \"sev2\"] when left out."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: ["iso27001:5.27", "soc2:CC7.5", "nist-800-53:IR-4"]
                .map(String::from)
                .to_vec(),
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        let params: Params = request.params()?;
        let severities = params
            .severities
            .unwrap_or_else(|| judge::MAJOR_SEVERITIES.to_vec());
        let mut findings = judge::major_incidents(&plan, &evidence, &severities, request.now)
            .map(|(incident, capability)| {
                let within = match params.postmortem_within {
                    Some(within) => Some((within, "the `postmortem_within` parameter".to_owned())),
                    None => judge::tier(&plan, capability)?
                        .postmortem_within
                        .map(|within| (within, capability.tier.clone())),
                };
                Ok(judge_incident(incident, capability, within, request.now))
            })
            .collect::<Result<Vec<_>, String>>()?;
        findings.extend(judge::gap_findings(
            &evidence,
            &["incidents"],
            "its incidents' postmortems and follow-ups cannot be checked",
        ));
        Ok(findings)
    }
}

vouch_sdk::export_policy!(PostmortemCompletion);

/// Whether a follow-up due by `now` was not closed by its due date.
fn overdue(follow_up: &FollowUp, now: DateTime<Utc>) -> bool {
    follow_up
        .due
        .is_some_and(|due| due < now && follow_up.closed.is_none_or(|closed| closed > due))
}

/// What the postmortem says, and whether that fails the incident.
fn postmortem(
    incident: &Incident,
    within: Duration,
    set_by: &str,
    now: DateTime<Utc>,
) -> (bool, String) {
    let allows = format!("{set_by} allows {} days", judge::limit_days_text(within));
    let Some(resolved) = incident.resolved else {
        return (
            false,
            format!("still open, so its postmortem is not due yet ({allows} after resolution)"),
        );
    };
    let delay =
        |at: DateTime<Utc>| judge::days_text(judge::days_between(resolved, at), within.as_days());
    let due_seconds = i64::try_from(within.as_seconds()).unwrap_or(i64::MAX);
    match incident.postmortem {
        Some(published) => (
            (published - resolved).num_seconds() > due_seconds,
            format!(
                "postmortem published {} days after resolution; {allows}",
                delay(published)
            ),
        ),
        None if (now - resolved).num_seconds() <= due_seconds => (
            false,
            format!(
                "no postmortem yet, {} days after resolution; not due yet ({allows})",
                delay(now)
            ),
        ),
        None => (
            true,
            format!(
                "no postmortem published, {} days after resolution; {allows}",
                delay(now)
            ),
        ),
    }
}

#[allow(clippy::cast_precision_loss)] // counts and seconds far below 2^53
fn judge_incident(
    incident: &Incident,
    capability: &Capability,
    within: Option<(Duration, String)>,
    now: DateTime<Utc>,
) -> Finding {
    let about = format!(
        "{} ({}, {})",
        incident.id,
        capability.id,
        judge::severity_name(incident.severity)
    );
    let references = [
        judge::incident_ref(incident),
        judge::capability_ref(&capability.id),
    ];
    let Some((within, set_by)) = within else {
        return references.into_iter().fold(
            Finding::not_applicable(
                incident.id.as_str(),
                format!(
                    "{about}: tier `{}` sets no `postmortem_within`, so no postmortem deadline \
                     applies",
                    capability.tier
                ),
            ),
            Finding::with_evidence,
        );
    };
    let (late, mut message) = postmortem(incident, within, &set_by, now);
    let open = incident
        .follow_ups
        .iter()
        .filter(|f| f.closed.is_none())
        .count();
    let overdue: Vec<&FollowUp> = incident
        .follow_ups
        .iter()
        .filter(|f| overdue(f, now))
        .collect();
    for follow_up in &overdue {
        let due = follow_up
            .due
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default();
        message.push_str(&match follow_up.closed {
            Some(closed) => format!(
                "; follow-up \"{}\" due {due} was closed late, on {}",
                follow_up.title,
                closed.date_naive()
            ),
            None => format!(
                "; follow-up \"{}\" due {due} is still open",
                follow_up.title
            ),
        });
    }
    if overdue.is_empty() && !incident.follow_ups.is_empty() {
        let all = incident.follow_ups.len();
        message.push_str(&if open == 0 {
            format!("; all {all} follow-up(s) closed by their due dates")
        } else {
            format!("; {open} of {all} follow-up(s) open, none past its due date")
        });
    }
    let status = if late || !overdue.is_empty() {
        Status::Fail
    } else {
        Status::Pass
    };
    let finding = references.into_iter().fold(
        Finding::new(incident.id.as_str(), status, format!("{about}: {message}")),
        Finding::with_evidence,
    );
    let finding = match (incident.resolved, incident.postmortem) {
        (Some(resolved), Some(published)) => finding.with_measurement(
            Measurement::new(
                "postmortem_delay",
                (published - resolved).num_seconds() as f64,
            )
            .in_unit("seconds"),
        ),
        _ => finding,
    };
    finding
        .with_measurement(Measurement::new("open_follow_ups", open as f64).in_unit("count"))
        .with_measurement(
            Measurement::new("overdue_follow_ups", overdue.len() as f64).in_unit("count"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follow_up(due: Option<&str>, closed: Option<&str>) -> FollowUp {
        FollowUp {
            title: "Circuit breaker".into(),
            owner: None,
            due: due.map(|d| d.parse().unwrap()),
            closed: closed.map(|c| c.parse().unwrap()),
        }
    }

    #[test]
    fn a_follow_up_is_overdue_once_due_and_not_closed_by_then() {
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let due = Some("2026-05-31T23:59:59Z");
        assert!(overdue(&follow_up(due, None), now));
        assert!(overdue(&follow_up(due, Some("2026-06-01T00:00:00Z")), now));
        assert!(!overdue(&follow_up(due, Some("2026-05-31T23:59:59Z")), now));
        assert!(!overdue(
            &follow_up(Some("2026-11-15T23:59:59Z"), None),
            now
        ));
        assert!(!overdue(&follow_up(None, None), now));
    }
}
