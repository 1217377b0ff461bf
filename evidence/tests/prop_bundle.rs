//! Any change to a sealed bundle fails verification: one byte of any file
//! flipped, a file cut short, renamed, added or removed, and the archive cut
//! short or changed inside any of its files. The bundle is sealed once per
//! test binary; each case writes a changed copy and verifies it.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "../../tests/bundle/fixture.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{TimeZone as _, Utc};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use proptest::sample::Index;
use vouch_evidence::{Report, SealRequest, Tool, VerifyOptions};

/// A sealed bundle, held in memory.
struct Bundle {
    /// Every file of the directory, by `/`-separated path.
    files: BTreeMap<String, Vec<u8>>,
    /// The tar.
    archive: Vec<u8>,
    key: SigningKey,
}

static SEALED: LazyLock<Bundle> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = fixture::write(tmp.path());
    let out = tmp.path().join("bundle");
    let key = SigningKey::from_bytes(&[1; 32]);
    let sealed = vouch_evidence::seal(&SealRequest {
        plan: &inputs.plan,
        evidence: &inputs.evidence,
        assessment: &inputs.assessment,
        policies: &[inputs.policy],
        builtin: |_| None,
        extra: &[],
        tsa: None,
        key: &key,
        out: &out,
        sealed: Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap(),
        tool: Tool {
            name: "vouch".to_owned(),
            version: "0.0.0-test".to_owned(),
        },
        engine: None,
    })
    .unwrap();
    let bundle = Bundle {
        files: read_tree(&out),
        archive: std::fs::read(&sealed.archive).unwrap(),
        key,
    };
    // The starting point must verify, or every case below passes vacuously.
    let report = verify_files(&bundle.files, &bundle.key);
    assert!(report.passed(), "{:?}", report.failures);
    assert!(verify_archive(&bundle.archive, &bundle.key).passed());
    bundle
});

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                files.insert(rel.replace('\\', "/"), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn verify_files(files: &BTreeMap<String, Vec<u8>>, key: &SigningKey) -> Report {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("bundle");
    for (path, bytes) in files {
        let target = root.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    vouch_evidence::verify(&root, &key.verifying_key(), VerifyOptions::default()).unwrap()
}

fn verify_archive(bytes: &[u8], key: &SigningKey) -> Report {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bundle.tar");
    std::fs::write(&path, bytes).unwrap();
    vouch_evidence::verify(&path, &key.verifying_key(), VerifyOptions::default()).unwrap()
}

/// Where each file's bytes lie in the archive: (offset, length).
fn data_ranges(archive: &[u8]) -> Vec<(u64, u64)> {
    let mut reader = tar::Archive::new(archive);
    reader
        .entries()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.raw_file_position(), entry.size())
        })
        .filter(|&(_, size)| size > 0)
        .collect()
}

/// The `index`th file of the bundle, with its bytes.
fn pick(bundle: &Bundle, index: Index) -> (String, Vec<u8>) {
    let (path, bytes) = bundle
        .files
        .iter()
        .nth(index.index(bundle.files.len()))
        .unwrap();
    (path.clone(), bytes.clone())
}

/// A relative path a bundle may hold, perhaps in one of its directories.
fn any_path() -> impl Strategy<Value = String> {
    "((evidence|evidence/raw|policies|oscal|[a-z]{1,6})/)?[a-z0-9_.-]{1,12}"
        .prop_filter("a plain name", |p| {
            !p.split('/').any(|s| s == "." || s == "..")
        })
}

fn refused(report: &Report) -> Result<(), TestCaseError> {
    prop_assert!(!report.passed(), "verified: {:?}", report.steps);
    Ok(())
}

/// Replaces the first `from` in the bundle file `path` with `to`, one byte for one.
fn verify_with(path: &str, from: &str, to: &str) -> Report {
    assert_eq!(from.len(), to.len());
    let bundle = &*SEALED;
    let mut files = bundle.files.clone();
    let text = String::from_utf8(files[path].clone()).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    files.insert(path.to_owned(), text.replacen(from, to, 1).into_bytes());
    verify_files(&files, &bundle.key)
}

/// Found by reading the verifier for bytes it skips: `sha256sum`'s binary
/// mode marker reads the same as the two spaces `vouch seal` writes.
#[test]
fn a_binary_mode_marker_in_the_manifest_fails() {
    assert!(!verify_with("manifest.sha256", "  ", " *").passed());
}

/// Found the same way: `keyid` may be left out, so a misspelt one was
/// skipped as an unknown field.
#[test]
fn a_misspelt_field_in_the_envelope_fails() {
    assert!(!verify_with("statement.dsse.json", "\"keyid\"", "\"keyie\"").passed());
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn flipping_any_byte_of_any_file_fails(file in any::<Index>(), at in any::<Index>(), flip in 1u8..=255) {
        let bundle = &*SEALED;
        let (path, mut bytes) = pick(bundle, file);
        prop_assume!(!bytes.is_empty());
        let at = at.index(bytes.len());
        bytes[at] ^= flip;
        let mut files = bundle.files.clone();
        files.insert(path, bytes);
        refused(&verify_files(&files, &bundle.key))?;
    }

    #[test]
    fn cutting_any_file_short_fails(file in any::<Index>(), keep in any::<Index>()) {
        let bundle = &*SEALED;
        let (path, mut bytes) = pick(bundle, file);
        prop_assume!(!bytes.is_empty());
        bytes.truncate(keep.index(bytes.len()));
        let mut files = bundle.files.clone();
        files.insert(path, bytes);
        refused(&verify_files(&files, &bundle.key))?;
    }

    #[test]
    fn renaming_any_file_fails(file in any::<Index>(), to in any_path()) {
        let bundle = &*SEALED;
        let (path, bytes) = pick(bundle, file);
        prop_assume!(!bundle.files.keys().any(|p| *p == to || p.starts_with(&format!("{to}/")) || to.starts_with(&format!("{p}/"))));
        let mut files = bundle.files.clone();
        files.remove(&path);
        files.insert(to, bytes);
        refused(&verify_files(&files, &bundle.key))?;
    }

    #[test]
    fn adding_any_file_fails(path in any_path(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let bundle = &*SEALED;
        prop_assume!(!bundle.files.keys().any(|p| *p == path || p.starts_with(&format!("{path}/")) || path.starts_with(&format!("{p}/"))));
        let mut files = bundle.files.clone();
        files.insert(path, bytes);
        refused(&verify_files(&files, &bundle.key))?;
    }

    #[test]
    fn removing_any_file_fails(file in any::<Index>()) {
        let bundle = &*SEALED;
        let (path, _) = pick(bundle, file);
        let mut files = bundle.files.clone();
        files.remove(&path);
        refused(&verify_files(&files, &bundle.key))?;
    }

    #[test]
    fn cutting_the_archive_anywhere_fails(keep in any::<Index>()) {
        let bundle = &*SEALED;
        let cut = &bundle.archive[..keep.index(bundle.archive.len())];
        refused(&verify_archive(cut, &bundle.key))?;
    }

    #[test]
    fn flipping_any_byte_of_a_file_in_the_archive_fails(file in any::<Index>(), at in any::<Index>(), flip in 1u8..=255) {
        let bundle = &*SEALED;
        let ranges = data_ranges(&bundle.archive);
        let (offset, size) = ranges[file.index(ranges.len())];
        let mut archive = bundle.archive.clone();
        let at = usize::try_from(offset + at.index(usize::try_from(size).unwrap()) as u64).unwrap();
        archive[at] ^= flip;
        refused(&verify_archive(&archive, &bundle.key))?;
    }
}
