//! One source's share of the staging directory: its raw artifacts, its
//! spooled records, its gaps and its provenance, written as it goes so a
//! million-row export never sits in memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use vouch_sdk::evidence::{CodeChange, Drill, Gap, Incident, IncidentSeverity, Origin, Runbook};

use super::fragment;
use super::provenance::{ArtifactEntry, SourceReport, Status};
use super::{Kind, StageError};
use crate::artifact::Artifact;
use crate::collect::Progress;
use crate::problem::Problem;

/// Gaps kept per source; past this the rest are counted in one last gap, so
/// an export that is wrong on every line does not make a gaps file as big as itself.
const MAX_GAPS: usize = 100;

/// How often (in records) progress is reported.
const PROGRESS_EVERY: u64 = 10_000;

/// A record type of the evidence set.
pub trait Record: serde::Serialize {
    /// The file it goes to.
    const KIND: Kind;
    /// Whether it matched no capability.
    fn unmatched(&self) -> bool;
    /// Whether it is an incident still open.
    fn open(&self) -> bool {
        false
    }
}

impl Record for Drill {
    const KIND: Kind = Kind::Drills;
    fn unmatched(&self) -> bool {
        self.capability.is_none()
    }
}

impl Record for Incident {
    const KIND: Kind = Kind::Incidents;
    fn unmatched(&self) -> bool {
        self.capability.is_none()
    }
    fn open(&self) -> bool {
        self.resolved.is_none()
    }
}

impl Record for Runbook {
    const KIND: Kind = Kind::Runbooks;
    fn unmatched(&self) -> bool {
        false
    }
}

impl Record for CodeChange {
    const KIND: Kind = Kind::Code;
    fn unmatched(&self) -> bool {
        false
    }
}

/// What an HTTP artifact adds to its provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    /// The URL requested.
    pub url: String,
    /// The status code.
    pub status: u16,
    /// Response headers, credentials already removed.
    pub headers: BTreeMap<String, String>,
}

/// Writes one source's artifacts, records and gaps into the staging directory.
pub struct SourceWriter {
    raw: PathBuf,
    spool: PathBuf,
    index: usize,
    evidence: Kind,
    spools: BTreeMap<Kind, Spool>,
    report: SourceReport,
    gaps: Vec<Gap>,
    extra_gaps: u64,
    failed: bool,
    progress: Arc<dyn Progress>,
}

struct Spool {
    path: PathBuf,
    out: BufWriter<File>,
    count: u64,
}

/// A source's finished share: its provenance, gaps and spooled records.
#[derive(Debug)]
pub struct Finished {
    /// Its entry in `provenance.json`.
    pub report: SourceReport,
    /// Its entries in `gaps.json`.
    pub gaps: Vec<Gap>,
    /// Spooled records by file.
    pub spools: BTreeMap<Kind, PathBuf>,
}

impl SourceWriter {
    pub(super) fn new(
        raw: PathBuf,
        spool: PathBuf,
        index: usize,
        evidence: Kind,
        report: SourceReport,
        progress: Arc<dyn Progress>,
    ) -> Self {
        Self {
            raw,
            spool,
            index,
            evidence,
            spools: BTreeMap::new(),
            report,
            gaps: Vec::new(),
            extra_gaps: 0,
            failed: false,
            progress,
        }
    }

    /// The plan's id of the source.
    pub fn id(&self) -> &str {
        &self.report.id
    }

    /// Stores an artifact under `raw/`.
    pub fn put(&mut self, artifact: &Artifact, fetched: Option<Fetched>) -> Result<(), StageError> {
        let path = self.raw_path(&artifact.path)?;
        std::fs::write(&path, &artifact.bytes).map_err(|e| StageError::io(&path, e))?;
        let fetched = fetched.unwrap_or_default();
        self.report.artifacts.push(ArtifactEntry {
            path: artifact.path.clone(),
            sha256: artifact.sha256.clone(),
            bytes: artifact.bytes.len() as u64,
            url: (!fetched.url.is_empty()).then_some(fetched.url),
            status: (fetched.status != 0).then_some(fetched.status),
            headers: fetched.headers,
        });
        Ok(())
    }

    /// Copies a (possibly huge) file to `raw/SOURCE/name`, hashing as it goes;
    /// returns where the copy is (parse that: it is exactly what was stored)
    /// and the provenance its records carry. A read error is the source's problem.
    pub fn put_file(
        &mut self,
        name: &str,
        from: &Path,
    ) -> Result<Result<(PathBuf, Origin), Problem>, StageError> {
        let artifact_path = format!("{}/{name}", self.report.id);
        let to = self.raw_path(&artifact_path)?;
        let mut input = match File::open(from) {
            Ok(f) => f,
            Err(e) => {
                return Ok(Err(Problem::new(
                    format!("`{}`", from.display()),
                    format!("cannot read: {e}"),
                )));
            }
        };
        let mut output = BufWriter::new(File::create(&to).map_err(|e| StageError::io(&to, e))?);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    return Ok(Err(Problem::new(
                        format!("`{}`", from.display()),
                        format!("cannot read: {e}"),
                    )));
                }
            };
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            output
                .write_all(chunk)
                .map_err(|e| StageError::io(&to, e))?;
            bytes += n as u64;
        }
        output.flush().map_err(|e| StageError::io(&to, e))?;
        let sha256 = hex::encode(hasher.finalize());
        self.report.artifacts.push(ArtifactEntry {
            path: artifact_path.clone(),
            sha256: sha256.clone(),
            bytes,
            url: None,
            status: None,
            headers: BTreeMap::new(),
        });
        let origin = Origin {
            source: self.report.id.clone(),
            artifact: artifact_path,
            sha256,
        };
        Ok(Ok((to, origin)))
    }

    /// Writes one record.
    pub fn record<R: Record>(&mut self, record: &R) -> Result<(), StageError> {
        if !self.spools.contains_key(&R::KIND) {
            let path = self
                .spool
                .join(format!("{:04}-{}", self.index, R::KIND.file()));
            let file = File::create(&path).map_err(|e| StageError::io(&path, e))?;
            self.spools.insert(
                R::KIND,
                Spool {
                    path,
                    out: BufWriter::with_capacity(1 << 16, file),
                    count: 0,
                },
            );
        }
        if let Some(spool) = self.spools.get_mut(&R::KIND) {
            fragment::element(record, spool.count == 0, &mut spool.out)
                .map_err(|e| StageError::io(&spool.path, e))?;
            spool.count += 1;
        }
        let count = self
            .report
            .records
            .entry(R::KIND.name().to_owned())
            .or_default();
        *count += 1;
        let count = *count;
        self.report.unmatched += u64::from(record.unmatched());
        self.report.open += u64::from(record.open());
        if count.is_multiple_of(PROGRESS_EVERY) {
            self.progress.advanced(&self.report.id, count);
        }
        Ok(())
    }

    /// Writes a drill.
    pub fn drill(&mut self, drill: &Drill) -> Result<(), StageError> {
        self.record(drill)
    }

    /// Writes an incident.
    pub fn incident(&mut self, incident: &Incident) -> Result<(), StageError> {
        self.record(incident)
    }

    /// Records a problem with part of the source as a gap; the rest goes on.
    pub fn gap(&mut self, problem: &Problem) {
        self.push_gap(Gap {
            source: self.report.id.clone(),
            kind: self.evidence.name().to_owned(),
            error: problem.gap_text(),
        });
    }

    /// Records a gap a collector has already described (the git collector's).
    pub fn push_gap(&mut self, gap: Gap) {
        if self.gaps.len() < MAX_GAPS {
            self.gaps.push(gap);
        } else {
            self.extra_gaps += 1;
        }
    }

    /// Records that the source as a whole could not be collected.
    pub fn fail(&mut self, problem: &Problem) {
        self.failed = true;
        self.gap(problem);
    }

    /// A remark for provenance: a file skipped, an assumption made.
    pub fn note(&mut self, note: impl Into<String>) {
        self.report.notes.push(note.into());
    }

    /// Records which level a tool's severity name was normalised to.
    /// `by` says what decided it (`plan` or `built-in`).
    pub fn severity(&mut self, raw: &str, level: IncidentSeverity, by: &str) {
        // Checked first: this runs once per record, and the text only once per name.
        if !self.report.severities.contains_key(raw) {
            let name = serde_json::to_value(level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            self.report
                .severities
                .insert(raw.to_owned(), format!("{name} ({by})"));
        }
    }

    /// Flushes the spools and hands back the source's share.
    pub fn finish(mut self) -> Result<Finished, StageError> {
        if self.extra_gaps > 0 {
            self.gaps.push(Gap {
                source: self.report.id.clone(),
                kind: self.evidence.name().to_owned(),
                error: format!(
                    "{} more problems like the ones above were not listed",
                    self.extra_gaps
                ),
            });
        }
        let mut spools = BTreeMap::new();
        for (kind, mut spool) in self.spools {
            // A spool is scratch: flushed, not synced; the assembled file is synced.
            spool
                .out
                .flush()
                .map_err(|e| StageError::io(&spool.path, e))?;
            spools.insert(kind, spool.path);
        }
        let records: u64 = self.report.records.values().sum();
        self.report.gaps = self.gaps.len() as u64 + self.extra_gaps;
        self.report.status = match (self.failed, self.report.gaps) {
            (true, _) if records == 0 => Status::Failed,
            (false, 0) => Status::Complete,
            _ => Status::Partial,
        };
        Ok(Finished {
            report: self.report,
            gaps: self.gaps,
            spools,
        })
    }

    /// `raw/<path>`, with its directories made; `path` must stay inside `raw/`.
    fn raw_path(&self, path: &str) -> Result<PathBuf, StageError> {
        if path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(StageError::BadArtifactPath {
                path: path.to_owned(),
            });
        }
        let full = self.raw.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StageError::io(parent, e))?;
        }
        Ok(full)
    }
}
