//! Turning a core WebAssembly module built with the Vouch SDK into a policy
//! component.
//!
//! The SDK's bindings embed the `vouch:policy` world in a custom section of
//! the core module; `wit-component` reads it back and wraps the module in the
//! component-model types and canonical ABI adapters the world describes.

use wit_component::ComponentEncoder;

use crate::Error;

/// Wraps `module`, a core module built with the Vouch SDK, into a validated
/// component. Deterministic: the same module yields the same bytes.
pub fn componentize(module: &[u8]) -> Result<Vec<u8>, Error> {
    ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| Error::Componentize(e.into()))
}
