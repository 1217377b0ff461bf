//! Finding the evidence set `vouch evaluate` reads. The files themselves are
//! read by `vouch_collector::set::read`, beside the code that writes them,
//! so the format lives in one place.

use std::path::{Path, PathBuf};

use vouch_collector::set::StageError;
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

    /// A record file is missing or not what docs/formats.md describes; a
    /// missing file is never read as an empty list, so absent evidence
    /// cannot pass for "nothing happened".
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] StageError),
}

/// Reads the evidence set in `dir`.
pub fn read(dir: &Path) -> Result<EvidenceSet, EvidenceError> {
    if !dir.is_dir() {
        return Err(EvidenceError::Missing {
            dir: dir.to_owned(),
        });
    }
    Ok(vouch_collector::set::read(dir)?)
}
