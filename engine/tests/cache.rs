//! The on-disk artifact cache across engines (as across processes): a warm
//! cache skips compiling and evaluates exactly as a fresh compile does; a
//! corrupt entry is recompiled, never trusted.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::PathBuf;

use vouch_engine::{Config, Engine};
use vouch_sdk::Request;

fn always_pass() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../policies/target/policies/always-pass.wasm");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nrun scripts/build-policies first",
            path.display()
        )
    })
}

fn request() -> Request {
    serde_json::from_value(serde_json::json!({
        "plan": { "capabilities": [{ "id": "payments" }] },
        "evidence": {},
        "now": "2026-03-01T12:00:00Z",
    }))
    .unwrap()
}

#[test]
fn a_warm_cache_skips_compiling_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = always_pass();
    let config = Config::default().cache_dir(dir.path().join("policies"));

    let cold = Engine::new(&config).unwrap().load(&wasm).unwrap();
    assert!(!cold.from_cache());
    let warm = Engine::new(&config).unwrap().load(&wasm).unwrap();
    assert!(warm.from_cache());

    assert_eq!(warm.metadata(), cold.metadata());
    assert_eq!(
        warm.evaluate(&request()).unwrap(),
        cold.evaluate(&request()).unwrap()
    );
}

#[test]
fn a_corrupt_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = always_pass();
    let config = Config::default().cache_dir(dir.path());
    Engine::new(&config).unwrap().load(&wasm).unwrap();

    let entry = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap();
    let mut bytes = std::fs::read(&entry).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    std::fs::write(&entry, &bytes).unwrap();

    let policy = Engine::new(&config).unwrap().load(&wasm).unwrap();
    assert!(!policy.from_cache(), "the corrupt artifact was not trusted");
    assert_eq!(policy.evaluate(&request()).unwrap().findings.len(), 1);
    // ...and the entry was rewritten whole.
    assert!(
        Engine::new(&config)
            .unwrap()
            .load(&wasm)
            .unwrap()
            .from_cache()
    );
}

#[test]
fn engines_with_other_limits_share_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = always_pass();
    let small = Config::default().cache_dir(dir.path()).fuel(1_000_000_000);
    // Fuel is a per-store setting: the compiled code is the same.
    Engine::new(&Config::default().cache_dir(dir.path()))
        .unwrap()
        .load(&wasm)
        .unwrap();
    assert!(
        Engine::new(&small)
            .unwrap()
            .load(&wasm)
            .unwrap()
            .from_cache()
    );
    // Without the pool, code is compiled for other memory settings: a miss,
    // not a crash.
    let on_demand = Config::default().cache_dir(dir.path()).pooling(false);
    let policy = Engine::new(&on_demand).unwrap().load(&wasm).unwrap();
    assert_eq!(policy.evaluate(&request()).unwrap().findings.len(), 1);
}
