//! `vouch policy new x && vouch policy build x && vouch policy test x` in a
//! fresh directory, as the policy-engine issue promises; then a broken
//! expectation fails `policy test` with a diff, and bad names are refused.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::Path;

use assert_cmd::Command;

/// `vouch ARGS` in `dir`, with the guest build cached across test runs.
fn vouch(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/policy-new-test");
    let out = Command::cargo_bin("vouch")
        .unwrap()
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_new_policy_builds_and_passes_its_fixtures() {
    // A fixed place rather than a temporary directory: the build remaps the
    // crate's path into its flags, so a new path would rebuild the wasm
    // standard library every run.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/policy-new-test/work");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (code, stdout, stderr) = vouch(&dir, &["policy", "new", "x"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("created policy `x`"), "{stdout}");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "fixtures/stale-runbook/request.json",
        "fixtures/stale-runbook/expected.json",
    ] {
        assert!(dir.join("x").join(file).is_file(), "{file}");
    }

    let (code, _, stderr) = vouch(&dir, &["-q", "policy", "build", "x"]);
    assert_eq!(code, 0, "{stderr}");

    let (code, stdout, stderr) = vouch(&dir, &["policy", "test", "x"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("ok      stale-runbook"), "{stdout}");
    assert!(stdout.contains("2 passed, 0 failed (x)"), "{stdout}");

    // A wrong expectation fails the case, with a diff of the findings.
    let expected = dir.join("x/fixtures/stale-runbook/expected.json");
    let text = std::fs::read_to_string(&expected).unwrap();
    std::fs::write(&expected, text.replace("\"value\": 29,", "\"value\": 30,")).unwrap();
    let (code, stdout, stderr) = vouch(&dir, &["policy", "test", "x"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("FAILED  stale-runbook"), "{stdout}");
    assert!(stdout.contains("-        \"value\": 30.0,"), "{stdout}");
    assert!(stdout.contains("+        \"value\": 29.0,"), "{stdout}");
    assert!(stdout.contains("1 passed, 1 failed (x)"), "{stdout}");
}

#[test]
fn names_that_are_not_crate_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = vouch(dir.path(), &["policy", "new", "Bad_Name"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`Bad_Name` is not a valid policy name"),
        "{stderr}"
    );
}

#[test]
fn an_existing_directory_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("x")).unwrap();
    std::fs::write(dir.path().join("x/keep.txt"), "mine").unwrap();
    let (code, _, stderr) = vouch(dir.path(), &["policy", "new", "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already exists and is not empty"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x/keep.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_crate_without_fixtures_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = vouch(dir.path(), &["policy", "test", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no fixture cases in"), "{stderr}");
}

#[test]
fn the_always_pass_fixture_passes_its_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("vouch")
        .unwrap()
        .current_dir(root)
        .args(["--json", "policy", "test", "policies/always-pass"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["policy"], "always-pass");
    assert_eq!(json["passed"], true);
    assert_eq!(json["cases"][0]["name"], "two-capabilities");
}
