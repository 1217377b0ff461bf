//! `vouch run` end to end on the demo organisation: one command seals a
//! bundle that verifies, prints a summary, keeps the history of runs for
//! trends, gates CI with `--fail-on` exactly as documented, and leaves no
//! bundle when a stage fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const NOW: &str = "2026-11-01T00:00:00Z";

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

fn demo(dir: &Path) {
    vouch()
        .args(["demo", "-q", "--out"])
        .arg(dir)
        .assert()
        .success();
}

/// `vouch run` on the demo in `dir` with `args` after the plan and key.
fn run(dir: &Path, args: &[&str]) -> Output {
    vouch()
        .arg("run")
        .arg("-p")
        .arg(dir.join("vouch.toml"))
        .arg("--key")
        .arg(dir.join("demo.key"))
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn one_command_seals_a_bundle_that_verifies_and_summarises_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let out = run(dir, &["--now", NOW]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in [
        "Acme Payments Ltd: audit window 2025-11-01 to 2026-10-31, as of 2026-11-01T00:00:00Z",
        "SOC 2 (Trust Services Criteria)",
        "Acme Enterprise MSA, schedule 3 (service levels)",
        "Metrics:",
        "Drill pass rate",
        "report  `",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    let bundle = dir.join(".vouch/bundle");
    for file in ["report.html", "history.json", "assessment.json"] {
        assert!(bundle.join(file).is_file(), "{file}");
    }
    vouch()
        .arg("verify")
        .arg(&bundle)
        .arg("--key")
        .arg(dir.join("demo.pub"))
        .assert()
        .success();
}

#[test]
fn each_run_joins_the_history_and_the_next_bundle_carries_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let first = run(dir, &["--now", NOW, "--json"]);
    assert!(first.status.success());
    let first = json(&first);
    let envelope = std::fs::read(dir.join(".vouch/bundle/statement.dsse.json")).unwrap();
    let digest = format!("{:x}", Sha256::digest(&envelope));
    assert_eq!(first["digest"], digest);
    assert!(dir.join(".vouch/history.sqlite").is_file());

    let second = run(dir, &["--now", "2026-12-01T00:00:00Z", "--json"]);
    assert!(second.status.success());
    let history: Value =
        serde_json::from_slice(&std::fs::read(dir.join(".vouch/bundle/history.json")).unwrap())
            .unwrap();
    let runs = history.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{history}");
    assert_eq!(runs[0]["bundle"], digest);
    assert_eq!(runs[0]["now"], NOW);
    assert_eq!(runs[0]["organisation"], "Acme Payments Ltd");
    assert_eq!(runs[0]["metrics"], first["metrics"]);
    assert_eq!(runs[0]["controls"], first["controls"]);
    // The report draws each metric over both runs.
    let html = std::fs::read_to_string(dir.join(".vouch/bundle/report.html")).unwrap();
    assert!(html.contains("2 runs"), "trend");
}

#[test]
fn fail_on_gates_exactly_as_documented() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);

    let plain = run(dir, &["--now", NOW, "--json"]);
    assert_eq!(plain.status.code(), Some(0), "no --fail-on: exit 0");
    let summary = json(&plain);
    let not_satisfied = summary["controls"]["not_satisfied"].as_u64().unwrap();
    let errors = summary["controls"]["error"].as_u64().unwrap();

    let gated = run(dir, &["--now", NOW, "--json", "--fail-on", "not-satisfied"]);
    assert_eq!(gated.status.code(), Some(i32::from(not_satisfied > 0)));
    let gated = run(
        dir,
        &["--now", NOW, "--json", "--fail-on", "not-satisfied,error"],
    );
    assert_eq!(
        gated.status.code(),
        Some(i32::from(not_satisfied + errors > 0))
    );
    assert_eq!(json(&gated)["failed"].as_array().unwrap().len(), {
        usize::from(not_satisfied > 0) + usize::from(errors > 0)
    });

    // Evidence that cannot be collected is a gap: gated, yet still sealed.
    std::fs::remove_file(dir.join("incidents/incidents.jsonl")).unwrap();
    let bundle = dir.join("gapped");
    let out = run(
        dir,
        &[
            "--now",
            NOW,
            "--json",
            "-o",
            bundle.to_str().unwrap(),
            "--fail-on",
            "error",
            "--fail-on",
            "gap",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let summary = json(&out);
    assert!(summary["gaps"].as_u64().unwrap() > 0);
    assert!(
        summary["failed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["condition"] == "gap")
    );
    assert!(bundle.join("report.html").is_file());
    assert_eq!(run(dir, &["--now", NOW, "-q"]).status.code(), Some(0));
}

#[test]
fn a_failing_stage_leaves_no_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let bundle = dir.join("never");

    // A key that is not one: refused before any work.
    std::fs::write(dir.join("bad.key"), "not a key").unwrap();
    let out = vouch()
        .arg("run")
        .arg("-p")
        .arg(dir.join("vouch.toml"))
        .arg("--key")
        .arg(dir.join("bad.key"))
        .arg("-o")
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!bundle.exists());

    // A policy the plan names that is not there: evaluation fails, nothing is sealed.
    let plan = dir.join("vouch.toml");
    let mut text = std::fs::read_to_string(&plan).unwrap();
    text.push_str("\n[policies.missing]\npath = \"missing.wasm\"\n");
    std::fs::write(&plan, text).unwrap();
    let out = run(dir, &["--now", NOW, "-o", bundle.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.wasm"), "{stderr}");
    assert!(!bundle.exists());
    assert!(!dir.join("never.tar").exists());
}
