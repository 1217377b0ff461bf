//! `restore-validation`: every capability that holds data passed a restore
//! test whose restored data passed an integrity check, within its tier's
//! `restore_test_every`, looking back from `now`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, EvidenceSet, Outcome};
use vouch_sdk::judge;
use vouch_sdk::plan::Capability;
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct RestoreValidation;

/// Parameters: a contract may require restore tests more often than the tiers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The cadence for every capability in scope, instead of its tier's.
    restore_test_every: Option<Duration>,
}

impl Policy for RestoreValidation {
    fn metadata() -> Metadata {
        Metadata {
            id: "restore-validation".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Backups are proven restorable with an integrity check".into(),
            description: "Every capability that holds data passed a restore test whose restored \
                          data passed an integrity check, within its tier's `restore_test_every` \
                          (or the `restore_test_every` parameter), looking back from the time of \
                          the assessment. A restore that failed, or passed without checking the \
                          data, does not count. Capabilities holding no data, or in a tier with \
                          no restore cadence, are not applicable."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "restore_test_every": judge::duration_schema(
                        "How often every capability in scope must pass a validated restore \
                         test, replacing its tier's `restore_test_every` (e.g. \"90d\")."
                    ),
                },
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: [
                "soc2:A1.2",
                "soc2:A1.3",
                "iso27001:8.13",
                "nist-800-53:CP-9",
                "dora:Art.12",
                "hipaa:164.308(a)(7)(ii)(A)",
                "hipaa:164.308(a)(7)(ii)(D)",
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
                let every = match params.restore_test_every {
                    Some(every) => Some(every),
                    None => judge::tier(&plan, capability)?.restore_test_every,
                };
                Ok(judge_capability(&evidence, capability, every, request.now))
            })
            .collect()
    }
}

vouch_sdk::export_policy!(RestoreValidation);

/// Whether a restore test proves the data restorable: it passed and the
/// restored data passed its integrity check.
fn validated(drill: &Drill) -> bool {
    drill.outcome == Outcome::Pass && drill.integrity_check == Some(true)
}

/// Why a restore test does not count, for messages.
fn shortfall(drill: &Drill) -> &'static str {
    match (drill.outcome, drill.integrity_check) {
        (_, Some(false)) => "failed its integrity check",
        (Outcome::Fail, _) => "failed",
        (Outcome::Pass, _) => "passed without an integrity check",
    }
}

fn judge_capability(
    evidence: &EvidenceSet,
    capability: &Capability,
    every: Option<Duration>,
    now: DateTime<Utc>,
) -> Finding {
    let id = &capability.id;
    let reference = judge::capability_ref(id);
    if !capability.holds_data {
        return Finding::not_applicable(
            id.as_str(),
            format!("{id} holds no data (`holds_data` is not set in the plan): nothing to restore"),
        )
        .with_evidence(reference);
    }
    let Some(every) = every else {
        return Finding::not_applicable(
            id.as_str(),
            format!(
                "{id}: tier `{}` sets no `restore_test_every`, so no restore test is required",
                capability.tier
            ),
        )
        .with_evidence(reference);
    };
    let restores: Vec<&Drill> = judge::drills_of(evidence, id)
        .filter(|drill| drill.kind == DrillKind::Restore && drill.started <= now)
        .collect();
    let latest = judge::latest(restores.iter().copied().filter(|d| validated(d)), now);
    // Attempts after the last validated restore explain why it is the last.
    let since: Vec<&Drill> = restores
        .iter()
        .copied()
        .filter(|d| !validated(d) && latest.is_none_or(|l| d.started > l.started))
        .collect();
    let limit = format!("{} days", judge::limit_days_text(every));
    let gaps = judge::distinct_gaps(evidence, &["drills"]);

    let finding = match latest {
        Some(drill) if judge::within_cadence(drill.started, now, every) => Finding::pass(
            id.as_str(),
            format!(
                "{id}: restore test {} on {} passed its integrity check {} days ago, within {limit}",
                drill.id,
                drill.started.date_naive(),
                judge::days_text(judge::days_between(drill.started, now), every.as_days())
            ),
        ),
        _ => {
            let last = match latest {
                Some(drill) => format!(
                    "the last validated restore test, {} on {}, was {} days ago",
                    drill.id,
                    drill.started.date_naive(),
                    judge::days_text(judge::days_between(drill.started, now), every.as_days())
                ),
                None => "no restore test ever passed an integrity check".to_owned(),
            };
            let attempts: Vec<String> = since
                .iter()
                .map(|d| format!("{} on {} {}", d.id, d.started.date_naive(), shortfall(d)))
                .collect();
            let attempts = if attempts.is_empty() {
                String::new()
            } else {
                let label = if latest.is_some() {
                    "since then"
                } else {
                    "tried"
                };
                format!(" ({label}: {})", attempts.join("; "))
            };
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
                    "{id}: {last}{attempts}{gap_note}; a restore with a passed integrity check is \
                     required every {limit}"
                ),
            )
        }
    };

    let references = latest
        .into_iter()
        .chain(since)
        .map(judge::drill_ref)
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)));
    let finding = references.fold(finding.with_evidence(reference), Finding::with_evidence);
    match latest {
        Some(drill) => finding.with_measurement(
            Measurement::new(
                "days_since_restore_test",
                judge::days_between(drill.started, now),
            )
            .in_unit("days"),
        ),
        None => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restore(outcome: &str, integrity: Option<bool>) -> Drill {
        serde_json::from_value(serde_json::json!({
            "id": "restore", "capability": "ledger", "kind": "restore",
            "started": "2026-04-15T07:00:00Z", "ended": "2026-04-15T09:00:00Z",
            "outcome": outcome, "recovery_seconds": null, "data_loss_seconds": null,
            "integrity_check": integrity,
            "origin": { "source": "drills", "artifact": "r.json", "sha256": "00" }
        }))
        .unwrap()
    }

    #[test]
    fn only_a_passed_restore_with_a_passed_integrity_check_counts() {
        assert!(validated(&restore("pass", Some(true))));
        for (outcome, integrity, why) in [
            ("pass", None, "passed without an integrity check"),
            ("pass", Some(false), "failed its integrity check"),
            ("fail", Some(false), "failed its integrity check"),
            ("fail", None, "failed"),
            ("fail", Some(true), "failed"),
        ] {
            let drill = restore(outcome, integrity);
            assert!(!validated(&drill), "{outcome} {integrity:?}");
            assert_eq!(shortfall(&drill), why);
        }
    }
}
