//! The standard library end to end: on the demo organisation,
//! `vouch evaluate` with no `--policy` runs every policy in `policies/dist`
//! (embedded in the binary) and reports every enabled framework's controls
//! and the demo's Enterprise MSA commitments.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use vouch_engine::controls::Catalogs;

/// The demo's own time, so the assessment never depends on the clock.
const NOW: &str = "2026-11-01T00:00:00Z";
const MSA: &str = "acme-enterprise-msa";

/// A fresh `vouch demo`, made once for all tests.
fn demo() -> &'static Path {
    static DEMO: OnceLock<tempfile::TempDir> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        // Only the organisation and its collected evidence matter here; the
        // rest of the demo's flow (seal, verify) is tests/demo.rs's.
        let made = Command::cargo_bin("vouch")
            .unwrap()
            .args(["-q", "demo", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            dir.path().join(".vouch/evidence").is_dir(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        dir
    })
    .path()
}

/// `vouch evaluate --json` on the demo with `plan` (its own by default)
/// and `args`; the assessment and stderr.
fn evaluate(plan: Option<&Path>, args: &[&str]) -> (Value, String) {
    let out_dir = tempfile::tempdir().unwrap();
    let default_plan = demo().join("vouch.toml");
    let out = Command::cargo_bin("vouch")
        .unwrap()
        .args(["--json", "evaluate", "--now", NOW])
        .arg("-p")
        .arg(plan.unwrap_or(&default_plan))
        .arg("-e")
        .arg(demo().join(".vouch/evidence"))
        .arg("-o")
        .arg(out_dir.path().join("assessment.json"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

/// The demo's assessment with nothing but the standard library.
fn assessment() -> &'static Value {
    static ASSESSMENT: OnceLock<Value> = OnceLock::new();
    ASSESSMENT.get_or_init(|| evaluate(None, &[]).0)
}

/// The policies that ran on their own (not for a commitment).
fn standalone(assessment: &Value) -> BTreeSet<String> {
    let runs = assessment["policies"].as_array().unwrap();
    strings(runs.iter().filter(|r| r["commitment"].is_null()), "id")
}

/// The ids of the policies in `policies/dist`.
fn dist() -> BTreeSet<String> {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/dist");
    std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn strings<'a>(values: impl IntoIterator<Item = &'a Value>, key: &str) -> BTreeSet<String> {
    values
        .into_iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_standard_policy_runs_without_being_named() {
    assert_eq!(standalone(assessment()), dist());
    let runs = assessment()["policies"].as_array().unwrap();
    let failed: Vec<&Value> = runs.iter().filter(|r| !r["error"].is_null()).collect();
    assert!(
        failed.is_empty(),
        "policies that could not run: {failed:#?}"
    );
}

#[test]
fn every_enabled_framework_and_the_msa_are_reported() {
    let controls = assessment()["controls"].as_array().unwrap();
    let catalogs = Catalogs::standard().unwrap();
    for framework in vouch_sdk::plan::STANDARD_FRAMEWORKS {
        let reported = strings(
            controls.iter().filter(|c| c["framework"] == framework),
            "control",
        );
        let catalogued: BTreeSet<String> = catalogs
            .framework(framework)
            .unwrap()
            .controls
            .iter()
            .map(|c| c.id.clone())
            .collect();
        assert_eq!(reported, catalogued, "{framework}");
    }
    let msa = strings(controls.iter().filter(|c| c["framework"] == MSA), "control");
    assert_eq!(
        msa,
        ["MSA-3.1", "MSA-3.2", "MSA-3.3"].map(String::from).into()
    );
}

#[test]
fn the_control_table() {
    let table: String = assessment()["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let policies: Vec<&str> = c["policies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            format!(
                "{:<20} {:<21} {:<14} {}\n",
                c["framework"].as_str().unwrap(),
                c["control"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                policies.join(", ")
            )
        })
        .collect();
    insta::assert_snapshot!(table);
}

#[test]
fn a_user_policy_with_a_standard_id_replaces_the_standard_one() {
    let mine = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/dist/availability.wasm");
    let (assessment, stderr) = evaluate(None, &["-v", "--policy", mine.to_str().unwrap()]);
    assert!(
        stderr.contains(&format!(
            "policy `availability`: `{}` replaces the standard library's",
            mine.display()
        )),
        "{stderr}"
    );
    assert_eq!(standalone(&assessment), dist());
}

#[test]
fn a_plan_switches_a_standard_policy_off() {
    let plan = demo().join("without-coverage.toml");
    let mut text = std::fs::read_to_string(demo().join("vouch.toml")).unwrap();
    text.push_str("\n[policies.runbook-coverage]\nenabled = false\n");
    std::fs::write(&plan, text).unwrap();
    let (assessment, _) = evaluate(Some(&plan), &[]);
    let mut expected = dist();
    expected.remove("runbook-coverage");
    assert_eq!(standalone(&assessment), expected);
}

#[test]
fn every_standard_policy_both_passes_and_fails_subjects_in_the_demo() {
    let findings = assessment()["findings"].as_array().unwrap();
    for policy in dist() {
        let statuses = strings(
            findings
                .iter()
                .filter(|f| f["policy"] == policy.as_str() && f["commitment"].is_null()),
            "status",
        );
        assert!(
            statuses.contains("pass") && statuses.contains("fail"),
            "`{policy}` judged the demo {statuses:?}: the demo should show it passing and failing"
        );
    }
}

/// The policies that allow partitioning judge the same in chunks as whole:
/// on the demo with every capability a chunk of its own (a one-byte chunk
/// budget), every finding and control status is the same as in one request.
#[test]
fn chunked_evaluation_finds_what_one_request_finds() {
    use vouch_engine::{Config, Engine, assess};

    let plan = vouch_sdk::plan::load::load(&demo().join("vouch.toml")).unwrap();
    let evidence = vouch_collector::set::read(&demo().join(".vouch/evidence")).unwrap();
    let catalogs = Catalogs::standard().unwrap();
    let now = NOW.parse().unwrap();
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/dist");
    let assess_with = |config: Config| {
        let engine = Engine::new(&config).unwrap();
        let mut policies = Vec::new();
        for entry in std::fs::read_dir(&dist).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                policies.push(engine.load(&std::fs::read(path).unwrap()).unwrap());
            }
        }
        let partitioned = policies
            .iter()
            .filter(|p| p.metadata().partition == vouch_sdk::Partition::Capability)
            .count();
        assert!(
            partitioned >= 9,
            "{partitioned} policies allow partitioning"
        );
        assess::evaluate(&plan, &evidence, &policies, &catalogs, now).unwrap()
    };
    let whole = assess_with(Config::default());
    let chunked = assess_with(Config::default().chunk_bytes(1));
    assert!(whole.policies.iter().all(|p| p.error.is_none()));
    assert!(!whole.findings.is_empty());
    assert_eq!(chunked.findings, whole.findings);
    assert_eq!(chunked.controls, whole.controls);
    assert_eq!(chunked.warnings, whole.warnings);
    // Each chunk parses its own request, so only the fuel differs, and
    // differing shows the chunks were made.
    for (c, w) in chunked.policies.iter().zip(&whole.policies) {
        assert_eq!(
            (&c.id, &c.commitment, &c.error),
            (&w.id, &w.commitment, &w.error)
        );
    }
    let fuel = |a: &vouch_sdk::Assessment| a.policies.iter().map(|p| p.fuel_used).sum::<u64>();
    assert!(fuel(&chunked) > fuel(&whole));
}
