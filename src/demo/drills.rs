//! `drills/`: Chaos Toolkit journals (technical drills, matched to capabilities
//! by the plan's tag rules) and Vouch drill records (tabletops, restore tests,
//! failovers, technical drills run by hand).

mod chaostoolkit;
mod records;

use std::path::Path;

use super::DemoError;

/// What was written under `drills/`.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// Chaos Toolkit journals.
    pub journals: usize,
    /// Vouch drill records.
    pub records: usize,
}

/// Writes every drill file under `dir`.
pub fn write(dir: &Path) -> Result<Written, DemoError> {
    Ok(Written {
        journals: chaostoolkit::write(dir)?,
        records: records::write(dir)?,
    })
}

#[cfg(test)]
pub use self::chaostoolkit::{Clock, RUNS, Verdict};
#[cfg(test)]
pub use self::records::{Kind, Outcome, RECORDS};
