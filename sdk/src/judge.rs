//! Small judgements the standard policies share: day arithmetic, cadences,
//! tier lookup, the runbooks of the plan's capabilities, gaps as findings and
//! the evidence references findings carry.
//!
//! They compile for the host and for `wasm32`, so a policy's native unit
//! tests exercise the very code its component runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::evidence::{Drill, EvidenceSet, Gap, Incident, Runbook};
use crate::plan::{Capability, Plan, Tier};
use crate::{Duration, Finding};

const MILLISECONDS_PER_DAY: f64 = 86_400_000.0;

/// Days from `earlier` to `later`, fractional (negative when `later` is
/// before `earlier`); milliseconds count, as chaos journals carry them.
#[allow(clippy::cast_precision_loss)] // exact below 2^53 ms, some 285,000 years
pub fn days_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> f64 {
    (later - earlier).num_milliseconds() as f64 / MILLISECONDS_PER_DAY
}

/// Whether something that happened `at` still counts for a cadence of
/// `every` as of `now`: not after `now`, and at most `every` before it (the
/// limit is inclusive).
pub fn within_cadence(at: DateTime<Utc>, now: DateTime<Utc>, every: Duration) -> bool {
    at <= now && (now - at).num_seconds() <= i64::try_from(every.as_seconds()).unwrap_or(i64::MAX)
}

/// The tier `capability` belongs to; an error names both when the plan does
/// not define it (the host's plan check refuses such a plan, so a policy
/// seeing it was handed a broken request).
pub fn tier<'a>(plan: &'a Plan, capability: &Capability) -> Result<&'a Tier, String> {
    plan.tier_of(capability).ok_or_else(|| {
        format!(
            "capability `{}` names tier `{}`, which the plan does not define",
            capability.id, capability.tier
        )
    })
}

/// When a runbook was last looked after: the later of its last change and
/// the front matter's `last_reviewed`.
pub fn runbook_touched(runbook: &Runbook) -> DateTime<Utc> {
    runbook
        .last_reviewed
        .map_or(runbook.last_changed, |reviewed| {
            reviewed.max(runbook.last_changed)
        })
}

/// Each runbook once, by path, with the plan's capabilities it serves (in
/// plan order). The evidence holds one record per runbook and capability;
/// runbooks serving no capability of the plan are left out, so a plan a
/// commitment narrowed judges only the runbooks in its scope.
pub fn runbooks_by_path<'a>(
    plan: &'a Plan,
    evidence: &'a EvidenceSet,
) -> Vec<(&'a Runbook, Vec<&'a Capability>)> {
    let mut by_path: BTreeMap<&str, (&Runbook, Vec<&Capability>)> = BTreeMap::new();
    for runbook in &evidence.runbooks {
        let Some(capability) = plan.capability(&runbook.capability) else {
            continue;
        };
        by_path
            .entry(runbook.path.as_str())
            .or_insert_with(|| (runbook, Vec::new()))
            .1
            .push(capability);
    }
    by_path
        .into_values()
        .map(|(runbook, mut capabilities)| {
            capabilities.sort_by_key(|c| plan.capabilities.iter().position(|p| p.id == c.id));
            capabilities.dedup_by(|a, b| a.id == b.id);
            (runbook, capabilities)
        })
        .collect()
}

/// The gaps of evidence `kind` (`runbooks`, `code`, `drills`, `incidents`).
pub fn gaps<'a>(evidence: &'a EvidenceSet, kind: &'a str) -> impl Iterator<Item = &'a Gap> {
    evidence.gaps.iter().filter(move |gap| gap.kind == kind)
}

/// One `fail` finding per gap of the given kinds, its subject the gap's
/// source, so that evidence a policy needs but could not see fails the
/// policy's controls even when every record it did see passes.
/// `consequence` says what the gap leaves unknown, e.g. `runbooks it holds
/// may be missing from this check`.
pub fn gap_findings(evidence: &EvidenceSet, kinds: &[&str], consequence: &str) -> Vec<Finding> {
    evidence
        .gaps
        .iter()
        .filter(|gap| kinds.contains(&gap.kind.as_str()))
        .map(|gap| {
            Finding::fail(
                gap.source.as_str(),
                format!(
                    "source `{}` could not be collected in full ({}): {consequence}",
                    gap.source, gap.error
                ),
            )
            .with_evidence(gap_ref(gap))
        })
        .collect()
}

/// The evidence reference of a runbook: `runbook:PATH@COMMIT`.
pub fn runbook_ref(runbook: &Runbook) -> String {
    format!("runbook:{}@{}", runbook.path, runbook.last_commit)
}

/// The evidence reference of a drill: `drill:ID`.
pub fn drill_ref(drill: &Drill) -> String {
    format!("drill:{}", drill.id)
}

/// The evidence reference of an incident: `incident:ID`.
pub fn incident_ref(incident: &Incident) -> String {
    format!("incident:{}", incident.id)
}

/// The evidence reference of a gap: `gap:SOURCE/KIND`.
pub fn gap_ref(gap: &Gap) -> String {
    format!("gap:{}/{}", gap.source, gap.kind)
}

/// The evidence reference of a capability of the plan: `plan:capabilities/ID`.
pub fn capability_ref(id: &str) -> String {
    format!("plan:capabilities/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn plan() -> Plan {
        serde_json::from_value(serde_json::json!({
            "organisation": { "name": "Acme" },
            "audit": { "start": "2025-11-01", "end": "2026-10-31" },
            "tiers": { "tier-1": { "level": 1, "max_runbook_age": "90d" } },
            "capabilities": [
                { "id": "payments", "name": "Payments", "tier": "tier-1", "rto": "1h",
                  "rpo": "5m", "owner": "team-payments" },
                { "id": "ledger", "name": "Ledger", "tier": "tier-9", "rto": "1h",
                  "rpo": "5m", "owner": "team-data" }
            ]
        }))
        .unwrap()
    }

    fn runbook(path: &str, capability: &str) -> serde_json::Value {
        serde_json::json!({
            "path": path, "capability": capability, "last_commit": "abc",
            "last_changed": "2026-10-01T00:00:00Z", "author": "Ann", "owner": null,
            "origin": { "source": "runbooks", "artifact": path, "sha256": "00" }
        })
    }

    #[test]
    fn days_are_fractional_and_signed() {
        let monday = at("2026-10-05T00:00:00Z");
        assert_eq!(days_between(monday, at("2026-10-06T12:00:00Z")), 1.5);
        assert_eq!(days_between(at("2026-10-06T12:00:00Z"), monday), -1.5);
        assert_eq!(
            days_between(monday, at("2026-10-05T00:00:00.864Z")),
            0.00001
        );
    }

    #[test]
    fn a_cadence_includes_its_limit_and_excludes_the_future() {
        let now = at("2026-11-01T00:00:00Z");
        let every = Duration::from_days(90);
        assert!(within_cadence(at("2026-08-03T00:00:00Z"), now, every));
        assert!(!within_cadence(at("2026-08-02T23:59:59Z"), now, every));
        assert!(within_cadence(now, now, every));
        assert!(!within_cadence(at("2026-11-01T00:00:01Z"), now, every));
    }

    #[test]
    fn a_tier_the_plan_lacks_is_an_error_naming_it() {
        let plan = plan();
        assert_eq!(tier(&plan, &plan.capabilities[0]).unwrap().level, 1);
        let err = tier(&plan, &plan.capabilities[1]).unwrap_err();
        assert_eq!(
            err,
            "capability `ledger` names tier `tier-9`, which the plan does not define"
        );
    }

    #[test]
    fn a_review_later_than_the_last_change_counts() {
        let mut runbook: Runbook =
            serde_json::from_value(runbook("runbooks/a.md", "payments")).unwrap();
        assert_eq!(runbook_touched(&runbook), at("2026-10-01T00:00:00Z"));
        runbook.last_reviewed = Some(at("2026-10-20T00:00:00Z"));
        assert_eq!(runbook_touched(&runbook), at("2026-10-20T00:00:00Z"));
        runbook.last_reviewed = Some(at("2026-09-20T00:00:00Z"));
        assert_eq!(runbook_touched(&runbook), at("2026-10-01T00:00:00Z"));
    }

    #[test]
    fn runbooks_are_grouped_by_path_within_the_plan() {
        let plan = plan();
        let evidence: EvidenceSet = serde_json::from_value(serde_json::json!({
            "runbooks": [
                runbook("runbooks/z.md", "ledger"),
                runbook("runbooks/z.md", "payments"),
                runbook("runbooks/a.md", "payments"),
                runbook("runbooks/gone.md", "search")
            ]
        }))
        .unwrap();
        let grouped: Vec<(&str, Vec<&str>)> = runbooks_by_path(&plan, &evidence)
            .into_iter()
            .map(|(r, cs)| (r.path.as_str(), cs.iter().map(|c| c.id.as_str()).collect()))
            .collect();
        assert_eq!(
            grouped,
            [
                ("runbooks/a.md", vec!["payments"]),
                ("runbooks/z.md", vec!["payments", "ledger"])
            ]
        );
    }

    #[test]
    fn gaps_of_the_kinds_read_become_failures_of_their_source() {
        let evidence: EvidenceSet = serde_json::from_value(serde_json::json!({
            "gaps": [
                { "source": "drills", "kind": "drills", "error": "drills/x.json: bad" },
                { "source": "incidents", "kind": "incidents", "error": "down" }
            ]
        }))
        .unwrap();
        assert_eq!(gaps(&evidence, "drills").count(), 1);
        let findings = gap_findings(&evidence, &["drills"], "rates cannot be trusted");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].subject, "drills");
        assert_eq!(findings[0].status, crate::Status::Fail);
        assert_eq!(
            findings[0].message,
            "source `drills` could not be collected in full (drills/x.json: bad): \
             rates cannot be trusted"
        );
        assert_eq!(findings[0].evidence, ["gap:drills/drills"]);
    }
}
