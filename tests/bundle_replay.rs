//! `vouch verify --replay`: the sealed `always-pass` component re-run on the
//! sealed evidence at the sealed `now` gives the sealed findings; a bundle
//! whose findings were edited and re-signed with the right key passes every
//! signature and digest check but fails replay.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;

const PLAN: &str = r#"[organisation]
name = "Test Org"

[audit]
start = "2026-01-01"
end = "2026-12-31"

[tiers.tier-1]
level = 1
max_runbook_age = "90d"

[[capabilities]]
id = "payments"
name = "Payments"
tier = "tier-1"
rto = "1h"
rpo = "5m"
owner = "team-payments"
"#;

fn vouch() -> Command {
    let mut cmd = Command::cargo_bin("vouch").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The `always-pass` component, built once per test run (warm: no rebuild).
fn always_pass() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let built = vouch()
            .current_dir(root)
            .args(["-q", "policy", "build", "policies/always-pass"])
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        root.join("policies/target/policies/always-pass.wasm")
    })
}

fn run(dir: &Path, args: &[&str]) -> Output {
    vouch().current_dir(dir).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn replay_rederives_the_sealed_findings_and_catches_edited_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("vouch.toml"), PLAN).unwrap();
    let evidence = dir.join(".vouch/evidence");
    std::fs::create_dir_all(&evidence).unwrap();
    for file in ["runbooks", "code", "drills", "incidents", "gaps"] {
        std::fs::write(evidence.join(format!("{file}.json")), "[]\n").unwrap();
    }
    std::fs::write(evidence.join("provenance.json"), "{}\n").unwrap();
    let policy = always_pass().to_str().unwrap();
    ok(&run(
        dir,
        &[
            "evaluate",
            "--policy",
            policy,
            "--now",
            "2026-11-01T00:00:00Z",
        ],
    ));
    ok(&run(dir, &["keygen", "-o", "vendor"]));
    ok(&run(
        dir,
        &["seal", "--policy", policy, "--key", "vendor.key"],
    ));

    for bundle in [".vouch/bundle", ".vouch/bundle.tar"] {
        let stdout = ok(&run(
            dir,
            &["verify", bundle, "--key", "vendor.pub", "--replay"],
        ));
        assert!(stdout.contains("ok   replay"), "{stdout}");
    }

    // Edit a finding, re-seal with the genuine key: signed, but not what the policies say.
    let path = dir.join(".vouch/assessment.json");
    let mut assessment: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(!assessment["findings"].as_array().unwrap().is_empty());
    assessment["findings"][0]["message"] = "edited after the fact".into();
    std::fs::write(&path, serde_json::to_vec(&assessment).unwrap()).unwrap();
    ok(&run(
        dir,
        &["seal", "--policy", policy, "--key", "vendor.key"],
    ));
    ok(&run(
        dir,
        &["verify", ".vouch/bundle.tar", "--key", "vendor.pub"],
    ));
    let out = run(
        dir,
        &[
            "verify",
            ".vouch/bundle.tar",
            "--key",
            "vendor.pub",
            "--replay",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Diagnostics as one line: miette wraps long messages behind `│` gutters.
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("ok   signature") && stdout.contains("FAIL replay"),
        "{stdout}"
    );
    assert!(stderr.contains("edited after the fact"), "{stderr}");

    let out = run(
        dir,
        &[
            "verify",
            ".vouch/bundle",
            "--key",
            "vendor.pub",
            "--replay",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verified"], false);
    assert_eq!(json["failures"][0]["failure"], "replay-differs");
}
