//! The history of runs, for trends: each `vouch run` appends its metrics and
//! control counts to an SQLite store beside the evidence set
//! (`.vouch/history.sqlite`), and the bundle carries the runs before it as
//! `history.json`, so a report drawn from the bundle alone shows the trend.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};
use serde::{Deserialize, Serialize};
use vouch_sdk::Assessment;
use vouch_sdk::assessment::{ControlStatus, Metrics};

/// The store's file name, beside the evidence set directory.
pub const STORE: &str = "history.sqlite";

/// The history's file name inside a bundle.
pub const BUNDLED: &str = "history.json";

/// One run as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The time the run's assessment was as of.
    pub now: DateTime<Utc>,
    /// The plan's organisation.
    pub organisation: String,
    /// The sha256 of the run's bundle envelope (`statement.dsse.json`).
    pub bundle: Option<String>,
    /// Control status counts over every framework.
    pub controls: Counts,
    /// The run's continuity metrics.
    pub metrics: Metrics,
}

/// How many controls have each status; every control is in exactly one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Satisfied with no waiver.
    pub satisfied: usize,
    /// Not satisfied.
    pub not_satisfied: usize,
    /// No evidence.
    pub no_evidence: usize,
    /// Error.
    pub error: usize,
    /// Satisfied because a waiver covers a failure.
    pub waived: usize,
}

impl Counts {
    /// Counts the statuses of `controls`.
    pub fn of<'a>(
        controls: impl IntoIterator<Item = &'a vouch_sdk::assessment::ControlResult>,
    ) -> Self {
        let mut counts = Self::default();
        for control in controls {
            match control.status {
                ControlStatus::Satisfied if control.waived > 0 => counts.waived += 1,
                ControlStatus::Satisfied => counts.satisfied += 1,
                ControlStatus::NotSatisfied => counts.not_satisfied += 1,
                ControlStatus::NoEvidence => counts.no_evidence += 1,
                ControlStatus::Error => counts.error += 1,
            }
        }
        counts
    }
}

impl Run {
    /// The history entry of `assessment`, sealed as `bundle`.
    pub fn of(assessment: &Assessment, bundle: Option<String>) -> Self {
        Self {
            now: assessment.now,
            organisation: assessment.organisation.clone(),
            bundle,
            controls: Counts::of(&assessment.controls),
            metrics: assessment.metrics.clone(),
        }
    }
}

/// Why the history could not be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    /// The store could not be opened, read or written.
    #[error("cannot use the run history `{}`", path.display())]
    #[diagnostic(
        code(vouch::history::store),
        help(
            "the history is an SQLite file `vouch run` keeps beside the evidence set; move a damaged one aside and run again to start a new history"
        )
    )]
    Store {
        /// The store.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },

    /// A row does not hold what `vouch run` writes.
    #[error("run {row} of the history `{}` does not decode: {reason}", path.display())]
    #[diagnostic(
        code(vouch::history::row),
        help("the row was written by another program or a damaged file; move the store aside")
    )]
    Row {
        /// The store.
        path: PathBuf,
        /// The row id.
        row: i64,
        /// What serde said.
        reason: String,
    },
}

/// The history store beside an evidence set.
pub struct Store {
    path: PathBuf,
    connection: Connection,
}

impl Store {
    /// The store of the evidence set `evidence` (`EVIDENCE/../history.sqlite`).
    pub fn path_for(evidence: &Path) -> PathBuf {
        evidence
            .parent()
            .map_or_else(|| PathBuf::from(STORE), |dir| dir.join(STORE))
    }

    /// Opens the store, creating it when missing.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let store = Self::connect(path, OpenFlags::default())?;
        store
            .connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS runs (
                     id INTEGER PRIMARY KEY,
                     now TEXT NOT NULL,
                     organisation TEXT NOT NULL,
                     bundle TEXT,
                     controls TEXT NOT NULL,
                     metrics TEXT NOT NULL
                 );",
            )
            .map_err(|source| store.error(source))?;
        Ok(store)
    }

    /// Reads every run of the store at `path`, oldest first; none when it does not exist.
    pub fn read(path: &Path) -> Result<Vec<Run>, HistoryError> {
        if !path.exists() {
            return Ok(Vec::new());
        }
        Self::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?.runs()
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Self, HistoryError> {
        let fail = |source| HistoryError::Store {
            path: path.to_owned(),
            source,
        };
        let connection = Connection::open_with_flags(path, flags).map_err(fail)?;
        // Two runs beside one evidence set wait for each other's write.
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(fail)?;
        Ok(Self {
            path: path.to_owned(),
            connection,
        })
    }

    fn error(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends `run`.
    pub fn append(&self, run: &Run) -> Result<(), HistoryError> {
        let controls = json(&run.controls).map_err(|source| self.error(source))?;
        let metrics = json(&run.metrics).map_err(|source| self.error(source))?;
        self.connection
            .execute(
                "INSERT INTO runs (now, organisation, bundle, controls, metrics)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    run.organisation,
                    run.bundle,
                    controls,
                    metrics,
                ],
            )
            .map(|_| ())
            .map_err(|source| self.error(source))
    }

    /// Every run, oldest first (by `now`, then by when it was appended).
    pub fn runs(&self) -> Result<Vec<Run>, HistoryError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, now, organisation, bundle, controls, metrics
                 FROM runs ORDER BY now, id",
            )
            .map_err(|source| self.error(source))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })
            .map_err(|source| self.error(source))?;
        let mut runs = Vec::new();
        for row in rows {
            let (id, now, organisation, bundle, controls, metrics) =
                row.map_err(|source| self.error(source))?;
            let bad = |reason: String| HistoryError::Row {
                path: self.path.clone(),
                row: id,
                reason,
            };
            runs.push(Run {
                now: DateTime::parse_from_rfc3339(&now)
                    .map_err(|e| bad(format!("`now` {e}")))?
                    .with_timezone(&Utc),
                organisation,
                bundle,
                controls: serde_json::from_str(&controls)
                    .map_err(|e| bad(format!("`controls` {e}")))?,
                metrics: serde_json::from_str(&metrics)
                    .map_err(|e| bad(format!("`metrics` {e}")))?,
            });
        }
        Ok(runs)
    }
}

fn json(value: &impl Serialize) -> Result<String, rusqlite::Error> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The runs of `history` a report of `assessment` draws as its trend: the
/// same organisation's, earlier than the assessment, then the assessment
/// itself.
pub fn trend(history: &[Run], assessment: &Assessment) -> Vec<Run> {
    let mut runs: Vec<Run> = history
        .iter()
        .filter(|r| r.organisation == assessment.organisation && r.now < assessment.now)
        .cloned()
        .collect();
    runs.sort_by_key(|r| r.now);
    runs.push(Run::of(assessment, None));
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(now: &str, organisation: &str, drill_pass_rate: Option<f64>) -> Run {
        Run {
            now: now.parse().unwrap(),
            organisation: organisation.into(),
            bundle: Some("ab".into()),
            controls: Counts {
                satisfied: 3,
                not_satisfied: 1,
                ..Counts::default()
            },
            metrics: Metrics {
                drill_pass_rate,
                ..Metrics::default()
            },
        }
    }

    #[test]
    fn the_store_keeps_runs_in_time_order() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(STORE);
        assert!(Store::read(&path).unwrap().is_empty());
        let store = Store::open(&path).unwrap();
        let later = run("2026-12-01T00:00:00Z", "Acme", Some(0.9));
        let earlier = run("2026-11-01T00:00:00Z", "Acme", None);
        store.append(&later).unwrap();
        store.append(&earlier).unwrap();
        drop(store);
        assert_eq!(Store::read(&path).unwrap(), [earlier, later]);
    }

    #[test]
    fn the_trend_is_the_organisation_s_earlier_runs_then_this_one() {
        let history = [
            run("2026-09-01T00:00:00Z", "Acme", Some(0.7)),
            run("2026-10-01T00:00:00Z", "Other", Some(0.1)),
            run("2026-10-15T00:00:00Z", "Acme", None),
            // The same `now` again (a re-run): this assessment replaces it.
            run("2026-11-01T00:00:00Z", "Acme", Some(0.5)),
        ];
        let assessment: Assessment = serde_json::from_value(serde_json::json!({
            "organisation": "Acme",
            "window": { "start": "2026-01-01", "end": "2026-10-31" },
            "now": "2026-11-01T00:00:00Z",
            "policies": [], "findings": [], "controls": [],
            "metrics": { "drill_pass_rate": 0.8 },
        }))
        .unwrap();
        let rates: Vec<Option<f64>> = trend(&history, &assessment)
            .iter()
            .map(|r| r.metrics.drill_pass_rate)
            .collect();
        assert_eq!(rates, [Some(0.7), None, Some(0.8)]);
    }
}
