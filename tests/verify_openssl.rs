//! The customer's verification recipe in docs/verifying.md, run exactly as
//! written against a bundle sealed by `vouch`: it must pass, and it must fail
//! on a bundle with one flipped byte.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "bundle/docs.rs"]
mod docs;
#[path = "bundle/fixture.rs"]
mod fixture;

use std::path::Path;
use std::process::Command;

/// Seals the fixture in `dir`; leaves `bundle.tar` and `vendor.pub` there.
fn seal(dir: &Path) {
    fixture::write(dir);
    let vouch = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("vouch")
            .unwrap()
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    vouch(&["keygen", "-o", "vendor"]);
    vouch(&fixture::SEAL);
}

/// The customer's tools; a missing one fails loudly rather than skipping the test.
fn require_tools() {
    for tool in ["bash", "tar", "sha256sum", "jq", "base64", "openssl"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`{tool}` is not installed (Debian: `apt-get install {tool}`)"
        );
    }
}

/// Runs the documented script in a scratch directory holding `tar` and the public key.
fn run_script(tar: &Path, public: &Path) -> std::process::Output {
    require_tools();
    let scratch = tempfile::tempdir().unwrap();
    std::fs::copy(tar, scratch.path().join("bundle.tar")).unwrap();
    std::fs::copy(public, scratch.path().join("vendor.pub")).unwrap();
    Command::new("bash")
        .arg("-c")
        .arg(docs::documented_script("verify-openssl"))
        .current_dir(scratch.path())
        .env("LC_ALL", "C")
        .output()
        .unwrap()
}

#[test]
fn the_documented_commands_verify_a_sealed_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    seal(tmp.path());
    let out = run_script(
        &tmp.path().join("bundle.tar"),
        &tmp.path().join("vendor.pub"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Signature Verified Successfully"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("bundle verified"), "{stdout}");
}

#[test]
fn the_documented_commands_reject_a_changed_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    seal(tmp.path());
    // Change one byte of the plan inside the archive.
    let tar = tmp.path().join("bundle.tar");
    let mut bytes = std::fs::read(&tar).unwrap();
    let needle = b"name = \"Test Org\"";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[at + 8] ^= 0x01;
    std::fs::write(&tar, bytes).unwrap();
    let out = run_script(&tar, &tmp.path().join("vendor.pub"));
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("vouch.toml: FAILED"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Another key does not verify the genuine bundle.
    let genuine = tempfile::tempdir().unwrap();
    seal(genuine.path());
    let out = run_script(
        &genuine.path().join("bundle.tar"),
        &tmp.path().join("vendor.pub"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signature Verification Failure"));
}
