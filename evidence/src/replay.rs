//! What `vouch verify --replay` needs from a bundle, without knowing the
//! engine: the bundle unpacked to a directory (so the bytes replayed are the
//! bytes verified, with no second read of the archive), the paths of the
//! plan, evidence set and exact policy components, the `now` to judge at, and
//! the byte-for-byte comparison of findings. The command line runs the engine
//! in between.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use miette::Diagnostic;
use serde_json::Value;

use crate::canonical;
use crate::layout::unsafe_path;
use crate::statement::Statement;

/// Why an archive could not be unpacked.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot unpack `{}`: {reason}", archive.display())]
#[diagnostic(
    code(vouch::replay::unpack),
    help("run `vouch verify` on the archive first: it names every problem")
)]
pub struct UnpackError {
    /// The archive.
    pub archive: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// Unpacks a bundle archive into the empty or new directory `dest`, refusing
/// what verification refuses (unsafe paths, links, special files, duplicates).
/// Verify `dest` afterwards: what is replayed must be what was verified.
pub fn unpack(archive: &Path, dest: &Path) -> Result<(), UnpackError> {
    let fail = |reason: String| UnpackError {
        archive: archive.to_path_buf(),
        reason,
    };
    let file = File::open(archive).map_err(|e| fail(e.to_string()))?;
    fs::create_dir_all(dest).map_err(|e| fail(format!("`{}`: {e}", dest.display())))?;
    let mut archive_reader = tar::Archive::new(file);
    let entries = archive_reader.entries().map_err(|e| fail(e.to_string()))?;
    let mut seen = BTreeSet::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| fail(e.to_string()))?;
        let raw = entry.path_bytes().into_owned();
        let name =
            String::from_utf8(raw).map_err(|_| fail("an entry name is not UTF-8".to_owned()))?;
        let name = name.strip_prefix("./").unwrap_or(&name).to_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if let Some(reason) = unsafe_path(&name) {
            return Err(fail(format!("entry `{name}`: {reason}")));
        }
        if !kind.is_file() {
            return Err(fail(format!("entry `{name}` is not a regular file")));
        }
        if !seen.insert(name.clone()) {
            return Err(fail(format!("entry `{name}` appears more than once")));
        }
        let target = dest.join(&name);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| fail(format!("`{}`: {e}", parent.display())))?;
        }
        // `create_new` never follows or replaces anything already there.
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(|e| fail(format!("`{}`: {e}", target.display())))?;
        let size = entry.size();
        let copied =
            io::copy(&mut entry, &mut out).map_err(|e| fail(format!("entry `{name}`: {e}")))?;
        if copied != size {
            return Err(fail(format!(
                "entry `{name}` is truncated ({copied} of {size} bytes)"
            )));
        }
    }
    Ok(())
}

/// One sealed policy component, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayPolicy {
    /// Policy id.
    pub id: String,
    /// The component file inside the bundle directory.
    pub path: PathBuf,
    /// Its sha256, as signed.
    pub sha256: String,
}

/// Everything the engine needs to re-run a verified bundle's assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayInputs {
    /// The plan.
    pub plan: PathBuf,
    /// The evidence set directory.
    pub evidence: PathBuf,
    /// The policies, each once, in the order they first ran: the engine
    /// derives a custom commitment's run from the plan, with the same component.
    pub policies: Vec<ReplayPolicy>,
    /// The time the sealed run judged as of.
    pub now: DateTime<Utc>,
    /// The sealed assessment.
    pub assessment: PathBuf,
}

/// The replay inputs of the verified bundle directory `dir` whose signed
/// statement is `statement`.
pub fn inputs(dir: &Path, statement: &Statement) -> ReplayInputs {
    let predicate = &statement.predicate;
    let mut seen = BTreeSet::new();
    ReplayInputs {
        plan: dir.join(&predicate.layout.plan),
        evidence: dir.join(&predicate.layout.evidence),
        policies: predicate
            .policies
            .iter()
            .filter(|p| seen.insert(p.id.as_str()))
            .map(|p| ReplayPolicy {
                id: p.id.clone(),
                path: dir.join(&p.path),
                sha256: p.sha256.clone(),
            })
            .collect(),
        now: predicate.now,
        assessment: dir.join(&predicate.layout.assessment),
    }
}

/// Replayed findings that differ from the sealed ones.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(
    "replay differs from the sealed assessment at finding {index}: sealed {sealed}, replayed {replayed}"
)]
#[diagnostic(
    code(vouch::replay::differs),
    help("the sealed findings are not what the sealed policies conclude from the sealed evidence")
)]
pub struct FindingsDiffer {
    /// 0-based index of the first differing finding.
    pub index: usize,
    /// The sealed finding, canonical JSON (`none` past the end).
    pub sealed: String,
    /// The replayed finding, canonical JSON (`none` past the end).
    pub replayed: String,
}

/// Requires the `findings` of two assessments (as JSON) to be byte-identical
/// in canonical form.
pub fn compare_findings(sealed: &Value, replayed: &Value) -> Result<(), FindingsDiffer> {
    let list = |v: &Value| -> Vec<String> {
        v.get("findings")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|f| {
                        String::from_utf8_lossy(&canonical::to_vec(f).unwrap_or_default())
                            .into_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (a, b) = (list(sealed), list(replayed));
    for index in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(index), b.get(index));
        if x != y {
            let show = |s: Option<&String>| s.cloned().unwrap_or_else(|| "none".to_owned());
            return Err(FindingsDiffer {
                index,
                sealed: show(x),
                replayed: show(y),
            });
        }
    }
    Ok(())
}
