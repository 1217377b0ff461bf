//! Incident sources read from files: the real PagerDuty, incident.io and
//! Statuspage payloads as saved responses, and generic exports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use vouch_collector::set::{self, provenance::Status};
use vouch_collector::{Options, Silent, Summary};
use vouch_sdk::EvidenceSet;
use vouch_sdk::evidence::IncidentSeverity;

use fixtures::{fixture, plan};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Collects `sources` (paths relative to `dir`) into `dir/evidence`.
fn collect_in(dir: &Path, sources: &str) -> (Summary, EvidenceSet) {
    let plan = Arc::new(plan(sources));
    let options = Options::new(
        dir.to_owned(),
        dir.join("evidence"),
        at("2026-11-01T00:00:00Z"),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let summary = runtime
        .block_on(vouch_collector::collect(plan, options, Arc::new(Silent)))
        .unwrap();
    let set = set::read(&dir.join("evidence")).unwrap();
    (summary, set)
}

fn saved(kind: &str, path: &Path) -> String {
    format!(
        "[[sources.incidents]]\nid = \"src\"\nkind = \"{kind}\"\npath = \"{}\"\n",
        path.display()
    )
}

#[test]
fn pagerduty_incident_list() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect_in(
        dir.path(),
        &saved(
            "pagerduty",
            &fixture("incidents/pagerduty/incidents-list.json"),
        ),
    );
    assert!(summary.complete(), "{:?}", summary.gaps);
    let [incident] = set.incidents.try_into().unwrap();
    assert_eq!(incident.id, "PT4KHLK");
    assert_eq!(incident.title, "The server is on fire.");
    assert_eq!(incident.service, "My Mail Service");
    assert_eq!(incident.capability.as_deref(), Some("payments-api"));
    assert_eq!(
        (incident.severity, incident.severity_raw.as_str()),
        (IncidentSeverity::Sev2, "P2")
    );
    assert_eq!(incident.started, at("2015-10-06T21:30:42Z"));
    assert_eq!(incident.resolved, Some(at("2015-10-06T21:38:23Z")));
    assert_eq!(incident.recovery_seconds, Some(461));
    assert_eq!(incident.acknowledged, None);
    assert_eq!(incident.origin.artifact, "src/incidents-list.json");
    let report = &summary.sources[0];
    assert_eq!(report.severities["P2"], "sev2 (built-in)");
    assert_eq!(report.artifacts[0].sha256, incident.origin.sha256);
    let raw = std::fs::read(dir.path().join("evidence/raw/src/incidents-list.json")).unwrap();
    assert_eq!(
        raw,
        fixtures::read("incidents/pagerduty/incidents-list.json")
    );
}

#[test]
fn pagerduty_open_incident_has_no_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect_in(
        dir.path(),
        &saved("pagerduty", &fixture("incidents/pagerduty/incident.json")),
    );
    let [incident] = set.incidents.try_into().unwrap();
    assert_eq!(incident.resolved, None);
    assert_eq!(incident.recovery_seconds, None);
    assert_eq!(incident.acknowledged, Some(at("2015-11-10T00:32:52Z")));
    assert_eq!(summary.sources[0].open, 1);
}

#[test]
fn pagerduty_log_entries_date_acknowledgement_and_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let mut list: serde_json::Value =
        serde_json::from_slice(&fixtures::read("incidents/pagerduty/incidents-list.json")).unwrap();
    list["incidents"][0]["resolved_at"] = serde_json::Value::Null;
    let mut log: serde_json::Value =
        serde_json::from_slice(&fixtures::read("incidents/pagerduty/log-entries.json")).unwrap();
    let mut entries = Vec::new();
    for (kind, when) in [
        ("acknowledge_log_entry", "2015-10-06T21:33:00Z"),
        ("resolve_log_entry", "2015-10-06T21:40:00Z"),
    ] {
        let mut entry = log["log_entries"][0].clone();
        entry["type"] = kind.into();
        entry["created_at"] = when.into();
        entries.push(entry);
    }
    log["log_entries"] = entries.into();
    std::fs::create_dir(dir.path().join("pd")).unwrap();
    std::fs::write(dir.path().join("pd/incidents.json"), list.to_string()).unwrap();
    std::fs::write(dir.path().join("pd/log-entries.json"), log.to_string()).unwrap();
    let (_, set) = collect_in(dir.path(), &saved("pagerduty", Path::new("pd")));
    let [incident] = set.incidents.try_into().unwrap();
    assert_eq!(incident.acknowledged, Some(at("2015-10-06T21:33:00Z")));
    assert_eq!(incident.recovery_seconds, Some(558));
}

#[test]
fn incident_io_singer_export() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect_in(
        dir.path(),
        &saved("incident-io", &fixture("incidents/incident-io")),
    );
    assert!(summary.complete(), "{:?}", summary.gaps);
    let [incident] = set.incidents.try_into().unwrap();
    assert_eq!(incident.id, "INC-1");
    assert_eq!(incident.title, "teal-ostrich");
    assert_eq!(
        (incident.severity, incident.severity_raw.as_str()),
        (IncidentSeverity::Sev3, "Minor")
    );
    assert_eq!(incident.started, at("2023-10-24T15:10:35.411Z"));
    assert_eq!(incident.resolved, None, "still investigating");
    assert_eq!(
        incident.first_update, None,
        "its only update has no message"
    );
    assert_eq!(incident.capability, None);
    assert_eq!(incident.follow_ups.len(), 1);
    assert_eq!(incident.follow_ups[0].title, "This is a follow up");
    assert_eq!(incident.follow_ups[0].closed, None);
    assert_eq!(incident.origin.artifact, "src/incidents.json");
    assert_eq!(summary.sources[0].unmatched, 1);
}

#[test]
fn statuspage_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("incidents/statuspage/githubstatus-summary.json");
    let (summary, set) = collect_in(dir.path(), &saved("statuspage", &path));
    assert!(summary.complete(), "{:?}", summary.gaps);
    let [incident] = set.incidents.try_into().unwrap();
    assert_eq!(incident.id, "bhbcjn4n3jzp");
    assert_eq!(incident.title, "Intermittent failures creating agent tasks");
    assert_eq!(
        (incident.severity, incident.severity_raw.as_str()),
        (IncidentSeverity::Sev1, "critical")
    );
    assert_eq!(incident.started, at("2026-08-20T14:43:01.526Z"));
    assert_eq!(incident.first_update, Some(at("2026-08-20T14:43:01.567Z")));
    assert_eq!(incident.resolved, None);
    assert_eq!(incident.service, "GitHub");
    assert_eq!(incident.capability.as_deref(), Some("ledger-db"));
}

const EXPORT: &str = r#"{"id":"INC-2033","title":"Ledger primary unavailable","service":"ledger-db","priority":"P1","status":"resolved","opened_at":"2026-01-08T02:47:00Z","acknowledged_at":"2026-01-08T02:52:00Z","first_customer_update_at":"2026-01-08T03:40:00Z","resolved_at":"2026-01-08T05:57:00Z","postmortem_published_at":"2026-01-12T16:00:00Z","follow_ups":[{"title":"Page team-data directly","owner":"dana@acme.example","due":"2026-01-31","closed_at":"2026-01-22T00:00:00Z"}]}
{"id":"INC-2109","title":"Wiki unavailable","service":"confluence","priority":"P4","status":"resolved","opened_at":"2026-06-11T09:00:00Z","acknowledged_at":"2026-06-11T09:30:00Z","first_customer_update_at":null,"resolved_at":"2026-06-11T10:15:00Z","postmortem_published_at":null,"follow_ups":[]}

{"id":"INC-2110","service":"ledger-db","priority":"P9","opened_at":"2026-06-12T09:00:00Z"}
{"id":"INC-2111","service":"ledger-db","priority":"P2","opened_at":"yesterday"}
{"id":"INC-2112","service":"ledger-db","priority":"P2","opened_at":"2026-06-13T09:00:00Z","resolved_at":"2026-06-13T08:00:00Z"}
{"id":"INC-2113", broken
{"id":"INC-2168","title":"Email receipts delayed","service":"checkout","priority":"P3","status":"investigating","opened_at":"2026-10-31T21:10:00Z","acknowledged_at":"2026-10-31T21:25:00Z","first_customer_update_at":"2026-10-31T21:50:00Z","postmortem_published_at":null,"follow_ups":[]}
"#;

const EXPORT_SOURCE: &str = r#"
[[sources.incidents]]
id = "incidents"
kind = "export"
path = "incidents.jsonl"
fields = { id = "id", service = "service", severity = "priority", started = "opened_at", acknowledged = "acknowledged_at", resolved = "resolved_at", first_update = "first_customer_update_at", postmortem = "postmortem_published_at" }
severities = { P1 = "sev1", P2 = "sev2", P3 = "sev3", P4 = "sev4" }
"#;

#[test]
fn jsonl_export_with_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("incidents.jsonl"), EXPORT).unwrap();
    let (summary, set) = collect_in(dir.path(), EXPORT_SOURCE);
    let ids: Vec<&str> = set.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["INC-2033", "INC-2109", "INC-2168"],
        "file order, bad rows left out"
    );
    let ledger = &set.incidents[0];
    assert_eq!(ledger.capability.as_deref(), Some("ledger-db"));
    assert_eq!(ledger.recovery_seconds, Some(11_400));
    assert_eq!(ledger.first_update, Some(at("2026-01-08T03:40:00Z")));
    assert_eq!(ledger.postmortem, Some(at("2026-01-12T16:00:00Z")));
    assert_eq!(ledger.follow_ups[0].due, Some(at("2026-01-31T23:59:59Z")));
    assert_eq!(
        ledger.follow_ups[0].owner.as_deref(),
        Some("dana@acme.example")
    );
    assert_eq!(set.incidents[1].capability, None, "unmatched, kept");
    assert_eq!(set.incidents[2].resolved, None);
    let errors: Vec<&str> = set.gaps.iter().map(|g| g.error.as_str()).collect();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors[0].starts_with("incidents.jsonl:4: incident `INC-2110` has severity `P9`, which maps to no level; map it"), "{}", errors[0]);
    assert!(
        errors[1].starts_with("incidents.jsonl:5: `opened_at`: expected an RFC 3339 timestamp"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains("resolved (`2026-06-13 08:00:00 UTC`) before it started"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with("incidents.jsonl:7: key must be a string"),
        "{}",
        errors[3]
    );
    assert!(
        set.gaps
            .iter()
            .all(|g| g.kind == "incidents" && g.source == "incidents")
    );
    let report = &summary.sources[0];
    assert_eq!(report.status, Status::Partial);
    assert_eq!((report.open, report.unmatched, report.gaps), (1, 1, 4));
    assert_eq!(report.severities["P1"], "sev1 (plan)");
}

#[test]
fn csv_and_json_exports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("incidents.csv"),
        "Ref,Svc,Sev,Opened,Closed,Actions\n\
         INC-1,checkout,SEV-2,08/01/2026 02:47,08/01/2026 03:47,\"[{\"\"title\"\": \"\"fix\"\", \"\"due\"\": \"\"31/01/2026 00:00\"\"}]\"\n\
         INC-2,checkout,SEV-3,09/01/2026 02:47,,\n",
    )
    .unwrap();
    let csv = r#"
[[sources.incidents]]
id = "sheet"
kind = "export"
path = "incidents.csv"
fields = { id = "Ref", service = "Svc", severity = "Sev", started = "Opened", resolved = "Closed", follow_ups = "Actions", time_format = "%d/%m/%Y %H:%M" }
"#;
    let (summary, set) = collect_in(dir.path(), csv);
    assert!(summary.complete(), "{:?}", summary.gaps);
    assert_eq!(set.incidents[0].recovery_seconds, Some(3600));
    assert_eq!(set.incidents[0].severity, IncidentSeverity::Sev2);
    assert_eq!(
        set.incidents[0].follow_ups[0].due,
        Some(at("2026-01-31T00:00:00Z"))
    );
    assert_eq!(set.incidents[1].resolved, None);
    assert!(summary.sources[0].notes[0].contains("2 incidents had timestamps without an offset"));

    std::fs::write(
        dir.path().join("incidents.json"),
        r#"[{"id": "A", "severity": "sev1", "started": 1767225600, "service": {"name": "checkout"}},
            {"id": "B", "severity": "sev1"}]"#,
    )
    .unwrap();
    let json = r#"
[[sources.incidents]]
id = "json"
kind = "export"
path = "incidents.json"
fields = { service = "service.name", time_format = "unix" }
"#;
    let (_, set) = collect_in(dir.path(), json);
    assert_eq!(set.incidents[0].started, at("2026-01-01T00:00:00Z"));
    assert_eq!(set.incidents[0].capability.as_deref(), Some("checkout-web"));
    assert_eq!(
        set.gaps[0].error,
        "incidents.json element 2: no `started` value; map the column that holds it with `fields.started`"
    );
}

#[test]
fn a_missing_export_or_bad_mapping_fails_the_source_only() {
    let dir = tempfile::tempdir().unwrap();
    let sources = r#"
[[sources.incidents]]
id = "gone"
kind = "export"
path = "nowhere.jsonl"

[[sources.incidents]]
id = "typo"
kind = "export"
path = "nowhere.jsonl"
fields = { opened = "opened_at" }

[[sources.incidents]]
id = "statuspage"
kind = "statuspage"
path = "STATUSPAGE"
"#
    .replace(
        "STATUSPAGE",
        &fixture("incidents/statuspage").display().to_string(),
    );
    let (summary, set) = collect_in(dir.path(), &sources);
    assert_eq!(set.incidents.len(), 1, "the other source still counts");
    assert_eq!(summary.sources[0].status, Status::Failed);
    assert!(
        set.gaps[0].error.contains("nowhere.jsonl`: cannot read"),
        "{}",
        set.gaps[0].error
    );
    assert!(
        set.gaps[0]
            .error
            .ends_with("check `path` of the incident source")
    );
    assert_eq!(
        set.gaps[1].error,
        "`fields.opened`: `opened` is not a field Vouch reads; expected one of `id`, `title`, `service`, `severity`, `started`, `acknowledged`, `resolved`, `first_update`, `postmortem`, `follow_ups`, `time_format`"
    );
}
