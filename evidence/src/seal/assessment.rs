//! The assessment, read without holding its findings: a large one has a
//! million. A first pass checks the file and keeps everything but the
//! findings; the findings are parsed again as the bundle's canonical copy is
//! written, and once more from that copy for the OSCAL export. A file the
//! streamed pass refuses, or one that cannot be read twice (a pipe), is read
//! whole as before, so every error (and every odd file that parses, such as
//! one with a repeated key) is what it was.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize as _;
use serde_json::{Map, Value};
use vouch_sdk::assessment::{AssessedFinding, Assessment, FindingStatus};

use super::{Hashing, JsonError, SealError, Unsealable, encode, input_fault, io_error, read_json};
use crate::canonical::{self, Part};
use crate::layout::{self, unsafe_path};
use crate::oscal;
use crate::stream::{self, Stopped};

const EXPECTED: &str = "`-a` takes the assessment JSON `vouch evaluate` wrote";

/// An assessment to seal.
pub(super) struct Input {
    /// Everything but the findings: `findings` is empty.
    pub head: Assessment,
    /// What the findings are.
    pub tally: Tally,
    /// Where the findings come from.
    source: Source,
}

/// What the findings are, gathered as they are parsed.
#[derive(Default)]
pub(super) struct Tally {
    /// Which findings each policy made.
    pub index: oscal::Index,
    /// Findings by status.
    pub counts: BTreeMap<FindingStatus, usize>,
}

impl Tally {
    fn add(&mut self, finding: &AssessedFinding) {
        self.index.add(finding);
        *self.counts.entry(finding.status).or_insert(0) += 1;
    }
}

enum Source {
    /// The file, streamed again when written.
    Streamed {
        path: PathBuf,
        /// Members other than `findings`, unknown ones included.
        members: Map<String, Value>,
        /// The file's sha256 when checked: it must not change before it is copied.
        sha256: String,
    },
    /// The canonical bytes, for a file only a whole parse accepts.
    Whole(Vec<u8>),
}

/// Reads and checks the assessment.
pub(super) fn read(path: &Path) -> Result<Input, SealError> {
    let input = match read_streamed(path) {
        Some(input) => input,
        None => read_whole(path)?,
    };
    for run in &input.head.policies {
        if let Some(reason) = unsafe_path(&run.id).or(run.id.contains('/').then_some("`/` in id")) {
            return Err(Unsealable {
                path: path.to_path_buf(),
                reason: format!("policy id `{}` cannot name a file: {reason}", run.id),
            }
            .into());
        }
    }
    Ok(input)
}

/// The assessment, findings streamed; `None` when the file does not parse so.
fn read_streamed(path: &Path) -> Option<Input> {
    let file = File::open(path).ok()?;
    // A pipe cannot be read twice.
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut file = Hashing::new(file);
    let mut members = Map::new();
    let mut tally = Tally::default();
    let findings = stream::assessment(
        &mut file,
        &mut |key, value: Value| match members.insert(key, value) {
            None => Ok(()),
            Some(_) => Err(io::Error::other("a repeated member")),
        },
        &mut |finding: AssessedFinding| {
            tally.add(&finding);
            Ok(())
        },
    )
    .ok()?;
    let (sha256, ..) = file.finish();
    // Typed with its findings empty: each was typed as it was parsed.
    if findings {
        members.insert("findings".to_owned(), Value::Array(Vec::new()));
    }
    let mut document = Value::Object(members);
    let head = Assessment::deserialize(&document).ok()?;
    let Value::Object(members) = &mut document else {
        return None;
    };
    members.remove("findings");
    Some(Input {
        head,
        tally,
        source: Source::Streamed {
            path: path.to_path_buf(),
            members: std::mem::take(members),
            sha256,
        },
    })
}

/// The assessment parsed whole, with its canonical bytes (unknown fields
/// kept, so an assessment from a newer Vouch is sealed whole).
fn read_whole(path: &Path) -> Result<Input, SealError> {
    let (value, _): (Value, _) = read_json(path, EXPECTED)?;
    let mut assessment: Assessment =
        serde_json::from_value(value.clone()).map_err(|e| JsonError {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
            expected: EXPECTED,
        })?;
    let bytes = encode(layout::ASSESSMENT, &value)?;
    let mut tally = Tally::default();
    for finding in std::mem::take(&mut assessment.findings) {
        tally.add(&finding);
    }
    Ok(Input {
        head: assessment,
        tally,
        source: Source::Whole(bytes),
    })
}

/// Writes the assessment's canonical bytes to `out`. A fault of the input
/// rather than of `out` goes to `fault`.
pub(super) fn write(
    input: &Input,
    out: &mut dyn Write,
    fault: &mut Option<SealError>,
) -> io::Result<()> {
    let (path, members, sha256) = match &input.source {
        Source::Whole(bytes) => return out.write_all(bytes),
        Source::Streamed {
            path,
            members,
            sha256,
        } => (path, members, sha256),
    };
    let mut document: BTreeMap<String, Part<'_>> = members
        .iter()
        .map(|(key, value)| (key.clone(), Part::Value(value.clone())))
        .collect();
    let findings = Part::array(|sink| {
        let mut file = Hashing::new(
            File::open(path).map_err(|e| input_fault(fault, io_error("read", path, e)))?,
        );
        let streamed =
            stream::findings_beside(&mut file, &mut |finding: Value| sink(Part::Value(finding)));
        let changed = || Unsealable {
            path: path.clone(),
            reason: "it changed while sealing".to_owned(),
        };
        match streamed {
            Err(Stopped::Handler(error)) => Err(error),
            Err(Stopped::Json(error)) if error.is_io() => {
                Err(input_fault(fault, io_error("read", path, error.into())))
            }
            Err(Stopped::Json(_)) => Err(input_fault(fault, changed())),
            Ok(()) if file.finish().0 != *sha256 => Err(input_fault(fault, changed())),
            Ok(()) => Ok(()),
        }
    });
    document.insert("findings".to_owned(), findings);
    canonical::write_part(Part::Object(document), out)
}

/// Hands each finding of the canonical copy at `path` to `each`, in order.
pub(super) fn findings(
    path: &Path,
    each: &mut dyn FnMut(AssessedFinding) -> io::Result<()>,
) -> io::Result<()> {
    match stream::findings_beside(File::open(path)?, each) {
        Ok(()) => Ok(()),
        Err(Stopped::Handler(error)) => Err(error),
        Err(Stopped::Json(error)) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::{SealError, read};
    use crate::canonical;

    /// A pretty-printed assessment with a member no Vouch knows yet.
    const ASSESSMENT: &str = r#"{
  "organisation": "Acme",
  "window": { "start": "2025-01-01", "end": "2025-12-31" },
  "now": "2026-01-01T00:00:00Z",
  "policies": [{ "id": "p", "version": "1", "sha256": "00", "fuel_used": 1 }],
  "findings": [
    { "policy": "p", "subject": "a", "status": "fail", "message": "m", "later": [1.5, {"z": 1, "a": 2}] },
    { "policy": "q", "subject": "b", "status": "pass", "message": "é" },
    { "policy": "p", "subject": "c", "status": "pass", "message": "" }
  ],
  "controls": [],
  "zeta": { "b": 1, "a": null }
}"#;

    /// Reads `text` as an assessment file, and its canonical copy.
    fn sealed(dir: &Path, text: &str) -> Result<(super::Input, Vec<u8>), SealError> {
        let path = dir.join("assessment.json");
        std::fs::write(&path, text).map_err(|e| super::io_error("write", &path, e))?;
        let input = read(&path)?;
        let mut copy = Vec::new();
        let mut fault = None;
        let written = super::write(&input, &mut copy, &mut fault);
        match (fault, written) {
            (Some(fault), _) => Err(fault),
            (None, written) => {
                written.map_err(|e| super::io_error("write", &path, e))?;
                Ok((input, copy))
            }
        }
    }

    fn canonical(text: &str) -> Vec<u8> {
        let value: Value = serde_json::from_str(text).unwrap_or_default();
        canonical::to_vec(&value).unwrap_or_default()
    }

    #[test]
    fn a_streamed_copy_is_the_canonical_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (input, copy) = sealed(dir.path(), ASSESSMENT).unwrap();
        assert!(matches!(input.source, super::Source::Streamed { .. }));
        assert_eq!(copy, canonical(ASSESSMENT));
        assert!(input.head.findings.is_empty());
        assert_eq!(input.tally.counts.values().sum::<usize>(), 3);
    }

    #[test]
    fn a_repeated_member_is_read_whole_as_before() {
        let text = ASSESSMENT.replacen("\"now\"", "\"organisation\": \"Other\",\n  \"now\"", 1);
        let dir = tempfile::tempdir().unwrap();
        let (input, copy) = sealed(dir.path(), &text).unwrap();
        assert!(matches!(input.source, super::Source::Whole(_)));
        assert_eq!(copy, canonical(&text));
        assert_eq!(input.head.organisation, "Other");
        assert_eq!(input.tally.counts.values().sum::<usize>(), 3);
    }

    #[test]
    fn a_bad_finding_fails_as_before() {
        let dir = tempfile::tempdir().unwrap();
        for (from, to, expected) in [
            (
                "\"message\": \"é\"",
                "\"mesage\": \"é\"",
                "line 0 column 0: missing field `message`",
            ),
            (
                "\"findings\"",
                "\"later\"",
                "line 0 column 0: missing field `findings`",
            ),
            ("\"zeta\"", "zeta", "line 12 column 3: key must be a string"),
        ] {
            let text = ASSESSMENT.replacen(from, to, 1);
            let error = sealed(dir.path(), &text).err().unwrap().to_string();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn a_file_changed_before_its_copy_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("assessment.json");
        std::fs::write(&path, ASSESSMENT).unwrap();
        let input = read(&path).unwrap();
        std::fs::write(&path, ASSESSMENT.replacen("\"m\"", "\"n\"", 1)).unwrap();
        let mut fault = None;
        assert!(super::write(&input, &mut Vec::new(), &mut fault).is_err());
        let fault = fault.unwrap().to_string();
        assert!(fault.ends_with("it changed while sealing"), "{fault}");
    }

    fn scalar() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ]
    }

    proptest::proptest! {
        #[test]
        fn any_streamed_copy_is_the_canonical_whole(
            findings in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["p", "q", "é"]),
                    proptest::prelude::any::<String>(),
                    proptest::sample::select(vec!["pass", "fail", "warn", "not-applicable", "error"]),
                    proptest::prelude::any::<String>(),
                    proptest::option::of(scalar()),
                ),
                0..8,
            ),
            extra in proptest::collection::btree_map("[a-z\\u{e9}]{1,3}", scalar(), 0..4),
            pretty in proptest::prelude::any::<bool>(),
        ) {
            let mut document: Value = serde_json::from_str(ASSESSMENT).unwrap();
            document["findings"] = findings
                .iter()
                .map(|(policy, subject, status, message, later)| {
                    let mut finding = serde_json::json!({
                        "policy": policy, "subject": subject, "status": status, "message": message,
                    });
                    if let Some(later) = later {
                        finding["later"] = later.clone();
                    }
                    finding
                })
                .collect();
            for (key, value) in extra {
                if document.get(&key).is_none() {
                    document[key] = value;
                }
            }
            let text = if pretty {
                serde_json::to_string_pretty(&document).unwrap()
            } else {
                serde_json::to_string(&document).unwrap()
            };
            let dir = tempfile::tempdir().unwrap();
            let (input, copy) = sealed(dir.path(), &text).unwrap();
            let streamed = matches!(input.source, super::Source::Streamed { .. });
            proptest::prop_assert!(streamed);
            proptest::prop_assert_eq!(copy, canonical(&text));
            proptest::prop_assert_eq!(input.tally.counts.values().sum::<usize>(), findings.len());
        }
    }
}
