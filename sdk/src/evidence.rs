//! The evidence set: normalised records collected from runbook repositories,
//! drill results and incident tools, each with its provenance, plus the gaps
//! where something could not be collected.
//!
//! On disk an evidence set is a directory (`runbooks.json`, `code.json`,
//! `drills.json`, `incidents.json`, `gaps.json`, `provenance.json`, `raw/`);
//! policies receive the same records as one JSON object. Field names are a
//! published format (docs/formats.md): add fields freely, rename none.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Every record collected for one assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSet {
    /// Runbooks found by the capabilities' globs.
    #[serde(default)]
    pub runbooks: Vec<Runbook>,
    /// The last change to each capability's code, for drift checks.
    #[serde(default)]
    pub code: Vec<CodeChange>,
    /// Drills, exercises and restore tests.
    #[serde(default)]
    pub drills: Vec<Drill>,
    /// Incidents.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// What could not be collected, and why: missing evidence fails closed.
    #[serde(default)]
    pub gaps: Vec<Gap>,
    /// What each source yielded, in sum: never collected or stored, but
    /// derived by the host ([`EvidenceSet::inventory`]) for the policies that
    /// read kind `inventory`, so a check of the sources themselves needs no
    /// records, however many there are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inventory: Vec<SourceInventory>,
}

impl EvidenceSet {
    /// What each source yielded as of `now`, one entry per source in order of
    /// first appearance (runbooks, code, drills, incidents). A record's date
    /// is a runbook's or code change's `last_changed`, a drill's or an
    /// incident's `started`.
    pub fn inventory(&self, now: DateTime<Utc>) -> Vec<SourceInventory> {
        let mut inventory: Vec<SourceInventory> = Vec::new();
        let mut add = |origin: &Origin, at: DateTime<Utc>, unmatched: Option<&str>| {
            let entry = match inventory.iter().position(|s| s.source == origin.source) {
                Some(i) => &mut inventory[i],
                None => {
                    inventory.push(SourceInventory {
                        source: origin.source.clone(),
                        records: 0,
                        days: Vec::new(),
                        unmatched: Vec::new(),
                    });
                    let last = inventory.len() - 1;
                    &mut inventory[last]
                }
            };
            entry.records += 1;
            if at <= now {
                let day = at.date_naive();
                match entry.days.binary_search_by(|d| d.day.cmp(&day)) {
                    Ok(i) => entry.days[i].records += 1,
                    Err(i) => entry.days.insert(i, DayCount { day, records: 1 }),
                }
            }
            entry.unmatched.extend(unmatched.map(str::to_owned));
        };
        for r in &self.runbooks {
            add(&r.origin, r.last_changed, None);
        }
        for c in &self.code {
            add(&c.origin, c.last_changed, None);
        }
        for d in &self.drills {
            add(
                &d.origin,
                d.started,
                d.capability.is_none().then_some(&*d.id),
            );
        }
        for i in &self.incidents {
            add(
                &i.origin,
                i.started,
                i.capability.is_none().then_some(&*i.id),
            );
        }
        inventory
    }
}

/// What one source yielded (kind `inventory`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInventory {
    /// The plan's id of the source.
    pub source: String,
    /// Its records of every kind.
    pub records: usize,
    /// Its records dated at or before the request's `now`, by UTC day,
    /// earliest first; days without records are left out.
    pub days: Vec<DayCount>,
    /// Ids of its drills and incidents that match no capability of the plan,
    /// in evidence order.
    pub unmatched: Vec<String>,
}

/// How many records one day holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// The UTC day.
    pub day: NaiveDate,
    /// Records dated that day.
    pub records: usize,
}

/// Where a record came from: the source, and the raw artifact it was parsed
/// from (kept under `raw/` in the evidence set and the bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The plan's id of the source.
    pub source: String,
    /// Path of the raw artifact, relative to the evidence set's `raw/`.
    pub artifact: String,
    /// sha256 of the raw artifact, lowercase hex.
    pub sha256: String,
}

/// A runbook at the collected ref, with the history that dates it.
///
/// The history fields beyond DESIGN.md's core (`author_email` to
/// `window_authors`) default when absent, so hand-written sets still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runbook {
    /// Path inside the repository.
    pub path: String,
    /// The capability whose globs matched it (or its front matter says).
    pub capability: String,
    /// The commit that last changed it, exactly as `git log -1 -- PATH` says.
    pub last_commit: String,
    /// Author time of `last_commit`.
    pub last_changed: DateTime<Utc>,
    /// Author of `last_commit` (name after `.mailmap`).
    pub author: String,
    /// Email of the author of `last_commit`.
    #[serde(default)]
    pub author_email: String,
    /// Committer time of `last_commit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<DateTime<Utc>>,
    /// Subject line of `last_commit`.
    #[serde(default)]
    pub subject: String,
    /// The blob id of the file at the collected commit.
    #[serde(default)]
    pub blob: String,
    /// The oldest commit in the file's history (a rename starts a new one).
    #[serde(default)]
    pub created_commit: String,
    /// Author time of `created_commit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Commits changing the file whose author time falls in the audit window.
    #[serde(default)]
    pub window_commits: usize,
    /// Their distinct authors, sorted, counted as `git shortlog -s` does.
    #[serde(default)]
    pub window_authors: Vec<String>,
    /// Owner named in the runbook's front matter; `None` when it names none.
    pub owner: Option<String>,
    /// Front matter `last_reviewed`: a review without an edit also counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<DateTime<Utc>>,
    /// Front matter `reviewed_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// Where it came from.
    pub origin: Origin,
}

/// The last change to a capability's code (its `code` globs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeChange {
    /// The capability.
    pub capability: String,
    /// The commit that last changed any matching file.
    pub last_commit: String,
    /// Author time of `last_commit`.
    pub last_changed: DateTime<Utc>,
    /// Where it came from.
    pub origin: Origin,
}

/// What a drill exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DrillKind {
    /// A chaos experiment or other hands-on technical test.
    Technical,
    /// A discussion-based exercise.
    Tabletop,
    /// A restore from backup.
    Restore,
    /// A failover to a standby or another region.
    Failover,
}

/// Whether a drill met its objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It did.
    Pass,
    /// It did not, or did not finish.
    Fail,
}

/// One drill, exercise or restore test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    /// Stable id within its source.
    pub id: String,
    /// The capability exercised; `None` when no rule matched (reported, not dropped).
    pub capability: Option<String>,
    /// What kind of drill.
    pub kind: DrillKind,
    /// Title or scenario, for people.
    #[serde(default)]
    pub title: String,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When it ended.
    pub ended: DateTime<Utc>,
    /// Whether it passed.
    pub outcome: Outcome,
    /// Measured time to recover, when measured.
    pub recovery_seconds: Option<u64>,
    /// Measured data loss, when measured.
    pub data_loss_seconds: Option<u64>,
    /// Restore tests: whether the restored data passed an integrity check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_check: Option<bool>,
    /// Failover drills: the capability that was failed over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency: Option<String>,
    /// Assumptions the collector made, e.g. a timestamp without offset read as UTC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// Where it came from.
    pub origin: Origin,
}

/// Normalised incident severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentSeverity {
    /// Critical: customer-facing outage.
    Sev1,
    /// Major: significant degradation.
    Sev2,
    /// Minor.
    Sev3,
    /// Low.
    Sev4,
}

/// A follow-up action from an incident or drill: the continuity backlog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// What is to be done.
    pub title: String,
    /// Who owns it.
    pub owner: Option<String>,
    /// When it is due.
    pub due: Option<DateTime<Utc>>,
    /// When it was closed; `None` while open.
    pub closed: Option<DateTime<Utc>>,
}

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id in the incident tool.
    pub id: String,
    /// The capability its service maps to; `None` when unmapped (reported).
    pub capability: Option<String>,
    /// The service as the tool names it.
    #[serde(default)]
    pub service: String,
    /// Normalised severity.
    pub severity: IncidentSeverity,
    /// The tool's own severity, kept for the record.
    #[serde(default)]
    pub severity_raw: String,
    /// Title, for people.
    #[serde(default)]
    pub title: String,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When someone acknowledged it.
    pub acknowledged: Option<DateTime<Utc>>,
    /// When it was resolved; `None` while open (never counted as met).
    pub resolved: Option<DateTime<Utc>>,
    /// `resolved - started`; `None` while open.
    pub recovery_seconds: Option<u64>,
    /// The first status update to customers.
    pub first_update: Option<DateTime<Utc>>,
    /// When the postmortem was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<DateTime<Utc>>,
    /// Follow-up actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// Where it came from.
    pub origin: Origin,
}

/// A source, or part of one, that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The plan's id of the source.
    pub source: String,
    /// The evidence kind that is missing: `runbooks`, `code`, `drills`, `incidents`.
    pub kind: String,
    /// What went wrong, for people.
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inventory_counts_each_source_by_day_up_to_now() {
        let incident = |id: &str, started: &str, capability: Option<&str>| {
            serde_json::json!({
                "id": id, "capability": capability, "service": "svc", "severity": "sev2",
                "severity_raw": "P2", "title": id, "started": started,
                "origin": { "source": "pd", "artifact": "a", "sha256": "00" }
            })
        };
        let set: EvidenceSet = serde_json::from_value(serde_json::json!({
            "incidents": [
                // After `now` (as `i4`): a record, but of no day yet.
                incident("i1", "2026-05-31T23:00:00Z", Some("api")),
                incident("i2", "2026-05-30T10:00:00Z", None),
                incident("i3", "2026-05-31T01:00:00Z", Some("api")),
                incident("i4", "2026-05-31T12:00:01Z", Some("api")),
            ]
        }))
        .unwrap();
        let inventory = set.inventory("2026-05-31T12:00:00Z".parse().unwrap());
        let day = |d: &str, records| DayCount {
            day: d.parse().unwrap(),
            records,
        };
        assert_eq!(
            inventory,
            [SourceInventory {
                source: "pd".into(),
                records: 4,
                days: vec![day("2026-05-30", 1), day("2026-05-31", 1)],
                unmatched: vec!["i2".into()],
            }]
        );
    }
}
