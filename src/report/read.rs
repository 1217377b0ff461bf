//! Reads what a report is drawn from, and only that: at full scale an
//! assessment holds about a million findings and the evidence set a million
//! incidents, far more than a report lists or charts. Both are streamed
//! record by record, so neither file is ever held whole in memory.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use vouch_collector::set::Kind;
use vouch_evidence::stream;
use vouch_sdk::Assessment;
use vouch_sdk::assessment::{AssessedFinding, ControlResult, Metrics, PolicyRun};
use vouch_sdk::evidence::Drill;
use vouch_sdk::plan::AuditWindow;

use super::ReportError;
use super::view::Listing;

/// What a report needs of an evidence set: the drills whole, and of the
/// runbooks and incidents what the links and the recovery chart read.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Runbooks, for links to their raw files.
    pub runbooks: Vec<RunbookFile>,
    /// Drills, for the timeline and links.
    pub drills: Vec<Drill>,
    /// Incidents, for the recovery chart and links.
    pub incidents: Vec<IncidentTimes>,
}

/// A runbook's path and its raw artifact.
#[derive(Debug, Clone, Deserialize)]
pub struct RunbookFile {
    /// Path inside its repository.
    pub path: String,
    /// Where it came from.
    pub origin: Artifact,
}

/// An incident's times and its raw artifact (the rest of the record is
/// skipped on reading).
#[derive(Debug, Clone, Deserialize)]
pub struct IncidentTimes {
    /// Id in the incident tool.
    pub id: String,
    /// Its capability, when mapped.
    pub capability: Option<String>,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When it was resolved; `None` while open.
    pub resolved: Option<DateTime<Utc>>,
    /// `resolved - started`; `None` while open.
    pub recovery_seconds: Option<u64>,
    /// Where it came from.
    pub origin: Artifact,
}

/// The raw artifact of a record, relative to the evidence set's `raw/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Artifact {
    /// Its path.
    pub artifact: String,
}

impl Evidence {
    /// Reads the evidence set directory `dir`.
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        let file = |kind: Kind| dir.join(kind.file());
        Ok(Self {
            runbooks: records(&file(Kind::Runbooks))?,
            drills: records(&file(Kind::Drills))?,
            incidents: records(&file(Kind::Incidents))?,
        })
    }
}

/// The records of the JSON array in the file at `path`.
fn records<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, ReportError> {
    let mut records = Vec::new();
    stream::array(open(path)?, &mut |record| {
        records.push(record);
        Ok(())
    })
    .map_err(|reason| json_error(path, "an evidence record list", reason.to_string()))?;
    Ok(records)
}

/// An assessment as a report keeps it: its findings cut to those
/// [`Listing`] lists in full, plus the own-run findings the capability table
/// and charts read; and how many passing or not-applicable findings each
/// policy has beyond them.
pub fn assessment(path: &Path) -> Result<(Assessment, BTreeMap<String, usize>), ReportError> {
    const EXPECTED: &str = "an assessment";
    let mut listing = Listing::default();
    let mut kept = Vec::new();
    let mut unlisted: BTreeMap<String, usize> = BTreeMap::new();
    let mut rest = serde_json::Map::new();
    let found = stream::assessment(
        open(path)?,
        &mut |key, value| {
            rest.insert(key, value);
            Ok(())
        },
        &mut |finding: AssessedFinding| {
            if listing.lists(&finding) || Listing::charted(&finding) {
                kept.push(finding);
            } else {
                *unlisted.entry(finding.policy).or_default() += 1;
            }
            Ok(())
        },
    )
    .map_err(|reason| json_error(path, EXPECTED, reason.to_string()))?;
    let cut: Cut = serde_json::from_value(serde_json::Value::Object(rest))
        .map_err(|e| json_error(path, EXPECTED, e.to_string()))?;
    if !found {
        return Err(json_error(
            path,
            EXPECTED,
            "missing field `findings`".to_owned(),
        ));
    }
    let assessment = Assessment {
        organisation: cut.organisation,
        window: cut.window,
        now: cut.now,
        policies: cut.policies,
        findings: kept,
        controls: cut.controls,
        warnings: cut.warnings,
        metrics: cut.metrics,
    };
    Ok((assessment, unlisted))
}

/// `assessment.json` but its findings, which are read one by one. The
/// fields and their defaults are [`Assessment`]'s.
#[derive(Deserialize)]
struct Cut {
    organisation: String,
    window: AuditWindow,
    now: DateTime<Utc>,
    policies: Vec<PolicyRun>,
    controls: Vec<ControlResult>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    metrics: Metrics,
}

/// The file at `path`, for reading.
fn open(path: &Path) -> Result<std::fs::File, ReportError> {
    std::fs::File::open(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A file that does not hold what it should.
pub(super) fn json_error(path: &Path, expected: &'static str, reason: String) -> ReportError {
    ReportError::Json {
        path: path.to_owned(),
        expected,
        reason,
    }
}

/// Reads the (small) JSON file at `path` as a `T`.
pub fn json<T: DeserializeOwned>(path: &Path, expected: &'static str) -> Result<T, ReportError> {
    let bytes = super::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| json_error(path, expected, e.to_string()))
}
