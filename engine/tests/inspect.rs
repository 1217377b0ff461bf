//! Reading a policy without running it: the metadata section `vouch policy
//! build` writes, imports, exports, digest; and the engine refusing a
//! section that disagrees with the policy.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::PathBuf;

use vouch_engine::component::METADATA_SECTION;
use vouch_engine::inspect::Item;
use vouch_engine::{Config, Engine, Error, inspect};

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

fn item(kind: &'static str, name: &str) -> Item {
    Item {
        name: name.to_owned(),
        kind,
    }
}

#[test]
fn reads_what_the_policy_says_without_running_it() {
    let wasm = always_pass();
    let inspection = inspect(&wasm).unwrap();
    let policy = Engine::new(&Config::default())
        .unwrap()
        .load(&wasm)
        .unwrap();

    assert_eq!(inspection.metadata.as_ref(), Some(policy.metadata()));
    assert_eq!(inspection.sha256, policy.sha256());
    assert_eq!(inspection.bytes, wasm.len());
    assert_eq!(
        inspection.imports,
        [item("instance", "vouch:policy/host@0.2.0")]
    );
    assert_eq!(
        inspection.exports,
        [item("func", "metadata"), item("func", "evaluate")]
    );
}

#[test]
fn refuses_what_is_not_a_component() {
    for bytes in [&b"[workspace]"[..], &wat::parse_str("(module)").unwrap()] {
        let err = inspect(bytes).unwrap_err();
        assert!(matches!(err, Error::Compile(_)), "{err:?}");
    }
}

/// `always-pass.wasm` with its metadata section's JSON replaced by `json`.
fn with_section(json: &str) -> Vec<u8> {
    let wasm = always_pass();
    // The section is the last thing `vouch policy build` writes: id 0, its
    // size as LEB128, then the name (length-prefixed) and the JSON.
    let mut name = vec![u8::try_from(METADATA_SECTION.len()).unwrap()];
    name.extend_from_slice(METADATA_SECTION.as_bytes());
    let at = find_last(&wasm, &name).unwrap();
    let size = wasm.len() - at;
    let leb_len = (usize::BITS - size.leading_zeros()).div_ceil(7) as usize;
    let start = at - leb_len - 1;
    assert_eq!(wasm[start], 0, "a custom section starts here");
    let mut doctored = wasm[..start].to_vec();
    wasm_encoder::ComponentSection::append_to_component(
        &wasm_encoder::CustomSection {
            name: METADATA_SECTION.into(),
            data: json.as_bytes().into(),
        },
        &mut doctored,
    );
    doctored
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[test]
fn the_engine_refuses_a_section_that_lies() {
    let original = inspect(&always_pass()).unwrap().metadata.unwrap();
    let mut lie = original.clone();
    lie.controls = vec!["soc2:A1.2".to_owned()];
    let doctored = with_section(&serde_json::to_string(&lie).unwrap());
    assert_eq!(inspect(&doctored).unwrap().metadata, Some(lie));

    let err = Engine::new(&Config::default())
        .unwrap()
        .load(&doctored)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::InvalidOutput { policy, reason, .. }
            if policy == "always-pass" && reason.contains(METADATA_SECTION)),
        "{err:?}"
    );

    // The same bytes with the true section load.
    let honest = with_section(&serde_json::to_string(&original).unwrap());
    assert_eq!(honest, always_pass());
}
