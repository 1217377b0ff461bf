//! The scenario's invariants: the facts `docs/demo.md` promises, checked
//! against the tables and against the generated files, so the data and the
//! outcome matrix cannot drift apart.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use git2::{Oid, Repository, Sort};

use super::drills::{Clock, Kind, Outcome, RECORDS, RUNS, Verdict};
use super::incidents::INCIDENTS;
use super::{PLAN, clock, generate};
use vouch_sdk::plan::Plan;

fn plan() -> Plan {
    vouch_sdk::plan::load::parse("vouch.toml", PLAN).unwrap()
}

fn in_window(text: &str) -> bool {
    let day = clock::at(text).unwrap().date();
    let start = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    (start..=end).contains(&day)
}

/// The capability a journal's tags select under the plan's rules.
fn capabilities_for(plan: &Plan, tags: &[&str]) -> Vec<String> {
    let rules = plan.sources.drills.iter().flat_map(|s| &s.rules);
    rules
        .filter(|rule| rule.tags.iter().any(|t| tags.contains(&t.as_str())))
        .map(|rule| rule.capability.clone())
        .collect()
}

fn capability_of_service(plan: &Plan, service: &str) -> Option<String> {
    plan.capabilities
        .iter()
        .find(|c| c.services.iter().any(|s| s == service))
        .map(|c| c.id.clone())
}

#[test]
fn the_embedded_plan_is_valid() {
    let plan = plan();
    assert_eq!(plan.capabilities.len(), 7);
}

#[test]
fn journals_match_one_rule_each_except_the_unmatched_one() {
    let plan = plan();
    let unmatched: Vec<&str> = RUNS
        .iter()
        .filter(|run| capabilities_for(&plan, run.experiment.tags).is_empty())
        .map(|run| run.experiment.tags[0])
        .collect();
    assert_eq!(unmatched, ["redis"]);
    for run in RUNS {
        assert!(
            capabilities_for(&plan, run.experiment.tags).len() <= 1,
            "{:?} is ambiguous",
            run.experiment.tags
        );
    }
    assert_eq!(RUNS.iter().filter(|r| r.clock == Clock::Naive).count(), 1);
}

#[test]
fn incidents_map_to_capabilities_except_one_and_one_is_open() {
    let plan = plan();
    let unmatched: Vec<&str> = INCIDENTS
        .iter()
        .filter(|i| capability_of_service(&plan, i.service).is_none())
        .map(|i| i.id)
        .collect();
    assert_eq!(unmatched, ["INC-2109"]);
    let open: Vec<&str> = INCIDENTS
        .iter()
        .filter(|i| i.resolved.is_none())
        .map(|i| i.id)
        .collect();
    assert_eq!(open, ["INC-2168"]);
}

/// Drill pass rates in the window, all kinds, per capability: (passed, total).
#[test]
fn drill_pass_rates_match_the_matrix() {
    let plan = plan();
    let mut rates: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for run in RUNS.iter().filter(|r| in_window(r.start)) {
        if let [capability] = capabilities_for(&plan, run.experiment.tags).as_slice() {
            let entry = rates.entry(capability.clone()).or_default();
            entry.0 += u32::from(run.result == Verdict::Pass);
            entry.1 += 1;
        }
    }
    for record in RECORDS.iter().filter(|r| in_window(r.started)) {
        let entry = rates.entry(record.capability.to_owned()).or_default();
        entry.0 += u32::from(record.outcome == Outcome::Pass);
        entry.1 += 1;
    }
    let expected: BTreeMap<String, (u32, u32)> = [
        ("payments-api", (13, 14)),
        ("ledger-db", (6, 7)),
        ("identity", (4, 5)),
        ("checkout-web", (5, 6)),
        ("notifications", (1, 1)),
        ("reporting", (1, 2)),
    ]
    .into_iter()
    .map(|(c, r)| (c.to_owned(), r))
    .collect();
    assert_eq!(rates, expected);
}

/// Sev1/sev2 downtime in the window, in minutes, per capability.
#[test]
fn downtime_matches_the_matrix() {
    let plan = plan();
    let mut minutes: BTreeMap<String, i64> = BTreeMap::new();
    for incident in INCIDENTS
        .iter()
        .filter(|i| in_window(i.opened) && ["P1", "P2"].contains(&i.priority))
    {
        let resolved = clock::at(incident.resolved.unwrap()).unwrap();
        let capability = capability_of_service(&plan, incident.service).unwrap();
        *minutes.entry(capability).or_default() +=
            (resolved - clock::at(incident.opened).unwrap()).num_minutes();
    }
    let expected: BTreeMap<String, i64> = [
        ("payments-api", 95),
        ("ledger-db", 305),
        ("identity", 50),
        ("checkout-web", 300),
        ("notifications", 120),
        ("reporting", 300),
    ]
    .into_iter()
    .map(|(c, m)| (c.to_owned(), m))
    .collect();
    assert_eq!(minutes, expected);
}

#[test]
fn restore_tests_and_failovers_match_the_matrix() {
    let latest = |capability: &str, kind: Kind| {
        RECORDS
            .iter()
            .filter(|r| r.capability == capability && r.kind == kind)
            .map(|r| r.started)
            .max()
    };
    assert_eq!(latest("ledger-db", Kind::Restore), Some("2026-09-17 14:00"));
    assert_eq!(latest("identity", Kind::Restore), Some("2026-06-02 13:00"));
    let failovers = |dependency: &str| -> Vec<(&str, Outcome)> {
        RECORDS
            .iter()
            .filter(|r| {
                r.kind == Kind::Failover
                    && r.capability == "payments-api"
                    && r.dependency == Some(dependency)
            })
            .map(|r| (r.started, r.outcome))
            .collect()
    };
    assert_eq!(
        failovers("ledger-db"),
        [("2026-08-20 14:00", Outcome::Pass)]
    );
    assert_eq!(
        failovers("identity"),
        [
            ("2026-02-12 10:00", Outcome::Pass),
            ("2026-09-09 10:00", Outcome::Fail)
        ]
    );
}

/// The newest commit that changed `path` (a file or directory) the way `git
/// log -- path` sees it: differing from every parent.
fn last_change(repo: &Repository, head: Oid, path: &str) -> Option<String> {
    let id_at = |commit: &git2::Commit<'_>| {
        commit
            .tree()
            .ok()?
            .get_path(Path::new(path))
            .ok()
            .map(|e| e.id())
    };
    let mut walk = repo.revwalk().unwrap();
    walk.set_sorting(Sort::TIME).unwrap();
    walk.push(head).unwrap();
    for oid in walk {
        let commit = repo.find_commit(oid.unwrap()).unwrap();
        let mine = id_at(&commit);
        if commit.parents().all(|parent| id_at(&parent) != mine) {
            return Some(commit.time().seconds()).map(|s| {
                chrono::DateTime::from_timestamp(s, 0)
                    .unwrap()
                    .naive_utc()
                    .format("%Y-%m-%d")
                    .to_string()
            });
        }
    }
    None
}

#[test]
fn the_repository_matches_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path()).unwrap();
    let repo = Repository::open(dir.path().join("runbooks")).unwrap();
    let head = repo.revparse_single("main").unwrap().id();
    assert_eq!(head.to_string(), summary.runbooks.head);
    assert!(summary.runbooks.merges >= 5 && summary.runbooks.commits > 200);

    let runbooks = [
        ("runbooks/payments/incident-response.md", "2026-10-12"),
        ("runbooks/payments/card-processor-failover.md", "2026-10-15"),
        ("runbooks/payments/refunds/backlog-drain.md", "2026-05-14"),
        ("runbooks/ledger/postgres-failover.md", "2026-06-20"),
        ("runbooks/ledger/point-in-time-restore.md", "2026-10-18"),
        ("runbooks/identity/login-outage.md", "2026-09-28"),
        ("runbooks/identity/session-store-restore.md", "2026-07-01"),
        ("runbooks/checkout/storefront-degraded.md", "2026-06-10"),
        ("runbooks/checkout/cdn-failover.md", "2026-03-15"),
        (
            "runbooks/notifications/email-provider-outage.md",
            "2026-08-01",
        ),
        (
            "runbooks/notifications/sms-provider-outage.md",
            "2026-08-25",
        ),
        ("runbooks/reporting/monthly-close.md", "2025-08-10"),
        ("runbooks/reporting/warehouse-rebuild.md", "2026-01-20"),
    ];
    for (path, day) in runbooks {
        assert_eq!(
            last_change(&repo, head, path).as_deref(),
            Some(day),
            "{path}"
        );
    }
    assert_eq!(summary.runbooks.runbooks, runbooks.len());
    let code = [
        ("services/payments", "2026-10-20"),
        ("infra/ledger", "2026-10-05"),
        ("services/identity", "2026-04-01"),
        ("services/checkout", "2026-09-26"),
        ("services/notifications", "2026-08-18"),
        ("services/reporting", "2026-09-14"),
    ];
    for (path, day) in code {
        assert_eq!(
            last_change(&repo, head, path).as_deref(),
            Some(day),
            "{path}"
        );
    }

    // Search: a runbook once, none now.
    let tree = repo.find_commit(head).unwrap().tree().unwrap();
    assert!(tree.get_path(Path::new("runbooks/search")).is_err());
    assert!(last_change(&repo, head, "services/search").is_some());
    // Exactly one runbook has no owner in its front matter.
    let ownerless: Vec<&str> = runbooks
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| {
            let text = std::fs::read_to_string(dir.path().join("runbooks").join(path)).unwrap();
            !text.starts_with("---\nowner: ")
        })
        .collect();
    assert_eq!(ownerless, ["runbooks/notifications/sms-provider-outage.md"]);
}

#[test]
fn the_open_incident_has_no_resolved_at() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("incidents/incidents.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let open: Vec<&str> = rows
        .iter()
        .filter(|r| r.get("resolved_at").is_none())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["INC-2168"]);
}

/// Minutes to the first customer update of each sev1/sev2 incident in the window.
#[test]
fn first_updates_match_the_matrix() {
    let minutes: Vec<(&str, i64)> = INCIDENTS
        .iter()
        .filter(|i| in_window(i.opened) && ["P1", "P2"].contains(&i.priority))
        .map(|i| {
            let update = clock::at(i.first_update.unwrap()).unwrap();
            (i.id, (update - clock::at(i.opened).unwrap()).num_minutes())
        })
        .collect();
    let expected = [
        ("INC-2014", 19),
        ("INC-2033", 65),
        ("INC-2058", 18),
        ("INC-2071", 47),
        ("INC-2090", 45),
        ("INC-2102", 20),
        ("INC-2117", 22),
        ("INC-2130", 15),
        ("INC-2149", 80),
        ("INC-2162", 100),
    ];
    assert_eq!(minutes, expected);
}

/// Postmortems: late, missing, overdue follow-ups, and not yet due.
#[test]
fn postmortems_match_the_matrix() {
    let now = clock::at("2026-11-01").unwrap();
    let find = |id: &str| INCIDENTS.iter().find(|i| i.id == id).unwrap();
    let days_to_publish = |id: &str| {
        let i = find(id);
        let resolved = clock::at(i.resolved.unwrap()).unwrap();
        i.postmortem
            .map(|p| (clock::at(p).unwrap() - resolved).num_hours() as f64 / 24.0)
    };
    assert!(days_to_publish("INC-2058").unwrap() > 5.0);
    assert_eq!(days_to_publish("INC-2090"), None);
    assert_eq!(days_to_publish("INC-2162"), None);
    assert!(days_to_publish("INC-2149").unwrap() <= 10.0);
    let overdue: Vec<&str> = INCIDENTS
        .iter()
        .filter(|i| in_window(i.opened))
        .filter(|i| {
            i.follow_ups
                .iter()
                .any(|f| f.closed.is_none() && clock::at(f.due).unwrap() < now)
        })
        .map(|i| i.id)
        .collect();
    assert_eq!(overdue, ["INC-2071"]);
}
