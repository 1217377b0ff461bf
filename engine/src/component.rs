//! Turning a core WebAssembly module built with the Vouch SDK into a policy
//! component, with its metadata in a custom section.
//!
//! The SDK's bindings embed the `vouch:policy` world in a custom section of
//! the core module; `wit-component` reads it back and wraps the module in the
//! component-model types and canonical ABI adapters the world describes.
//! The policy's own `metadata()` is then called once, in the sandbox, and its
//! answer appended as the [`METADATA_SECTION`] custom section, so tools read
//! it without running guest code (`vouch policy inspect`). The engine checks
//! the section against `metadata()` at every load, so it cannot lie.

use vouch_sdk::Metadata;
use wasm_encoder::{ComponentSection as _, CustomSection};
use wit_component::ComponentEncoder;

use crate::{Config, Engine, Error};

/// The name of the custom section holding the policy's metadata as JSON.
pub const METADATA_SECTION: &str = "vouch:metadata";

/// What [`componentize`] produces, for build caches to key on: it changes
/// whenever the same core module would be wrapped into different bytes.
pub const FORMAT: &str = "component+metadata-section/1";

/// Wraps `module`, a core module built with the Vouch SDK, into a validated
/// component carrying its metadata. Deterministic: the same module yields
/// the same bytes.
pub fn componentize(module: &[u8]) -> Result<Vec<u8>, Error> {
    let component = ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| Error::Componentize(e.into()))?;
    // A one-off engine: no pool to reserve for a single call.
    let engine = Engine::new(&Config::default().pooling(false))?;
    let policy = engine.load(&component)?;
    with_metadata(component, policy.metadata())
}

/// `component` with `metadata` appended as its [`METADATA_SECTION`].
fn with_metadata(mut component: Vec<u8>, metadata: &Metadata) -> Result<Vec<u8>, Error> {
    let json = serde_json::to_vec(metadata).map_err(|e| Error::Componentize(e.into()))?;
    CustomSection {
        name: METADATA_SECTION.into(),
        data: json.into(),
    }
    .append_to_component(&mut component);
    Ok(component)
}
