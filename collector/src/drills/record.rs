//! Vouch's own drill record, JSON or YAML, for exercises no tool records:
//! tabletops, restore tests, failovers, hand-run technical drills. The format
//! is ours, so it is read strictly: an unknown key is a typo to report.

use serde::Deserialize;
use vouch_sdk::evidence::{Drill, DrillKind, Outcome};

use super::{DrillFile, Parsed, detect, instant, ordered};
use crate::problem::{self, Problem};
use crate::time::Day;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    vouch_drill: u32,
    id: String,
    capability: Option<String>,
    #[serde(alias = "title")]
    scenario: String,
    kind: DrillKind,
    started: String,
    ended: String,
    outcome: Outcome,
    #[serde(default)]
    recovery_seconds: Option<u64>,
    #[serde(default)]
    data_loss_seconds: Option<u64>,
    #[serde(default)]
    integrity_check: Option<Integrity>,
    #[serde(default)]
    dependency: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    // Kept in the raw record; the drill record has no field for them yet.
    #[serde(default, rename = "participants")]
    _participants: Vec<String>,
    #[serde(default)]
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Integrity {
    Passed,
    Failed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    #[serde(rename = "title")]
    _title: String,
    #[serde(default, rename = "owner")]
    _owner: Option<String>,
    #[serde(default)]
    due: Option<String>,
    #[serde(default)]
    closed: Option<String>,
}

/// The version of the format this reader knows.
const VERSION: u32 = 1;

/// Reads one record (JSON, or YAML by extension).
pub fn parse(file: &DrillFile<'_>) -> Result<Parsed, Problem> {
    let record: Record = if file.path.ends_with(".json") {
        serde_json::from_slice(file.bytes).map_err(|e| {
            problem::json(file.path, &e, "a Vouch drill record (see docs/formats.md)")
        })?
    } else {
        serde_norway::from_slice(file.bytes).map_err(|e| {
            detect::yaml(file.path, &e).help("expected a Vouch drill record (see docs/formats.md)")
        })?
    };
    if record.vouch_drill != VERSION {
        return Err(Problem::new(
            file.path,
            format!(
                "`vouch_drill: {}` is a version this Vouch does not read",
                record.vouch_drill
            ),
        )
        .help(format!("expected `vouch_drill: {VERSION}`")));
    }
    let mut assumptions = Vec::new();
    let started = instant(
        file.path,
        "started",
        &record.started,
        Day::Start,
        &mut assumptions,
    )?;
    let ended = instant(
        file.path,
        "ended",
        &record.ended,
        Day::Start,
        &mut assumptions,
    )?;
    ordered(file.path, started, ended)?;
    // Findings are validated now so a bad date is reported, not carried.
    for (i, finding) in record.findings.iter().enumerate() {
        let at = format!("findings[{i}]");
        for (field, value) in [("due", &finding.due), ("closed", &finding.closed)] {
            if let Some(value) = value {
                let mut ignored = Vec::new();
                instant(
                    file.path,
                    &format!("{at}.{field}"),
                    value,
                    Day::End,
                    &mut ignored,
                )?;
            }
        }
    }
    if record.dependency.is_some() && record.kind != DrillKind::Failover {
        return Err(Problem::new(
            file.path,
            "`dependency` is set on a drill that is not a failover",
        )
        .help("use `kind: failover`, or remove `dependency`"));
    }
    Ok(Parsed {
        drill: Drill {
            id: record.id,
            capability: record.capability,
            kind: record.kind,
            title: record.scenario,
            started,
            ended,
            outcome: record.outcome,
            recovery_seconds: record.recovery_seconds,
            data_loss_seconds: record.data_loss_seconds,
            integrity_check: record
                .integrity_check
                .map(|i| matches!(i, Integrity::Passed)),
            dependency: record.dependency,
            assumptions,
            origin: file.origin.clone(),
        },
        tags: record.tags,
    })
}
