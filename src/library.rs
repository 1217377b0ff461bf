//! The standard policy library: every component committed in
//! `policies/dist/` (by `scripts/dist-policies`), embedded in the binary so
//! a user needs nothing but cargo to run them.

use std::sync::OnceLock;

use sha2::{Digest as _, Sha256};

/// `(id, component)` for each policy in `policies/dist/`, sorted by id;
/// written by `build.rs`.
const POLICIES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/library.rs"));

/// Every standard policy as `(id, component bytes)`, sorted by id.
pub fn all() -> &'static [(&'static str, &'static [u8])] {
    POLICIES
}

/// The standard policy whose component has this sha256 (lowercase hex), as
/// a bundle's manifest records it.
pub fn by_sha256(hex: &str) -> Option<&'static [u8]> {
    digests()
        .iter()
        .zip(POLICIES)
        .find(|(digest, _)| digest.eq_ignore_ascii_case(hex))
        .map(|(_, (_, bytes))| *bytes)
}

/// The sha256 of each entry of `POLICIES`, in the same order, computed once.
fn digests() -> &'static [String] {
    static DIGESTS: OnceLock<Vec<String>> = OnceLock::new();
    DIGESTS.get_or_init(|| {
        POLICIES
            .iter()
            .map(|(_, bytes)| format!("{:x}", Sha256::digest(bytes)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_policy_is_found_by_its_digest() {
        for (id, bytes) in all() {
            let hex = format!("{:x}", Sha256::digest(bytes));
            assert_eq!(by_sha256(&hex), Some(*bytes), "{id}");
        }
        assert_eq!(by_sha256(&"0".repeat(64)), None);
    }

    #[test]
    fn the_embedded_library_is_policies_dist() {
        let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dist");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dist)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .map(|p| {
                let id = p.file_stem().unwrap().to_string_lossy().into_owned();
                (id, std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        let embedded: Vec<(String, Vec<u8>)> = all()
            .iter()
            .map(|(id, bytes)| ((*id).to_owned(), bytes.to_vec()))
            .collect();
        assert!(
            embedded == files,
            "rebuild vouch: the embedded library is not policies/dist"
        );
    }

    #[test]
    fn ids_are_sorted_and_unique() {
        assert!(all().windows(2).all(|w| w[0].0 < w[1].0));
    }
}
