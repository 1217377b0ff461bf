//! `vouch collect` end to end: the demo organisation's evidence set with the
//! field names DESIGN.md promises, the exit statuses, where the set goes by
//! default, and what it refuses to overwrite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

const NOW: &str = "2026-11-01T00:00:00Z";

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn keys(record: &Value) -> Vec<&str> {
    record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn collects_the_demo_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("acme");
    vouch()
        .args(["demo", "--out"])
        .arg(&demo)
        .assert()
        .success();
    let output = vouch()
        .args(["collect", "--json", "--now", NOW, "-p"])
        .arg(demo.join("vouch.toml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(summary["complete"], true, "{summary:#}");
    let evidence = demo.join(".vouch/evidence");
    assert_eq!(Path::new(summary["evidence"].as_str().unwrap()), evidence);

    let drills = json(&evidence.join("drills.json"));
    let drills = drills.as_array().unwrap();
    assert_eq!(drills.len(), 37);
    assert_every_record_has(
        drills,
        "drill",
        &[
            "id",
            "capability",
            "kind",
            "started",
            "ended",
            "outcome",
            "recovery_seconds",
            "data_loss_seconds",
        ],
    );
    let restore = drills
        .iter()
        .find(|d| d["id"] == "restore-2026-01-27-ledger")
        .unwrap();
    assert_eq!(restore["kind"], "restore");
    assert_eq!(restore["capability"], "ledger-db");
    assert_eq!(restore["recovery_seconds"], 5400);
    assert_eq!(restore["integrity_check"], true);
    let unmatched: Vec<&Value> = drills
        .iter()
        .filter(|d| d["capability"].is_null())
        .collect();
    assert_eq!(
        unmatched.len(),
        1,
        "the cache drill matches no rule and is kept"
    );

    let incidents = json(&evidence.join("incidents.json"));
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 16);
    assert_every_record_has(
        incidents,
        "incident",
        &[
            "id",
            "capability",
            "severity",
            "started",
            "acknowledged",
            "resolved",
            "recovery_seconds",
            "first_update",
        ],
    );
    let ledger = incidents.iter().find(|i| i["id"] == "INC-2033").unwrap();
    assert_eq!(
        (&ledger["severity"], &ledger["capability"]),
        (&Value::from("sev1"), &Value::from("ledger-db"))
    );
    assert_eq!(ledger["recovery_seconds"], 11_400);
    let open = incidents.iter().find(|i| i["id"] == "INC-2168").unwrap();
    assert!(
        open["resolved"].is_null() && open["recovery_seconds"].is_null(),
        "{open:#}"
    );

    let runbooks = json(&evidence.join("runbooks.json"));
    let runbook = &runbooks.as_array().unwrap()[0];
    for key in [
        "path",
        "capability",
        "last_commit",
        "last_changed",
        "author",
        "owner",
    ] {
        assert!(keys(runbook).contains(&key), "a runbook has `{key}`");
    }
    assert_eq!(json(&evidence.join("gaps.json")), Value::Array(Vec::new()));
    let provenance = json(&evidence.join("provenance.json"));
    assert_eq!(provenance["collected_at"], NOW);
    assert_eq!(provenance["sources"].as_array().unwrap().len(), 4);
}

#[test]
fn gaps_are_written_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("acme");
    vouch()
        .args(["demo", "--out"])
        .arg(&demo)
        .assert()
        .success();
    std::fs::remove_file(demo.join("incidents/incidents.jsonl")).unwrap();
    vouch()
        .args(["collect", "--now", NOW, "-p"])
        .arg(demo.join("vouch.toml"))
        .assert()
        .code(1)
        .stdout(contains("incidents  0"))
        .stderr(contains("collection is incomplete: 1 gap(s)"))
        .stderr(contains("source `incidents` (incidents)"));
    let gaps = json(&demo.join(".vouch/evidence/gaps.json"));
    assert_eq!(gaps[0]["source"], "incidents");
    assert!(
        gaps[0]["error"]
            .as_str()
            .unwrap()
            .contains("incidents.jsonl`: cannot read"),
        "{gaps:#}"
    );
    // The other sources still count.
    assert_eq!(
        json(&demo.join(".vouch/evidence/drills.json"))
            .as_array()
            .unwrap()
            .len(),
        37
    );
}

#[test]
fn the_set_goes_beside_the_plan_and_other_directories_are_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("vouch.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/vouch.toml"),
    )
    .unwrap();
    // The acme plan without its sources: nothing to read, nothing missing.
    let head = text.split("# ── Where the evidence lives").next().unwrap();
    let tail = text.split("# ── Policies").nth(1).unwrap();
    std::fs::write(&plan, format!("{head}# ── Policies{tail}")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    vouch()
        .current_dir(elsewhere.path())
        .args(["collect", "--now", NOW, "-p"])
        .arg(&plan)
        .assert()
        .success();
    assert!(dir.path().join(".vouch/evidence/provenance.json").is_file());

    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "mine").unwrap();
    vouch()
        .args(["collect", "-p"])
        .arg(&plan)
        .arg("-o")
        .arg(&precious)
        .assert()
        .code(2)
        .stderr(contains("is not an evidence set"));
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn an_invalid_plan_or_time_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("vouch.toml");
    std::fs::write(&plan, "[organisation]\nname = 1\n").unwrap();
    vouch().args(["collect", "-p"]).arg(&plan).assert().code(2);
    vouch()
        .args(["collect", "--now", "yesterday", "-p"])
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(contains("expected an RFC 3339 time"));
}

/// Every record carries each of the contract's `keys` (DESIGN.md, "JSON names").
fn assert_every_record_has(records: &[Value], noun: &str, keys: &[&str]) {
    for key in keys {
        assert!(
            records.iter().all(|r| r.get(key).is_some()),
            "every {noun} has `{key}`"
        );
    }
}
