//! Drill results: Chaos Toolkit journals, JUnit XML from game-day suites,
//! LitmusChaos `ChaosResult`s and Vouch's own drill records (tabletops,
//! restore tests, failovers). Each file is kept byte for byte under `raw/`;
//! each drill is matched to a capability by its own field or the plan's rules,
//! and one that matches nothing is kept with no capability, never dropped.

mod chaostoolkit;
mod detect;
mod junit;
mod litmus;
mod record;
mod rules;

use std::path::Path;

use chrono::{DateTime, Utc};
use vouch_sdk::evidence::{Drill, Origin};
use vouch_sdk::plan::{DrillFormat, DrillSource, Plan};

use crate::artifact::Artifact;
use crate::problem::Problem;
use crate::set::{SourceWriter, StageError};
use crate::{time, walk};

pub use self::detect::Detected;
pub use self::rules::Rules;

/// One drill file, as read from a source.
#[derive(Debug, Clone, Copy)]
pub struct DrillFile<'a> {
    /// Path relative to the source's `path`, `/`-separated: names the file in
    /// errors and gives file-based drills their id.
    pub path: &'a str,
    /// The bytes as read.
    pub bytes: &'a [u8],
    /// Provenance for every drill the file yields.
    pub origin: &'a Origin,
}

/// A drill as its parser reads it, before the plan's rules give it a capability.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The record; `capability` is set only when the file names one.
    pub drill: Drill,
    /// Tags and labels the rules match on.
    pub tags: Vec<String>,
}

/// What one file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FileDrills {
    /// Drills, in the order the file lists them.
    Drills(Vec<Parsed>),
    /// Nothing that counts yet, and why (e.g. a Litmus run still `Awaited`).
    Nothing(String),
}

/// Parses one file in `format` (recognised by content when `auto`).
pub fn parse(format: DrillFormat, file: &DrillFile<'_>) -> Result<FileDrills, Problem> {
    match detect::detect(format, file.path, file.bytes)? {
        Detected::Chaostoolkit => chaostoolkit::parse(file).map(|d| FileDrills::Drills(vec![d])),
        Detected::Junit => junit::parse(file).map(FileDrills::Drills),
        Detected::Litmus => litmus::parse(file),
        Detected::Vouch => record::parse(file).map(|d| FileDrills::Drills(vec![d])),
    }
}

/// Collects a drill source into `out`: every file under its path, in path order.
pub fn collect(
    source: &DrillSource,
    plan: &Plan,
    plan_dir: &Path,
    out: &mut SourceWriter,
) -> Result<(), StageError> {
    let rules = match Rules::new(plan, source) {
        Ok(rules) => rules,
        Err(problem) => {
            out.fail(&problem);
            return Ok(());
        }
    };
    let root = plan_dir.join(&source.path);
    let files = match walk::files(&root) {
        Ok(files) => files,
        Err(problem) => {
            out.fail(&problem.help("check `path` of the drill source"));
            return Ok(());
        }
    };
    for file in files {
        if !detect::wanted(source.format, &file.relative) {
            out.note(format!(
                "skipped `{}`: not a drill result format",
                file.relative
            ));
            continue;
        }
        let bytes = match std::fs::read(&file.absolute) {
            Ok(bytes) => bytes,
            Err(e) => {
                out.gap(&Problem::new(
                    &file.relative,
                    format!("cannot read the file: {e}"),
                ));
                continue;
            }
        };
        let artifact = Artifact::new(&source.id, &file.relative, bytes);
        out.put(&artifact, None)?;
        let origin = artifact.origin(&source.id);
        let drill_file = DrillFile {
            path: &file.relative,
            bytes: &artifact.bytes,
            origin: &origin,
        };
        match parse(source.format, &drill_file) {
            Ok(FileDrills::Drills(parsed)) => {
                for mut one in parsed {
                    match rules.assign(&mut one, &file.relative) {
                        Ok(()) => out.drill(&one.drill)?,
                        Err(problem) => out.gap(&problem),
                    }
                }
            }
            Ok(FileDrills::Nothing(why)) => out.note(format!("`{}`: {why}", file.relative)),
            Err(problem) => out.gap(&problem),
        }
    }
    Ok(())
}

/// Reads a drill's timestamp `field`, noting on `assumptions` when it had no zone.
fn instant(
    at: &str,
    field: &str,
    text: &str,
    day: time::Day,
    assumptions: &mut Vec<String>,
) -> Result<DateTime<Utc>, Problem> {
    let stamp = time::parse(text, day).map_err(|e| Problem::new(at, format!("`{field}`: {e}")))?;
    if stamp.assumed_utc {
        assume(assumptions, time::ASSUMED_UTC);
    }
    Ok(stamp.at)
}

/// Adds an assumption once.
fn assume(assumptions: &mut Vec<String>, text: &str) {
    if !assumptions.iter().any(|a| a == text) {
        assumptions.push(text.to_owned());
    }
}

/// Checks that a drill did not end before it started.
fn ordered(at: &str, started: DateTime<Utc>, ended: DateTime<Utc>) -> Result<(), Problem> {
    if ended < started {
        return Err(Problem::new(
            at,
            format!("ends (`{ended}`) before it starts (`{started}`)"),
        ));
    }
    Ok(())
}
