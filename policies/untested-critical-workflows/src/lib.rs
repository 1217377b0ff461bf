//! `untested-critical-workflows`: every capability whose tier sets a
//! `technical_drill_every` or `tabletop_every` cadence passed a technical test
//! (a `technical` or `failover` drill) and a tabletop within it, looking back
//! from `now`. One finding per capability.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, EvidenceSet, Outcome};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct UntestedCriticalWorkflows;

/// The policy's parameters (see `params_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    technical_drill_every: Option<Duration>,
    tabletop_every: Option<Duration>,
}

impl Policy for UntestedCriticalWorkflows {
    fn metadata() -> Metadata {
        Metadata {
            id: "untested-critical-workflows".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Critical capabilities are exercised on schedule".into(),
            description: "Every capability whose tier sets a cadence passed a technical test \
                          (a chaos experiment, technical or failover drill) within its tier's \
                          `technical_drill_every` and a tabletop exercise within its \
                          `tabletop_every`, counted back from the evaluation time. A recovery \
                          nobody has rehearsed recently is a recovery nobody knows works. \
                          Capabilities whose tier sets neither cadence are not judged; a gap in \
                          the drill evidence fails."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "technical_drill_every": judge::duration_schema(
                        "How often every capability must pass a technical test, e.g. `90d`, \
                         instead of each tier's `technical_drill_every`."
                    ),
                    "tabletop_every": judge::duration_schema(
                        "How often every capability must pass a tabletop exercise, e.g. \
                         `180d`, instead of each tier's `tabletop_every`."
                    )
                }
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: vec![
                "soc2:A1.3".into(),
                "iso27001:5.30".into(),
                "iso22301:8.5".into(),
                "nist-800-53:CP-3".into(),
                "nist-800-53:CP-4".into(),
                "dora:Art.24".into(),
                "dora:Art.25".into(),
                "hipaa:164.308(a)(7)(ii)(D)".into(),
                "pci-dss:12.10.2".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        let params: Params = request.params()?;
        let mut findings = Vec::with_capacity(plan.capabilities.len());
        for capability in &plan.capabilities {
            findings.push(judge_capability(
                &plan,
                &evidence,
                &params,
                capability,
                request.now,
            )?);
        }
        findings.extend(judge::gap_findings(
            &evidence,
            &["drills"],
            "drills it holds are missing from this check",
        ));
        Ok(findings)
    }
}

vouch_sdk::export_policy!(UntestedCriticalWorkflows);

/// One of the two exercises a capability must pass on schedule.
struct Exercise {
    /// For messages: `technical test` or `tabletop`.
    name: &'static str,
    /// The measurement of days since the latest pass.
    measurement: &'static str,
    /// The drill kinds that count.
    kinds: &'static [DrillKind],
}

const TECHNICAL: Exercise = Exercise {
    name: "technical test",
    measurement: "days_since_technical",
    kinds: &[DrillKind::Technical, DrillKind::Failover],
};

const TABLETOP: Exercise = Exercise {
    name: "tabletop",
    measurement: "days_since_tabletop",
    kinds: &[DrillKind::Tabletop],
};

/// How a capability stands on one exercise.
struct Standing<'a> {
    met: bool,
    measurement: &'static str,
    text: String,
    evidence: Vec<&'a Drill>,
    days_since: Option<f64>,
}

fn judge_capability(
    plan: &Plan,
    evidence: &EvidenceSet,
    params: &Params,
    capability: &Capability,
    now: DateTime<Utc>,
) -> Result<Finding, String> {
    let id = capability.id.as_str();
    let tier = judge::tier(plan, capability)?;
    let cadences: [(&'static Exercise, Option<Duration>); 2] = [
        (
            &TECHNICAL,
            params.technical_drill_every.or(tier.technical_drill_every),
        ),
        (&TABLETOP, params.tabletop_every.or(tier.tabletop_every)),
    ];
    if cadences.iter().all(|(_, every)| every.is_none()) {
        return Ok(Finding::not_applicable(
            id,
            format!(
                "{} sets no `technical_drill_every` or `tabletop_every`, so `{id}` has no \
                 exercise cadence to meet",
                capability.tier
            ),
        )
        .with_evidence(judge::capability_ref(id)));
    }
    let standings: Vec<Standing<'_>> = cadences
        .iter()
        .filter_map(|(exercise, every)| {
            every.map(|every| standing(evidence, id, exercise, every, now))
        })
        .collect();
    let text = standings
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut finding = if standings.iter().all(|s| s.met) {
        Finding::pass(id, format!("`{id}` ({}): {text}", capability.tier))
    } else {
        Finding::fail(
            id,
            format!(
                "`{id}` ({}): {text}; run the missing exercise and record it",
                capability.tier
            ),
        )
    };
    for standing in &standings {
        for drill in &standing.evidence {
            finding = finding.with_evidence(judge::drill_ref(drill));
        }
    }
    finding = finding.with_evidence(judge::capability_ref(id));
    for standing in &standings {
        if let Some(days) = standing.days_since {
            finding = finding
                .with_measurement(Measurement::new(standing.measurement, days).in_unit("days"));
        }
    }
    Ok(finding)
}

fn standing<'a>(
    evidence: &'a EvidenceSet,
    id: &'a str,
    exercise: &'static Exercise,
    every: Duration,
    now: DateTime<Utc>,
) -> Standing<'a> {
    let attempts: Vec<&Drill> = judge::drills_of(evidence, id)
        .filter(|drill| exercise.kinds.contains(&drill.kind))
        .collect();
    let passed = judge::latest(
        attempts
            .iter()
            .copied()
            .filter(|drill| drill.outcome == Outcome::Pass),
        now,
    );
    // A failed attempt after the last pass is worth naming: it is why the
    // capability is still untested.
    let failed_since =
        judge::latest(attempts.iter().copied(), now).filter(|drill| drill.outcome == Outcome::Fail);
    let every_text = judge::limit_days_text(every);
    let Some(passed) = passed else {
        let mut text = format!(
            "no {} has ever passed (required every {every_text} days)",
            exercise.name
        );
        if let Some(failed) = failed_since {
            text.push_str(&format!(
                "; the latest, `{}` on {}, failed",
                failed.id,
                failed.started.date_naive()
            ));
        }
        return Standing {
            met: false,
            measurement: exercise.measurement,
            text,
            evidence: failed_since.into_iter().collect(),
            days_since: None,
        };
    };
    let days = judge::days_between(passed.started, now);
    let met = judge::within_cadence(passed.started, now, every);
    let mut text = if met {
        format!(
            "a {} passed {} days ago (`{}`, {}; required every {every_text} days)",
            exercise.name,
            judge::days_text(days, every.as_days()),
            passed.id,
            passed.started.date_naive()
        )
    } else {
        format!(
            "no {} passed within {every_text} days: the last pass was {} days ago (`{}`, {})",
            exercise.name,
            judge::days_text(days, every.as_days()),
            passed.id,
            passed.started.date_naive()
        )
    };
    let mut drills = vec![passed];
    if let Some(failed) = failed_since {
        text.push_str(&format!(
            ", and `{}` on {} failed",
            failed.id,
            failed.started.date_naive()
        ));
        drills.push(failed);
    }
    Standing {
        met,
        measurement: exercise.measurement,
        text,
        evidence: drills,
        days_since: Some(days),
    }
}
