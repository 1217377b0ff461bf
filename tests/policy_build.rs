//! `vouch policy build` as a user runs it: a clear error for anything that is
//! not a policy crate or a machine with no wasm32 toolchain, and a warm build
//! that rebuilds nothing.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

/// Runs `vouch --json policy build ARGS`, returning the exit code, the JSON
/// on stdout and stderr.
fn build(args: &[&str], path: Option<&str>) -> (i32, Value, String) {
    let mut cmd = vouch();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--json", "policy", "build"])
        .args(args);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_directory_without_a_crate_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, json, stderr) = build(&[dir.path().to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .starts_with("no `Cargo.toml` in")
    );
    assert!(
        stderr.contains("takes the directory of a policy crate"),
        "{stderr}"
    );
}

#[test]
fn a_crate_that_builds_no_cdylib_is_not_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"plain-lib\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();

    let (code, json, stderr) = build(&[dir.path().to_str().unwrap()], None);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        json["error"],
        "`plain-lib` is not a policy crate: it builds no `cdylib`"
    );
    assert!(stderr.contains("crate-type = [\"cdylib\"]"), "{stderr}");
}

#[test]
fn no_wasm32_toolchain_says_how_to_get_one() {
    // Neither rustup nor wasm-ld can be found on an empty PATH.
    let (code, json, stderr) = build(&["policies/always-pass"], Some("/nonexistent"));
    assert_eq!(code, 2);
    assert_eq!(
        json["error"],
        "no toolchain can build for `wasm32-unknown-unknown`"
    );
    assert!(stderr.contains("scripts/wasm-toolchain"), "{stderr}");
}

#[test]
fn a_warm_build_rebuilds_nothing() {
    build(&["policies/always-pass"], None);
    let (code, json, stderr) = build(&["policies/always-pass"], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["policy"], "always-pass");
    assert_eq!(json["rebuilt"], false);
    let component = Path::new(json["component"].as_str().unwrap());
    assert!(component.ends_with("policies/target/policies/always-pass.wasm"));
    let bytes = std::fs::read(component).unwrap();
    assert_eq!(json["bytes"], bytes.len());
}
