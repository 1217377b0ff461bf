//! `vouch evaluate` as a user runs it: a hand-made evidence set, the
//! `always-pass` fixture policy (built once with `vouch policy build`), a
//! custom framework whose commitment runs it over tier-1 only, and waivers.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

const PLAN: &str = r#"
[organisation]
name = "Test Org"

[audit]
start = "2026-01-01"
end = "2026-12-31"

[tiers.tier-1]
level = 1
max_runbook_age = "90d"

[tiers.tier-2]
level = 2
max_runbook_age = "180d"

[[capabilities]]
id = "payments"
name = "Payments"
tier = "tier-1"
rto = "1h"
rpo = "5m"
owner = "team-payments"

[[capabilities]]
id = "search"
name = "Search"
tier = "tier-2"
rto = "8h"
rpo = "1h"
owner = "team-web"

[frameworks]
enabled = ["pci-dss"]

[[frameworks.custom]]
id = "msa"
title = "Enterprise MSA"

[[frameworks.custom.commitments]]
id = "MSA-1"
title = "Tier-1 capabilities pass"
policy = "always-pass"
tiers = ["tier-1"]

[[waivers]]
policy = "always-pass"
subject = "search"
justification = "old exception"
approver = "cto@example.com"
expires = "2026-01-31"
"#;

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

/// The `always-pass` component, built once per test run (warm: no rebuild).
fn always_pass() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root.join("policies/target/policies/always-pass.wasm");
        let built = vouch()
            .current_dir(root)
            .args(["-q", "policy", "build", "policies/always-pass"])
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "building always-pass failed: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        out
    })
}

/// `PLAN` then `extra`, with every standard policy switched off so only the
/// fixture runs (tests/library.rs covers the standard library).
fn plan(extra: &str) -> String {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/dist");
    let mut plan = format!("{PLAN}\n{extra}");
    for entry in std::fs::read_dir(dist).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let id = path.file_stem().unwrap().to_string_lossy();
            plan.push_str(&format!("\n[policies.{id}]\nenabled = false\n"));
        }
    }
    plan
}

/// A directory holding `vouch.toml` and an empty evidence set.
fn organisation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vouch.toml"), plan("")).unwrap();
    let evidence = dir.path().join(".vouch/evidence");
    std::fs::create_dir_all(&evidence).unwrap();
    for file in ["runbooks", "code", "drills", "incidents", "gaps"] {
        std::fs::write(evidence.join(format!("{file}.json")), "[]\n").unwrap();
    }
    dir
}

/// Runs `vouch ARGS` in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = vouch().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_table_shows_findings_and_every_control() {
    let dir = organisation();
    let policy = always_pass().to_str().unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "evaluate",
            "--policy",
            policy,
            "--now",
            "2026-11-01T00:00:00Z",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
    let written = std::fs::read(dir.path().join(".vouch/assessment.json")).unwrap();
    let json: Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(json["organisation"], "Test Org");
    assert!(
        stderr.contains(
            "warning: waiver for policy `always-pass` on `search` expired on 2026-01-31 and is ignored"
        ),
        "{stderr}"
    );
}

#[test]
fn the_assessment_json_names_runs_findings_and_controls() {
    let dir = organisation();
    let policy = always_pass().to_str().unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--json",
            "evaluate",
            "--policy",
            policy,
            "--now",
            "2026-11-01T00:00:00Z",
            "-o",
            "out/assessment.json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/assessment.json")).unwrap())
            .unwrap();
    assert_eq!(json, written);

    assert_eq!(json["organisation"], "Test Org");
    assert_eq!(json["now"], "2026-11-01T00:00:00Z");
    let runs = json["policies"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "its own run and the commitment's");
    assert_eq!(runs[1]["commitment"], "msa:MSA-1");
    assert_eq!(runs[0]["sha256"].as_str().unwrap().len(), 64);

    // The commitment's run judged tier-1 only.
    let subjects = |commitment: Option<&str>| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["commitment"].as_str() == commitment)
            .map(|f| f["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(subjects(None), ["payments", "search"]);
    assert_eq!(subjects(Some("msa:MSA-1")), ["payments"]);

    let controls: Vec<(String, String)> = json["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!(
                    "{}:{}",
                    c["framework"].as_str().unwrap(),
                    c["control"].as_str().unwrap()
                ),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            ("pci-dss:12.10.1".to_owned(), "no-evidence".to_owned()),
            ("pci-dss:12.10.2".to_owned(), "no-evidence".to_owned()),
            ("msa:MSA-1".to_owned(), "satisfied".to_owned()),
        ]
    );
    assert_eq!(json["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_missing_evidence_set_is_an_input_error() {
    let dir = organisation();
    let (code, _, stderr) = run(dir.path(), &["evaluate", "-e", "nowhere"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no evidence set at `nowhere`"), "{stderr}");
    assert!(stderr.contains("vouch collect"), "{stderr}");
}

#[test]
fn a_malformed_evidence_file_is_named_with_its_line() {
    let dir = organisation();
    let drills = dir.path().join(".vouch/evidence/drills.json");
    std::fs::write(&drills, "[{\"id\": \"d1\"}]\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["evaluate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("drills.json"), "{stderr}");
    assert!(stderr.contains("missing field"), "{stderr}");
    assert!(stderr.contains("at line"), "{stderr}");
}

#[test]
fn a_policy_that_is_not_there_is_an_input_error() {
    let dir = organisation();
    let (code, _, stderr) = run(dir.path(), &["evaluate", "--policy", "missing.wasm"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read policy `missing.wasm`"),
        "{stderr}"
    );
}

#[test]
fn a_plan_path_must_hold_the_policy_it_names() {
    let dir = organisation();
    std::fs::copy(always_pass(), dir.path().join("p.wasm")).unwrap();
    let plan = plan("[policies.freshness]\npath = \"p.wasm\"\n");
    std::fs::write(dir.path().join("vouch.toml"), plan).unwrap();
    let (code, _, stderr) = run(dir.path(), &["evaluate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is policy `always-pass`"), "{stderr}");
    assert!(stderr.contains("`[policies.freshness]`"), "{stderr}");
}

#[test]
fn parameters_that_break_the_policy_schema_are_an_input_error() {
    let dir = organisation();
    let plan = plan("[policies.always-pass]\nparams = { max_age = 3 }\n");
    std::fs::write(dir.path().join("vouch.toml"), plan).unwrap();
    let policy = always_pass().to_str().unwrap();
    let (code, _, stderr) = run(dir.path(), &["evaluate", "--policy", policy]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`[policies.always-pass]`"), "{stderr}");
    assert!(stderr.contains("match its schema"), "{stderr}");
    assert!(stderr.contains("the policy takes no"), "{stderr}");
}
