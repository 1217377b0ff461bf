//! Sealing through the library: the OSCAL export validates against the
//! official schema, a sealed bundle verifies as a directory and as a tar, and
//! sealing twice differs only in the envelope.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "../../tests/bundle/fixture.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone as _, Utc};
use ed25519_dalek::SigningKey;
use vouch_evidence::{SealRequest, Sealed, Tool, VerifyOptions, layout};

fn seal(dir: &Path, out: &Path, key: &SigningKey, sealed: DateTime<Utc>) -> Sealed {
    let inputs = fixture::write(dir);
    vouch_evidence::seal(&SealRequest {
        plan: &inputs.plan,
        evidence: &inputs.evidence,
        assessment: &inputs.assessment,
        policies: &[inputs.policy],
        builtin: |_| None,
        extra: &[],
        tsa: None,
        key,
        out,
        sealed,
        tool: Tool {
            name: "vouch".to_owned(),
            version: "0.0.0-test".to_owned(),
        },
        engine: None,
    })
    .unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn oscal_export_validates_against_the_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/schemas/oscal_assessment-results_schema.json");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    seal(
        tmp.path(),
        &out,
        &SigningKey::from_bytes(&[1; 32]),
        Utc::now(),
    );
    let oscal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(layout::OSCAL)).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&oscal)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "OSCAL errors:\n{}", errors.join("\n"));
    let result = &oscal["assessment-results"]["results"][0];
    assert_eq!(result["findings"].as_array().unwrap().len(), 1);
    let evidence = &result["observations"][0]["relevant-evidence"];
    assert!(
        evidence
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["href"] == "../evidence/raw/drills/gd-1.json"),
        "{evidence}"
    );
}

#[test]
fn sealed_bundles_verify_and_are_deterministic() {
    let key = SigningKey::from_bytes(&[2; 32]);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let day = |d| Utc.with_ymd_and_hms(2026, 7, d, 0, 0, 0).unwrap();
    let first = seal(a.path(), &a.path().join("bundle"), &key, day(1));
    let second = seal(b.path(), &b.path().join("bundle"), &key, day(2));

    let (mut x, mut y) = (files(&first.dir), files(&second.dir));
    assert_ne!(x.remove(layout::ENVELOPE), y.remove(layout::ENVELOPE));
    assert_eq!(x, y, "every file but the envelope is identical");

    for bundle in [&first.dir, &first.archive] {
        let report =
            vouch_evidence::verify(bundle, &key.verifying_key(), VerifyOptions::default()).unwrap();
        assert!(report.passed(), "{:?}", report.failures);
    }

    // Sealing again over a previous bundle replaces it whole, leaving no temporaries.
    let again = seal(a.path(), &a.path().join("bundle"), &key, Utc::now());
    let report = vouch_evidence::verify(
        &again.archive,
        &key.verifying_key(),
        VerifyOptions::default(),
    )
    .unwrap();
    assert!(report.passed(), "{:?}", report.failures);
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_unpacked_archive_gives_the_replay_inputs() {
    let key = SigningKey::from_bytes(&[4; 32]);
    let tmp = tempfile::tempdir().unwrap();
    let sealed = seal(tmp.path(), &tmp.path().join("bundle"), &key, Utc::now());
    let dest = tmp.path().join("unpacked");
    vouch_evidence::replay::unpack(&sealed.archive, &dest).unwrap();
    let report =
        vouch_evidence::verify(&dest, &key.verifying_key(), VerifyOptions::default()).unwrap();
    assert!(report.passed(), "{:?}", report.failures);
    let inputs = vouch_evidence::replay::inputs(&dest, report.statement.as_ref().unwrap());
    assert!(inputs.plan.is_file() && inputs.evidence.join("drills.json").is_file());
    assert_eq!(inputs.policies.len(), 1);
    assert!(inputs.policies[0].path.is_file());
    assert_eq!(inputs.now.to_rfc3339(), "2026-06-30T00:00:00+00:00");

    let sealed_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&inputs.assessment).unwrap()).unwrap();
    // Key order and whitespace do not matter; content does.
    let reordered: serde_json::Value =
        serde_json::from_str(&serde_json::to_string_pretty(&sealed_json).unwrap()).unwrap();
    vouch_evidence::replay::compare_findings(&sealed_json, &reordered).unwrap();
    let mut edited = sealed_json.clone();
    edited["findings"][0]["status"] = "fail".into();
    let differs = vouch_evidence::replay::compare_findings(&sealed_json, &edited).unwrap_err();
    assert_eq!(differs.index, 0);
    assert!(
        differs.replayed.contains("\"status\":\"fail\""),
        "{}",
        differs.replayed
    );

    // Unpacking refuses to write over anything.
    let again = vouch_evidence::replay::unpack(&sealed.archive, &dest).unwrap_err();
    assert!(again.reason.contains("exists"), "{}", again.reason);
}
