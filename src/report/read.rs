//! Reads what a report is drawn from, and only that: at full scale an
//! assessment holds about a million findings and the evidence set a million
//! incidents, far more than a report lists or charts. Both are streamed
//! record by record, so neither file is ever held whole in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, SeqAccess, Visitor};
use vouch_collector::set::Kind;
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
            runbooks: json(&file(Kind::Runbooks), "an evidence record list")?,
            drills: json(&file(Kind::Drills), "an evidence record list")?,
            incidents: json(&file(Kind::Incidents), "an evidence record list")?,
        })
    }
}

/// An assessment as a report keeps it: its findings cut to those
/// [`Listing`] lists in full, plus the own-run findings the capability table
/// and charts read; and how many passing or not-applicable findings each
/// policy has beyond them.
pub fn assessment(path: &Path) -> Result<(Assessment, BTreeMap<String, usize>), ReportError> {
    let cut: Cut = json(path, "an assessment")?;
    let assessment = Assessment {
        organisation: cut.organisation,
        window: cut.window,
        now: cut.now,
        policies: cut.policies,
        findings: cut.findings.kept,
        controls: cut.controls,
        warnings: cut.warnings,
        metrics: cut.metrics,
    };
    Ok((assessment, cut.findings.unlisted))
}

/// `assessment.json` read with its findings cut as they stream by. The
/// fields and their defaults are [`Assessment`]'s.
#[derive(Deserialize)]
struct Cut {
    organisation: String,
    window: AuditWindow,
    now: DateTime<Utc>,
    policies: Vec<PolicyRun>,
    #[serde(deserialize_with = "cut")]
    findings: Findings,
    controls: Vec<ControlResult>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    metrics: Metrics,
}

#[derive(Default)]
struct Findings {
    kept: Vec<AssessedFinding>,
    unlisted: BTreeMap<String, usize>,
}

fn cut<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Findings, D::Error> {
    struct Each;
    impl<'de> Visitor<'de> for Each {
        type Value = Findings;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of findings")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Findings, A::Error> {
            let mut listing = Listing::default();
            let mut findings = Findings::default();
            while let Some(finding) = seq.next_element::<AssessedFinding>()? {
                if listing.lists(&finding) || Listing::charted(&finding) {
                    findings.kept.push(finding);
                } else {
                    *findings.unlisted.entry(finding.policy).or_default() += 1;
                }
            }
            Ok(findings)
        }
    }
    deserializer.deserialize_seq(Each)
}

/// Streams the JSON file at `path` into a `T`.
pub fn json<T: DeserializeOwned>(path: &Path, expected: &'static str) -> Result<T, ReportError> {
    let file = std::fs::File::open(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_reader(BufReader::with_capacity(1 << 20, file)).map_err(|e| {
        ReportError::Json {
            path: path.to_owned(),
            expected,
            reason: e.to_string(),
        }
    })
}
