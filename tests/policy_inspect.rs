//! `vouch policy inspect` as a user runs it: metadata, imports, exports and
//! digest of a built policy, as text or JSON; a clear error for a file that
//! is not a component.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use assert_cmd::Command;
use serde_json::Value;

const ALWAYS_PASS: &str = "policies/target/policies/always-pass.wasm";

fn vouch() -> Command {
    let mut cmd = Command::cargo_bin("vouch").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn shows_metadata_imports_and_exports() {
    let out = vouch()
        .args(["policy", "inspect", ALWAYS_PASS])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("always-pass 0.1.0 (info severity)\n"),
        "{text}"
    );
    assert!(text.contains("controls:  vouch:smoke"), "{text}");
    assert!(text.contains("instance vouch:policy/host@0.2.0"), "{text}");
    assert!(text.contains("func evaluate"), "{text}");
}

#[test]
fn json_carries_the_same() {
    let out = vouch()
        .args(["--json", "policy", "inspect", ALWAYS_PASS])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["metadata"]["id"], "always-pass");
    assert_eq!(json["imports"][0]["name"], "vouch:policy/host@0.2.0");
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_file_that_is_not_a_component_is_an_input_error() {
    let out = vouch()
        .args(["policy", "inspect", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cannot inspect `Cargo.toml`"), "{stderr}");
    assert!(stderr.contains("not WebAssembly"), "{stderr}");
}
