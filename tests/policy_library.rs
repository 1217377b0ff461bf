//! The standard library as shipped: every policy crate passes its fixture
//! cases under `vouch policy test`, and `policies/dist` (what `vouch`
//! embeds) holds exactly the shipped crates, each listed in `SHA256SUMS`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use sha2::{Digest as _, Sha256};

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// Every policy crate: each top-level directory of `policies/` with a
/// `Cargo.toml` (the workspace's members; fixtures live deeper).
fn crates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(policies())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_policy_passes_its_fixture_cases() {
    let mut failures = Vec::new();
    for dir in crates() {
        let out = Command::cargo_bin("vouch")
            .unwrap()
            .args(["policy", "test"])
            .arg(&dir)
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(format!(
                "`vouch policy test {}` failed:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dist_holds_exactly_the_shipped_policies() {
    // `always-pass` is the engine's smoke fixture, never shipped.
    let shipped: BTreeSet<String> = crates()
        .iter()
        .map(|d| name(d))
        .filter(|id| id != "always-pass")
        .collect();
    let dist = policies().join("dist");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    let built: BTreeSet<String> = files.iter().map(|f| name(f)).collect();
    assert_eq!(
        built, shipped,
        "policies/dist is stale: refresh it with `scripts/dist-policies`"
    );

    let sums: String = files
        .iter()
        .map(|f| {
            let digest = Sha256::digest(std::fs::read(f).unwrap());
            format!("{digest:x}  {}.wasm\n", name(f))
        })
        .collect();
    assert_eq!(
        std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap(),
        sums,
        "policies/dist/SHA256SUMS does not match the components: refresh with `scripts/dist-policies`"
    );
}
