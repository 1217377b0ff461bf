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

/// `vouch evaluate --json` on a fresh `vouch demo`, made once for all tests.
fn assessment() -> &'static Value {
    static ASSESSMENT: OnceLock<Value> = OnceLock::new();
    ASSESSMENT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let demo = dir.path().join("demo");
        // Only the organisation and its collected evidence matter here; the
        // rest of the demo's flow (seal, verify) is tests/demo.rs's.
        let made = Command::cargo_bin("vouch")
            .unwrap()
            .args(["-q", "demo", "--out"])
            .arg(&demo)
            .output()
            .unwrap();
        assert!(
            demo.join(".vouch/evidence").is_dir(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let out = Command::cargo_bin("vouch")
            .unwrap()
            .args(["--json", "evaluate", "--now", NOW, "-p"])
            .arg(demo.join("vouch.toml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    })
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
    let runs = assessment()["policies"].as_array().unwrap();
    let standalone = runs.iter().filter(|r| r["commitment"].is_null());
    assert_eq!(strings(standalone, "id"), dist());
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
