//! Small judgements the standard policies share: day arithmetic, cadences,
//! tier lookup, the runbooks of the plan's capabilities, gaps as findings and
//! the evidence references findings carry.
//!
//! They compile for the host and for `wasm32`, so a policy's native unit
//! tests exercise the very code its component runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::evidence::{Drill, EvidenceSet, Gap, Incident, IncidentSeverity, Runbook};
use crate::plan::{AuditWindow, Capability, Plan, Tier};
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

/// When a runbook was last looked after as of `now`, and how (`changed` or
/// `reviewed`, for messages): the later of its last change and the front
/// matter's `last_reviewed`. A review dated after `now` is ignored: no one can
/// have made it yet, and a typo must not keep a runbook fresh for years.
pub fn runbook_touched(runbook: &Runbook, now: DateTime<Utc>) -> (DateTime<Utc>, &'static str) {
    match runbook.last_reviewed {
        Some(reviewed) if reviewed > runbook.last_changed && reviewed <= now => {
            (reviewed, "reviewed")
        }
        _ => (runbook.last_changed, "changed"),
    }
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

/// The gaps of the evidence `kinds`, once per source and kind, in evidence
/// order: what a finding cites (with [`gap_ref`]) and names (with
/// [`source_list`]) when a gap keeps it from ruling out a missing record.
pub fn distinct_gaps<'a>(evidence: &'a EvidenceSet, kinds: &[&str]) -> Vec<&'a Gap> {
    let mut distinct: Vec<&Gap> = Vec::new();
    for gap in &evidence.gaps {
        let seen = distinct
            .iter()
            .any(|g| g.source == gap.source && g.kind == gap.kind);
        if kinds.contains(&gap.kind.as_str()) && !seen {
            distinct.push(gap);
        }
    }
    distinct
}

/// The most items a message lists: a capability with hundreds of late
/// recoveries gets a sentence, not a page; its findings' evidence cites all.
pub const MOST_LISTED: usize = 10;

/// `items` joined with `separator` for a message, the first
/// [`MOST_LISTED`] only, then `and N more`.
pub fn listed(items: &[String], separator: &str) -> String {
    let mut text = items
        .iter()
        .take(MOST_LISTED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(separator);
    if items.len() > MOST_LISTED {
        text.push_str(&format!(
            "{separator}and {} more",
            items.len() - MOST_LISTED
        ));
    }
    text
}

/// The sources of `gaps` as a message names them, each once:
/// `` `drills`, `pagerduty` ``.
pub fn source_list(gaps: &[&Gap]) -> String {
    let mut sources: Vec<String> = Vec::new();
    for gap in gaps {
        let source = format!("`{}`", gap.source);
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    sources.join(", ")
}

/// One `fail` finding per source with gaps of the given kinds, its subject
/// the source, so that evidence a policy needs but could not see fails the
/// policy's controls even when every record it did see passes. The message
/// quotes the source's first gap and counts the rest; the evidence cites each
/// gap kind once. `consequence` says what the gap leaves unknown, e.g.
/// `runbooks it holds may be missing from this check`.
pub fn gap_findings(evidence: &EvidenceSet, kinds: &[&str], consequence: &str) -> Vec<Finding> {
    let relevant: Vec<&Gap> = evidence
        .gaps
        .iter()
        .filter(|gap| kinds.contains(&gap.kind.as_str()))
        .collect();
    let mut findings: Vec<Finding> = Vec::new();
    for (i, first) in relevant.iter().enumerate() {
        if relevant[..i].iter().any(|g| g.source == first.source) {
            continue;
        }
        let same: Vec<&Gap> = relevant[i..]
            .iter()
            .filter(|g| g.source == first.source)
            .copied()
            .collect();
        let more = match same.len() {
            1 => String::new(),
            n => format!(", and {} more", n - 1),
        };
        let mut references: Vec<String> = Vec::new();
        for gap in &same {
            let reference = gap_ref(gap);
            if !references.contains(&reference) {
                references.push(reference);
            }
        }
        let finding = Finding::fail(
            first.source.as_str(),
            format!(
                "source `{}` could not be collected in full ({}{more}): {consequence}",
                first.source, first.error
            ),
        );
        findings.push(
            references
                .into_iter()
                .fold(finding, |f, reference| f.with_evidence(reference)),
        );
    }
    findings
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

/// The drills that exercised capability `id`, in evidence order.
pub fn drills_of<'a>(evidence: &'a EvidenceSet, id: &'a str) -> impl Iterator<Item = &'a Drill> {
    evidence
        .drills
        .iter()
        .filter(move |drill| drill.capability.as_deref() == Some(id))
}

/// The incidents whose service maps to capability `id`, in evidence order.
pub fn incidents_of<'a>(
    evidence: &'a EvidenceSet,
    id: &'a str,
) -> impl Iterator<Item = &'a Incident> {
    evidence
        .incidents
        .iter()
        .filter(move |incident| incident.capability.as_deref() == Some(id))
}

/// Whether a record dated `at` counts towards the audit window's rates,
/// attainment and availability as of `now`: inside the window, and not after
/// `now` (a record from the future says nothing yet).
pub fn counts_in_window(window: &AuditWindow, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    window.contains(at) && at <= now
}

/// The drill among `drills` that started last, at or before `now`: where a
/// cadence ("every 90d") looks back from.
pub fn latest<'a>(
    drills: impl IntoIterator<Item = &'a Drill>,
    now: DateTime<Utc>,
) -> Option<&'a Drill> {
    drills
        .into_iter()
        .filter(|drill| drill.started <= now)
        .max_by_key(|drill| drill.started)
}

/// How long an incident lasted (`resolved - started`), or has lasted so far
/// at `now` while it is open; never negative.
pub fn incident_seconds(incident: &Incident, now: DateTime<Utc>) -> u64 {
    let end = incident.resolved.unwrap_or(now);
    u64::try_from((end - incident.started).num_seconds()).unwrap_or(0)
}

/// The severities incident policies judge unless told otherwise.
pub const MAJOR_SEVERITIES: [IncidentSeverity; 2] =
    [IncidentSeverity::Sev1, IncidentSeverity::Sev2];

/// The incidents a per-incident policy judges, each with its capability:
/// started in the audit window (as of `now`), of one of `severities`, and of
/// a capability of the plan, so a plan a commitment narrowed narrows them
/// too. Unmapped incidents are the collector's to report. Evidence order.
pub fn major_incidents<'a>(
    plan: &'a Plan,
    evidence: &'a EvidenceSet,
    severities: &'a [IncidentSeverity],
    now: DateTime<Utc>,
) -> impl Iterator<Item = (&'a Incident, &'a Capability)> {
    evidence.incidents.iter().filter_map(move |incident| {
        let capability = plan.capability(incident.capability.as_deref()?)?;
        (severities.contains(&incident.severity)
            && counts_in_window(&plan.audit, incident.started, now))
        .then_some((incident, capability))
    })
}

/// A severity as plans and messages write it: `sev1` .. `sev4`.
pub fn severity_name(severity: IncidentSeverity) -> &'static str {
    match severity {
        IncidentSeverity::Sev1 => "sev1",
        IncidentSeverity::Sev2 => "sev2",
        IncidentSeverity::Sev3 => "sev3",
        IncidentSeverity::Sev4 => "sev4",
    }
}

/// JSON Schema of a duration parameter, written as plans write durations
/// (`"60m"`, `"4h"`, `"1h30m"`).
pub fn duration_schema(description: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "string",
        "pattern": "^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$",
        "minLength": 2,
        "description": description,
    })
}

/// JSON Schema of a list of incident severities (`["sev1", "sev2"]`).
pub fn severities_schema(description: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "array",
        "items": { "enum": ["sev1", "sev2", "sev3", "sev4"] },
        "uniqueItems": true,
        "description": description,
    })
}

/// Findings about the plan's capabilities that no runbook in `runbooks` (as
/// [`runbooks_by_path`] gives them) serves, for policies judging runbooks by
/// `check` (e.g. `freshness`): `not-applicable` where the plan names no
/// runbooks for the capability, `error` where it does but no runbook of any
/// capability was collected (nothing can be judged), and nothing otherwise,
/// since runbook-coverage already fails a capability without runbooks.
pub fn capabilities_without_runbooks(
    plan: &Plan,
    runbooks: &[(&Runbook, Vec<&Capability>)],
    check: &str,
) -> Vec<Finding> {
    plan.capabilities
        .iter()
        .filter(|capability| {
            !runbooks
                .iter()
                .any(|(_, served)| served.iter().any(|c| c.id == capability.id))
        })
        .filter_map(|capability| {
            let finding = if capability.runbooks.is_empty() {
                Finding::not_applicable(
                    &capability.id,
                    format!("`{}` names no runbooks in the plan", capability.id),
                )
            } else if runbooks.is_empty() {
                Finding::error(
                    &capability.id,
                    format!(
                        "no runbook of any capability was collected, so the {check} of `{}`'s \
                         runbooks cannot be judged; run `vouch collect` and check the plan's \
                         `[[sources.git]]`",
                        capability.id
                    ),
                )
            } else {
                return None;
            };
            Some(finding.with_evidence(capability_ref(&capability.id)))
        })
        .collect()
}

/// A limit in days for a message: whole days as such (`90`), anything else
/// to a tenth (`0.5`).
pub fn limit_days_text(limit: Duration) -> String {
    if limit.as_seconds().is_multiple_of(86_400) {
        (limit.as_seconds() / 86_400).to_string()
    } else {
        format!("{:.1}", limit.as_days())
    }
}

/// Days for a message, to a tenth; a value over `limit` that would round to
/// it reads `more than N`, so a failure never reads as equal to its limit.
pub fn days_text(days: f64, limit: f64) -> String {
    let text = format!("{days:.1}");
    if days > limit && text == format!("{limit:.1}") {
        format!("more than {text}")
    } else {
        text
    }
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
    fn long_lists_name_the_first_and_count_the_rest() {
        let items: Vec<String> = (1..=12).map(|n| format!("i{n}")).collect();
        assert_eq!(listed(&items[..2], ", "), "i1, i2");
        assert_eq!(listed(&items[..10], "; ").matches(';').count(), 9);
        assert_eq!(
            listed(&items, "; "),
            "i1; i2; i3; i4; i5; i6; i7; i8; i9; i10; and 2 more"
        );
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
    fn days_over_a_limit_never_read_as_the_limit() {
        assert_eq!(days_text(89.96, 90.0), "90.0");
        assert_eq!(days_text(90.0, 90.0), "90.0");
        assert_eq!(days_text(90.00001, 90.0), "more than 90.0");
        assert_eq!(days_text(133.549, 90.0), "133.5");
        assert_eq!(limit_days_text(Duration::from_days(90)), "90");
        assert_eq!(limit_days_text(Duration::from_seconds(43_200)), "0.5");
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
    fn a_review_later_than_the_last_change_counts_unless_it_is_after_now() {
        let now = at("2026-11-01T00:00:00Z");
        let mut runbook: Runbook =
            serde_json::from_value(runbook("runbooks/a.md", "payments")).unwrap();
        let changed = at("2026-10-01T00:00:00Z");
        assert_eq!(runbook_touched(&runbook, now), (changed, "changed"));
        runbook.last_reviewed = Some(at("2026-10-20T00:00:00Z"));
        assert_eq!(
            runbook_touched(&runbook, now),
            (at("2026-10-20T00:00:00Z"), "reviewed")
        );
        runbook.last_reviewed = Some(at("2026-09-20T00:00:00Z"));
        assert_eq!(runbook_touched(&runbook, now), (changed, "changed"));
        runbook.last_reviewed = Some(at("2027-01-01T00:00:00Z"));
        assert_eq!(runbook_touched(&runbook, now), (changed, "changed"));
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

    #[test]
    fn a_source_with_many_gaps_fails_once() {
        let evidence: EvidenceSet = serde_json::from_value(serde_json::json!({
            "gaps": [
                { "source": "git", "kind": "runbooks", "error": "a.md: bad" },
                { "source": "drills", "kind": "drills", "error": "x.json: bad" },
                { "source": "git", "kind": "code", "error": "commit unreadable" },
                { "source": "git", "kind": "runbooks", "error": "b.md: bad" }
            ]
        }))
        .unwrap();
        let findings = gap_findings(&evidence, &["runbooks", "code"], "drift unknown");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "source `git` could not be collected in full (a.md: bad, and 2 more): drift unknown"
        );
        assert_eq!(findings[0].evidence, ["gap:git/runbooks", "gap:git/code"]);
    }

    fn drill(id: &str, started: &str) -> Drill {
        serde_json::from_value(serde_json::json!({
            "id": id, "capability": "ledger", "kind": "restore", "started": started,
            "ended": started, "outcome": "pass", "recovery_seconds": null,
            "data_loss_seconds": null,
            "origin": { "source": "drills", "artifact": "r.json", "sha256": "00" }
        }))
        .unwrap()
    }

    fn incident(started: &str, resolved: Option<&str>) -> Incident {
        serde_json::from_value(serde_json::json!({
            "id": "INC-1", "capability": "ledger", "severity": "sev1", "started": started,
            "acknowledged": null, "resolved": resolved, "recovery_seconds": null,
            "first_update": null,
            "origin": { "source": "incidents", "artifact": "i.jsonl", "sha256": "00" }
        }))
        .unwrap()
    }

    #[test]
    fn records_belong_to_the_capability_they_name() {
        let mut other = drill("other", "2026-01-01T00:00:00Z");
        other.capability = None;
        let evidence = EvidenceSet {
            drills: vec![drill("mine", "2026-01-01T00:00:00Z"), other],
            incidents: vec![incident("2026-01-01T00:00:00Z", None)],
            ..EvidenceSet::default()
        };
        let ids: Vec<&str> = drills_of(&evidence, "ledger")
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(ids, ["mine"]);
        assert_eq!(incidents_of(&evidence, "ledger").count(), 1);
        assert_eq!(incidents_of(&evidence, "payments").count(), 0);
    }

    #[test]
    fn the_latest_drill_is_the_last_one_started_by_now() {
        let now = at("2026-11-01T00:00:00Z");
        let drills = [
            drill("old", "2026-01-27T14:00:00Z"),
            drill("recent", "2026-09-17T15:00:00+01:00"),
            drill("future", "2026-12-01T00:00:00Z"),
        ];
        assert_eq!(latest(&drills, now).map(|d| d.id.as_str()), Some("recent"));
        assert!(latest(&drills[..0], now).is_none());
    }

    #[test]
    fn records_count_inside_the_window_and_not_after_now() {
        let window = plan().audit;
        let now = at("2026-11-01T00:00:00Z");
        assert!(counts_in_window(&window, at("2025-11-01T00:00:00Z"), now));
        assert!(counts_in_window(&window, at("2026-10-31T23:59:59Z"), now));
        assert!(!counts_in_window(&window, at("2025-10-31T23:59:59Z"), now));
        let midway = at("2026-06-01T00:00:00Z");
        assert!(counts_in_window(&window, midway, midway));
        assert!(!counts_in_window(
            &window,
            at("2026-06-02T00:00:00Z"),
            midway
        ));
    }

    #[test]
    fn an_incident_lasts_until_resolved_or_until_now_while_open() {
        let now = at("2026-11-01T00:00:00Z");
        let resolved = incident("2026-01-08T02:47:00Z", Some("2026-01-08T05:57:00Z"));
        assert_eq!(incident_seconds(&resolved, now), 3 * 3_600 + 10 * 60);
        let open = incident("2026-10-31T21:10:00Z", None);
        assert_eq!(incident_seconds(&open, now), 2 * 3_600 + 50 * 60);
        let future = incident("2026-11-02T00:00:00Z", None);
        assert_eq!(incident_seconds(&future, now), 0);
    }

    #[test]
    fn parameter_schemas_carry_their_description() {
        let duration = duration_schema("how long");
        assert_eq!(duration["type"], "string");
        assert_eq!(duration["description"], "how long");
        let severities = severities_schema("which");
        for severity in [IncidentSeverity::Sev1, IncidentSeverity::Sev4] {
            let json = serde_json::to_value(severity).unwrap();
            assert_eq!(json, severity_name(severity));
        }
        assert_eq!(severities["items"]["enum"][0], "sev1");
        assert_eq!(severities["description"], "which");
    }

    #[test]
    fn major_incidents_are_those_in_the_window_of_the_plan_and_severities() {
        let plan = plan();
        let mut evidence = EvidenceSet::default();
        for (id, capability, severity, started) in [
            ("in", Some("payments"), "sev1", "2026-01-01T00:00:00Z"),
            ("minor", Some("payments"), "sev3", "2026-01-01T00:00:00Z"),
            ("before", Some("payments"), "sev1", "2025-10-31T23:59:59Z"),
            ("unmapped", None, "sev1", "2026-01-01T00:00:00Z"),
            ("other", Some("search"), "sev2", "2026-01-01T00:00:00Z"),
        ] {
            let mut record = incident(started, None);
            record.id = id.into();
            record.capability = capability.map(String::from);
            record.severity = serde_json::from_value(serde_json::json!(severity)).unwrap();
            evidence.incidents.push(record);
        }
        let now = at("2026-11-01T00:00:00Z");
        let ids: Vec<(&str, &str)> = major_incidents(&plan, &evidence, &MAJOR_SEVERITIES, now)
            .map(|(i, c)| (i.id.as_str(), c.id.as_str()))
            .collect();
        assert_eq!(ids, [("in", "payments")]);
    }

    #[test]
    fn gaps_are_cited_and_named_once_per_source() {
        let evidence: EvidenceSet = serde_json::from_value(serde_json::json!({
            "gaps": [
                { "source": "drills", "kind": "drills", "error": "a.json: bad" },
                { "source": "drills", "kind": "drills", "error": "b.json: bad" },
                { "source": "pagerduty", "kind": "incidents", "error": "down" },
                { "source": "runbooks", "kind": "runbooks", "error": "no repo" }
            ]
        }))
        .unwrap();
        let gaps = distinct_gaps(&evidence, &["drills", "incidents"]);
        let refs: Vec<String> = gaps.iter().map(|g| gap_ref(g)).collect();
        assert_eq!(refs, ["gap:drills/drills", "gap:pagerduty/incidents"]);
        assert_eq!(source_list(&gaps), "`drills`, `pagerduty`");
        assert!(distinct_gaps(&evidence, &["code"]).is_empty());
    }
}
