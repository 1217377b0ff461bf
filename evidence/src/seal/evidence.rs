//! The evidence set, read one record at a time: a large one holds a million
//! incidents, of which sealing needs only where each came from. A records
//! file the streamed parse refuses is read whole as before, so every error is
//! what it was.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;
use vouch_sdk::evidence::{CodeChange, Drill, Gap, Incident, Origin, Runbook};

use super::{MissingEvidence, OriginMismatch, SealError, Unsealable, io_error, read_json};
use crate::layout;
use crate::oscal::Artifacts;
use crate::stream;

/// What sealing needs of the evidence set.
#[derive(Default)]
pub(super) struct Evidence {
    /// Each distinct raw artifact (path and digest) the records name, with
    /// the first record naming it, in record order.
    claims: Vec<Claim>,
    /// The claims seen, by artifact and digest.
    seen: HashSet<(String, String)>,
    /// The raw artifacts behind each capability's records.
    pub artifacts: Artifacts,
}

/// A record's raw artifact.
struct Claim {
    file: &'static str,
    index: usize,
    artifact: String,
    sha256: String,
}

impl Evidence {
    fn add(&mut self, file: &'static str, index: usize, capability: Option<&str>, origin: &Origin) {
        self.artifacts.add(capability, origin);
        let key = (origin.artifact.clone(), origin.sha256.clone());
        if !self.seen.contains(&key) {
            self.claims.push(Claim {
                file,
                index,
                artifact: key.0.clone(),
                sha256: key.1.clone(),
            });
            self.seen.insert(key);
        }
    }

    /// Every record's raw artifact must be in the bundle with the digest it
    /// claims; the first record that fails is named.
    pub(super) fn check_origins(
        &self,
        digests: &BTreeMap<String, String>,
    ) -> Result<(), SealError> {
        for claim in &self.claims {
            let path = format!(
                "{}/{}/{}",
                layout::EVIDENCE_DIR,
                layout::RAW_DIR,
                claim.artifact
            );
            let found = match digests.get(&path) {
                Some(digest) if *digest == claim.sha256 => continue,
                Some(digest) => format!("the file has sha256 {digest}"),
                None => format!("there is no `{}/{}`", layout::RAW_DIR, claim.artifact),
            };
            return Err(OriginMismatch {
                file: claim.file,
                index: claim.index,
                artifact: claim.artifact.clone(),
                expected: claim.sha256.clone(),
                found,
            }
            .into());
        }
        Ok(())
    }
}

/// Reads and checks the evidence set in `dir`.
pub(super) fn read(dir: &Path) -> Result<Evidence, SealError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("read", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read", dir, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let kind = entry.file_type().map_err(|e| io_error("read", &path, e))?;
        let known_file = layout::EVIDENCE_FILES.iter().any(|f| name == *f) && kind.is_file();
        let raw = name == layout::RAW_DIR && kind.is_dir();
        if !known_file && !raw {
            return Err(Unsealable {
                path,
                reason: format!(
                    "not part of an evidence set (expected {} and `{}/`)",
                    layout::EVIDENCE_FILES.join(", "),
                    layout::RAW_DIR
                ),
            }
            .into());
        }
    }
    for file in layout::EVIDENCE_FILES {
        if !dir.join(file).is_file() {
            return Err(MissingEvidence {
                dir: dir.to_path_buf(),
                file,
            }
            .into());
        }
    }
    let mut evidence = Evidence::default();
    records::<Runbook>(
        dir,
        "runbooks.json",
        "an array of runbook records (docs/formats.md)",
        &mut evidence,
        |r| (Some(r.capability.as_str()), &r.origin),
    )?;
    records::<CodeChange>(
        dir,
        "code.json",
        "an array of code change records (docs/formats.md)",
        &mut evidence,
        |c| (Some(c.capability.as_str()), &c.origin),
    )?;
    records::<Drill>(
        dir,
        "drills.json",
        "an array of drill records (docs/formats.md)",
        &mut evidence,
        |d| (d.capability.as_deref(), &d.origin),
    )?;
    records::<Incident>(
        dir,
        "incidents.json",
        "an array of incident records (docs/formats.md)",
        &mut evidence,
        |i| (i.capability.as_deref(), &i.origin),
    )?;
    let _: (Vec<Gap>, _) = read_json(
        &dir.join("gaps.json"),
        "an array of gap records (docs/formats.md)",
    )?;
    let _: (Value, _) = read_json(
        &dir.join("provenance.json"),
        "provenance JSON (docs/formats.md)",
    )?;
    Ok(evidence)
}

/// Adds the records of `dir/file` to `evidence`, streamed.
fn records<T: DeserializeOwned>(
    dir: &Path,
    file: &'static str,
    expected: &'static str,
    evidence: &mut Evidence,
    origin: fn(&T) -> (Option<&str>, &Origin),
) -> Result<(), SealError> {
    let path = dir.join(file);
    let mut index = 0;
    let mut add = |record: T| -> io::Result<()> {
        let (capability, origin) = origin(&record);
        evidence.add(file, index, capability, origin);
        index += 1;
        Ok(())
    };
    let streamed = File::open(&path)
        .ok()
        .is_some_and(|reader| stream::array(reader, &mut add).is_ok());
    if !streamed {
        // Read whole for its error; should that parse after all (the file
        // changed), its records are the ones sealed.
        let (all, _): (Vec<T>, _) = read_json(&path, expected)?;
        for (index, record) in all.iter().enumerate() {
            let (capability, origin) = origin(record);
            evidence.add(file, index, capability, origin);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use serde_json::json;

    use super::read;
    use crate::layout;

    fn incident(
        id: &str,
        capability: Option<&str>,
        artifact: &str,
        sha256: &str,
    ) -> serde_json::Value {
        json!({
            "id": id, "capability": capability, "service": "svc", "severity": "sev2",
            "severity_raw": "P2", "title": id, "started": "2025-01-01T00:00:00Z",
            "origin": { "source": "pd", "artifact": artifact, "sha256": sha256 }
        })
    }

    fn evidence_set(dir: &Path, incidents: &str) {
        for file in layout::EVIDENCE_FILES {
            let text = match file {
                "incidents.json" => incidents,
                "provenance.json" => "{}",
                _ => "[]",
            };
            std::fs::write(dir.join(file), text).unwrap();
        }
    }

    #[test]
    fn the_first_record_with_a_wrong_artifact_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let incidents = json!([
            incident("i0", Some("c"), "a", "00"),
            incident("i1", None, "b", "11"),
            incident("i2", Some("c"), "a", "00"),
            incident("i3", Some("d"), "b", "22"),
        ]);
        evidence_set(dir.path(), &incidents.to_string());
        let evidence = read(dir.path()).unwrap();
        let digests = BTreeMap::from([
            ("evidence/raw/a".to_owned(), "00".to_owned()),
            ("evidence/raw/b".to_owned(), "22".to_owned()),
        ]);
        let error = evidence.check_origins(&digests).unwrap_err().to_string();
        assert_eq!(
            error,
            "`incidents.json` record 1 names raw artifact `b` with sha256 11, but the file has sha256 22"
        );
    }

    #[test]
    fn a_bad_record_fails_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let incidents = format!("[{},\n {{\"id\": 1}}]", incident("i0", None, "a", "00"));
        evidence_set(dir.path(), &incidents);
        let error = read(dir.path()).err().unwrap().to_string();
        let whole = super::read_json::<Vec<vouch_sdk::evidence::Incident>>(
            &dir.path().join("incidents.json"),
            "an array of incident records (docs/formats.md)",
        )
        .err()
        .unwrap()
        .to_string();
        assert_eq!(error, whole);
        assert!(error.contains("line 2 column"), "{error}");
    }
}
