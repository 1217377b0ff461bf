//! `drill-pass-rate`: the share of a capability's drills (every kind) that
//! passed over the audit window is at or above its tier's
//! `drill_pass_rate_floor`, from at least `minimum_drills` drills. One
//! finding per capability.

use serde::Deserialize;
use vouch_sdk::evidence::{Drill, Outcome};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Finding, Measurement, Metadata, Policy, Request, Severity};

struct DrillPassRate;

/// The policy's parameters (see `params_schema`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default = "one")]
    minimum_drills: u32,
    floor: Option<f64>,
}

fn one() -> u32 {
    1
}

impl Policy for DrillPassRate {
    fn metadata() -> Metadata {
        Metadata {
            id: "drill-pass-rate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Drills pass at the tier's rate".into(),
            description: "The share of a capability's drills and exercises (every kind) started \
                          in the audit window that passed is at or above its tier's \
                          `drill_pass_rate_floor`, counted over at least `minimum_drills` \
                          drills: recoveries that keep failing rehearsal will fail for real. A \
                          capability with too few drills fails; tiers without a floor are not \
                          judged; a gap in the drill evidence fails, since a missing drill could \
                          change any rate."
                .into(),
            severity: Severity::High,
            evidence: vec!["drills".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "minimum_drills": {
                        "type": "integer",
                        "minimum": 1,
                        "default": 1,
                        "description": "Fewest drills in the window for a rate to count; a \
                                        capability with fewer fails."
                    },
                    "floor": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "description": "Lowest acceptable pass rate for every capability, from \
                                        0 to 1, instead of each tier's `drill_pass_rate_floor`."
                    }
                }
            }),
            partition: vouch_sdk::Partition::Capability,
            controls: vec![
                "soc2:A1.3".into(),
                "iso22301:8.5".into(),
                "nist-800-53:CP-4".into(),
                "dora:Art.24".into(),
                "hipaa:164.308(a)(7)(ii)(D)".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        let params: Params = request.params()?;
        let gap = judge::gaps(&evidence, "drills").next().is_some();
        let mut findings = Vec::with_capacity(plan.capabilities.len());
        for capability in &plan.capabilities {
            let in_window: Vec<&Drill> = judge::drills_of(&evidence, &capability.id)
                .filter(|drill| judge::counts_in_window(&plan.audit, drill.started, request.now))
                .collect();
            findings.push(judge_rate(&plan, &params, capability, &in_window, gap)?);
        }
        findings.extend(judge::gap_findings(
            &evidence,
            &["drills"],
            "drills it holds are missing, so no pass rate can be trusted",
        ));
        Ok(findings)
    }
}

vouch_sdk::export_policy!(DrillPassRate);

fn judge_rate(
    plan: &Plan,
    params: &Params,
    capability: &Capability,
    drills: &[&Drill],
    gap: bool,
) -> Result<Finding, String> {
    let id = capability.id.as_str();
    let tier = judge::tier(plan, capability)?;
    let Some((floor, floor_of)) = params
        .floor
        .map(|floor| (floor, "the parameters' floor".to_owned()))
        .or_else(|| {
            tier.drill_pass_rate_floor
                .map(|floor| (floor, format!("{}'s floor", capability.tier)))
        })
    else {
        return Ok(Finding::not_applicable(
            id,
            format!(
                "{} sets no `drill_pass_rate_floor`, so `{id}`'s pass rate is not judged",
                capability.tier
            ),
        )
        .with_evidence(judge::capability_ref(id)));
    };
    let total = u32::try_from(drills.len()).unwrap_or(u32::MAX);
    let passed = u32::try_from(
        drills
            .iter()
            .filter(|drill| drill.outcome == Outcome::Pass)
            .count(),
    )
    .unwrap_or(u32::MAX);
    let window = format!("{} to {}", plan.audit.start, plan.audit.end);
    let rate = pass_rate(passed, total);
    let counted =
        format!("`{id}` passed {passed} of {total} drills started in the audit window ({window})");
    let mut finding = match rate {
        None => Finding::fail(
            id,
            format!(
                "`{id}` has no drills started in the audit window ({window}); at least {} \
                 required: run and record its drills",
                params.minimum_drills
            ),
        ),
        Some(_) if total < params.minimum_drills => Finding::fail(
            id,
            format!(
                "{counted}: fewer than the {} a rate needs; run and record more drills",
                params.minimum_drills
            ),
        ),
        Some(rate) if rate >= floor => Finding::pass(
            id,
            format!("{counted}, a rate of {rate:.3}; {floor_of} is {floor}"),
        ),
        Some(rate) => {
            let failed = drills
                .iter()
                .filter(|drill| drill.outcome == Outcome::Fail)
                .map(|drill| format!("`{}`", drill.id))
                .collect::<Vec<_>>();
            let failed = judge::listed(&failed, ", ");
            Finding::fail(
                id,
                format!(
                    "{counted}, a rate of {rate:.3}, below {floor_of} of {floor}; failed: {failed}"
                ),
            )
        }
    };
    if gap && finding.status == vouch_sdk::Status::Pass {
        finding = Finding::fail(
            id,
            format!(
                "{}, but the drill evidence has a gap, and a missing drill could lower the rate",
                finding.message
            ),
        );
    }
    finding = drills
        .iter()
        .fold(finding, |f, drill| f.with_evidence(judge::drill_ref(drill)))
        .with_evidence(judge::capability_ref(id));
    if let Some(rate) = rate {
        finding = finding.with_measurement(Measurement::new("pass_rate", rate).in_unit("ratio"));
    }
    Ok(finding
        .with_measurement(Measurement::new("passed", f64::from(passed)).in_unit("count"))
        .with_measurement(Measurement::new("drills", f64::from(total)).in_unit("count"))
        .with_measurement(Measurement::new("floor", floor).in_unit("ratio")))
}

/// `passed / total`, `None` without drills. Division is correctly rounded,
/// so a rate exactly at a floor written in decimal (`4 / 5` against `0.8`)
/// compares equal to it and passes.
fn pass_rate(passed: u32, total: u32) -> Option<f64> {
    (total > 0).then(|| f64::from(passed) / f64::from(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_exactly_at_its_floor_meets_it() {
        // Floors as a plan writes them (`0.7`), and every drill count that
        // can land exactly on one.
        for percent in [50_u32, 60, 70, 75, 80, 85, 90, 95, 99] {
            let floor: f64 = format!("0.{percent}").parse().unwrap();
            for total in (1..=200_u32).filter(|total| percent * total % 100 == 0) {
                let passed = percent * total / 100;
                let rate = pass_rate(passed, total).unwrap();
                assert!(rate >= floor, "{passed}/{total} against {floor}");
                let below = pass_rate(passed - 1, total).unwrap();
                assert!(below < floor, "{}/{total} against {floor}", passed - 1);
            }
        }
        assert_eq!(pass_rate(0, 0), None);
    }
}
