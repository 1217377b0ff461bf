//! The evidence set directory (docs/formats.md): `runbooks.json`,
//! `code.json`, `drills.json`, `incidents.json` (pretty JSON arrays, grouped
//! by source in plan order), `gaps.json`, `provenance.json` and `raw/`.
//!
//! A set is staged in a hidden directory beside its destination and renamed
//! into place only when whole, so a crash never leaves a half set where a
//! set is expected.

mod fragment;
pub mod provenance;
mod writer;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use vouch_sdk::EvidenceSet;
use vouch_sdk::evidence::Gap;

use self::provenance::{Collector, LAYOUT, Provenance, SourceReport, Status};
pub use self::writer::{Fetched, Finished, Record, SourceWriter};
use crate::collect::Progress;

/// `provenance.json`: the file that marks a directory as an evidence set.
pub const PROVENANCE: &str = "provenance.json";
/// `gaps.json`.
pub const GAPS: &str = "gaps.json";
/// `raw/`.
pub const RAW: &str = "raw";

/// The record files of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `runbooks.json`.
    Runbooks,
    /// `code.json`.
    Code,
    /// `drills.json`.
    Drills,
    /// `incidents.json`.
    Incidents,
}

impl Kind {
    /// Every record file, in the order they are written.
    pub const ALL: [Kind; 4] = [Kind::Runbooks, Kind::Code, Kind::Drills, Kind::Incidents];

    /// `runbooks`, `code`, `drills`, `incidents`: also a gap's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Runbooks => "runbooks",
            Self::Code => "code",
            Self::Drills => "drills",
            Self::Incidents => "incidents",
        }
    }

    /// The file name.
    pub fn file(self) -> String {
        format!("{}.json", self.name())
    }
}

/// A failure to stage or read a set: the destination's problem, not a source's.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StageError {
    /// A write or read failed.
    #[error("cannot write `{path}`: {source}")]
    #[diagnostic(
        code(vouch::collect::io),
        help("check the directory is writable and has space")
    )]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The destination holds something else.
    #[error("`{path}` exists and is not an evidence set; refusing to replace it")]
    #[diagnostic(
        code(vouch::collect::not_a_set),
        help("choose another directory with `-o`, or move it away")
    )]
    NotASet {
        /// The destination.
        path: PathBuf,
    },
    /// A collector named an artifact that would land outside `raw/`.
    #[error("artifact path `{path}` is not a plain relative path")]
    #[diagnostic(code(vouch::collect::artifact_path))]
    BadArtifactPath {
        /// The offending path.
        path: String,
    },
    /// A collector task stopped abnormally.
    #[error("a collector stopped unexpectedly: {message}")]
    #[diagnostic(
        code(vouch::collect::crashed),
        help("this is a bug in Vouch; please report it")
    )]
    Crashed {
        /// What the runtime said.
        message: String,
    },
    /// A set file is missing or malformed.
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(
        code(vouch::evidence::read),
        help("collect the evidence again with `vouch collect`")
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl StageError {
    /// An I/O failure at `path`.
    pub fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A set being written.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    collected_at: DateTime<Utc>,
}

/// What a source is, for its provenance entry.
#[derive(Debug, Clone, Copy)]
pub struct SourceInfo<'a> {
    /// Position in the plan (git, then drills, then incidents).
    pub index: usize,
    /// The plan's id.
    pub id: &'a str,
    /// `git`, `drills` or `incidents`.
    pub section: &'a str,
    /// Format or tool.
    pub format: &'a str,
    /// The evidence a gap of this source leaves missing.
    pub evidence: Kind,
}

impl Staging {
    /// Starts a set bound for `out`, which must not exist, be empty, or be a set.
    pub fn new(out: &Path, collected_at: DateTime<Utc>) -> Result<Self, StageError> {
        if out.exists() && !is_replaceable(out) {
            return Err(StageError::NotASet {
                path: out.to_owned(),
            });
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| StageError::io(&parent, e))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "evidence".to_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(&parent)
            .map_err(|e| StageError::io(&parent, e))?;
        for sub in [RAW, ".spool"] {
            let path = dir.path().join(sub);
            std::fs::create_dir_all(&path).map_err(|e| StageError::io(&path, e))?;
        }
        Ok(Self {
            dir,
            out: out.to_owned(),
            collected_at,
        })
    }

    /// A writer for one source's share.
    pub fn source(&self, info: SourceInfo<'_>, progress: Arc<dyn Progress>) -> SourceWriter {
        let report = SourceReport {
            id: info.id.to_owned(),
            kind: info.section.to_owned(),
            format: info.format.to_owned(),
            collector: Collector::named(info.format),
            collected_at: self.collected_at,
            status: Status::Complete,
            records: Default::default(),
            unmatched: 0,
            open: 0,
            gaps: 0,
            severities: Default::default(),
            notes: Vec::new(),
            artifacts: Vec::new(),
        };
        SourceWriter::new(
            self.dir.path().join(RAW),
            self.dir.path().join(".spool"),
            info.index,
            info.evidence,
            report,
            progress,
        )
    }

    /// Assembles the record files from `sources` (in plan order), writes
    /// `gaps.json` and `provenance.json`, and moves the set into place.
    pub fn commit(self, sources: Vec<Finished>) -> Result<PathBuf, StageError> {
        let root = self.dir.path();
        for kind in Kind::ALL {
            let path = root.join(kind.file());
            let parts: Vec<&Path> = sources
                .iter()
                .filter_map(|s| s.spools.get(&kind).map(PathBuf::as_path))
                .collect();
            fragment::assemble(&path, &parts).map_err(|e| StageError::io(&path, e))?;
        }
        let spool = root.join(".spool");
        std::fs::remove_dir_all(&spool).map_err(|e| StageError::io(&spool, e))?;
        let gaps: Vec<&Gap> = sources.iter().flat_map(|s| &s.gaps).collect();
        write_json(&root.join(GAPS), &gaps)?;
        let provenance = Provenance {
            vouch_evidence: LAYOUT,
            collected_at: self.collected_at,
            collector: Collector {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            sources: sources.into_iter().map(|s| s.report).collect(),
        };
        write_json(&root.join(PROVENANCE), &provenance)?;
        self.replace()
    }

    /// Renames the staged set over the destination: the old set is moved
    /// aside first and removed only once the new one is in place.
    fn replace(self) -> Result<PathBuf, StageError> {
        let staged = self.dir.keep();
        let out = &self.out;
        let aside = PathBuf::from(format!("{}-old", staged.display()));
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, &aside).map_err(|e| StageError::io(out, e))?;
        }
        std::fs::rename(&staged, out).map_err(|e| StageError::io(out, e))?;
        if had_old {
            std::fs::remove_dir_all(&aside).map_err(|e| StageError::io(&aside, e))?;
        }
        Ok(out.clone())
    }
}

/// Whether `dir` may be replaced: an evidence set, or an empty directory.
fn is_replaceable(dir: &Path) -> bool {
    dir.join(PROVENANCE).is_file()
        || std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), StageError> {
    let mut text =
        serde_json::to_vec_pretty(value).map_err(|e| StageError::io(path, io::Error::other(e)))?;
    text.push(b'\n');
    std::fs::write(path, text).map_err(|e| StageError::io(path, e))
}

/// Reads a whole evidence set (records and gaps) into memory.
pub fn read(dir: &Path) -> Result<EvidenceSet, StageError> {
    Ok(EvidenceSet {
        runbooks: read_json(&dir.join(Kind::Runbooks.file()))?,
        code: read_json(&dir.join(Kind::Code.file()))?,
        drills: read_json(&dir.join(Kind::Drills.file()))?,
        incidents: read_json(&dir.join(Kind::Incidents.file()))?,
        gaps: read_json(&dir.join(GAPS))?,
        inventory: Vec::new(),
    })
}

/// Reads a set's `provenance.json`.
pub fn read_provenance(dir: &Path) -> Result<Provenance, StageError> {
    read_json(&dir.join(PROVENANCE))
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, StageError> {
    let file = std::fs::File::open(path).map_err(|e| StageError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    serde_json::from_reader(io::BufReader::new(file)).map_err(|e| StageError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
