//! The hostile-policy suite: each policy here attacks the host in one way,
//! must be stopped with the error that names the attack within its bound,
//! and the same engine must then evaluate a good policy correctly.
//!
//! Two kinds of attacker: `policies/fixtures/hostile` (a Rust policy built
//! with the SDK by `scripts/build-policies`, choosing its attack from its
//! parameters) and hand-written WAT components (`hostile/wat_policy.rs`) for
//! what a Rust guest cannot express.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

#[path = "hostile/wat_policy.rs"]
mod wat_policy;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vouch_engine::{Config, Engine, Error, LogLevel, Policy};
use vouch_sdk::{Request, Status};
use wat_policy::{Module, POLICY_WIT, calm, component};

/// A fuel budget small enough that a runaway loop stops in well under a
/// second, large enough for both fixtures' honest paths.
const TEST_FUEL: u64 = 200_000_000;

/// How long any attack may take to be stopped: generous for a loaded CI
/// machine, yet far below "hangs".
const BOUND: Duration = Duration::from_secs(5);

fn read(path: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../policies/target")
        .join(path);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nbuild the policies and fixtures first: scripts/build-policies",
            path.display()
        )
    })
}

fn request(params: serde_json::Value) -> Request {
    serde_json::from_value(serde_json::json!({
        "plan": { "capabilities": [{ "id": "payments" }] },
        "evidence": {},
        "params": params,
        "now": "2026-03-01T12:00:00Z",
    }))
    .unwrap()
}

fn engine(config: Config) -> Engine {
    Engine::new(&config.fuel(TEST_FUEL)).unwrap()
}

/// The good policy still works on the engine that just survived an attack.
fn still_works(engine: &Engine) {
    let good = engine.load(&read("policies/always-pass.wasm")).unwrap();
    let evaluation = good.evaluate(&request(serde_json::Value::Null)).unwrap();
    assert_eq!(evaluation.findings.len(), 1);
    assert_eq!(evaluation.findings[0].subject, "payments");
    assert_eq!(evaluation.findings[0].status, Status::Pass);
}

/// Runs the SDK fixture with `attack` and returns its error, checking the
/// bound and the recovery.
fn sdk_attack(config: Config, attack: &str) -> Error {
    let engine = engine(config);
    let hostile = engine.load(&read("fixtures/hostile.wasm")).unwrap();
    let started = Instant::now();
    let err = hostile
        .evaluate(&request(serde_json::json!({ "attack": attack })))
        .err()
        .unwrap_or_else(|| panic!("attack `{attack}` was not stopped"));
    assert!(
        started.elapsed() < BOUND,
        "`{attack}` took {:?}",
        started.elapsed()
    );
    assert_eq!(err.policy(), Some("hostile"));
    // The fixture logs before attacking: the log survives the failure.
    assert_eq!(err.log()[0].message, format!("attacking with `{attack}`"));
    still_works(&engine);
    err
}

/// Loads (and, if that works, evaluates) a WAT component and returns the
/// error, checking the bound and the recovery.
fn wat_attack(config: Config, component: &[u8]) -> Error {
    let engine = engine(config);
    let started = Instant::now();
    let err = engine
        .load(component)
        .and_then(|policy| policy.evaluate(&request(serde_json::Value::Null)))
        .err()
        .unwrap_or_else(|| panic!("the attack was not stopped"));
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    still_works(&engine);
    err
}

/// A WAT policy whose `evaluate` runs `body` and whose module has `extra`.
fn wat_component(body: &str, extra: &str, pages: u32) -> Vec<u8> {
    let (image, metadata, ok) = calm("wat-hostile");
    let evaluate = body.replace("$ok", &ok.to_string());
    component(
        &Module {
            image,
            metadata,
            evaluate: &evaluate,
            extra,
            pages,
        }
        .wat(),
        POLICY_WIT,
    )
}

#[test]
fn the_wat_harness_builds_a_valid_policy() {
    let engine = engine(Config::default());
    let policy = engine
        .load(&wat_component("(i32.const $ok)", "", 1))
        .unwrap();
    assert_eq!(policy.metadata().id, "wat-hostile");
    let evaluation = policy.evaluate(&request(serde_json::Value::Null)).unwrap();
    assert_eq!(evaluation.findings[0].subject, "calm");
}

#[test]
fn the_sdk_fixture_is_calm_without_an_attack() {
    let engine = engine(Config::default());
    let hostile = engine.load(&read("fixtures/hostile.wasm")).unwrap();
    let evaluation = hostile.evaluate(&request(serde_json::Value::Null)).unwrap();
    assert_eq!(evaluation.findings[0].subject, "calm");
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let err = sdk_attack(Config::default(), "loop");
    assert!(
        matches!(
            err,
            Error::OutOfFuel {
                fuel: TEST_FUEL,
                ..
            }
        ),
        "{err:?}"
    );

    let err = wat_attack(
        Config::default(),
        &wat_component("(loop $l (br $l)) unreachable", "", 1),
    );
    assert!(matches!(err, Error::OutOfFuel { .. }), "{err:?}");
}

#[test]
fn an_infinite_loop_with_unbounded_fuel_times_out() {
    let timeout = Duration::from_millis(200);
    let config = Config::default().timeout(timeout);
    let engine = Engine::new(&config.fuel(u64::MAX)).unwrap();
    let policy = engine
        .load(&wat_component("(loop $l (br $l)) unreachable", "", 1))
        .unwrap();
    let started = Instant::now();
    let err = policy
        .evaluate(&request(serde_json::Value::Null))
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { timeout: t, .. } if t == timeout),
        "{err:?}"
    );
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(2),
        "took {took:?}"
    );
    still_works(&engine);
}

#[test]
fn a_policy_outliving_its_engine_still_times_out() {
    let engine = Engine::new(
        &Config::default()
            .fuel(u64::MAX)
            .timeout(Duration::from_millis(100)),
    )
    .unwrap();
    let policy = engine
        .load(&wat_component("(loop $l (br $l)) unreachable", "", 1))
        .unwrap();
    // The epoch ticker belongs to what the engine and its policies share.
    drop(engine);
    let err = policy
        .evaluate(&request(serde_json::Value::Null))
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[test]
fn a_loop_in_a_start_function_is_stopped_at_load() {
    let extra = "(func $spin (loop $l (br $l))) (start $spin)";
    let err = wat_attack(
        Config::default(),
        &wat_component("(i32.const $ok)", extra, 1),
    );
    assert!(
        matches!(&err, Error::OutOfFuel { policy, .. } if policy == "unknown"),
        "{err:?}"
    );
}

#[test]
fn unbounded_memory_growth_hits_the_memory_limit() {
    let limit = 16 << 20;
    let err = sdk_attack(Config::default().memory_limit(limit), "grow");
    assert!(
        matches!(err, Error::MemoryLimit { limit: l, desired, .. } if l == limit && desired > limit),
        "{err:?}"
    );

    let grow = "(loop $l (drop (memory.grow (i32.const 16))) (br $l)) unreachable";
    let err = wat_attack(Config::default(), &wat_component(grow, "", 1));
    assert!(
        matches!(err, Error::MemoryLimit { limit, .. } if limit == 64 << 20),
        "{err:?}"
    );
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let err = sdk_attack(Config::default(), "recurse");
    let Error::Trap {
        trap, backtrace, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(trap.contains("call stack exhausted"), "{trap}");
    assert!(
        backtrace.contains("recurse"),
        "the guest's backtrace names the function: {backtrace}"
    );

    let extra = "(func $deeper (param i32) (result i32)
        (call $deeper (i32.add (local.get 0) (i32.const 1))))";
    let body = "(drop (call $deeper (i32.const 0))) (i32.const $ok)";
    let err = wat_attack(Config::default(), &wat_component(body, extra, 1));
    assert!(
        matches!(&err, Error::Trap { trap, .. } if trap.contains("call stack exhausted")),
        "{err:?}"
    );
}

#[test]
fn a_panic_is_a_trap_with_its_message_in_the_log() {
    let err = sdk_attack(Config::default(), "panic");
    let Error::Trap { trap, log, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(trap.contains("unreachable"), "{trap}");
    let panic = log
        .iter()
        .find(|line| line.level == LogLevel::Error)
        .unwrap();
    assert!(
        panic.message.contains("hostile policy panicked on purpose"),
        "{}",
        panic.message
    );
}

#[test]
fn gigantic_output_is_refused_while_lifting() {
    // 10,000 findings of 1 KiB: fine for the guest, over a 1 MiB output cap.
    let err = sdk_attack(Config::default().max_output_bytes(1 << 20), "flood");
    assert!(
        matches!(err, Error::OutputTooLarge { limit, .. } if limit == 1 << 20),
        "{err:?}"
    );

    // One finding whose 4,096 evidence references all alias the same 1 MiB
    // string: 4 GiB for a host that copied blindly, under default limits.
    let (mut image, metadata, _) = calm("wat-hostile");
    let (big, big_len, refs, count) = (0x10_0000, 0x10_0000, 0x20_0000, 4096);
    let subject = image.raw(b"amplified");
    let finding = image.finding(subject, subject, (refs, count));
    let ok = image.result(0, (finding, 1));
    let fill = format!(
        "(local $i i32)
        (loop $fill
          (i32.store (i32.add (i32.const {refs}) (i32.shl (local.get $i) (i32.const 3))) (i32.const {big}))
          (i32.store (i32.add (i32.const {}) (i32.shl (local.get $i) (i32.const 3))) (i32.const {big_len}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (i32.const {count}))))
        (i32.const {ok})",
        refs + 4
    );
    let wasm = component(
        &Module {
            image,
            metadata,
            evaluate: &fill,
            extra: "",
            pages: 34,
        }
        .wat(),
        POLICY_WIT,
    );
    let err = wat_attack(Config::default(), &wasm);
    assert!(matches!(err, Error::OutputTooLarge { .. }), "{err:?}");
}

#[test]
fn malformed_output_is_invalid_output() {
    for what in ["discriminant", "out of bounds", "utf-8"] {
        let (mut image, metadata, _) = calm("wat-hostile");
        let ret = match what {
            // A `result` discriminant that is neither `ok` nor `err`.
            "discriminant" => image.result(7, (0, 0)),
            // A list that runs past the end of memory.
            "out of bounds" => image.result(0, (0xFFF0, 1000)),
            // A subject that is not UTF-8.
            _ => {
                let subject = image.raw(&[0xFF, 0xFE]);
                let finding = image.finding(subject, subject, (0, 0));
                image.result(0, (finding, 1))
            }
        };
        let evaluate = format!("(i32.const {ret})");
        let wasm = component(
            &Module {
                image,
                metadata,
                evaluate: &evaluate,
                extra: "",
                pages: 1,
            }
            .wat(),
            POLICY_WIT,
        );
        let err = wat_attack(Config::default(), &wasm);
        assert!(
            matches!(err, Error::InvalidOutput { .. }),
            "{what}: {err:?}"
        );
    }

    // Well-formed by the ABI, refused by the contract: JSON has no NaN.
    let err = sdk_attack(Config::default(), "nan");
    assert!(
        matches!(&err, Error::InvalidOutput { reason, .. } if reason.contains("not a finite number")),
        "{err:?}"
    );
}

#[test]
fn a_wasi_filesystem_import_is_refused_by_name() {
    let wit = POLICY_WIT.replace(
        "world policy {\n    import host;",
        "world policy {\n    import host;\n    import wasi:filesystem/types@0.2.0;",
    ) + "\npackage wasi:filesystem@0.2.0 {\n    interface types {\n        \
         read-file: func(path: string) -> list<u8>;\n    }\n}\n";
    let extra = r#"(import "wasi:filesystem/types@0.2.0" "read-file" (func (param i32 i32 i32)))"#;
    let err = calm_with_import(&wit, extra);
    assert!(
        matches!(&err, Error::ForbiddenImport { import, .. } if import == "wasi:filesystem/types@0.2.0"),
        "{err:?}"
    );
}

/// A well-behaved policy that also imports `extra`, declared in `wit`.
fn calm_with_import(wit: &str, extra: &str) -> Error {
    let (image, metadata, ok) = calm("wat-hostile");
    let evaluate = format!("(i32.const {ok})");
    let wat = Module {
        image,
        metadata,
        evaluate: &evaluate,
        extra,
        pages: 1,
    }
    .wat();
    wat_attack(Config::default(), &component(&wat, wit))
}

#[test]
fn an_unknown_host_function_is_refused_by_name() {
    let wit = POLICY_WIT.replace(
        "    log: func(level: level, message: string);",
        "    log: func(level: level, message: string);\n    now: func() -> u64;",
    );
    let extra = r#"(import "vouch:policy/host@0.2.0" "now" (func (result i64)))"#;
    let err = calm_with_import(&wit, extra);
    assert!(
        matches!(&err, Error::ForbiddenImport { import, .. } if import == "vouch:policy/host@0.2.0#now"),
        "{err:?}"
    );
}

#[test]
fn a_50_mb_module_is_refused_before_compiling() {
    let mut wasm = read("policies/always-pass.wasm");
    wasm_encoder::ComponentSection::append_to_component(
        &wasm_encoder::CustomSection {
            name: "ballast".into(),
            data: vec![0; 50 << 20].into(),
        },
        &mut wasm,
    );
    let err = wat_attack(Config::default(), &wasm);
    assert!(
        matches!(err, Error::ComponentTooLarge { bytes, limit } if bytes > 50 << 20 && limit == 16 << 20),
        "{err:?}"
    );
}

#[test]
fn many_policies_evaluate_in_parallel_and_failures_stay_apart() {
    let engine = engine(Config::default());
    let good = engine.load(&read("policies/always-pass.wasm")).unwrap();
    let hostile = engine.load(&read("fixtures/hostile.wasm")).unwrap();
    let policies: Vec<Policy> = [&good, &hostile, &good, &hostile, &good]
        .into_iter()
        .cloned()
        .collect();
    let results = engine.evaluate_all(
        &policies,
        &request(serde_json::json!({ "attack": "panic" })),
    );
    assert_eq!(results.len(), 5);
    for (i, result) in results.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(result.as_ref().unwrap().findings[0].subject, "payments");
        } else {
            assert!(matches!(result, Err(Error::Trap { .. })), "{result:?}");
        }
    }
}
