//! The assessment, read without holding its findings: a large one has a
//! million. A first pass checks the file and keeps everything but the
//! findings; the findings are parsed again as the bundle's canonical copy is
//! written, and once more from that copy for the OSCAL export. A file the
//! streamed pass refuses is read whole as before, so every error (and every
//! odd file that parses, such as one with a repeated key) is what it was.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize as _;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use vouch_sdk::assessment::{AssessedFinding, Assessment, FindingStatus};

use super::stream::{self, Stopped};
use super::{Hashing, JsonError, SealError, Unsealable, encode, input_fault, io_error, read_json};
use crate::canonical::{self, Part};
use crate::layout::{self, unsafe_path};
use crate::oscal;

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
    let mut file = Hashing::new(File::open(path).ok()?);
    let mut members = Map::new();
    let mut tally = Tally::default();
    stream::assessment(
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
    members.insert("findings".to_owned(), Value::Array(Vec::new()));
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
        let streamed = stream::assessment(
            &mut file,
            &mut |_, _: IgnoredAny| Ok(()),
            &mut |finding: Value| sink(Part::Value(finding)),
        );
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
    match stream::assessment(File::open(path)?, &mut |_, _: IgnoredAny| Ok(()), each) {
        Ok(()) => Ok(()),
        Err(Stopped::Handler(error)) => Err(error),
        Err(Stopped::Json(error)) => Err(error.into()),
    }
}
