//! Reading an evidence set directory (docs/formats.md) into memory.
//!
//! Mirrors `vouch_collector::set::read`; kept here so `vouch evaluate` reads
//! a set without linking the collectors. Every record file must be there: a
//! missing one is an input error, never an empty list, so absent evidence
//! cannot pass for "nothing happened".

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use vouch_sdk::EvidenceSet;

/// Why an evidence set could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EvidenceError {
    /// The directory is not there.
    #[error("no evidence set at `{}`", dir.display())]
    #[diagnostic(
        code(vouch::evaluate::no_evidence),
        help("collect it with `vouch collect`, or name another directory with `-e DIR`")
    )]
    Missing {
        /// The directory looked for.
        dir: PathBuf,
    },

    /// A record file is missing or unreadable.
    #[error("cannot read `{}`", path.display())]
    #[diagnostic(
        code(vouch::evaluate::evidence_read),
        help(
            "an evidence set holds `runbooks.json`, `code.json`, `drills.json`, `incidents.json` and `gaps.json`; collect it again with `vouch collect`"
        )
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// A record file is not what docs/formats.md describes.
    #[error("`{}` is malformed: {source}", path.display())]
    #[diagnostic(
        code(vouch::evaluate::evidence_malformed),
        help(
            "the line, column and field are in the message; see docs/formats.md for the record fields"
        )
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What serde found, with line and column.
        source: serde_json::Error,
    },
}

/// Reads the evidence set in `dir`.
pub fn read(dir: &Path) -> Result<EvidenceSet, EvidenceError> {
    if !dir.is_dir() {
        return Err(EvidenceError::Missing {
            dir: dir.to_owned(),
        });
    }
    Ok(EvidenceSet {
        runbooks: file(dir, "runbooks.json")?,
        code: file(dir, "code.json")?,
        drills: file(dir, "drills.json")?,
        incidents: file(dir, "incidents.json")?,
        gaps: file(dir, "gaps.json")?,
    })
}

fn file<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T, EvidenceError> {
    let path = dir.join(name);
    let text = std::fs::read(&path).map_err(|source| EvidenceError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| EvidenceError::Malformed { path, source })
}
