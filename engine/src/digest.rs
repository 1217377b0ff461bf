//! sha256, as the engine names components and checks cached artifacts.

use sha2::{Digest as _, Sha256};

/// The sha256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
