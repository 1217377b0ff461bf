//! A raw artifact as fetched or read, before parsing: kept byte for byte under
//! the evidence set's `raw/` so every record can be traced to its input.

use sha2::{Digest, Sha256};
use vouch_sdk::evidence::Origin;

/// Raw bytes from one source, and where they will live under `raw/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path under `raw/`, `/`-separated: `SOURCE/...`.
    pub path: String,
    /// The bytes exactly as read (credentials already removed from HTTP captures).
    pub bytes: Vec<u8>,
    /// sha256 of `bytes`, lowercase hex.
    pub sha256: String,
}

impl Artifact {
    /// An artifact of `source` at `raw/SOURCE/name`.
    pub fn new(source: &str, name: &str, bytes: Vec<u8>) -> Self {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Self {
            path: format!("{source}/{name}"),
            bytes,
            sha256,
        }
    }

    /// The provenance a record parsed from this artifact carries.
    pub fn origin(&self, source: &str) -> Origin {
        Origin {
            source: source.to_owned(),
            artifact: self.path.clone(),
            sha256: self.sha256.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Artifact;

    #[test]
    fn digest_and_origin() {
        let a = Artifact::new("pd", "incidents-page-1.json", b"abc".to_vec());
        assert_eq!(
            a.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(a.origin("pd").artifact, "pd/incidents-page-1.json");
    }
}
