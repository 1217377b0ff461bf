//! The engine refuses components that break the policy contract, whatever
//! their bytes: no wasm toolchain needed.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use vouch_engine::{Config, Engine, Error};

fn load(wat: &str) -> Error {
    let wasm = wat::parse_str(wat).unwrap();
    Engine::new(&Config::default())
        .unwrap()
        .load(&wasm)
        .err()
        .unwrap()
}

#[test]
fn refuses_imports_other_than_the_host_log() {
    let err = load(r#"(component (import "wasi:clocks/wall-clock@0.2.0" (instance)))"#);
    assert!(
        matches!(&err, Error::ForbiddenImport { import, .. } if import == "wasi:clocks/wall-clock@0.2.0"),
        "{err:?}"
    );
}

#[test]
fn refuses_components_without_the_policy_exports() {
    let err = load("(component)");
    assert!(matches!(err, Error::Contract(_)), "{err:?}");
}

#[test]
fn refuses_core_modules() {
    let err = load("(module)");
    assert!(matches!(err, Error::Compile(_)), "{err:?}");
}

#[test]
fn componentize_refuses_modules_without_the_world() {
    let module = wat::parse_str(r#"(module (import "env" "clock" (func)))"#).unwrap();
    let err = vouch_engine::component::componentize(&module)
        .err()
        .unwrap();
    assert!(matches!(err, Error::Componentize(_)), "{err:?}");
}
