//! The engine's performance goals (issue 3), as criterion benchmarks:
//!
//! - `trivial`: a fresh sandbox, instantiate and evaluate `always-pass` on a
//!   one-capability plan (goal ≤ 20 µs), with and without the pooling
//!   allocator;
//! - `freshness`: runbook freshness over 10,000 capabilities as WASM, and the
//!   very same Rust code (`policies/fixtures/freshness/src/judge.rs`)
//!   compiled natively, both from the request struct to findings (goal: WASM
//!   ≤ 2× native);
//! - `load`: loading a policy whose compiled artifact is in the on-disk cache
//!   (goal ≤ 5 ms), against compiling it.
//!
//! Needs the policies built: `scripts/build-policies`. Figures go to
//! `docs/performance.md`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "criterion's macros generate undocumented items; a bench may panic on setup failure"
)]

#[path = "../../policies/fixtures/freshness/src/judge.rs"]
mod judge;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use vouch_engine::{Config, Engine};
use vouch_sdk::Request;

const SUBJECTS: usize = 10_000;

fn read(path: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../policies/target")
        .join(path);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nrun scripts/build-policies first",
            path.display()
        )
    })
}

fn request(plan: serde_json::Value, evidence: serde_json::Value) -> Request {
    serde_json::from_value(serde_json::json!({
        "plan": plan,
        "evidence": evidence,
        "now": "2026-03-01T12:00:00Z",
    }))
    .unwrap()
}

/// 10,000 capabilities over three tiers, each with one runbook of an age
/// that spreads the verdicts over pass, warn and fail.
fn large_request() -> Request {
    let tiers = ["tier-1", "tier-2", "tier-3"];
    let capabilities: Vec<_> = (0..SUBJECTS)
        .map(|i| serde_json::json!({ "id": format!("capability-{i}"), "tier": tiers[i % 3] }))
        .collect();
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
    let runbooks: Vec<_> = (0..SUBJECTS)
        .map(|i| {
            let days = i64::try_from(i % 400).unwrap();
            serde_json::json!({
                "path": format!("runbooks/capability-{i}.md"),
                "capability": format!("capability-{i}"),
                "last_commit": "0123456789abcdef0123456789abcdef01234567",
                "last_changed": (now - chrono::Duration::days(days)).to_rfc3339(),
                "author": "sre@example.com",
                "owner": "team-sre",
            })
        })
        .collect();
    request(
        serde_json::json!({ "capabilities": capabilities }),
        serde_json::json!({ "runbooks": runbooks }),
    )
}

fn trivial(c: &mut Criterion) {
    let wasm = read("policies/always-pass.wasm");
    let request = request(
        serde_json::json!({ "capabilities": [{ "id": "payments" }] }),
        serde_json::json!({}),
    );
    let mut group = c.benchmark_group("trivial");
    for (name, pooling) in [("pooling", true), ("on-demand", false)] {
        let engine = Engine::new(&Config::default().pooling(pooling)).unwrap();
        assert_eq!(engine.pooling(), pooling, "the pool could not be reserved");
        let policy = engine.load(&wasm).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| policy.evaluate(black_box(&request)).unwrap());
        });
    }
    group.finish();
}

fn freshness(c: &mut Criterion) {
    let engine = Engine::new(&Config::default()).unwrap();
    let policy = engine.load(&read("fixtures/freshness.wasm")).unwrap();
    let request = large_request();
    let wasm = policy.evaluate(&request).unwrap();
    // The same code must reach the same verdicts, or the comparison is moot.
    let native = judge::evaluate(&request).unwrap();
    assert_eq!(wasm.findings, native);
    assert_eq!(native.len(), SUBJECTS);

    let mut group = c.benchmark_group("freshness-10k");
    group.sample_size(20);
    group.bench_function("wasm", |b| {
        b.iter(|| policy.evaluate(black_box(&request)).unwrap());
    });
    // Native does what the sandbox does around the policy too: the request
    // crosses as JSON text, so it is encoded and parsed here as well.
    group.bench_function("native", |b| {
        b.iter(|| {
            let json = serde_json::to_string(black_box(&request)).unwrap();
            let parsed: Request = serde_json::from_str(&json).unwrap();
            judge::evaluate(&parsed).unwrap()
        });
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let wasm = read("policies/always-pass.wasm");
    let cache = tempfile::tempdir().unwrap();
    let config = Config::default().cache_dir(cache.path());
    let engine = Engine::new(&config).unwrap();
    assert!(
        !engine.load(&wasm).unwrap().from_cache(),
        "a cold cache compiles"
    );

    let mut group = c.benchmark_group("load");
    group.bench_function("warm-cache", |b| {
        b.iter(|| {
            let policy = engine.load(black_box(&wasm)).unwrap();
            assert!(policy.from_cache());
            policy
        });
    });
    // What a fresh process pays: an engine (pool, ticker) and the load.
    group.bench_function("new-engine-warm-cache", |b| {
        b.iter(|| {
            let engine = Engine::new(&config).unwrap();
            engine.load(black_box(&wasm)).unwrap()
        });
    });
    group.sample_size(10);
    let uncached = Engine::new(&Config::default()).unwrap();
    group.bench_function("compile", |b| {
        b.iter(|| uncached.load(black_box(&wasm)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, trivial, freshness, load);
criterion_main!(benches);
