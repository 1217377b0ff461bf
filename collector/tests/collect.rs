//! Whole-plan collection: the evidence set directory, its provenance and
//! gaps, determinism, and replacing a set only whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use vouch_collector::set::{self, StageError, provenance::Status};
use vouch_collector::{Options, Silent, Summary};

use fixtures::{fixture, plan};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn run(plan_dir: &Path, out: &Path, sources: &str) -> Result<Summary, StageError> {
    let options = Options::new(
        plan_dir.to_owned(),
        out.to_owned(),
        at("2026-11-01T00:00:00Z"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(vouch_collector::collect(
        Arc::new(plan(sources)),
        options,
        Arc::new(Silent),
    ))
}

const RECORD: &str = r#"{"vouch_drill": 1, "id": "restore-1", "capability": "ledger-db", "scenario": "Restore",
  "kind": "restore", "started": "2026-01-27T14:00:00Z", "ended": "2026-01-27T15:30:00Z", "outcome": "pass",
  "recovery_seconds": 5400, "data_loss_seconds": 30, "integrity_check": "passed"}"#;

/// A plan dir with a drills folder (a record, a broken journal, a README)
/// plus the real Chaos Toolkit journals and the Statuspage snapshot.
fn sources(dir: &Path) -> String {
    let drills = dir.join("drills");
    std::fs::create_dir_all(drills.join("restore")).unwrap();
    std::fs::write(drills.join("restore/restore-1.json"), RECORD).unwrap();
    std::fs::write(
        drills.join("broken.json"),
        "{\"chaoslib-version\": \"1.44.0\",\n  \"start\": }",
    )
    .unwrap();
    std::fs::write(drills.join("README.md"), "how we drill").unwrap();
    format!(
        r#"
[[sources.drills]]
id = "local"
path = "drills"

[[sources.drills]]
id = "chaos"
path = "{chaos}"

[[sources.drills.rules]]
capability = "ledger-db"
tags = ["redis"]

[[sources.incidents]]
id = "status"
kind = "statuspage"
path = "{status}"
"#,
        chaos = fixture("drills/chaostoolkit").display(),
        status = fixture("incidents/statuspage/githubstatus-summary.json").display(),
    )
}

#[test]
fn writes_the_evidence_set_with_gaps_and_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(".vouch/evidence");
    let summary = run(dir.path(), &out, &sources(dir.path())).unwrap();
    for file in [
        "runbooks.json",
        "code.json",
        "drills.json",
        "incidents.json",
        "gaps.json",
        "provenance.json",
    ] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(text.ends_with('\n'), "{file}");
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(out.join("runbooks.json")).unwrap(),
        "[]\n"
    );
    let set = set::read(&out).unwrap();
    let ids: Vec<&str> = set.drills.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "restore-1",
            "k8s-pod-kill-journal.json",
            "redis-outage-journal.json"
        ],
        "plan order, then path order"
    );
    assert_eq!(set.drills[1].capability, None, "unmatched, kept");
    assert_eq!(set.drills[2].capability.as_deref(), Some("ledger-db"));
    assert_eq!(set.incidents.len(), 1);
    let [gap] = set.gaps.try_into().unwrap();
    assert_eq!(
        (gap.source.as_str(), gap.kind.as_str()),
        ("local", "drills")
    );
    assert!(
        gap.error.starts_with("broken.json:2:12: expected value"),
        "{}",
        gap.error
    );

    let provenance = set::read_provenance(&out).unwrap();
    assert_eq!(provenance.collected_at, at("2026-11-01T00:00:00Z"));
    let local = &provenance.sources[0];
    assert_eq!((local.status, local.gaps), (Status::Partial, 1));
    assert_eq!(local.records["drills"], 1);
    assert_eq!(
        local.notes,
        ["skipped `README.md`: not a drill result format"]
    );
    assert_eq!(local.collector.name, "vouch-collector/auto");
    assert_eq!(provenance.sources[1].unmatched, 1);
    assert_eq!(summary.sources, provenance.sources);
    // Every artifact is under raw/ with the digest provenance names.
    for source in &provenance.sources {
        for artifact in &source.artifacts {
            let bytes = std::fs::read(out.join("raw").join(&artifact.path)).unwrap();
            assert_eq!(hex(&bytes), artifact.sha256, "{}", artifact.path);
            assert_eq!(bytes.len() as u64, artifact.bytes);
        }
    }
    assert_eq!(set.drills[0].origin.sha256, hex(RECORD.as_bytes()));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(".vouch"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["evidence"], "no staging directory left behind");
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(dir.path(), &a, &sources).unwrap();
    run(dir.path(), &b, &sources).unwrap();
    for file in [
        "drills.json",
        "incidents.json",
        "gaps.json",
        "provenance.json",
        "raw/local/restore/restore-1.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_set_is_replaced_whole_and_nothing_else_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources(dir.path());
    let out = dir.path().join("evidence");
    run(dir.path(), &out, &sources).unwrap();
    std::fs::write(out.join("raw/stale.txt"), "from an older run").unwrap();
    run(dir.path(), &out, &sources).unwrap();
    assert!(
        !out.join("raw/stale.txt").exists(),
        "the old set is gone, not merged"
    );
    assert!(out.join("drills.json").exists());

    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "mine").unwrap();
    let err = run(dir.path(), &precious, &sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` exists and is not an evidence set; refusing to replace it",
            precious.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_missing_drill_directory_fails_that_source_only() {
    let dir = tempfile::tempdir().unwrap();
    let sources = "[[sources.drills]]\nid = \"gone\"\npath = \"no-such-dir\"\n";
    let summary = run(dir.path(), &dir.path().join("e"), sources).unwrap();
    assert!(!summary.complete());
    assert_eq!(summary.sources[0].status, Status::Failed);
    assert!(
        summary.gaps[0].error.contains("no-such-dir`: cannot read"),
        "{}",
        summary.gaps[0].error
    );
    assert!(
        summary.gaps[0]
            .error
            .ends_with("; check `path` of the drill source")
    );
}

#[test]
fn a_git_source_that_is_not_a_repository_is_a_runbooks_gap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    let sources = "[[sources.git]]\nid = \"runbooks\"\npath = \"plain\"\n";
    let summary = run(dir.path(), &dir.path().join("e"), sources).unwrap();
    assert_eq!(summary.sources[0].status, Status::Failed);
    assert_eq!(summary.sources[0].kind, "git");
    let gap = &summary.gaps[0];
    assert_eq!(
        (gap.source.as_str(), gap.kind.as_str()),
        ("runbooks", "runbooks")
    );
    assert!(
        gap.error.starts_with("git source `runbooks`: "),
        "{}",
        gap.error
    );
    assert!(
        gap.error
            .contains("; `path` must be the top of a git repository"),
        "{}",
        gap.error
    );
}
