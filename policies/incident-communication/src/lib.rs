//! `incident-communication`: every sev1/sev2 incident in the audit window
//! got its first customer update within its tier's `first_update_within`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{Incident, IncidentSeverity};
use vouch_sdk::judge;
use vouch_sdk::plan::Capability;
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity, Status};

struct IncidentCommunication;

/// Parameters: a contract may promise a deadline of its own, for some
/// severities only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The deadline for every incident judged, instead of its tier's.
    first_update_within: Option<Duration>,
    /// The severities judged; sev1 and sev2 when left out.
    severities: Option<Vec<IncidentSeverity>>,
}

impl Policy for IncidentCommunication {
    fn metadata() -> Metadata {
        Metadata {
            id: "incident-communication".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Customers hear about major incidents within the deadline".into(),
            description: "Every sev1 and sev2 incident (or the `severities` given) that started \
                          in the audit window got its first customer update within its \
                          capability's tier `first_update_within` (or the `first_update_within` \
                          parameter), measured from the incident's start. An incident past its \
                          deadline with no update fails; one whose deadline has not come yet \
                          passes for now. Incidents in a tier with no deadline are not \
                          applicable; a gap in the incident evidence fails its source."
                .into(),
            severity: Severity::Medium,
            evidence: vec!["incidents".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "first_update_within": judge::duration_schema(
                        "Deadline for the first customer update of every incident judged, \
                         replacing the tier's `first_update_within` (e.g. \"60m\" for a \
                         contract's notification commitment)."
                    ),
                    "severities": judge::severities_schema(
                        "Severities of the incidents judged; [\"sev1\", \"sev2\"] when left out."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: [
                "soc2:CC7.4",
                "iso27001:5.25",
                "iso27001:5.26",
                "nist-800-53:IR-4",
                "pci-dss:12.10.1",
                "dora:Art.11",
            ]
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
                let deadline = match params.first_update_within {
                    Some(within) => Some(Deadline {
                        within,
                        set_by: "the `first_update_within` parameter".to_owned(),
                    }),
                    None => judge::tier(&plan, capability)?
                        .first_update_within
                        .map(|within| Deadline {
                            within,
                            set_by: capability.tier.clone(),
                        }),
                };
                Ok(judge_incident(incident, capability, deadline, request.now))
            })
            .collect::<Result<Vec<_>, String>>()?;
        findings.extend(judge::gap_findings(
            &evidence,
            &["incidents"],
            "its incidents cannot be checked for a timely customer update",
        ));
        Ok(findings)
    }
}

vouch_sdk::export_policy!(IncidentCommunication);

/// The deadline an incident is held to, and what set it (for messages).
struct Deadline {
    within: Duration,
    set_by: String,
}

#[allow(clippy::cast_precision_loss)] // seconds far below 2^53
fn judge_incident(
    incident: &Incident,
    capability: &Capability,
    deadline: Option<Deadline>,
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
    let Some(Deadline { within, set_by }) = deadline else {
        return references.into_iter().fold(
            Finding::not_applicable(
                incident.id.as_str(),
                format!(
                    "{about}: tier `{}` sets no `first_update_within`, so no update deadline \
                     applies",
                    capability.tier
                ),
            ),
            Finding::with_evidence,
        );
    };
    let latency = incident
        .first_update
        .map(|update| u64::try_from((update - incident.started).num_seconds()).unwrap_or(0));
    let since_start = u64::try_from((now - incident.started).num_seconds()).unwrap_or(0);
    let finding = match latency {
        Some(latency) => Finding::new(
            incident.id.as_str(),
            if latency <= within.as_seconds() {
                Status::Pass
            } else {
                Status::Fail
            },
            format!(
                "{about}: first customer update after {}; {set_by} allows {within}",
                Duration::from_seconds(latency)
            ),
        ),
        None if since_start <= within.as_seconds() => Finding::pass(
            incident.id.as_str(),
            format!(
                "{about}: no customer update yet, {} after it started; {set_by} allows \
                 {within}, so it is not due yet",
                Duration::from_seconds(since_start)
            ),
        ),
        None => Finding::fail(
            incident.id.as_str(),
            format!("{about}: no customer update recorded; {set_by} requires one within {within}"),
        ),
    };
    let finding = references.into_iter().fold(finding, Finding::with_evidence);
    let finding = match latency {
        Some(latency) => finding.with_measurement(
            Measurement::new("first_update_latency", latency as f64).in_unit("seconds"),
        ),
        None => finding,
    };
    finding.with_measurement(
        Measurement::new("deadline", within.as_seconds() as f64).in_unit("seconds"),
    )
}
