//! Runs the `always-pass` policy, as built by `scripts/build-policies`,
//! through the engine: metadata, evaluation, the host log, errors, fuel.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::PathBuf;

use vouch_engine::{Config, Engine, Error, LogLevel, LogLine};
use vouch_sdk::{Measurement, Request, Severity, Status};

fn policies_target() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies/target")
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nbuild the standard policies first: scripts/build-policies",
            path.display()
        )
    })
}

fn component() -> Vec<u8> {
    read(policies_target().join("policies/always-pass.wasm"))
}

fn request(plan: serde_json::Value) -> Request {
    serde_json::from_value(serde_json::json!({
        "plan": plan,
        "evidence": {},
        "now": "2026-03-01T12:00:00Z",
    }))
    .unwrap()
}

fn load(config: &Config) -> Result<vouch_engine::Policy, Error> {
    Engine::new(config).unwrap().load(&component())
}

#[test]
fn reads_metadata_at_load() {
    let policy = load(&Config::default()).unwrap();
    let metadata = policy.metadata();
    assert_eq!(metadata.id, "always-pass");
    assert_eq!(metadata.version, "0.1.0");
    assert_eq!(metadata.severity, Severity::Info);
    assert_eq!(metadata.controls, ["vouch:smoke"]);
    assert_eq!(metadata.params_schema["additionalProperties"], false);
}

#[test]
fn passes_every_capability() {
    let policy = load(&Config::default()).unwrap();
    let plan = serde_json::json!({ "capabilities": [{ "id": "payments" }, { "id": "search" }] });
    let evaluation = policy.evaluate(&request(plan)).unwrap();

    let subjects: Vec<_> = evaluation
        .findings
        .iter()
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(subjects, ["payments", "search"]);
    let payments = &evaluation.findings[0];
    assert_eq!(payments.status, Status::Pass);
    assert_eq!(
        payments.message,
        "`payments` passes: this policy passes everything"
    );
    assert_eq!(payments.evidence, ["plan:capabilities/payments"]);
    // `now` crossed the boundary intact: 2026-03-01T12:00:00Z.
    assert_eq!(
        payments.measurements,
        [Measurement::new("now", 1_772_366_400.0).in_unit("unix-seconds")]
    );
    assert_eq!(
        evaluation.log,
        [LogLine {
            level: LogLevel::Info,
            message: "judging 2 capabilities".into(),
        }]
    );
    assert!(evaluation.fuel_consumed > 0);
}

#[test]
fn evaluation_is_deterministic() {
    let policy = load(&Config::default()).unwrap();
    let plan = serde_json::json!({ "capabilities": [{ "id": "payments" }] });
    let first = policy.evaluate(&request(plan.clone())).unwrap();
    let second = policy.evaluate(&request(plan)).unwrap();
    assert_eq!(
        first, second,
        "fresh store per evaluation, same fuel, same findings"
    );
}

#[test]
fn policy_errors_surface_as_errors() {
    let policy = load(&Config::default()).unwrap();
    let err = policy
        .evaluate(&request(serde_json::json!({})))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Policy { policy, message, .. }
            if policy == "always-pass" && message == "the plan has no `capabilities` array"),
        "{err:?}"
    );
}

#[test]
fn running_out_of_fuel_is_an_error() {
    let err = load(&Config::default().fuel(1_000)).err().unwrap();
    assert!(
        matches!(err, Error::OutOfFuel { fuel: 1_000, .. }),
        "{err:?}"
    );
}

#[test]
fn componentize_matches_the_built_component() {
    let core = read(policies_target().join("wasm32-unknown-unknown/release/always_pass.wasm"));
    let component = vouch_engine::component::componentize(&core).unwrap();
    assert_eq!(
        component,
        vouch_engine::component::componentize(&core).unwrap()
    );
    assert!(
        component == self::component(),
        "`vouch policy build` output differs"
    );
}
